//! [`HealthStore`] on SQLite: the database file answers a read.

use crate::{SqliteStore, map_error};
use async_trait::async_trait;
use whmd_domain::StoreError;
use whmd_domain::store::HealthStore;

#[async_trait]
impl HealthStore for SqliteStore {
    async fn ready(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(map_error)?;
        Ok(())
    }
}
