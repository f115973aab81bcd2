//! Usernames for new and transferred accounts, with WHM's exact reasons (see
//! docs/compatibility.md, "User names").

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;
use std::borrow::Cow;

/// Exact names no account may take.
const RESERVED: &[&str] = &[
    "abrt",
    "all",
    "clamav",
    "cpanel-ccs",
    "cpeasyapache",
    "cpses",
    "cptkt",
    "cphulkd",
    "cpwebcalls",
    "dbus",
    "dirs",
    "dnsadmin",
    "dovecot",
    "eximstats",
    "files",
    "ftpxferlog",
    "haldaemon",
    "information_schema",
    "mailman",
    "modsec",
    "munin",
    "mydns",
    "nobody",
    "performance_schema",
    "postgres",
    "postmaster",
    "proftpd",
    "root",
    "roundcube",
    "shadow",
    "spamassassin",
    "ssl",
    "sys",
    "system",
    "tcpdump",
    "tmp",
    "tomcat",
    "toor",
    "virtfs",
    "virtual",
    "webmaster",
    "whmxfer",
    "_lock",
    // cPanel also reserves every name in /etc/aliases; these are a stock system's.
    "mailer-daemon",
    "bin",
    "daemon",
    "adm",
    "lp",
    "sync",
    "shutdown",
    "halt",
    "mail",
    "news",
    "uucp",
    "operator",
    "games",
    "gopher",
    "ftp",
    "apache",
    "named",
    "mysql",
    "sshd",
    "postfix",
    "mailnull",
    "smmsp",
    "ntp",
    "manager",
    "dumper",
    "abuse",
    "newsadm",
    "newsadmin",
    "usenet",
    "ftpadm",
    "ftpadmin",
    "www",
    "noc",
    "security",
    "hostmaster",
    "info",
    "marketing",
    "sales",
    "support",
    "decode",
];

const RESERVED_PREFIXES: &[&str] = &[
    "test", "passwd.", "cpmydns", "cpanel", "mydns", "pg_toast", "pg_temp", "cpses", "cptkt",
    "cpbackup",
];

const RESERVED_SUFFIXES: &[&str] = &[".lock", ".cache", ".yaml", ".json", ".db", "assword"];

/// The longest username a new account may have.
pub const MAX_LEN: usize = 16;

/// Whether `name` passes the strict rule for new accounts: 1–16 of `[a-z0-9]`, not starting
/// with a digit (nor `-` or `.`); `_` too when database prefixing is off.
pub fn valid_for_new(name: &str, allow_underscore: bool) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= MAX_LEN
        && !b[0].is_ascii_digit()
        && b.iter().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || (allow_underscore && *c == b'_')
        })
        && !(allow_underscore && b[0] == b'_')
}

/// Whether `name` passes the loose rule for transferred accounts: 1–16 of `[-._a-z0-9]`, not
/// starting with `-`, `.` or a digit.
pub fn valid_for_transfer(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= MAX_LEN
        && !matches!(b[0], b'-' | b'.' | b'0'..=b'9')
        && b.iter().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'-' | b'.' | b'_')
        })
}

/// Whether `name` is reserved: an exact name, a reserved prefix or suffix, or only
/// punctuation and digits.
pub fn is_reserved(name: &str) -> bool {
    RESERVED.contains(&name)
        || RESERVED_PREFIXES.iter().any(|p| name.starts_with(p))
        || RESERVED_SUFFIXES.iter().any(|s| name.ends_with(s))
        || (!name.is_empty()
            && name
                .bytes()
                .all(|c| matches!(c, b'-' | b'.' | b'_' | b'0'..=b'9')))
}

/// The database-owner form of a username: without `_` and `.`.
pub fn dbowner(name: &str) -> String {
    name.chars().filter(|c| !matches!(c, '_' | '.')).collect()
}

/// The first `n` characters of the database-owner form, the part that must be unique.
pub fn db_prefix(name: &str, n: usize) -> String {
    dbowner(name).chars().take(n).collect()
}

pub fn invalid_reason(name: &str) -> String {
    format!("“{name}” is not a valid username on this system.")
}

pub fn reserved_reason(name: &str) -> String {
    format!("“{name}” is a reserved username on this system.")
}

pub fn exists_reason(name: &str) -> String {
    format!("This system already has an account named “{name}”.")
}

pub fn dbowner_reason(name: &str) -> String {
    format!("This system already has a database owner named “{name}”.")
}

pub fn prefix_reason(name: &str, n: usize) -> String {
    format!(
        "The name of another account on this server has the same initial {n} characters as the given username \
         ({name}). Each username’s first {n} characters must be unique."
    )
}

/// A name a new account may take, as far as the name alone can tell: lower case (it is
/// lowercased when read), the strict rule, not reserved. Whether another account or system
/// user has it is for the caller to ask. Read from a request, a name that is not one is
/// refused there with WHM's reason.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct NewUsername(String);

impl NewUsername {
    /// `name` as it was given, or the reason it may not name a new account.
    pub fn check(name: &str) -> Result<(), String> {
        if !valid_for_new(name, false) {
            return Err(invalid_reason(name));
        }
        if is_reserved(name) {
            return Err(reserved_reason(name));
        }
        Ok(())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for NewUsername {
    type Error = String;

    fn try_from(name: String) -> Result<Self, String> {
        let name = name.to_ascii_lowercase();
        Self::check(&name)?;
        Ok(Self(name))
    }
}

impl JsonSchema for NewUsername {
    fn schema_name() -> Cow<'static, str> {
        "NewUsername".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": "^[A-Za-z][A-Za-z0-9]{0,15}$",
            "description": "1 to 16 letters and digits, not starting with a digit, read in lower \
                            case; not a reserved name.",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_username_is_read_in_lower_case_and_refused_with_whms_reason() {
        let ok = NewUsername::try_from("Bob2".to_owned()).expect("valid");
        assert_eq!(ok.as_str(), "bob2");
        assert_eq!(
            NewUsername::try_from("2bob".to_owned()),
            Err(invalid_reason("2bob"))
        );
        assert_eq!(
            NewUsername::try_from("test".to_owned()),
            Err(reserved_reason("test"))
        );
    }

    #[test]
    fn strict_and_loose_rules() {
        for ok in ["bob", "a1", "abcdefghijklmnop"] {
            assert!(valid_for_new(ok, false), "{ok}");
        }
        for bad in [
            "",
            "1bob",
            "Bob",
            "bo_b",
            "bo.b",
            "bo-b",
            "abcdefghijklmnopq",
            "bøb",
        ] {
            assert!(!valid_for_new(bad, false), "{bad}");
        }
        assert!(valid_for_new("bo_b", true));
        assert!(!valid_for_new("_bob", true));
        assert!(valid_for_transfer("bo.b-x_y"));
        assert!(!valid_for_transfer(".bob"));
        assert!(!valid_for_transfer("9bob"));
    }

    #[test]
    fn reserved_names() {
        for r in [
            "root",
            "test",
            "tester",
            "cpanelx",
            "bob.lock",
            "mypassword",
            "123",
            "nobody",
            "_lock",
        ] {
            assert!(is_reserved(r), "{r}");
        }
        for ok in ["bob", "atest", "cpane", "password1"] {
            assert!(!is_reserved(ok), "{ok}");
        }
    }

    #[test]
    fn db_prefixes() {
        assert_eq!(dbowner("a_b.c"), "abc");
        assert_eq!(db_prefix("abcdefghij", 8), "abcdefgh");
        assert_eq!(db_prefix("abc", 8), "abc");
    }
}
