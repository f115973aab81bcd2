//! [`HealthStore`] on PostgreSQL: the server answers and takes writes. A standby (a URL that
//! names a node directly, across a failover) or a database set read-only is not ready.

use crate::{PostgresStore, map_error};
use async_trait::async_trait;
use whmd_domain::StoreError;
use whmd_domain::store::HealthStore;

#[async_trait]
impl HealthStore for PostgresStore {
    async fn ready(&self) -> Result<(), StoreError> {
        let read_only: bool =
            sqlx::query_scalar("SELECT current_setting('transaction_read_only') = 'on'")
                .fetch_one(&self.pool)
                .await
                .map_err(map_error)?;
        if read_only {
            return Err(StoreError::Unavailable(
                "the database takes no writes (a standby, or set read-only)".into(),
            ));
        }
        Ok(())
    }
}
