//! Turning sqlx errors into [`StoreError`]: a locked or unreachable database is
//! `Unavailable`, a unique-key violation the `Conflict` of its key, anything else `Internal`.

use whmd_domain::StoreError;
use whmd_domain::store::Conflict;

pub fn map_error(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Conflict(Conflict::from_sqlite_message(db.message()))
        }
        // SQLITE_BUSY (5) and SQLITE_LOCKED (6), after the busy timeout; SQLITE_FULL (13).
        sqlx::Error::Database(db)
            if matches!(db.code().as_deref(), Some("5" | "6" | "13" | "517")) =>
        {
            StoreError::Unavailable(Box::new(e))
        }
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => {
            StoreError::Unavailable(Box::new(e))
        }
        _ => StoreError::Internal(Box::new(e)),
    }
}
