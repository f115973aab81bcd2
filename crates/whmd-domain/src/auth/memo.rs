//! Each thread's memory of the API-token calls it authenticated from the caches lately, so
//! that a client making call after call is answered without taking any lock the other threads
//! take too (under load, two workers contending for the caches' locks cost more than the
//! lookups themselves).
//!
//! A memo says no more than the caches said when it was made, and for no longer: it lasts
//! until the earlier of the token proof's and the brute-force state's own ends of freshness,
//! it is void as soon as either cache is cleared (its generations are part of the memo), and
//! it is for one token, user and address. A token's expiry is checked at every use. The
//! success was audited, or found audited within its period, when the memo was made, and the
//! memo ends well within that period.

use super::cache::Key;
use crate::Principal;
use crate::time::unix_now;
use std::cell::RefCell;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Calls remembered per thread; beyond this the oldest memo is replaced.
const SLOTS: usize = 8;

/// Which authenticator a memo is of, and which clears of its caches it has seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Epoch {
    pub authenticator: u64,
    pub tokens: u64,
    pub hulk: u64,
}

/// A number no other authenticator in this process has (a freed one's address could be).
pub(super) fn authenticator_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// What the caches said of one call.
#[derive(Debug, Clone)]
pub(super) struct Memo {
    pub epoch: Epoch,
    pub key: Key,
    pub peer: IpAddr,
    /// When the first of the caches' entries it rests on stops being believed.
    pub until: Instant,
    /// The token's expiry, as Unix time.
    pub expires_at: Option<i64>,
    pub principal: Principal,
}

#[derive(Debug, Default)]
struct Slots {
    memos: Vec<Memo>,
    /// The slot the next new memo takes once every slot is used.
    next: usize,
}

thread_local! {
    static SLOTS_OF_THREAD: RefCell<Slots> = RefCell::new(Slots::default());
}

/// The principal this thread's memo holds for the call, if one holds at `clock`.
pub(super) fn recall(
    epoch: Epoch,
    key: &Key,
    user: &str,
    peer: IpAddr,
    clock: Instant,
) -> Option<Principal> {
    SLOTS_OF_THREAD.with_borrow(|slots| {
        let memo = slots.memos.iter().find(|m| {
            m.epoch == epoch
                && m.key == *key
                && m.peer == peer
                && m.principal.user == user
                && clock < m.until
        })?;
        if memo.expires_at.is_some_and(|t| t <= unix_now()) {
            return None;
        }
        Some(memo.principal.clone())
    })
}

/// Remembers what the caches said of a call, in place of any memo of the same call.
pub(super) fn note(memo: Memo) {
    SLOTS_OF_THREAD.with_borrow_mut(|slots| {
        let same = slots.memos.iter().position(|m| {
            m.epoch.authenticator == memo.epoch.authenticator
                && m.key == memo.key
                && m.peer == memo.peer
                && m.principal.user == memo.principal.user
        });
        match same {
            Some(i) => slots.memos[i] = memo,
            None if slots.memos.len() < SLOTS => slots.memos.push(memo),
            None => {
                let i = slots.next;
                slots.memos[i] = memo;
                slots.next = (i + 1) % SLOTS;
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AuthMethod;
    use crate::auth::cache::key;
    use std::time::Duration;
    use whmd_wire::AclSet;

    const HOME: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    fn memo(authenticator: u64, token: &str, until: Instant) -> Memo {
        Memo {
            epoch: Epoch {
                authenticator,
                tokens: 0,
                hulk: 0,
            },
            key: key(token),
            peer: HOME,
            until,
            expires_at: None,
            principal: Principal {
                user: "root".into(),
                acls: AclSet::root(),
                method: AuthMethod::ApiToken {
                    name: "t".into(),
                    limited: false,
                },
            },
        }
    }

    #[test]
    fn a_memo_holds_for_its_call_only_and_not_past_its_end() {
        let id = authenticator_id();
        let now = Instant::now();
        let made = memo(id, "a", now + Duration::from_secs(1));
        let epoch = made.epoch;
        note(made);
        assert!(recall(epoch, &key("a"), "root", HOME, now).is_some());
        assert!(recall(epoch, &key("b"), "root", HOME, now).is_none());
        assert!(recall(epoch, &key("a"), "bob", HOME, now).is_none());
        let elsewhere: IpAddr = "192.0.2.7".parse().expect("address");
        assert!(recall(epoch, &key("a"), "root", elsewhere, now).is_none());
        let later = now + Duration::from_secs(1);
        assert!(recall(epoch, &key("a"), "root", HOME, later).is_none());
    }

    #[test]
    fn a_clear_of_either_cache_or_another_authenticator_voids_it() {
        let id = authenticator_id();
        let now = Instant::now();
        let made = memo(id, "a", now + Duration::from_secs(1));
        let epoch = made.epoch;
        note(made);
        let tokens_cleared = Epoch { tokens: 1, ..epoch };
        let hulk_cleared = Epoch { hulk: 1, ..epoch };
        let other = Epoch {
            authenticator: authenticator_id(),
            ..epoch
        };
        for voided in [tokens_cleared, hulk_cleared, other] {
            assert!(recall(voided, &key("a"), "root", HOME, now).is_none());
        }
    }

    #[test]
    fn an_expired_token_is_not_recalled() {
        let id = authenticator_id();
        let now = Instant::now();
        let mut made = memo(id, "a", now + Duration::from_secs(1));
        made.expires_at = Some(unix_now() - 1);
        let epoch = made.epoch;
        note(made);
        assert!(recall(epoch, &key("a"), "root", HOME, now).is_none());
    }

    #[test]
    fn the_oldest_memo_makes_room() {
        let id = authenticator_id();
        let now = Instant::now();
        let until = now + Duration::from_secs(1);
        let tokens: Vec<String> = (0..=SLOTS).map(|i| format!("t{i}")).collect();
        for token in &tokens {
            note(memo(id, token, until));
        }
        let epoch = memo(id, "", until).epoch;
        assert!(recall(epoch, &key(&tokens[SLOTS]), "root", HOME, now).is_some());
        let kept = tokens
            .iter()
            .filter(|t| recall(epoch, &key(t), "root", HOME, now).is_some())
            .count();
        assert_eq!(kept, SLOTS);
    }
}
