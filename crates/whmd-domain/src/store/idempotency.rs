//! Replies kept for `Idempotency-Key`: a caller that sends the same key again with the same
//! call gets the first reply, and nothing runs twice (docs/compatibility.md, "Safe retries").

use super::StoreError;
use async_trait::async_trait;
use sha2::{Digest, Sha256};
use std::fmt::Debug;

/// How long a key and its reply are kept.
pub const KEEP_SECONDS: i64 = 24 * 60 * 60;

/// One caller's key: keys of different users never meet.
#[derive(Debug, Clone, Copy)]
pub struct KeyOf<'a> {
    pub user: &'a str,
    pub key: &'a str,
}

/// What a claim found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key is new: this call runs, and [`IdempotencyStore::complete`] keeps its reply.
    Run,
    /// The first call with the key finished with this reply (as stored).
    Replay(String),
    /// The first call with the key has not finished; `since` is when it began.
    Running { since: i64 },
    /// The key was used for another call (other function or arguments).
    Mismatch,
}

#[async_trait]
pub trait IdempotencyStore: Debug + Send + Sync {
    /// Claims `key` for the call `fingerprint` at `now`, atomically: of calls racing with one
    /// key, exactly one is told to run. Keys older than [`KEEP_SECONDS`] are forgotten on the
    /// way.
    /// `claimant` names the call: a claim is completed or released only by the call that
    /// made it.
    async fn claim(
        &self,
        key: KeyOf<'_>,
        claimant: &str,
        fingerprint: &str,
        now: i64,
    ) -> Result<Claim, StoreError>;

    /// Keeps `reply` for the claim `claimant` holds; nothing when it holds none (its claim was
    /// never made, or has been forgotten).
    async fn complete(&self, key: KeyOf<'_>, claimant: &str, reply: &str)
    -> Result<(), StoreError>;

    /// Lets the claim `claimant` holds go without a reply, for a call that changed nothing (it
    /// could not reach the store), so a retry runs. A claim whose making was not confirmed is
    /// let go the same way: when it was not made, another call's claim of the key stays.
    async fn release(&self, key: KeyOf<'_>, claimant: &str) -> Result<(), StoreError>;
}

/// What a claim found in the row of the call that holds the key.
pub fn found(fingerprint: &str, stored: String, created: i64, reply: Option<String>) -> Claim {
    match reply {
        _ if stored != fingerprint => Claim::Mismatch,
        Some(reply) => Claim::Replay(reply),
        None => Claim::Running { since: created },
    }
}

/// What identifies a call for its key: the function and every argument as sent, in order.
pub fn fingerprint<'a>(
    function: &str,
    args: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
) -> String {
    let mut hash = Sha256::new();
    hash.update(function.as_bytes());
    for (key, value) in args {
        // Lengths first, so that no two different lists write the same bytes.
        hash.update((key.len() as u64).to_le_bytes());
        hash.update(key.as_bytes());
        match value {
            Some(v) => {
                hash.update([1]);
                hash.update((v.len() as u64).to_le_bytes());
                hash.update(v.as_bytes());
            }
            None => hash.update([0]),
        }
    }
    hex::encode(hash.finalize())
}

/// Whether `key` may be an Idempotency-Key: 1 to 255 printable ASCII characters.
pub fn valid_key(key: &str) -> bool {
    (1..=MAX_KEY_LEN).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

/// The longest key taken.
pub const MAX_KEY_LEN: usize = 255;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_tell_calls_apart() {
        let one = fingerprint("createacct", [("username", Some("bob"))]);
        assert_eq!(one, fingerprint("createacct", [("username", Some("bob"))]));
        assert_ne!(one, fingerprint("createacct", [("username", Some("bo"))]));
        assert_ne!(one, fingerprint("removeacct", [("username", Some("bob"))]));
        assert_ne!(
            fingerprint("f", [("ab", Some("c"))]),
            fingerprint("f", [("a", Some("bc"))])
        );
        assert_ne!(
            fingerprint("f", [("a", None)]),
            fingerprint("f", [("a", Some(""))])
        );
    }

    #[test]
    fn keys_are_printable_and_bounded() {
        assert!(valid_key("0f7c2a6e-order-1234"));
        for bad in ["", " ", "a b", "tab\t", "é"] {
            assert!(!valid_key(bad), "{bad:?}");
        }
        assert!(valid_key(&"k".repeat(MAX_KEY_LEN)));
        assert!(!valid_key(&"k".repeat(MAX_KEY_LEN + 1)));
    }
}
