//! Recently proven API tokens, so that most requests authenticate without a store read.
//!
//! An entry lives at most [`TTL`]. Every call that may change credentials or privileges clears
//! the cache (the dispatcher does it after any function not marked read-only), so a change made
//! through this server applies to its very next request; a change made through another replica
//! (or `whmapi1` on the store directly) applies within the TTL.

use crate::Principal;
use ipnet::IpNet;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How long a proven token is believed without asking the store again.
pub const TTL: Duration = Duration::from_secs(1);

/// What a token is remembered by: its SHA-256, which is collision-resistant and, with the
/// processor's SHA instructions, several times cheaper than the store's hex SHA-512, which is
/// then computed only when the cache misses.
pub(super) type Key = [u8; 32];

pub(super) fn key(token: &str) -> Key {
    Sha256::digest(token.as_bytes()).into()
}

/// Beyond this many live entries the cache starts over; only proven tokens get in.
const MAX_ENTRIES: usize = 4096;

#[derive(Debug)]
pub(super) struct TokenCache {
    ttl: Duration,
    /// Bumped by every clear (with `state` held); a lookup that started before a clear must
    /// not fill the cache. Read without the lock by each thread's [`memo`](super::memo).
    generation: AtomicU64,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    entries: HashMap<Key, Entry>,
}

/// What a token proved, and the conditions on it that are checked at every use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Proof {
    pub principal: Principal,
    /// Unix time after which the token is refused.
    pub expires_at: Option<i64>,
    /// The addresses it may be used from; `None` for any.
    pub whitelist: Option<Vec<IpNet>>,
}

#[derive(Debug)]
struct Entry {
    proof: Proof,
    cached_at: Instant,
}

impl TokenCache {
    pub(super) fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            generation: AtomicU64::new(0),
            state: Mutex::default(),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // The state is a plain map: a panic elsewhere cannot leave it half-changed.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// What the token of `key` proved for `user`, when that is fresh at `now`, and until when
    /// it stays fresh. Expiry and address are the caller's to check, on every use.
    pub(super) fn get(&self, key: &Key, user: &str, now: Instant) -> Option<(Proof, Instant)> {
        let state = self.state();
        let entry = state.entries.get(key)?;
        let until = entry.cached_at + self.ttl;
        let fresh = now < until && entry.proof.principal.user == user;
        fresh.then(|| (entry.proof.clone(), until))
    }

    pub(super) fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Remembers a proof, unless the cache was cleared since `generation` was read.
    pub(super) fn insert(&self, generation: u64, key: Key, proof: Proof) {
        let mut state = self.state();
        if self.generation() != generation {
            return;
        }
        if state.entries.len() >= MAX_ENTRIES {
            state.entries.clear();
        }
        state.entries.insert(
            key,
            Entry {
                proof,
                cached_at: Instant::now(),
            },
        );
    }

    pub(super) fn clear(&self) {
        let mut state = self.state();
        self.generation.fetch_add(1, Ordering::SeqCst);
        state.entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AuthMethod;
    use whmd_wire::AclSet;

    fn root() -> Proof {
        Proof {
            principal: Principal {
                user: "root".into(),
                acls: AclSet::root(),
                method: AuthMethod::ApiToken {
                    name: "t".into(),
                    limited: false,
                },
            },
            expires_at: None,
            whitelist: None,
        }
    }

    #[test]
    fn a_proof_is_kept_for_its_user_only() {
        let cache = TokenCache::new(TTL);
        cache.insert(cache.generation(), key("d"), root());
        let now = Instant::now();
        let (proof, until) = cache.get(&key("d"), "root", now).expect("kept");
        assert_eq!(proof, root());
        assert!(until > now && until <= Instant::now() + TTL);
        assert_eq!(cache.get(&key("d"), "other", Instant::now()), None);
        assert_eq!(cache.get(&key("e"), "root", Instant::now()), None);
    }

    #[test]
    fn clearing_forgets_and_refuses_lookups_begun_before_it() {
        let cache = TokenCache::new(TTL);
        let before = cache.generation();
        cache.insert(before, key("d"), root());
        cache.clear();
        assert_eq!(cache.get(&key("d"), "root", Instant::now()), None);
        cache.insert(before, key("d"), root());
        assert_eq!(cache.get(&key("d"), "root", Instant::now()), None);
    }

    #[test]
    fn stale_entries_are_not_believed() {
        let cache = TokenCache::new(Duration::ZERO);
        cache.insert(cache.generation(), key("d"), root());
        assert_eq!(cache.get(&key("d"), "root", Instant::now()), None);
    }
}
