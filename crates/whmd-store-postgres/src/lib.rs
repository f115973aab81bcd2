//! The PostgreSQL store: the same traits as the embedded store, for several whmd replicas on
//! one database. Every multi-row change is one transaction; uniqueness is the database's to
//! enforce, so two replicas cannot both create one name.

mod accounts;
mod addresses;
mod admission;
mod backups;
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
pub mod scratch;
mod sessions;
mod snapshot;
mod zones;

use sqlx::postgres::{PgPool, PgPoolOptions};
use std::sync::Arc;
use std::time::Duration;
use whmd_domain::{StoreError, Stores};

pub use error::map_error;
use error::{commit, keep_connection, migration_error};

#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects to `url` (`postgres://…`) and runs the migrations that have not run yet. Two
    /// replicas starting at once are safe: sqlx takes an advisory lock around migrations.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(5))
            .before_acquire(|_, meta| Box::pin(async move { Ok(keep_connection(meta.age)) }))
            .connect(url)
            .await
            .map_err(map_error)?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(migration_error)?;
        Ok(Self { pool })
    }

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
    }
}
