//! The door: cPHulk's state as the authenticator consults it on every login. The state is
//! read from the store at most once a second and forgotten at once when this server changes
//! it, so a block made through another replica applies within a second (the replica rule,
//! ARCHITECTURE.md).

use super::{Block, Failure, Gate, HulkState};
use crate::time::unix_now;
use crate::{StoreError, Stores};
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a read of the state is believed.
const TTL: Duration = Duration::from_secs(1);

#[derive(Debug)]
pub struct HulkGuard {
    stores: Stores,
    /// Bumped by every `forget` (with `cached` held); a read begun before one must not be
    /// kept. Read without the lock by the authenticator's per-thread memo.
    generation: AtomicU64,
    cached: Mutex<Option<(Instant, Arc<HulkState>)>>,
}

impl HulkGuard {
    pub fn new(stores: Stores) -> Self {
        Self {
            stores,
            generation: AtomicU64::new(0),
            cached: Mutex::default(),
        }
    }

    fn cached(&self) -> std::sync::MutexGuard<'_, Option<(Instant, Arc<HulkState>)>> {
        self.cached.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The state as of `clock` (a reading of the monotonic clock): remembered, or read now.
    pub async fn state(&self, clock: Instant) -> Result<Arc<HulkState>, StoreError> {
        if let Some((state, _)) = self.remembered(clock) {
            return Ok(state);
        }
        // Taken after the miss: a `forget` since then must still void this read.
        let generation = self.generation();
        let state = Arc::new(self.stores.hulk.hulk_state(unix_now()).await?);
        let mut cached = self.cached();
        if self.generation() == generation {
            *cached = Some((Instant::now(), Arc::clone(&state)));
        }
        Ok(state)
    }

    /// The state as of `clock`, if it is remembered, and until when it is believed.
    pub fn remembered(&self, clock: Instant) -> Option<(Arc<HulkState>, Instant)> {
        let cached = self.cached();
        let (at, state) = cached.as_ref()?;
        let until = *at + TTL;
        (clock < until).then(|| (Arc::clone(state), until))
    }

    /// Which `forget` the remembered state is as of.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// What a login as `user` from `peer` meets, as of `clock`.
    pub async fn gate(&self, peer: IpAddr, user: &str, clock: Instant) -> Result<Gate, StoreError> {
        Ok(self.state(clock).await?.gate(peer, user, unix_now))
    }

    /// Counts a failed login and makes the blocks it earns; returns them.
    pub async fn record_failure(&self, failure: &Failure) -> Result<Vec<Block>, StoreError> {
        let config = self.state(Instant::now()).await?.config.clone();
        if !config.is_enabled {
            return Ok(Vec::new());
        }
        let counts = self
            .stores
            .hulk
            .record_failure(failure, &config.windows(failure.time))
            .await?;
        let blocks = config.blocks_after(failure, &counts);
        if !blocks.is_empty() {
            self.stores.hulk.add_blocks(&blocks).await?;
            self.forget();
        }
        Ok(blocks)
    }

    /// Forgets the remembered state; called after anything that may have changed it.
    pub fn forget(&self) {
        let mut cached = self.cached();
        self.generation.fetch_add(1, Ordering::SeqCst);
        *cached = None;
    }
}
