//! The names and small text files of a pkgacct archive (archive version 4), as cPanel writes
//! them (docs/compatibility.md, "Account archives").

use std::collections::BTreeMap;

/// The archive format whmd writes.
pub const ARCHIVE_VERSION: u32 = 4;
/// The pkgacct version the `version` file names beside it.
pub const PKGACCT_VERSION: u32 = 10;

/// The prefix of a transfer archive's file and top directory: `cpmove-USER.tar.gz` holding
/// `cpmove-USER/`.
pub const TRANSFER_PREFIX: &str = "cpmove-";

/// Directories pkgacct always makes, most of them empty when the account has nothing there.
pub const ALWAYS_MADE: &[&str] = &[
    "apache_tls",
    "bandwidth",
    "bandwidth_db",
    "counters",
    "cp",
    "cron",
    "customizations",
    "dnszones",
    "domainkeys",
    "domainkeys/private",
    "domainkeys/public",
    "httpfiles",
    "ips",
    "locale",
    "logs",
    "meta",
    "mm",
    "mma",
    "mma/priv",
    "mma/pub",
    "mms",
    "mysql",
    "mysql-timestamps",
    "psql",
    "resellerconfig",
    "resellerfeatures",
    "resellerpackages",
    "sslcerts",
    "sslkeys",
    "ssl",
    "suspended",
    "suspendinfo",
    "userdata",
    "va",
    "vad",
    "vf",
    "team",
];

/// The `version` file.
pub fn version_file() -> String {
    format!("pkgacct version: {PKGACCT_VERSION}\narchive version: {ARCHIVE_VERSION}\n")
}

/// The archive version a `version` file names (3 in archives of 2017 and before).
pub fn parse_version(text: &str) -> Option<u32> {
    text.lines()
        .find_map(|l| l.strip_prefix("archive version:"))
        .and_then(|v| v.trim().parse().ok())
}

/// Keys cPanel drops from the user file before writing it into an archive.
const NOT_ARCHIVED: &[&str] = &["DOMAIN", "DBOWNER", "__CACHE_DATA_VERSION"];

/// The `cp/USER` file: a comment line, then `KEY=VALUE` sorted by key.
pub fn cpuser_file(keys: &BTreeMap<String, String>) -> String {
    let mut text =
        String::from("# cPanel -- If you edit this file, the cPanel user cache must be updated.\n");
    for (key, value) in keys {
        if NOT_ARCHIVED.contains(&key.as_str()) {
            continue;
        }
        // A value never spans lines in the file.
        let value: String = value.chars().filter(|c| *c != '\n' && *c != '\r').collect();
        text.push_str(key);
        text.push('=');
        text.push_str(&value);
        text.push('\n');
    }
    text
}

/// A `cp/USER` file's keys: `KEY=VALUE` lines (the first `=` splits), comments and blank lines
/// left out; a later line for a key wins.
pub fn parse_cpuser(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .filter(|(k, _)| !k.trim().is_empty())
        .map(|(k, v)| (k.trim().to_owned(), v.trim_end_matches('\r').to_owned()))
        .collect()
}

/// Whether a `cp/` file is a cPanel user file: a line starting `DNS=` or `USER=`.
pub fn looks_like_cpuser(text: &str) -> bool {
    text.lines()
        .any(|l| l.starts_with("DNS=") || l.starts_with("USER="))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_file_reads_back() {
        assert_eq!(parse_version(&version_file()), Some(ARCHIVE_VERSION));
        assert_eq!(
            parse_version("pkgacct version: 9\narchive version: 3\n"),
            Some(3)
        );
        assert_eq!(parse_version("garbage"), None);
    }

    #[test]
    fn the_user_file_is_sorted_without_the_keys_cpanel_drops() {
        let keys: BTreeMap<String, String> = [
            ("USER", "bob"),
            ("DNS", "bob.example.com"),
            ("DOMAIN", "bob.example.com"),
            ("MAXPOP", "unlimited"),
            ("CONTACTEMAIL", "a=b@example.com\nX=1"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let text = cpuser_file(&keys);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with('#'));
        assert_eq!(
            &lines[1..],
            [
                "CONTACTEMAIL=a=b@example.comX=1",
                "DNS=bob.example.com",
                "MAXPOP=unlimited",
                "USER=bob"
            ]
        );
        let back = parse_cpuser(&text);
        assert_eq!(back["CONTACTEMAIL"], "a=b@example.comX=1");
        assert_eq!(back["USER"], "bob");
        assert!(!back.contains_key("DOMAIN"));
        assert!(looks_like_cpuser(&text));
        assert!(!looks_like_cpuser("# only a comment\nFOO=1\n"));
    }
}
