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
    /// (`Refusal::NoSuchPackage`); one changed since is `Conflict::Package`. `None` when the write
    /// does not change the package.
    pub plan: Option<PlanGuard>,
    /// The limits of the reseller that owns the account, held against what its other accounts
    /// add up to (`Refusal::Limit`). `None` when no limits apply.
    pub limits: Option<ResellerLimits>,
    /// A pool address the account is to hold, as the caller found it in the pool: one removed
    /// from the pool since refuses the write (`Refusal::NoSuchAddress`). `None` when the write
    /// does not move the account to a pool address.
    pub address: Option<String>,
}

impl Admission {
    /// No checks: the write changes neither package nor anything a limit counts.
    pub const NONE: Admission = Admission {
        plan: None,
        limits: None,
        address: None,
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

/// One change to accounts, applied whole in one transaction or not at all: the write, its
/// accounting entries, the admission checks and the zone writes that go with it. It is the
/// only way accounts are written (a package edit's re-application aside), so every change is
/// guarded, logged and made durable the same way. What the host must do follows from it: the
/// stored account is the host's desired state, and a removal leaves a tombstone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountChange {
    pub write: AccountWrite,
    pub log: Vec<AccountingEntry>,
    pub admission: Admission,
    pub zones: ZoneWrites,
}

/// What an [`AccountChange`] writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountWrite {
    /// A new account with its password hash. A taken username, domain, uid or address is a
    /// conflict of that kind.
    Create { account: Account, password: String },
    /// The account stored as `user` replaced by `account`, guarded by `account.revision`, which
    /// the store then bumps. `account` may carry a new username: its password, tokens, owned
    /// accounts, packages, feature lists and zones move with it.
    Update { user: String, account: Account },
    /// As `Update`, for an account no longer a reseller: the accounts it owned (other than
    /// itself) pass to `heir`.
    Demote {
        user: String,
        account: Account,
        heir: String,
    },
    /// A new password hash for `user`.
    Password { user: String, password: String },
    /// The account, its password and tokens, and its zones unless `keep_zones`; what it owned
    /// (and kept zones) passes to root, and the host gets a tombstone to remove its user.
    Remove { user: String, keep_zones: bool },
}

impl AccountChange {
    fn new(write: AccountWrite, log: Vec<AccountingEntry>) -> Self {
        Self {
            write,
            log,
            admission: Admission::NONE,
            zones: ZoneWrites::none(),
        }
    }

    pub fn create(account: Account, password: impl Into<String>, log: AccountingEntry) -> Self {
        Self::new(
            AccountWrite::Create {
                account,
                password: password.into(),
            },
            vec![log],
        )
    }

    pub fn update(user: impl Into<String>, account: Account, log: Vec<AccountingEntry>) -> Self {
        Self::new(
            AccountWrite::Update {
                user: user.into(),
                account,
            },
            log,
        )
    }

    pub fn demote(
        user: impl Into<String>,
        account: Account,
        heir: impl Into<String>,
        log: Vec<AccountingEntry>,
    ) -> Self {
        Self::new(
            AccountWrite::Demote {
                user: user.into(),
                account,
                heir: heir.into(),
            },
            log,
        )
    }

    pub fn password(
        user: impl Into<String>,
        password: impl Into<String>,
        log: AccountingEntry,
    ) -> Self {
        Self::new(
            AccountWrite::Password {
                user: user.into(),
                password: password.into(),
            },
            vec![log],
        )
    }

    pub fn remove(user: impl Into<String>, keep_zones: bool, log: AccountingEntry) -> Self {
        Self::new(
            AccountWrite::Remove {
                user: user.into(),
                keep_zones,
            },
            vec![log],
        )
    }

    /// When the change happened: its first accounting entry's time (the password's
    /// `updated_at`, the tombstone's `removed_at`).
    pub fn time(&self) -> i64 {
        self.log
            .first()
            .map_or_else(crate::time::unix_now, |e| e.time)
    }

    /// Goes ahead only if `admission` holds in the change's transaction.
    pub fn admitted(self, admission: Admission) -> Self {
        Self { admission, ..self }
    }

    /// Writes `zones` in the change's transaction.
    pub fn with_zones(self, zones: ZoneWrites) -> Self {
        Self { zones, ..self }
    }
}

/// What [`AccountStore::owned_counts`] counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OwnedCounts {
    pub total: u64,
    pub suspended: u64,
    /// What every account is allotted.
    pub allotted: Allotted,
    /// What the accounts that are not suspended are allotted.
    pub allotted_active: Allotted,
}

/// The sums of accounts' limits; an unlimited one adds nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Allotted {
    pub disk_mb: u64,
    pub bandwidth_bytes: u64,
}

/// The accounts a batched read ([`AccountStore::accounts_after`]) goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope<'a> {
    All,
    OwnedBy(&'a str),
    OnPlan(&'a str),
}

#[async_trait]
pub trait AccountStore: Debug + Send + Sync {
    /// Applies `change` in one transaction. The account as stored after it (with the uid and
    /// revision the store gave it), or `None` after a removal. A conflict (typed: which
    /// unique key, or that a guarded row changed, or that the account is gone) or a refused
    /// admission writes nothing.
    async fn change(&self, change: &AccountChange) -> Result<Option<Account>, StoreError>;

    async fn account(&self, user: &str) -> Result<Option<Account>, StoreError>;

    async fn account_by_domain(&self, domain: &str) -> Result<Option<Account>, StoreError>;

    /// Every account, or those `owner` owns, ordered by username.
    async fn accounts(&self, owner: Option<&str>) -> Result<Vec<Account>, StoreError>;

    /// Up to `limit` accounts of `scope` whose usernames come after `after` (byte order),
    /// ordered by username: a listing of any length read a batch at a time, from `""`.
    async fn accounts_after(
        &self,
        scope: Scope<'_>,
        after: &str,
        limit: u32,
    ) -> Result<Vec<Account>, StoreError>;

    /// The accounts with these usernames, in no particular order; a name that is no account
    /// is left out.
    async fn accounts_named(&self, users: &[String]) -> Result<Vec<Account>, StoreError>;

    /// How many accounts `owner` owns, how many of them are suspended, and what they are
    /// allotted, counted in the store (no account is read).
    async fn owned_counts(&self, owner: &str) -> Result<OwnedCounts, StoreError>;

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

    /// The newest `limit` accounting entries, oldest first.
    async fn accounting_log(&self, limit: u32) -> Result<Vec<AccountingEntry>, StoreError>;
}
