//! What the host should have for one account, from the store's account and the host's
//! policy. Everything that reaches a command line or a path is checked here, once: a value
//! that could break a line or leave a directory is refused, never quoted around.

use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use whmd_domain::account::NO_SHELL;
use whmd_domain::secret::is_system_hash;
use whmd_domain::store::HostedAccount;

/// The shell of a system user that may not log in.
pub const NOLOGIN: &str = "/usr/sbin/nologin";

/// Shells an account may have on the host as they are; every other shell (cPanel's
/// `noshell` and `jailshell` among them) becomes [`NOLOGIN`].
const LOGIN_SHELLS: [&str; 4] = ["/bin/bash", "/usr/bin/bash", "/bin/sh", "/usr/bin/sh"];

/// What this host allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// The uids whmd may give its users; one held by a user whmd did not create is refused.
    pub uids: RangeInclusive<u32>,
    /// The directories homes are made in: an account's home is one directory directly below
    /// one of them.
    pub home_roots: Vec<PathBuf>,
    /// The home roots whose filesystem enforces quotas (see [`crate::quota`]); the converger
    /// finds them at start. Empty: quotas are not enforced.
    pub quota_roots: Vec<PathBuf>,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            uids: 1000..=60000,
            home_roots: vec![PathBuf::from("/home")],
            quota_roots: Vec::new(),
        }
    }
}

/// An account's disk quota as this host enforces it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Quota {
    /// Its home root's filesystem cannot enforce quotas.
    #[default]
    Unenforced,
    /// Its home is a btrfs subvolume limited to this many MiB (`None`: no limit).
    Limit(Option<u64>),
}

/// One account as the host should have it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Desired {
    pub uid: u32,
    /// The user's name, and its group's.
    pub user: String,
    pub home: PathBuf,
    /// The host's shell for it (never cPanel's paths).
    pub shell: String,
    /// The crypt hash for /etc/shadow, `!`-prefixed while suspended; `!` alone (locked) when
    /// the store holds no hash the system can read.
    pub password: String,
    pub suspended: bool,
    /// The account's domains, main first, for its web sites.
    pub domains: Vec<String>,
    /// The address its sites answer on.
    pub ip: IpAddr,
    pub quota: Quota,
}

/// Why an account cannot be put on this host as stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unfit {
    #[error("the username “{0}” is not one this host can give a system user")]
    User(String),
    #[error("the uid {0} is outside the range whmd may use ({1}–{2})")]
    Uid(u32, u32, u32),
    #[error("the home directory “{0}” is not a directory directly below a home root ({1})")]
    Home(String, String),
    #[error("the domain “{0}” cannot name a web site")]
    Domain(String),
    #[error("the address “{0}” is not an IP address")]
    Ip(String),
}

impl Desired {
    pub fn of(hosted: &HostedAccount, policy: &Policy) -> Result<Self, Unfit> {
        let account = &hosted.account;
        if !is_system_name(&account.user) {
            return Err(Unfit::User(account.user.clone()));
        }
        if !policy.uids.contains(&account.uid) {
            return Err(Unfit::Uid(
                account.uid,
                *policy.uids.start(),
                *policy.uids.end(),
            ));
        }
        let home = PathBuf::from(&account.homedir);
        if !policy.home_allowed(&home) {
            return Err(Unfit::Home(account.homedir.clone(), policy.roots_text()));
        }
        let mut domains = vec![account.domain.clone()];
        domains.extend(
            account
                .domains
                .iter()
                .filter(|d| **d != account.domain)
                .cloned(),
        );
        if let Some(bad) = domains.iter().find(|d| !is_site_domain(d)) {
            return Err(Unfit::Domain(bad.clone()));
        }
        let ip = account
            .ip
            .parse()
            .map_err(|_| Unfit::Ip(account.ip.clone()))?;
        let suspended = account.suspension.is_some();
        let shell = if suspended {
            NOLOGIN
        } else {
            host_shell(&account.shell)
        };
        let hash = hosted
            .password
            .as_deref()
            .filter(|h| is_system_hash(h) && h.bytes().all(|b| b.is_ascii_graphic() && b != b':'));
        let password = match (hash, suspended) {
            (Some(hash), false) => hash.to_owned(),
            (Some(hash), true) => format!("!{hash}"),
            (None, _) => "!".to_owned(),
        };
        let quota = if policy
            .quota_roots
            .iter()
            .any(|root| Some(root.as_path()) == home.parent())
        {
            Quota::Limit(account.quota_mb)
        } else {
            Quota::Unenforced
        };
        Ok(Self {
            uid: account.uid,
            user: account.user.clone(),
            quota,
            home,
            shell: shell.to_owned(),
            password,
            suspended,
            domains,
            ip,
        })
    }
}

impl Policy {
    /// Whether `home` is one plain directory name directly below a home root.
    pub fn home_allowed(&self, home: &Path) -> bool {
        let (Some(parent), Some(name)) = (home.parent(), home.file_name()) else {
            return false;
        };
        let name_ok = name.to_str().is_some_and(is_system_name);
        name_ok
            && home.is_absolute()
            && home.to_str() == Some(&format!("{}/{}", parent.display(), name.display()))
            && self.home_roots.iter().any(|root| root == parent)
    }

    fn roots_text(&self) -> String {
        let roots: Vec<String> = self
            .home_roots
            .iter()
            .map(|r| r.display().to_string())
            .collect();
        roots.join(", ")
    }
}

/// The host's shell for an account's stored one: login shells stay; cPanel's `noshell`,
/// `jailshell` and anything else become [`NOLOGIN`].
pub fn host_shell(stored: &str) -> &'static str {
    LOGIN_SHELLS
        .into_iter()
        .find(|s| *s == stored && stored != NO_SHELL)
        .unwrap_or(NOLOGIN)
}

/// A domain a config line takes as it is: dot-separated labels of lowercase letters, digits
/// and inner hyphens, at least two, none empty or over 63 characters.
pub fn is_site_domain(domain: &str) -> bool {
    domain.len() <= 253
        && domain.split('.').count() >= 2
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

/// A name the shadow tools and every config line take as it is: a lowercase letter, then up
/// to 31 lowercase letters, digits, `_` or `-`.
pub fn is_system_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_lowercase())
        && name.len() <= 32
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use whmd_domain::account::{Account, Suspension};

    fn hosted(user: &str, password: Option<&str>) -> HostedAccount {
        HostedAccount {
            account: Account {
                user: user.into(),
                domain: format!("{user}.example.com"),
                owner: "root".into(),
                plan: "default".into(),
                ip: "192.0.2.1".into(),
                uid: 1001,
                homedir: format!("/home/{user}"),
                shell: NO_SHELL.into(),
                quota_mb: None,
                suspension: None,
                reseller: None,
                cpuser: Default::default(),
                domains: vec![],
                dead_domains: vec![],
                homedir_links: vec![],
                host: String::new(),
                mtime: 0,
                revision: 1,
            },
            password: password.map(str::to_owned),
        }
    }

    #[test]
    fn an_account_becomes_a_system_user() {
        let d = Desired::of(&hosted("alice", Some("$6$s$h")), &Policy::default()).expect("fits");
        assert_eq!(
            d,
            Desired {
                uid: 1001,
                user: "alice".into(),
                home: "/home/alice".into(),
                shell: NOLOGIN.into(),
                password: "$6$s$h".into(),
                suspended: false,
                domains: vec!["alice.example.com".into()],
                ip: "192.0.2.1".parse().expect("ip"),
                quota: Quota::Unenforced,
            }
        );
        let mut bash = hosted("bob", None);
        bash.account.shell = "/bin/bash".into();
        let d = Desired::of(&bash, &Policy::default()).expect("fits");
        assert_eq!((d.shell.as_str(), d.password.as_str()), ("/bin/bash", "!"));
        bash.account.suspension = Some(Suspension {
            reason: String::new(),
            time: 0,
            locked: false,
            leave_ftp_enabled: false,
        });
        bash.password = Some("$6$s$h".into());
        let d = Desired::of(&bash, &Policy::default()).expect("fits");
        assert_eq!(
            (d.shell.as_str(), d.password.as_str()),
            (NOLOGIN, "!$6$s$h")
        );
    }

    #[test]
    fn cpanel_shells_map_to_this_hosts() {
        assert_eq!(host_shell(NO_SHELL), NOLOGIN);
        assert_eq!(host_shell("/usr/local/cpanel/bin/jailshell"), NOLOGIN);
        assert_eq!(host_shell("/bin/false"), NOLOGIN);
        assert_eq!(host_shell("/bin/bash"), "/bin/bash");
        assert_eq!(host_shell("/tmp/evil"), NOLOGIN);
    }

    #[test]
    fn what_could_break_a_line_or_a_path_is_refused() {
        let policy = Policy::default();
        for user in [
            "Alice", "al ice", "al\"ice", "al}ice", "a\nb", "", "1abc", "a.b",
        ] {
            assert!(
                matches!(
                    Desired::of(&hosted(user, None), &policy),
                    Err(Unfit::User(_))
                ),
                "{user:?}"
            );
        }
        for home in [
            "/home/../etc",
            "/home/alice/..",
            "/etc/alice",
            "/home//alice",
            "/home/alice/",
            "home/alice",
            "/home/al ice",
            "/home",
            "/",
        ] {
            let mut h = hosted("alice", None);
            h.account.homedir = home.into();
            assert!(
                matches!(Desired::of(&h, &policy), Err(Unfit::Home(..))),
                "{home:?}"
            );
        }
        let mut h = hosted("alice", None);
        h.account.uid = 999;
        assert_eq!(Desired::of(&h, &policy), Err(Unfit::Uid(999, 1000, 60000)));
        for domain in [
            "a b.example.com",
            "x.example.com\n}",
            "\"q\".example",
            "nodot",
            "-a.example.com",
            "a..example.com",
        ] {
            let mut h = hosted("alice", None);
            h.account.domains = vec![domain.into()];
            assert!(
                matches!(Desired::of(&h, &policy), Err(Unfit::Domain(_))),
                "{domain:?}"
            );
        }
        let mut h = hosted("alice", None);
        h.account.ip = "192.0.2.1 *:443".into();
        assert!(matches!(Desired::of(&h, &policy), Err(Unfit::Ip(_))));
        // A hash with a separator or a newline never reaches chpasswd.
        let d = Desired::of(&hosted("alice", Some("$6$s$h:0:0\nroot")), &policy).expect("fits");
        assert_eq!(d.password, "!");
    }
}
