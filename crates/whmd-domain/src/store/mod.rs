//! The store traits. Handlers see only these; each backend (SQLite now, PostgreSQL later)
//! implements them with its own migrations. A missing row is `Ok(None)`, never an error, and a
//! failing database is never "not found".

mod accounts;
mod addresses;
mod backups;
mod catalog;
mod conflict;
mod credentials;
pub mod encoding;
mod health;
mod host;
mod hulk;
pub mod idempotency;
mod jobs;
mod restore_queue;
mod sessions;
pub mod snapshot;
mod zones;

pub use accounts::{
    AccountChange, AccountColumn, AccountPage, AccountQuery, AccountStore, AccountWrite, Admission,
    Allotted, OwnedCounts, PageWindow, PlanGuard, Scope,
};
pub use addresses::{AddressRemoval, AddressStore, HeldAddress};
pub use backups::BackupStore;
pub use catalog::{
    AclListStore, FeatureListStore, PackageRemoval, PackageStore, REAPPLY_BATCH, Reapplied, Reapply,
};
pub use conflict::Conflict;
pub use credentials::{ApiTokenRecord, CredentialStore};
pub use health::HealthStore;
pub use host::{HostStore, HostedAccount, Removal, Usage};
pub use hulk::HulkStore;
pub use idempotency::IdempotencyStore;
pub use jobs::JobStore;
pub use restore_queue::RestoreQueueStore;
pub use sessions::SessionStore;
pub use snapshot::SnapshotStore;
pub use zones::{StoredZone, ZoneStore, ZoneSummary, ZoneWrites};

use crate::reseller::LimitViolation;
use std::sync::Arc;
use whmd_wire::WhmError;
use whmd_wire::error::BoxError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached or is locked beyond the wait; the call may be retried.
    #[error("the store is unavailable")]
    Unavailable(#[source] BoxError),
    /// A unique key is taken (a name that must exist once), a guarded row changed since it was
    /// read, or the row to change is gone; nothing was written.
    #[error("{0}")]
    Conflict(Conflict),
    /// What the write needed was not there ([`Admission`]); nothing was written.
    #[error("{0}")]
    Refused(Refusal),
    /// The database was lost while a change was being committed (the connection died during
    /// the commit, as it does when a primary fails over while waiting for its synchronous
    /// standby): the change may or may not have been made. Never said of a change known not
    /// to have been made.
    #[error("the store was lost while the change was being committed")]
    OutcomeUnknown(#[source] BoxError),
    /// Anything else: a bug, corrupt data, a failed migration.
    #[error("the store failed")]
    Internal(#[source] BoxError),
}

/// Why a write was refused in the store.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("The package “{0}” does not exist.")]
    NoSuchPackage(String),
    #[error("{0}")]
    Limit(#[from] LimitViolation),
    /// The pool address the account names is another account's.
    #[error("The IP address “{0}” is already in use.")]
    AddressTaken(String),
    /// The pool address the write was to claim left the pool since it was read.
    #[error("The IP address “{0}” is no longer an address of this server.")]
    NoSuchAddress(String),
    /// An address to add to the pool is there already.
    #[error("The IP address “{0}” is already on this server.")]
    InPool(String),
}

impl From<StoreError> for WhmError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(source) => WhmError::Unavailable(source),
            e @ StoreError::OutcomeUnknown(_) => WhmError::OutcomeUnknown(Box::new(e)),
            StoreError::Refused(refusal) => WhmError::Reason(refusal.to_string()),
            other => WhmError::Internal(Box::new(other)),
        }
    }
}

/// Every store a running whmd uses, shared by handlers.
#[derive(Debug, Clone)]
pub struct Stores {
    pub credentials: Arc<dyn CredentialStore>,
    pub accounts: Arc<dyn AccountStore>,
    pub packages: Arc<dyn PackageStore>,
    pub feature_lists: Arc<dyn FeatureListStore>,
    pub acl_lists: Arc<dyn AclListStore>,
    pub hulk: Arc<dyn HulkStore>,
    pub sessions: Arc<dyn SessionStore>,
    pub zones: Arc<dyn ZoneStore>,
    pub addresses: Arc<dyn AddressStore>,
    pub host: Arc<dyn HostStore>,
    pub snapshot: Arc<dyn SnapshotStore>,
    pub idempotency: Arc<dyn IdempotencyStore>,
    pub health: Arc<dyn HealthStore>,
    pub backups: Arc<dyn BackupStore>,
    pub jobs: Arc<dyn JobStore>,
    pub restore_queue: Arc<dyn RestoreQueueStore>,
}
