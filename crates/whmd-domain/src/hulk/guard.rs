//! The door: cPHulk's state as the authenticator consults it on every login. The state is
//! read from the store at most once a second and forgotten at once when this server changes
//! it, so a block made through another replica applies within a second (the replica rule,
//! ARCHITECTURE.md).

use super::{Block, Failure, Gate, HulkState};
use crate::time::unix_now;
use crate::{StoreError, Stores};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a read of the state is believed.
const TTL: Duration = Duration::from_secs(1);

#[derive(Debug)]
pub struct HulkGuard {
    stores: Stores,
    cached: Mutex<Cached>,
}

#[derive(Debug, Default)]
struct Cached {
    /// Bumped by every `forget`; a read begun before one must not be kept.
    generation: u64,
    state: Option<(Instant, Arc<HulkState>)>,
}

impl HulkGuard {
    pub fn new(stores: Stores) -> Self {
        Self {
            stores,
            cached: Mutex::default(),
        }
    }

    fn cached(&self) -> std::sync::MutexGuard<'_, Cached> {
        self.cached.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The state as of `clock` (a reading of the monotonic clock): remembered, or read now.
    pub async fn state(&self, clock: Instant) -> Result<Arc<HulkState>, StoreError> {
        if let Some(state) = self.remembered(clock) {
            return Ok(state);
        }
        // Taken after the miss: a `forget` since then must still void this read.
        let generation = self.cached().generation;
        let state = Arc::new(self.stores.hulk.hulk_state(unix_now()).await?);
        let mut cached = self.cached();
        if cached.generation == generation {
            cached.state = Some((Instant::now(), Arc::clone(&state)));
        }
        Ok(state)
    }

    /// The state as of `clock`, if it is remembered.
    pub fn remembered(&self, clock: Instant) -> Option<Arc<HulkState>> {
        let cached = self.cached();
        cached
            .state
            .as_ref()
            .filter(|(at, _)| clock.saturating_duration_since(*at) < TTL)
            .map(|(_, state)| Arc::clone(state))
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
        cached.generation += 1;
        cached.state = None;
    }
}
