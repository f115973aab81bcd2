//! The store traits. Handlers see only these; each backend (SQLite now, PostgreSQL later)
//! implements them with its own migrations. A missing row is `Ok(None)`, never an error, and a
//! failing database is never "not found".

mod accounts;
mod credentials;
pub mod encoding;
pub mod snapshot;

pub use accounts::{AccountColumn, AccountPage, AccountQuery, AccountStore, PageWindow};
pub use credentials::{ApiTokenRecord, CredentialStore};
pub use snapshot::SnapshotStore;

use std::sync::Arc;
use whmd_wire::WhmError;
use whmd_wire::error::BoxError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached or is locked beyond the wait; the call may be retried.
    #[error("the store is unavailable")]
    Unavailable(#[source] BoxError),
    /// A unique key is taken (a name that must exist once).
    #[error("{0} already exists")]
    Conflict(String),
    /// Anything else: a bug, corrupt data, a failed migration.
    #[error("the store failed")]
    Internal(#[source] BoxError),
}

impl From<StoreError> for WhmError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(source) => WhmError::Unavailable(source),
            other => WhmError::Internal(Box::new(other)),
        }
    }
}

/// Every store a running whmd uses, shared by handlers.
#[derive(Debug, Clone)]
pub struct Stores {
    pub credentials: Arc<dyn CredentialStore>,
    pub accounts: Arc<dyn AccountStore>,
    pub snapshot: Arc<dyn SnapshotStore>,
}
