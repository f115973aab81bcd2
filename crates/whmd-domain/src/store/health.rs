//! Whether the store can take writes now: what `/health/ready` answers and what ends a logged
//! outage (docs/compatibility.md, "Health").

use super::StoreError;
use async_trait::async_trait;
use std::fmt::Debug;

#[async_trait]
pub trait HealthStore: Debug + Send + Sync {
    /// `Ok` when a write could be made now: the database answers, and (PostgreSQL) it is a
    /// primary, not a read-only standby. [`StoreError::Unavailable`] otherwise.
    async fn ready(&self) -> Result<(), StoreError>;
}
