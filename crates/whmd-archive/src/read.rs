//! Reading an account archive, gzip or plain tar, in one pass with every entry checked before
//! anything is taken from it (docs/compatibility.md, "Account archives"): one top directory;
//! plain relative paths that stay inside it; no devices, pipes or sockets; no symbolic link
//! among the top directory's entries or in `cp/`; exactly one user file in `cp/`, named by a
//! valid username, with a `DNS=` or `USER=` line. The small files whmd restores from are read;
//! everything else is counted by the section it is in, so that what is not restored can be
//! reported rather than dropped.

use crate::layout;
use flate2::read::GzDecoder;
use std::collections::BTreeMap;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Component, Path};
use tar::EntryType;
use whmd_domain::names::username::valid_for_transfer;

/// The largest of the small files that are read whole (the user file, zones, …).
pub const SMALL_FILE_LIMIT: u64 = 4 << 20;

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// Not a tar archive, or a truncated or corrupt one (gzip's check included).
    #[error("The archive cannot be read: {0}")]
    Unreadable(String),
    #[error("The archive entry “{0}” is not a relative path inside the archive.")]
    UnsafePath(String),
    #[error("The archive entry “{0}” is a device, a pipe or a socket.")]
    SpecialFile(String),
    #[error("The archive entry “{0}” is a symbolic link where an archive has none.")]
    MisplacedLink(String),
    #[error("The archive has more than one top directory (“{0}” and “{1}”).")]
    ManyTops(String, String),
    #[error("The archive holds no account: there is no user file in “cp/”.")]
    NoAccount,
    #[error("The archive holds more than one account in “cp/” (“{0}” and “{1}”).")]
    ManyAccounts(String, String),
    #[error("“cp/{0}” is not a valid username.")]
    BadUsername(String),
    #[error("“cp/{0}” is not a cPanel user file: it has no DNS= or USER= line.")]
    NotAUserFile(String),
    #[error("The archive entry “{0}” is larger than {SMALL_FILE_LIMIT} bytes.")]
    TooLarge(String),
}

/// What an archive holds, as far as whmd restores it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inspected {
    /// The top directory (`cpmove-bob`, `bob`, …).
    pub top: String,
    /// The archive version its `version` file names, when it has one.
    pub version: Option<u32>,
    /// The account's username: the name of its user file in `cp/`.
    pub user: String,
    /// The user file's keys.
    pub cpuser: BTreeMap<String, String>,
    pub shadow: Option<String>,
    pub shell: Option<String>,
    /// The `quota` file: MB, 0 for unlimited.
    pub quota_mb: Option<u64>,
    /// Zone files by domain.
    pub zones: BTreeMap<String, String>,
    pub userdata_main: Option<String>,
    /// Whether the home directory is there as `homedir/`, or in the older form `homedir.tar`.
    pub home: Home,
    /// Files and directories under the home, and the bytes of its files.
    pub home_entries: u64,
    pub home_bytes: u64,
    /// The bytes of every other file (what a restore keeps beside the store).
    pub other_bytes: u64,
    /// Files (and links) in each other section (`mysql`, `va`, `cron` …), by section: what
    /// the archive holds beyond what is read here. Empty directories are not counted.
    pub sections: BTreeMap<String, u64>,
}

/// Where an archive keeps the home directory.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Home {
    #[default]
    Missing,
    /// `homedir/…`, as archive versions 3 and 4 have it.
    Directory,
    /// `homedir.tar`, a tar inside the tar, as older archives have it.
    Tarball,
}

fn unreadable(e: io::Error) -> ArchiveError {
    ArchiveError::Unreadable(e.to_string())
}

/// Reads `input` (gzip or plain tar) through to its end, checking every entry.
pub fn inspect(input: impl Read) -> Result<Inspected, ArchiveError> {
    let mut input = BufReader::new(input);
    let gzip = input
        .fill_buf()
        .map_err(unreadable)?
        .starts_with(&[0x1f, 0x8b]);
    if gzip {
        inspect_tar(GzDecoder::new(input))
    } else {
        inspect_tar(input)
    }
}

fn inspect_tar<R: Read>(input: R) -> Result<Inspected, ArchiveError> {
    let mut archive = tar::Archive::new(input);
    let mut found = Inspected::default();
    let mut users: Vec<(String, String)> = Vec::new();
    let mut any = false;
    for entry in archive.entries().map_err(unreadable)? {
        let mut entry = entry.map_err(unreadable)?;
        any = true;
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let parts = plain_parts(&raw).ok_or_else(|| ArchiveError::UnsafePath(raw.clone()))?;
        let Some((top, rest)) = parts.split_first() else {
            continue; // `./` itself
        };
        if found.top.is_empty() {
            found.top.clone_from(top);
        } else if found.top != *top {
            return Err(ArchiveError::ManyTops(found.top.clone(), top.clone()));
        }
        let kind = entry.header().entry_type();
        match kind {
            EntryType::Regular
            | EntryType::Continuous
            | EntryType::GNUSparse
            | EntryType::Directory => {}
            EntryType::Symlink if rest.len() == 1 || rest.first().is_some_and(|s| s == "cp") => {
                return Err(ArchiveError::MisplacedLink(raw));
            }
            EntryType::Symlink => {}
            EntryType::Link => {
                // A hard link names another entry of the archive; it must be a plain path too.
                let target = entry
                    .link_name_bytes()
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default();
                if plain_parts(&target).is_none_or(|p| p.first() != Some(top)) {
                    return Err(ArchiveError::UnsafePath(format!("{raw} → {target}")));
                }
            }
            _ => return Err(ArchiveError::SpecialFile(raw)),
        }
        let regular = matches!(
            kind,
            EntryType::Regular | EntryType::Continuous | EntryType::GNUSparse
        );
        let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
        if regular && !matches!(rest.as_slice(), ["homedir", ..] | ["homedir.tar"]) {
            found.other_bytes += entry.size();
        }
        match rest.as_slice() {
            [] => {}
            ["homedir", ..] => {
                found.home = Home::Directory;
                if rest.len() > 1 {
                    found.home_entries += 1;
                    found.home_bytes += entry.size();
                }
            }
            ["homedir.tar"] if regular => {
                found.home = Home::Tarball;
                found.home_bytes = entry.size();
            }
            ["cp", user] if regular => {
                let text = small(&mut entry, &raw)?;
                users.push(((*user).to_owned(), text));
            }
            ["version"] if regular => {
                found.version = layout::parse_version(&small(&mut entry, &raw)?)
            }
            ["shadow"] if regular => {
                found.shadow = Some(small(&mut entry, &raw)?.trim().to_owned())
            }
            ["shell"] if regular => found.shell = Some(small(&mut entry, &raw)?.trim().to_owned()),
            ["quota"] if regular => found.quota_mb = small(&mut entry, &raw)?.trim().parse().ok(),
            ["dnszones", zone] if regular => {
                if let Some(domain) = zone.strip_suffix(".db") {
                    let text = small(&mut entry, &raw)?;
                    found.zones.insert(domain.to_owned(), text);
                }
            }
            ["userdata", "main"] if regular => found.userdata_main = Some(small(&mut entry, &raw)?),
            [section, ..] if kind != EntryType::Directory => {
                *found.sections.entry((*section).to_owned()).or_default() += 1;
            }
            [..] => {}
        }
    }
    // The tar's end is not the stream's: reading on checks gzip's length and CRC.
    io::copy(&mut archive.into_inner(), &mut io::sink()).map_err(unreadable)?;
    if !any {
        return Err(ArchiveError::Unreadable("it holds no entries".into()));
    }
    let mut users = users.into_iter();
    let (user, text) = users.next().ok_or(ArchiveError::NoAccount)?;
    if let Some((other, _)) = users.next() {
        return Err(ArchiveError::ManyAccounts(user, other));
    }
    if !valid_for_transfer(&user) {
        return Err(ArchiveError::BadUsername(user));
    }
    if !layout::looks_like_cpuser(&text) {
        return Err(ArchiveError::NotAUserFile(user));
    }
    found.cpuser = layout::parse_cpuser(&text);
    found.user = user;
    Ok(found)
}

/// The components of an entry's path when it is a plain relative one (a leading `./` is
/// allowed); `None` when it is absolute, climbs with `..`, or is not UTF-8.
pub(crate) fn plain_parts(path: &str) -> Option<Vec<String>> {
    if path.contains('\0') {
        return None;
    }
    let mut parts = Vec::new();
    for component in Path::new(path).components() {
        match component {
            Component::Normal(name) => parts.push(name.to_str()?.to_owned()),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(parts)
}

/// A small file's text, at most [`SMALL_FILE_LIMIT`] bytes.
fn small(entry: &mut impl Read, name: &str) -> Result<String, ArchiveError> {
    let mut bytes = Vec::new();
    entry
        .take(SMALL_FILE_LIMIT + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > SMALL_FILE_LIMIT {
        return Err(ArchiveError::TooLarge(name.to_owned()));
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::plain_parts;

    #[test]
    fn only_plain_relative_paths_pass() {
        assert_eq!(
            plain_parts("./cpmove-bob/cp/bob"),
            Some(vec!["cpmove-bob".into(), "cp".into(), "bob".into()])
        );
        assert_eq!(plain_parts("cpmove-bob/"), Some(vec!["cpmove-bob".into()]));
        for bad in ["/etc/passwd", "cpmove-bob/../../etc", "../x", "a/\0b"] {
            assert_eq!(plain_parts(bad), None, "{bad}");
        }
    }
}
