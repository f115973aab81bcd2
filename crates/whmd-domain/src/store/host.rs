//! What a host converges to: the accounts it serves, with the password hashes their system
//! users get, and the removals it has yet to carry out.

use super::StoreError;
use crate::account::Account;
use async_trait::async_trait;
use std::fmt::Debug;

/// An account as its host needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostedAccount {
    pub account: Account,
    /// The stored password hash (a `$6$` crypt hash for accounts whose password whmd set).
    pub password: Option<String>,
}

/// The tombstone `removeacct` leaves: the one order a host takes to delete a system user
/// and its home.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    pub uid: u32,
    pub user: String,
    pub homedir: String,
    /// The host that served the account (empty when none was recorded).
    pub host: String,
    pub removed_at: i64,
}

/// What an account's home holds, as its host last measured it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    pub uid: u32,
    pub disk_bytes: u64,
    pub inodes: u64,
}

#[async_trait]
pub trait HostStore: Debug + Send + Sync {
    /// The accounts `host` serves (those that name it, and those that name no host), ordered
    /// by uid.
    async fn hosted_accounts(&self, host: &str) -> Result<Vec<HostedAccount>, StoreError>;

    /// The account with this uid, whatever host serves it.
    async fn hosted_account(&self, uid: u32) -> Result<Option<HostedAccount>, StoreError>;

    /// The tombstones of accounts `host` served (or that named no host), ordered by uid.
    async fn removals(&self, host: &str) -> Result<Vec<Removal>, StoreError>;

    /// Forgets a tombstone once its host has carried it out; one written since (the uid
    /// removed again, at another time) stays.
    async fn forget_removal(&self, uid: u32, removed_at: i64) -> Result<(), StoreError>;

    /// Records what a scan measured (replacing earlier figures of the same uids); figures of
    /// uids no account has are not kept.
    async fn record_usage(&self, usage: &[Usage], measured_at: i64) -> Result<(), StoreError>;

    /// The last figures of these uids (those never measured are missing).
    async fn usage(&self, uids: &[u32]) -> Result<Vec<Usage>, StoreError>;
}
