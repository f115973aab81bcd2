//! Turning sqlx errors into [`StoreError`]. A lost or refused connection, a server shutting
//! down, a write that reached a read-only standby, a full disk, a serialization failure or
//! deadlock are `Unavailable` (the caller may retry); a unique-key violation is the `Conflict`
//! of its key; anything else `Internal`.

use sqlx::{Postgres, Transaction};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
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
        other if not_now(other) => {
            if read_only(other) {
                READ_ONLY_SEEN_MS.store(unix_ms(SystemTime::now()), Ordering::Relaxed);
            }
            StoreError::Unavailable(Box::new(e))
        }
        _ => StoreError::Internal(Box::new(e)),
    }
}

/// When a write last found its server taking no writes (SQLSTATE 25006: the node became a
/// standby, or was set read-only), in Unix milliseconds; 0 never. Connections made before
/// then are not taken from a pool again ([`keep_connection`]): a new one may reach the primary
/// (or the server, once it takes writes again), an old one never will. Kept for the process,
/// not per pool: another store of the same process then only reconnects once more.
static READ_ONLY_SEEN_MS: AtomicU64 = AtomicU64::new(0);

fn unix_ms(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn read_only(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.code().as_deref() == Some("25006"))
}

/// Whether a pooled connection of `age` may be used again: not when it was made before a write
/// last found the server read-only.
pub fn keep_connection(age: Duration) -> bool {
    let seen = READ_ONLY_SEEN_MS.load(Ordering::Relaxed);
    let made = SystemTime::now().checked_sub(age).map_or(0, unix_ms);
    seen == 0 || made > seen
}

/// Commits `tx`. A commit whose connection failed (lost, or ended by a server shutting down,
/// as in a failover while the commit waited for a synchronous standby) may have been made:
/// that is [`StoreError::OutcomeUnknown`], never `Unavailable`, which promises nothing was
/// written. A commit the server refused (a serialization failure, a deferred constraint)
/// was not made.
pub async fn commit(tx: Transaction<'_, Postgres>) -> Result<(), StoreError> {
    tx.commit().await.map_err(|e| {
        if connection_lost(&e) {
            StoreError::OutcomeUnknown(Box::new(e))
        } else {
            map_error(e)
        }
    })
}

/// Whether the connection itself failed, rather than the server refusing a statement.
fn connection_lost(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|c| c.starts_with("08") || c.starts_with("57P")),
        sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::Protocol(_) => true,
        _ => false,
    }
}

/// A failed migration: one that lost its connection or reached a standby may be retried (a
/// replica starting during a failover waits for it); anything else is a broken database.
pub fn migration_error(e: sqlx::migrate::MigrateError) -> StoreError {
    use sqlx::migrate::MigrateError;
    match &e {
        MigrateError::Execute(inner) | MigrateError::ExecuteMigration(inner, _)
            if not_now(inner) =>
        {
            StoreError::Unavailable(Box::new(e))
        }
        _ => StoreError::Internal(Box::new(e)),
    }
}

/// Whether an error says "not now" rather than "never": the connection failed, or the server
/// answered with a SQLSTATE worth retrying.
fn not_now(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => db.code().is_some_and(|c| retryable(&c)),
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        _ => false,
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
    use super::{connection_lost, migration_error, retryable};
    use sqlx::migrate::MigrateError;
    use whmd_domain::StoreError;

    #[test]
    fn a_migration_that_lost_its_connection_may_be_retried() {
        let lost = sqlx::Error::Io(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "expected to read 5 bytes, got 0 bytes at EOF",
        ));
        assert!(matches!(
            migration_error(MigrateError::Execute(lost)),
            StoreError::Unavailable(_)
        ));
        assert!(matches!(
            migration_error(MigrateError::VersionMismatch(3)),
            StoreError::Internal(_)
        ));
    }

    #[test]
    fn a_commit_is_lost_only_with_its_connection() {
        let io = || std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset");
        assert!(connection_lost(&sqlx::Error::Io(io())));
        assert!(connection_lost(&sqlx::Error::Protocol("eof".into())));
        // Never reached the server: nothing was committed.
        assert!(!connection_lost(&sqlx::Error::PoolTimedOut));
        assert!(!connection_lost(&sqlx::Error::PoolClosed));
    }

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
