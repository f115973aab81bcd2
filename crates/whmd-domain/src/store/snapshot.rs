//! Whole-store copies, for `whmd migrate-store`: everything a store holds, read out in one
//! go and written into an empty store in one transaction.

use super::{ApiTokenRecord, Removal, StoreError, StoredZone};
use crate::account::{Account, AccountingEntry};
use crate::address::PoolAddress;
use crate::destination::Destination;
use crate::features::FeatureList;
use crate::hulk::{Block, Failure, HulkList, HulkRecord};
use crate::package::Package;
use crate::session::Session;
use async_trait::async_trait;
use std::fmt::Debug;
use whmd_wire::AclSet;

/// One stored password hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordRow {
    pub user: String,
    pub phc: String,
    pub updated_at: i64,
}

/// One stored access hash (its digest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessHashRow {
    pub user: String,
    pub digest: String,
    pub created: i64,
}

/// Everything in a store.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    pub accounts: Vec<Account>,
    pub tokens: Vec<ApiTokenRecord>,
    pub passwords: Vec<PasswordRow>,
    /// Oldest first.
    pub log: Vec<AccountingEntry>,
    /// Ordered by name, as are the two below.
    pub packages: Vec<Package>,
    pub feature_lists: Vec<FeatureList>,
    pub acl_lists: Vec<(String, AclSet)>,
    /// Named settings (cPHulk's), ordered by name.
    pub settings: Vec<(String, String)>,
    /// Ordered by list, then address as written.
    pub hulk_records: Vec<(HulkList, HulkRecord)>,
    /// Every block, in force or not, ordered by kind and key.
    pub hulk_blocks: Vec<Block>,
    /// Oldest first.
    pub hulk_failures: Vec<Failure>,
    /// Ordered by digest.
    pub sessions: Vec<Session>,
    /// Ordered by user.
    pub access_hashes: Vec<AccessHashRow>,
    /// Ordered by name.
    pub zones: Vec<StoredZone>,
    /// The address pool, in address order.
    pub addresses: Vec<PoolAddress>,
    /// Host removals not yet carried out, by uid.
    pub removals: Vec<Removal>,
    /// Backup destinations, by id (their secrets stay sealed: the target needs the same
    /// secrets key).
    pub destinations: Vec<Destination>,
}

/// How many rows each table holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub accounts: u64,
    pub tokens: u64,
    pub passwords: u64,
    pub log: u64,
    pub packages: u64,
    pub feature_lists: u64,
    pub acl_lists: u64,
    pub settings: u64,
    pub hulk_records: u64,
    pub hulk_blocks: u64,
    pub hulk_failures: u64,
    pub sessions: u64,
    pub access_hashes: u64,
    pub zones: u64,
    pub addresses: u64,
    pub removals: u64,
    pub destinations: u64,
}

impl Snapshot {
    pub fn counts(&self) -> Counts {
        let n = |len: usize| u64::try_from(len).unwrap_or(u64::MAX);
        Counts {
            accounts: n(self.accounts.len()),
            tokens: n(self.tokens.len()),
            passwords: n(self.passwords.len()),
            log: n(self.log.len()),
            packages: n(self.packages.len()),
            feature_lists: n(self.feature_lists.len()),
            acl_lists: n(self.acl_lists.len()),
            settings: n(self.settings.len()),
            hulk_records: n(self.hulk_records.len()),
            hulk_blocks: n(self.hulk_blocks.len()),
            hulk_failures: n(self.hulk_failures.len()),
            sessions: n(self.sessions.len()),
            access_hashes: n(self.access_hashes.len()),
            zones: n(self.zones.len()),
            addresses: n(self.addresses.len()),
            removals: n(self.removals.len()),
            destinations: n(self.destinations.len()),
        }
    }
}

#[async_trait]
pub trait SnapshotStore: Debug + Send + Sync {
    /// Reads every row, in one consistent view.
    async fn export(&self) -> Result<Snapshot, StoreError>;

    /// Writes `snapshot` into this store, which must be empty, in one transaction; a store that
    /// is not empty is a `Conflict` and nothing is written. Uids and revisions are kept.
    async fn import(&self, snapshot: &Snapshot) -> Result<(), StoreError>;

    /// Counts the rows of every table.
    async fn counts(&self) -> Result<Counts, StoreError>;
}
