//! Accounts and their accounting log. Every change writes its log entries in the same
//! transaction, so the log never disagrees with the accounts.

use super::{StoreError, ZoneWrites};
use crate::account::{Account, AccountingEntry};
use crate::reseller::ResellerLimits;
use async_trait::async_trait;
use std::collections::HashMap;
use std::fmt::Debug;
use std::ops::Range;
use whmd_wire::output::TextTest;

/// The account columns a listing can test and sort on in the store. Each holds ASCII only
/// (usernames, domains and addresses are checked before they are stored), so SQL's ASCII
/// `lower()` and byte-wise comparison agree with the output controls' rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountColumn {
    User,
    Domain,
    Owner,
    Ip,
}

impl AccountColumn {
    /// The column behind a listaccts record field.
    pub fn of_field(field: &str) -> Option<Self> {
        Some(match field {
            "user" => Self::User,
            "domain" => Self::Domain,
            "owner" => Self::Owner,
            "ip" => Self::Ip,
            _ => return None,
        })
    }

    /// Its name in both stores' `accounts` table.
    pub fn sql_name(self) -> &'static str {
        match self {
            Self::User => "username",
            Self::Domain => "domain",
            Self::Owner => "owner",
            Self::Ip => "ip",
        }
    }
}

/// One page of a filtered, sorted account listing, run in the store.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountQuery {
    /// Only the accounts this user owns; all when `None`.
    pub owner: Option<String>,
    /// Every test must hold.
    pub filters: Vec<(AccountColumn, TextTest)>,
    /// Sort keys (`true` reverses); ties, and everything without keys, by username.
    pub order: Vec<(AccountColumn, bool)>,
}

/// What [`AccountStore::account_page`] found, all read in one consistent view.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountPage {
    /// The owner's accounts before filtering.
    pub unfiltered: usize,
    /// Those that passed the filters.
    pub matching: usize,
    /// The page, in order.
    pub accounts: Vec<Account>,
}

impl AccountPage {
    /// The page from accounts read in any order, put in the order of `users` (the sorted
    /// usernames the page query chose).
    pub fn in_order(
        unfiltered: usize,
        matching: usize,
        users: &[String],
        accounts: Vec<Account>,
    ) -> Self {
        let mut found: HashMap<String, Account> =
            accounts.into_iter().map(|a| (a.user.clone(), a)).collect();
        Self {
            unfiltered,
            matching,
            accounts: users.iter().filter_map(|u| found.remove(u)).collect(),
        }
    }
}

/// What must hold in the store for an account write to go ahead, checked in the write's own
/// transaction so that concurrent writes cannot both slip past a limit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Admission {
    /// The account's package as the caller read it. A package since removed refuses the write
    /// (`Refusal::NoSuchPackage`); one changed since is a `Conflict`. `None` when the write
    /// does not change the package.
    pub plan: Option<PlanGuard>,
    /// The limits of the reseller that owns the account, held against what its other accounts
    /// add up to (`Refusal::Limit`). `None` when no limits apply.
    pub limits: Option<ResellerLimits>,
}

impl Admission {
    /// No checks: the write changes neither package nor anything a limit counts.
    pub const NONE: Admission = Admission {
        plan: None,
        limits: None,
    };
}

/// A package as it was read: its name and stored revision (`None` when it was the implicit
/// `default`, which has no row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanGuard {
    pub name: String,
    pub revision: Option<i64>,
}

/// Chooses the page of `matching` sorted accounts to return.
pub type PageWindow<'a> = dyn Fn(usize) -> Range<usize> + Send + Sync + 'a;

#[async_trait]
pub trait AccountStore: Debug + Send + Sync {
    /// Stores a new account with its password hash and `zones`, if `admission` holds. A taken
    /// username, main domain or zone name is a `Conflict`, and then nothing is written.
    async fn create_account(
        &self,
        account: &Account,
        password_phc: &str,
        log: &AccountingEntry,
        admission: &Admission,
        zones: &ZoneWrites,
    ) -> Result<(), StoreError>;

    async fn account(&self, user: &str) -> Result<Option<Account>, StoreError>;

    async fn account_by_domain(&self, domain: &str) -> Result<Option<Account>, StoreError>;

    /// Every account, or those `owner` owns, ordered by username.
    async fn accounts(&self, owner: Option<&str>) -> Result<Vec<Account>, StoreError>;

    /// The accounts on the package `plan`, ordered by username.
    async fn accounts_on_plan(&self, plan: &str) -> Result<Vec<Account>, StoreError>;

    /// The usernames of every reseller, ordered.
    async fn resellers(&self) -> Result<Vec<String>, StoreError>;

    /// Runs `query`: counts the owner's accounts and those passing the filters, then returns
    /// the `window(matching)` slice of the sorted matches.
    async fn account_page(
        &self,
        query: &AccountQuery,
        window: &PageWindow<'_>,
    ) -> Result<AccountPage, StoreError>;

    /// The usernames whose database-owner form starts with `prefix` (the shared-prefix rule).
    async fn users_with_db_prefix(&self, prefix: &str) -> Result<Vec<String>, StoreError>;

    /// Replaces the account stored as `user` by `account`, which may carry a new username
    /// (then its password, tokens, owned accounts, packages, feature lists and zones move with
    /// it), writes `zones`, and bumps its revision, if `admission` holds. Fails with `Conflict`
    /// when the stored revision is no longer `account.revision` (someone changed it since it
    /// was read) or when a new username, domain or zone name is taken; then nothing is written.
    async fn update_account(
        &self,
        user: &str,
        account: &Account,
        log: &[AccountingEntry],
        admission: &Admission,
        zones: &ZoneWrites,
    ) -> Result<(), StoreError>;

    /// Stores `account`, read as `user` and no longer a reseller, and hands the accounts it
    /// owned (other than itself) to `heir`, in one transaction guarded by its revision.
    async fn demote_reseller(
        &self,
        user: &str,
        account: &Account,
        heir: &str,
        log: &[AccountingEntry],
    ) -> Result<(), StoreError>;

    /// Removes the account, its password and tokens, and its zones unless `keep_zones`; the
    /// accounts, packages and feature lists it owned (and kept zones) pass to root. `false`
    /// when there was none.
    async fn remove_account(
        &self,
        user: &str,
        log: &AccountingEntry,
        keep_zones: bool,
    ) -> Result<bool, StoreError>;

    /// Replaces the account's password hash; `false` when there is no such account.
    async fn set_account_password(
        &self,
        user: &str,
        password_phc: &str,
        log: &AccountingEntry,
    ) -> Result<bool, StoreError>;

    /// The newest `limit` accounting entries, oldest first.
    async fn accounting_log(&self, limit: u32) -> Result<Vec<AccountingEntry>, StoreError>;
}
