//! Packages (hosting plans): named sets of account settings. A package
//! keeps the keys and raw values of cPanel's package file (`QUOTA` and `BWLIMIT` in MB, flags
//! as `y`/`n`); accounts on it get those settings in cpuser form.
//!
//! The package `default` exists implicitly: with no stored package of that name, its settings
//! are [`DEFAULTS`]. Root may store one, which then takes its place.

use crate::Principal;
use crate::account::{Account, Limit, NO_SHELL, SHELL};
use std::collections::BTreeMap;
use whmd_wire::Acl;

/// The package every account without another is on.
pub const DEFAULT: &str = "default";

/// The package file's standard keys and the value each has when a package does not set it.
pub const DEFAULTS: &[(&str, &str)] = &[
    ("BWLIMIT", "unlimited"),
    ("CGI", "y"),
    ("CPMOD", crate::account::DEFAULT_THEME),
    ("DIGESTAUTH", "n"),
    ("FEATURELIST", "default"),
    ("HASSHELL", "n"),
    ("IP", "n"),
    ("LANG", "en"),
    ("MAXADDON", "0"),
    ("MAXFTP", "unlimited"),
    ("MAXLST", "unlimited"),
    ("MAXPARK", "0"),
    ("MAXPASSENGERAPPS", "4"),
    ("MAXPOP", "unlimited"),
    ("MAXSQL", "unlimited"),
    ("MAXSUB", "unlimited"),
    ("MAX_DEFER_FAIL_PERCENTAGE", "unlimited"),
    ("MAX_EMAILACCT_QUOTA", "1024"),
    ("MAX_EMAIL_PER_HOUR", "unlimited"),
    ("MAX_TEAM_USERS", "7"),
    ("QUOTA", "unlimited"),
    ("_PACKAGE_EXTENSIONS", ""),
];

/// Package keys that do not become account settings: a dedicated address is assigned, not
/// copied, and digest authentication is a password property.
const NOT_IN_CPUSER: &[&str] = &["IP", "DIGESTAUTH"];

const BYTES_PER_MB: u64 = 1_048_576;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    pub name: String,
    /// `root`, or the reseller that made it.
    pub owner: String,
    /// Every standard key (see [`DEFAULTS`]) and any package-extension variables.
    pub settings: BTreeMap<String, String>,
    /// Bumped by the store on every update, as for accounts.
    pub revision: i64,
}

impl Package {
    /// A package of `owner` with every setting at its default.
    pub fn new(name: impl Into<String>, owner: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            owner: owner.into(),
            settings: DEFAULTS
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            revision: 0,
        }
    }

    /// The `default` package when none is stored.
    pub fn implicit_default() -> Self {
        Self::new(DEFAULT, "root")
    }

    /// A setting, or its default.
    pub fn get(&self, key: &str) -> &str {
        self.settings.get(key).map_or_else(
            || {
                DEFAULTS
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map_or("", |(_, v)| v)
            },
            String::as_str,
        )
    }

    /// A `y`/`n` setting.
    pub fn flag(&self, key: &str) -> bool {
        self.get(key).starts_with(['y', 'Y', '1'])
    }

    /// A limit setting; an unreadable value counts as unlimited, as cPanel reads it.
    pub fn limit(&self, key: &str) -> Limit {
        Limit::parse(self.get(key), false).unwrap_or(Limit::Unlimited)
    }

    /// The disk quota in MB, `None` for unlimited (0 also means unlimited in a package).
    pub fn quota_mb(&self) -> Option<u64> {
        self.limit("QUOTA").value().filter(|q| *q > 0)
    }

    /// The bandwidth limit in MB, `None` for unlimited.
    pub fn bwlimit_mb(&self) -> Option<u64> {
        self.limit("BWLIMIT").value().filter(|b| *b > 0)
    }

    /// Gives `account` this package's settings, or only those named in `keys`. Returns what
    /// changed beyond cpuser keys, which the host must carry out.
    pub fn apply_to(&self, account: &mut Account, keys: Option<&[String]>) -> Applied {
        let mut applied = Applied::default();
        let chosen = |key: &str| keys.is_none_or(|k| k.iter().any(|x| x == key));
        let all_keys = DEFAULTS
            .iter()
            .map(|(k, _)| *k)
            .chain(self.settings.keys().map(String::as_str));
        let mut seen = Vec::new();
        for key in all_keys {
            if !chosen(key) || seen.contains(&key) || NOT_IN_CPUSER.contains(&key) {
                continue;
            }
            seen.push(key);
            let value = self.get(key);
            match key {
                "QUOTA" => {
                    let quota = self.quota_mb();
                    if account.quota_mb != quota {
                        account.quota_mb = quota;
                        applied.quota = true;
                    }
                }
                "BWLIMIT" => {
                    let bytes = self.bwlimit_mb().map_or_else(
                        || "unlimited".to_owned(),
                        |mb| (mb * BYTES_PER_MB).to_string(),
                    );
                    account.set("BWLIMIT", bytes);
                }
                "CGI" => account.set("HASCGI", if self.flag(key) { "1" } else { "0" }),
                "CPMOD" => account.set("RS", value),
                "LANG" => account.set("LOCALE", value),
                "HASSHELL" => {
                    let shell = if self.flag(key) { SHELL } else { NO_SHELL };
                    if account.shell != shell {
                        account.shell = shell.to_owned();
                        applied.shell = true;
                    }
                }
                // The limits, the feature list and extension variables keep their names.
                _ => account.set(key, value),
            }
        }
        applied
    }
}

/// Whether `key` is one of the package file's standard keys.
pub fn is_standard(key: &str) -> bool {
    DEFAULTS.iter().any(|(k, _)| *k == key)
}

/// What applying a package changed outside the cpuser keys.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    pub shell: bool,
    pub quota: bool,
}

/// The name a reseller's package gets: `<reseller>_<name>`, any such prefix given replaced
///.
pub fn owned_name(reseller: &str, name: &str) -> String {
    let prefix = format!("{reseller}_");
    let bare = name.strip_prefix(&prefix).unwrap_or(name);
    format!("{prefix}{bare}")
}

/// Whether the caller may see and use `package`: root sees every package; a reseller its own,
/// `default`, and root's when it holds `viewglobalpackages`.
pub fn can_view(principal: &Principal, package: &Package) -> bool {
    principal.is_root()
        || package.owner == principal.user
        || package.name == DEFAULT
        || (package.owner == "root" && principal.acls.permits(Acl::VIEWGLOBALPACKAGES))
}

/// Whether the caller may change or remove `package`: root any, a reseller its own.
pub fn can_edit(principal: &Principal, package: &Package) -> bool {
    principal.is_root() || package.owner == principal.user
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AuthMethod;
    use whmd_wire::AclSet;

    fn account() -> Account {
        crate::account::sample("bob")
    }

    #[test]
    fn applying_converts_units_and_names() {
        let mut pkg = Package::new("gold", "root");
        for (k, v) in [
            ("QUOTA", "500"),
            ("BWLIMIT", "2"),
            ("CGI", "n"),
            ("HASSHELL", "y"),
            ("CPMOD", "paper_lantern"),
            ("LANG", "de"),
            ("MAXPOP", "10"),
            ("IP", "y"),
            ("ext_var", "x"),
        ] {
            pkg.settings.insert(k.into(), v.into());
        }
        let mut a = account();
        let applied = pkg.apply_to(&mut a, None);
        assert_eq!(
            applied,
            Applied {
                shell: true,
                quota: true
            }
        );
        assert_eq!(a.quota_mb, Some(500));
        assert_eq!(a.get("BWLIMIT"), Some("2097152"));
        assert_eq!(a.get("HASCGI"), Some("0"));
        assert_eq!(a.shell, SHELL);
        assert_eq!(a.get("RS"), Some("paper_lantern"));
        assert_eq!(a.get("LOCALE"), Some("de"));
        assert_eq!(a.get("MAXPOP"), Some("10"));
        assert_eq!(a.get("ext_var"), Some("x"));
        assert_eq!(a.get("IP"), None, "the address is not a cpuser setting");
        assert_eq!(a.get("DIGESTAUTH"), None);
    }

    #[test]
    fn applying_only_some_keys() {
        let mut pkg = Package::new("gold", "root");
        pkg.settings.insert("MAXPOP".into(), "10".into());
        pkg.settings.insert("MAXSQL".into(), "3".into());
        let mut a = account();
        a.set("MAXSQL", "99");
        pkg.apply_to(&mut a, Some(&["MAXPOP".to_owned()]));
        assert_eq!(a.get("MAXPOP"), Some("10"));
        assert_eq!(a.get("MAXSQL"), Some("99"), "untouched");
    }

    #[test]
    fn names_and_access() {
        assert_eq!(owned_name("bob", "gold"), "bob_gold");
        assert_eq!(owned_name("bob", "bob_gold"), "bob_gold");
        let reseller = |acls: AclSet| Principal {
            user: "bob".into(),
            acls,
            method: AuthMethod::Local,
        };
        let bare = reseller(AclSet::EMPTY);
        let global = reseller([Acl::VIEWGLOBALPACKAGES].into_iter().collect());
        let roots = Package::new("silver", "root");
        let mine = Package::new("bob_gold", "bob");
        let theirs = Package::new("amy_gold", "amy");
        assert!(can_view(&bare, &mine) && can_edit(&bare, &mine));
        assert!(!can_view(&bare, &roots) && can_view(&global, &roots));
        assert!(!can_edit(&global, &roots));
        assert!(!can_view(&global, &theirs) && !can_edit(&global, &theirs));
        assert!(can_view(&bare, &Package::implicit_default()));
    }
}
