//! Hosting accounts: what whmd stores for each, and the cpuser view WHM reports of it.

mod access;
mod accounting;
mod cpuser;
mod limit;

pub use access::{can_access, require_access};
pub use accounting::AccountingEntry;
pub use cpuser::{CACHE_DATA_VERSION, DEFAULT_THEME};
pub use limit::{Limit, MAX_COUNT, MAX_SIZE_MB, is_size};

use crate::reseller::Reseller;
use std::collections::BTreeMap;
use whmd_wire::{Acl, AclSet};

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
    /// The system user id; 0 asks the store to assign the next free one.
    pub uid: u32,
    pub homedir: String,
    pub shell: String,
    /// The disk quota in MB; `None` is unlimited.
    pub quota_mb: Option<u64>,
    pub suspension: Option<Suspension>,
    /// The account's WHM privileges and limits when it is a reseller.
    pub reseller: Option<Reseller>,
    /// cpuser keys other than USER, DOMAIN, OWNER, PLAN, IP and the lists below.
    pub cpuser: BTreeMap<String, String>,
    pub domains: Vec<String>,
    pub dead_domains: Vec<String>,
    pub homedir_links: Vec<String>,
    /// The hostname of the host that serves the account (empty: stored before hosts were
    /// recorded; the host converging it takes it as its own).
    pub host: String,
    /// When the account last changed (Unix time), as cpuser `MTIME`.
    pub mtime: i64,
    /// Bumped by the store on every update; an update names the revision it read, so two
    /// writers cannot overwrite each other unseen.
    pub revision: i64,
}

/// The privileges a new reseller gets: WHM's "basic" group.
pub fn default_reseller_acls() -> AclSet {
    [
        Acl::ACCT_SUMMARY,
        Acl::BASIC_SYSTEM_INFO,
        Acl::BASIC_WHM_FUNCTIONS,
        Acl::CONNECTED_APPLICATIONS,
        Acl::CORS_PROXY_GET,
        Acl::CPANEL_API,
        Acl::CPANEL_INTEGRATION,
        Acl::CREATE_USER_SESSION,
        Acl::DIGEST_AUTH,
        Acl::GENERATE_EMAIL_CONFIG,
        Acl::LIST_PKGS,
        Acl::MANAGE_API_TOKENS,
        Acl::MANAGE_DNS_RECORDS,
        Acl::MANAGE_OIDC,
        Acl::MANAGE_STYLES,
        Acl::MYSQL_INFO,
        Acl::NS_CONFIG,
        Acl::PUBLIC_CONTACT,
        Acl::SSL_INFO,
        Acl::TRACK_EMAIL,
    ]
    .into_iter()
    .collect()
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

    /// A cpuser value, or WHM's default for it when absent.
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

    /// The bandwidth limit in bytes (cpuser `BWLIMIT`), `None` when unlimited.
    pub fn bwlimit_bytes(&self) -> Option<u64> {
        self.get("BWLIMIT")
            .and_then(|b| Limit::parse(b, true))
            .and_then(Limit::value)
    }

    /// The reseller's privileges, when the account is one.
    pub fn reseller_acls(&self) -> Option<AclSet> {
        self.reseller.as_ref().map(|r| r.acls)
    }

    pub fn has_shell(&self) -> bool {
        self.shell != NO_SHELL && self.shell != "/bin/false"
    }
}

/// An account on the default package, owned by root, for unit tests.
#[cfg(test)]
pub(crate) fn sample(user: &str) -> Account {
    Account {
        user: user.into(),
        domain: format!("{user}.example.com"),
        owner: "root".into(),
        plan: "default".into(),
        ip: "192.0.2.1".into(),
        uid: 0,
        homedir: format!("/home/{user}"),
        shell: NO_SHELL.into(),
        quota_mb: None,
        suspension: None,
        reseller: None,
        cpuser: BTreeMap::new(),
        domains: vec![],
        dead_domains: vec![],
        homedir_links: vec![],
        host: String::new(),
        mtime: 0,
        revision: 0,
    }
}
