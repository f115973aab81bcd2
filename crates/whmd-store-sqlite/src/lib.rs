//! The embedded store: one SQLite file in WAL mode, `synchronous=FULL` so every commit is
//! durable, a busy timeout so `whmd passwd` and `whmapi1` can write while the server runs.

mod accounts;
mod credentials;
mod error;
mod snapshot;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use whmd_domain::{StoreError, Stores};

pub use error::map_error;

/// The SQLite implementation of every store trait.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at `url` (`sqlite://PATH`) and runs the
    /// migrations that have not run yet.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Internal(Box::new(e)))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(map_error)?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(|e| StoreError::Internal(Box::new(e)))?;
        Ok(Self { pool })
    }

    /// All store traits, backed by this database.
    pub fn stores(&self) -> Stores {
        Stores {
            credentials: Arc::new(self.clone()),
            accounts: Arc::new(self.clone()),
            snapshot: Arc::new(self.clone()),
        }
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}
