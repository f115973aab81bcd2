//! Turning sqlx errors into [`StoreError`]. A lost or refused connection, a server shutting
//! down, a write that reached a read-only standby, a full disk, a serialization failure or
//! deadlock are `Unavailable` (the caller may retry); a unique-key violation is the `Conflict`
//! of its key; anything else `Internal`.

use whmd_domain::StoreError;
use whmd_domain::store::Conflict;

pub fn map_error(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Conflict(Conflict::from_postgres_constraint(
                db.table().unwrap_or_default(),
                db.constraint().unwrap_or_default(),
            ))
        }
        sqlx::Error::Database(db) if db.code().is_some_and(|c| retryable(&c)) => {
            StoreError::Unavailable(Box::new(e))
        }
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => StoreError::Unavailable(Box::new(e)),
        _ => StoreError::Internal(Box::new(e)),
    }
}

/// SQLSTATE classes and codes that say "not now" rather than "never".
fn retryable(code: &str) -> bool {
    // 08: connection exceptions; 53: insufficient resources (53100 disk full);
    // 57P01-03: shutdown or not yet accepting; 40001/40P01: serialization failure, deadlock;
    // 25006: a write that reached a read-only standby (a URL naming a node across a failover).
    code.starts_with("08")
        || code.starts_with("53")
        || code.starts_with("57P")
        || matches!(code, "40001" | "40P01" | "25006")
}

#[cfg(test)]
mod tests {
    use super::retryable;

    #[test]
    fn not_now_is_told_apart_from_never() {
        for code in [
            "08006", "08001", "53100", "57P01", "57P03", "40001", "40P01", "25006",
        ] {
            assert!(retryable(code), "{code} is worth retrying");
        }
        for code in ["23505", "42P01", "22001", "25P02", "XX000"] {
            assert!(!retryable(code), "{code} is not");
        }
    }
}
