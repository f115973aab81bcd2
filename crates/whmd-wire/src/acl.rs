//! WHM privilege (ACL) names, as cPanel 11.120 defines them.
//!
//! An [`Acl`] is an index into one fixed table, so an [`AclSet`] is a bit set: checking a
//! privilege on every request costs a shift and a mask.

use std::fmt;

/// One privilege.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Acl(u8);

impl Acl {
    /// Every known ACL name, in table order.
    pub const NAMES: &'static [&'static str] = &[
        "all",
        // Basic: granted to new resellers by default.
        "acct-summary",
        "basic-system-info",
        "basic-whm-functions",
        "connected-applications",
        "cors-proxy-get",
        "cpanel-api",
        "cpanel-integration",
        "create-user-session",
        "digest-auth",
        "generate-email-config",
        "list-pkgs",
        "manage-api-tokens",
        "manage-dns-records",
        "manage-oidc",
        "manage-styles",
        "mysql-info",
        "ns-config",
        "public-contact",
        "ssl-info",
        "track-email",
        // Standard.
        "list-accts",
        "show-bandwidth",
        "create-acct",
        "kill-acct",
        "suspend-acct",
        "upgrade-account",
        "ssl",
        "ssl-buy",
        "ssl-gencrt",
        "edit-mx",
        "passwd",
        "file-restore",
        "create-dns",
        "kill-dns",
        "park-dns",
        "edit-dns",
        "add-pkg",
        "edit-pkg",
        "thirdparty",
        "mailcheck",
        "news",
        "assign-root-account-enhancements",
        // Packages.
        "allow-shell",
        "viewglobalpackages",
        "allow-addoncreate",
        "allow-parkedcreate",
        "add-pkg-ip",
        "add-pkg-shell",
        "allow-unlimited-pkgs",
        "allow-emaillimits-pkgs",
        "allow-unlimited-disk-pkgs",
        "allow-unlimited-bw-pkgs",
        // Global.
        "status",
        "stats",
        "restart",
        "resftp",
        // Super.
        "edit-account",
        "limit-bandwidth",
        "quota",
        "demo-setup",
        "rearrange-accts",
        "clustering",
        "locale-edit",
    ];

    pub const ALL: Acl = Acl::named("all");
    pub const ACCT_SUMMARY: Acl = Acl::named("acct-summary");
    pub const BASIC_SYSTEM_INFO: Acl = Acl::named("basic-system-info");
    pub const BASIC_WHM_FUNCTIONS: Acl = Acl::named("basic-whm-functions");
    pub const CONNECTED_APPLICATIONS: Acl = Acl::named("connected-applications");
    pub const CORS_PROXY_GET: Acl = Acl::named("cors-proxy-get");
    pub const CPANEL_API: Acl = Acl::named("cpanel-api");
    pub const CPANEL_INTEGRATION: Acl = Acl::named("cpanel-integration");
    pub const CREATE_USER_SESSION: Acl = Acl::named("create-user-session");
    pub const DIGEST_AUTH: Acl = Acl::named("digest-auth");
    pub const GENERATE_EMAIL_CONFIG: Acl = Acl::named("generate-email-config");
    pub const LIST_PKGS: Acl = Acl::named("list-pkgs");
    pub const MANAGE_API_TOKENS: Acl = Acl::named("manage-api-tokens");
    pub const MANAGE_DNS_RECORDS: Acl = Acl::named("manage-dns-records");
    pub const MANAGE_OIDC: Acl = Acl::named("manage-oidc");
    pub const MANAGE_STYLES: Acl = Acl::named("manage-styles");
    pub const MYSQL_INFO: Acl = Acl::named("mysql-info");
    pub const NS_CONFIG: Acl = Acl::named("ns-config");
    pub const PUBLIC_CONTACT: Acl = Acl::named("public-contact");
    pub const SSL_INFO: Acl = Acl::named("ssl-info");
    pub const TRACK_EMAIL: Acl = Acl::named("track-email");
    pub const LIST_ACCTS: Acl = Acl::named("list-accts");
    pub const SHOW_BANDWIDTH: Acl = Acl::named("show-bandwidth");
    pub const CREATE_ACCT: Acl = Acl::named("create-acct");
    pub const KILL_ACCT: Acl = Acl::named("kill-acct");
    pub const SUSPEND_ACCT: Acl = Acl::named("suspend-acct");
    pub const UPGRADE_ACCOUNT: Acl = Acl::named("upgrade-account");
    pub const SSL: Acl = Acl::named("ssl");
    pub const SSL_BUY: Acl = Acl::named("ssl-buy");
    pub const SSL_GENCRT: Acl = Acl::named("ssl-gencrt");
    pub const EDIT_MX: Acl = Acl::named("edit-mx");
    pub const PASSWD: Acl = Acl::named("passwd");
    pub const FILE_RESTORE: Acl = Acl::named("file-restore");
    pub const CREATE_DNS: Acl = Acl::named("create-dns");
    pub const KILL_DNS: Acl = Acl::named("kill-dns");
    pub const PARK_DNS: Acl = Acl::named("park-dns");
    pub const EDIT_DNS: Acl = Acl::named("edit-dns");
    pub const ADD_PKG: Acl = Acl::named("add-pkg");
    pub const EDIT_PKG: Acl = Acl::named("edit-pkg");
    pub const THIRDPARTY: Acl = Acl::named("thirdparty");
    pub const MAILCHECK: Acl = Acl::named("mailcheck");
    pub const NEWS: Acl = Acl::named("news");
    pub const ASSIGN_ROOT_ACCOUNT_ENHANCEMENTS: Acl =
        Acl::named("assign-root-account-enhancements");
    pub const ALLOW_SHELL: Acl = Acl::named("allow-shell");
    pub const VIEWGLOBALPACKAGES: Acl = Acl::named("viewglobalpackages");
    pub const ALLOW_ADDONCREATE: Acl = Acl::named("allow-addoncreate");
    pub const ALLOW_PARKEDCREATE: Acl = Acl::named("allow-parkedcreate");
    pub const ADD_PKG_IP: Acl = Acl::named("add-pkg-ip");
    pub const ADD_PKG_SHELL: Acl = Acl::named("add-pkg-shell");
    pub const ALLOW_UNLIMITED_PKGS: Acl = Acl::named("allow-unlimited-pkgs");
    pub const ALLOW_EMAILLIMITS_PKGS: Acl = Acl::named("allow-emaillimits-pkgs");
    pub const ALLOW_UNLIMITED_DISK_PKGS: Acl = Acl::named("allow-unlimited-disk-pkgs");
    pub const ALLOW_UNLIMITED_BW_PKGS: Acl = Acl::named("allow-unlimited-bw-pkgs");
    pub const STATUS: Acl = Acl::named("status");
    pub const STATS: Acl = Acl::named("stats");
    pub const RESTART: Acl = Acl::named("restart");
    pub const RESFTP: Acl = Acl::named("resftp");
    pub const EDIT_ACCOUNT: Acl = Acl::named("edit-account");
    pub const LIMIT_BANDWIDTH: Acl = Acl::named("limit-bandwidth");
    pub const QUOTA: Acl = Acl::named("quota");
    pub const DEMO_SETUP: Acl = Acl::named("demo-setup");
    pub const REARRANGE_ACCTS: Acl = Acl::named("rearrange-accts");
    pub const CLUSTERING: Acl = Acl::named("clustering");
    pub const LOCALE_EDIT: Acl = Acl::named("locale-edit");

    /// Looks a name up at compile time, so a misspelt constant fails to build.
    const fn named(name: &str) -> Acl {
        let mut i = 0;
        while i < Self::NAMES.len() {
            if str_eq(Self::NAMES[i], name) {
                return Acl(i as u8);
            }
            i += 1;
        }
        panic!("unknown ACL name");
    }
}

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

impl Acl {
    pub fn from_name(name: &str) -> Option<Self> {
        Self::NAMES
            .iter()
            .position(|n| *n == name)
            .map(|i| Acl(i as u8))
    }

    pub fn name(self) -> &'static str {
        Self::NAMES[usize::from(self.0)]
    }

    /// Every ACL, in table order.
    pub fn every() -> impl Iterator<Item = Acl> {
        (0..Self::NAMES.len()).map(|i| Acl(i as u8))
    }
}

impl fmt::Debug for Acl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Display for Acl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of privileges. Holding `all` makes a user "root-ish": every check passes.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct AclSet(u128);

impl AclSet {
    pub const EMPTY: AclSet = AclSet(0);

    pub fn root() -> Self {
        Self::EMPTY.with(Acl::ALL)
    }

    pub fn with(self, acl: Acl) -> Self {
        Self(self.0 | (1u128 << acl.0))
    }

    /// Whether the set names this ACL itself (what `myprivs` reports).
    pub fn has(self, acl: Acl) -> bool {
        self.0 & (1u128 << acl.0) != 0
    }

    /// Whether a holder may do what `acl` guards: it holds it, or it holds `all`.
    pub fn permits(self, acl: Acl) -> bool {
        self.has(Acl::ALL) || self.has(acl)
    }

    pub fn is_root(self) -> bool {
        self.has(Acl::ALL)
    }

    /// The privileges both sets grant, for a token that narrows its owner's set. A token
    /// holding `all` narrows nothing; an owner holding `all` grants whatever the token names.
    pub fn narrowed_by(self, token: AclSet) -> AclSet {
        if token.is_root() {
            self
        } else if self.is_root() {
            token
        } else {
            AclSet(self.0 & token.0)
        }
    }

    pub fn iter(self) -> impl Iterator<Item = Acl> {
        Acl::every().filter(move |a| self.has(*a))
    }
}

impl FromIterator<Acl> for AclSet {
    fn from_iter<I: IntoIterator<Item = Acl>>(iter: I) -> Self {
        iter.into_iter().fold(Self::EMPTY, Self::with)
    }
}

impl fmt::Debug for AclSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_fits_and_names_round_trip() {
        assert!(Acl::NAMES.len() <= 128);
        for acl in Acl::every() {
            assert_eq!(Acl::from_name(acl.name()), Some(acl));
        }
        assert_eq!(Acl::LIST_ACCTS.name(), "list-accts");
        assert_eq!(Acl::from_name("nope"), None);
    }

    #[test]
    fn permits_and_narrowing() {
        let root = AclSet::root();
        assert!(root.permits(Acl::KILL_ACCT));
        assert!(!root.has(Acl::KILL_ACCT));
        let reseller: AclSet = [Acl::LIST_ACCTS, Acl::CREATE_ACCT].into_iter().collect();
        assert!(!reseller.permits(Acl::KILL_ACCT));
        let token: AclSet = [Acl::LIST_ACCTS, Acl::KILL_ACCT].into_iter().collect();
        let narrowed = reseller.narrowed_by(token);
        assert!(narrowed.permits(Acl::LIST_ACCTS));
        assert!(!narrowed.permits(Acl::KILL_ACCT));
        assert_eq!(root.narrowed_by(token), token);
        assert_eq!(reseller.narrowed_by(root), reseller);
    }
}
