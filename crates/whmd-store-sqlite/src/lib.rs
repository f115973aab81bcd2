//! The embedded store: one SQLite file in WAL mode, `synchronous=FULL` so every commit is
//! durable, a busy timeout so `whmd passwd` and `whmapi1` can write while the server runs.
//! Reads share a pool of connections; writes go through one connection of their own, so this
//! process's writers queue for it in order instead of colliding on SQLite's write lock and
//! backing off in its busy handler (which cost writes up to 100 ms under load). Account changes
//! that queue for it are committed in groups (`batch`), one durable commit for all of them.

mod accounts;
mod addresses;
mod admission;
mod backups;
mod batch;
mod change;
mod credentials;
mod error;
mod health;
mod host;
mod hulk;
mod idempotency;
mod jobs;
mod lists;
mod packages;
mod restore_queue;
mod sessions;
mod snapshot;
mod zones;

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
    writer: SqlitePool,
    /// Account changes, committed in groups through `writer`.
    batcher: batch::Batcher,
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
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options.clone())
            .await
            .map_err(map_error)?;
        sqlx::migrate!("./migrations")
            .run(&writer)
            .await
            .map_err(|e| StoreError::Internal(Box::new(e)))?;
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(map_error)?;
        let batcher = batch::Batcher::start(writer.clone());
        Ok(Self {
            pool,
            writer,
            batcher,
        })
    }

    /// All store traits, backed by this database.
    pub fn stores(&self) -> Stores {
        Stores {
            credentials: Arc::new(self.clone()),
            accounts: Arc::new(self.clone()),
            packages: Arc::new(self.clone()),
            feature_lists: Arc::new(self.clone()),
            acl_lists: Arc::new(self.clone()),
            hulk: Arc::new(self.clone()),
            sessions: Arc::new(self.clone()),
            zones: Arc::new(self.clone()),
            addresses: Arc::new(self.clone()),
            host: Arc::new(self.clone()),
            snapshot: Arc::new(self.clone()),
            idempotency: Arc::new(self.clone()),
            health: Arc::new(self.clone()),
            backups: Arc::new(self.clone()),
            jobs: Arc::new(self.clone()),
            restore_queue: Arc::new(self.clone()),
        }
    }

    pub async fn close(&self) {
        self.pool.close().await;
        self.writer.close().await;
    }
}
