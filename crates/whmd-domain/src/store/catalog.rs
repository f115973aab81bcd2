//! Packages, feature lists and saved ACL lists: the named things accounts and resellers are
//! set up from.

use super::StoreError;
use crate::account::{Account, AccountingEntry};
use crate::features::FeatureList;
use crate::package::Package;
use async_trait::async_trait;
use std::collections::BTreeMap;
use std::fmt::Debug;
use whmd_wire::AclSet;

/// What [`PackageStore::remove_package`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackageRemoval {
    Removed,
    NotFound,
    /// Accounts are on it; nothing was removed.
    InUse,
}

/// What re-applying a package did to one account.
#[derive(Debug)]
pub struct Reapplied {
    pub log: AccountingEntry,
    /// Whether what the host holds of the account (its quota, its shell) changed.
    pub host: bool,
}

/// Re-applies a package to one of its accounts ([`PackageStore::update_package`]).
pub type Reapply<'a> = dyn Fn(&mut Account) -> Reapplied + Send + Sync + 'a;

/// How many accounts [`PackageStore::update_package`] reads at a time.
pub const REAPPLY_BATCH: u32 = 500;

#[async_trait]
pub trait PackageStore: Debug + Send + Sync {
    async fn package(&self, name: &str) -> Result<Option<Package>, StoreError>;

    /// Every stored package, ordered by name.
    async fn packages(&self) -> Result<Vec<Package>, StoreError>;

    /// Stores a new package; a taken name is a `Conflict`.
    async fn create_package(&self, package: &Package) -> Result<(), StoreError>;

    /// Replaces the package stored under its name (guarded by its revision), or with `create`
    /// stores it for the first time (a `Conflict` if it exists: how the implicit `default`
    /// becomes a stored one), and in the same transaction re-applies it to every account on
    /// it: each is read (a batch at a time, in username order), changed by `reapply` and
    /// written back with its accounting entry. The uids of the accounts whose host needs
    /// converging. Nothing is written if any part fails.
    async fn update_package(
        &self,
        package: &Package,
        create: bool,
        reapply: &Reapply<'_>,
    ) -> Result<Vec<u32>, StoreError>;

    /// Removes the package unless an account is on it.
    async fn remove_package(&self, name: &str) -> Result<PackageRemoval, StoreError>;
}

#[async_trait]
pub trait FeatureListStore: Debug + Send + Sync {
    async fn feature_list(&self, name: &str) -> Result<Option<FeatureList>, StoreError>;

    /// Every stored list, ordered by name.
    async fn feature_lists(&self) -> Result<Vec<FeatureList>, StoreError>;

    /// Stores a list; unless `replace`, a taken name is a `Conflict`.
    async fn save_feature_list(&self, list: &FeatureList, replace: bool) -> Result<(), StoreError>;

    /// Sets some features of a list in one step, creating it for `owner` when it does not
    /// exist, and returns it as stored. With `own_only`, a list that exists and is not
    /// `owner`'s is a `Conflict`, and nothing is written.
    async fn update_feature_list(
        &self,
        name: &str,
        owner: &str,
        own_only: bool,
        features: &BTreeMap<String, bool>,
    ) -> Result<FeatureList, StoreError>;

    /// `false` when there was no such list.
    async fn remove_feature_list(&self, name: &str) -> Result<bool, StoreError>;
}

#[async_trait]
pub trait AclListStore: Debug + Send + Sync {
    async fn acl_list(&self, name: &str) -> Result<Option<AclSet>, StoreError>;

    /// Every saved list, ordered by name.
    async fn acl_lists(&self) -> Result<Vec<(String, AclSet)>, StoreError>;

    /// Stores the list, replacing one of that name.
    async fn save_acl_list(&self, name: &str, acls: AclSet) -> Result<(), StoreError>;
}
