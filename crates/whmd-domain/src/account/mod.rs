//! Hosting accounts: what whmd stores for each, and the cpuser view WHM reports of it.

mod access;
mod accounting;
mod cpuser;
mod limit;

pub use access::{can_access, require_access};
pub use accounting::AccountingEntry;
pub use cpuser::CACHE_DATA_VERSION;
pub use limit::Limit;

use std::collections::BTreeMap;

/// The shell of an account without shell access.
pub const NO_SHELL: &str = "/usr/local/cpanel/bin/noshell";
/// The shell of an account with shell access.
pub const SHELL: &str = "/bin/bash";

/// One hosting account. The indexed facts are fields; every other cpuser key (limits, flags,
/// contact addresses, theme, keys WHM does not know) is kept verbatim in `cpuser`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub user: String,
    /// The main domain, lowercase.
    pub domain: String,
    pub owner: String,
    pub plan: String,
    pub ip: String,
    pub shell: String,
    /// The disk quota in MB; `None` is unlimited.
    pub quota_mb: Option<u64>,
    pub suspension: Option<Suspension>,
    /// cpuser keys other than USER, DOMAIN, OWNER, PLAN, IP and the lists below.
    pub cpuser: BTreeMap<String, String>,
    pub domains: Vec<String>,
    pub dead_domains: Vec<String>,
    pub homedir_links: Vec<String>,
    /// When the account last changed (Unix time), as cpuser `MTIME`.
    pub mtime: i64,
    /// Bumped by the store on every update; an update names the revision it read, so two
    /// writers cannot overwrite each other unseen.
    pub revision: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suspension {
    pub reason: String,
    pub time: i64,
    /// Only root may unsuspend (`disallowun`).
    pub locked: bool,
    pub leave_ftp_enabled: bool,
}

impl Account {
    /// A cpuser value, or `None` when the key is not set.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.cpuser.get(key).map(String::as_str)
    }

    /// A cpuser value, or WHM's default for it when absent (FUNCTIONS.md §8).
    pub fn get_or_default(&self, key: &str) -> &str {
        self.get(key).unwrap_or_else(|| cpuser::default_for(key))
    }

    pub fn set(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.cpuser.insert(key.into(), value.into());
    }

    pub fn start_date(&self) -> i64 {
        self.get("STARTDATE")
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    }

    pub fn has_shell(&self) -> bool {
        self.shell != NO_SHELL && self.shell != "/bin/false"
    }
}
