//! Taking an inspected archive apart: its home directory into one staging directory (on the
//! home's filesystem, so that it can be moved into place), everything else into another (kept
//! beside the store as the record of what was not applied). Entries keep their paths under
//! the archive's top directory, their modes (without set-user-ID, set-group-ID and sticky
//! bits) and their times; nothing keeps the archive's owners: the files are root's until the
//! account they are restored for takes them. Nothing is written outside the two directories:
//! every entry is unpacked below its directory after its parent is checked to be inside it,
//! and a hard link must name an entry in the same part of the archive.

use crate::read::{ArchiveError, plain_parts};
use flate2::read::GzDecoder;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use tar::{Archive, Entry, EntryType};

/// What was unpacked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extracted {
    /// The home directory as unpacked (`HOME_STAGING/TOP/homedir`), when it was asked for and
    /// the archive has one.
    pub home: Option<PathBuf>,
    /// The other entries as unpacked (`SIDE_STAGING/TOP`).
    pub side: PathBuf,
    pub home_entries: u64,
    pub side_entries: u64,
    /// Entries left out, each with the reason.
    pub skipped: Vec<String>,
}

/// Unpacks `input` (an archive [`crate::inspect`] accepted, with top directory `top`): the
/// home into `home_staging` when given, the rest into `side_staging`.
pub fn extract(
    input: impl Read,
    top: &str,
    home_staging: Option<&Path>,
    side_staging: &Path,
) -> Result<Extracted, ArchiveError> {
    let mut input = BufReader::new(input);
    let gzip = input
        .fill_buf()
        .map_err(unreadable)?
        .starts_with(&[0x1f, 0x8b]);
    let mut unpacker = Unpacker {
        top,
        home_staging,
        side_staging,
        found: Extracted {
            side: side_staging.join(top),
            ..Extracted::default()
        },
    };
    if gzip {
        unpacker.outer(GzDecoder::new(input))?;
    } else {
        unpacker.outer(input)?;
    }
    Ok(unpacker.found)
}

fn unreadable(e: io::Error) -> ArchiveError {
    ArchiveError::Unreadable(e.to_string())
}

struct Unpacker<'a> {
    top: &'a str,
    home_staging: Option<&'a Path>,
    side_staging: &'a Path,
    found: Extracted,
}

/// The part of the archive an entry belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Home,
    Side,
}

impl Unpacker<'_> {
    fn outer<R: Read>(&mut self, input: R) -> Result<(), ArchiveError> {
        let mut archive = Archive::new(input);
        // Directories get their modes last, so that a read-only one does not stop its entries.
        let mut directories = Vec::new();
        for entry in archive.entries().map_err(unreadable)? {
            let mut entry = entry.map_err(unreadable)?;
            let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let parts = plain_parts(&raw).ok_or_else(|| ArchiveError::UnsafePath(raw.clone()))?;
            let part = match parts.get(1).map(String::as_str) {
                None => continue,
                Some("homedir") => Part::Home,
                Some("homedir.tar") if parts.len() == 2 => {
                    if let Some(staging) = self.home_staging {
                        let home = staging.join(self.top).join("homedir");
                        std::fs::create_dir_all(&home).map_err(unreadable)?;
                        self.inner(&mut entry, &home)?;
                        self.found.home = Some(home);
                    }
                    continue;
                }
                Some(_) => Part::Side,
            };
            let dst = match (part, self.home_staging) {
                (Part::Home, None) => continue,
                (Part::Home, Some(staging)) => {
                    self.found.home = Some(staging.join(self.top).join("homedir"));
                    staging
                }
                (Part::Side, _) => self.side_staging,
            };
            if entry.header().entry_type() == EntryType::Link {
                let target = entry
                    .link_name_bytes()
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default();
                let home_link =
                    plain_parts(&target).is_some_and(|p| p.get(1).is_some_and(|s| s == "homedir"));
                if home_link != (part == Part::Home) {
                    self.found.skipped.push(format!(
                        "{raw}: a hard link to {target}, in another part of the archive"
                    ));
                    continue;
                }
            }
            if entry.header().entry_type() == EntryType::Directory {
                self.count(part);
                directories.push((entry, dst));
                continue;
            }
            self.unpack(&mut entry, dst, part, &raw)?;
        }
        finish_directories(directories)?;
        // Read on to the stream's end, so that gzip's check is made.
        io::copy(&mut archive.into_inner(), &mut io::sink()).map_err(unreadable)?;
        Ok(())
    }

    /// The home in the older form, a tar inside the tar, unpacked into `home`: checked here
    /// entry by entry, as the outer archive was checked before.
    fn inner(&mut self, outer: &mut impl Read, home: &Path) -> Result<(), ArchiveError> {
        let mut archive = Archive::new(outer);
        let mut directories = Vec::new();
        for entry in archive.entries().map_err(unreadable)? {
            let mut entry = entry.map_err(unreadable)?;
            let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let name = format!("homedir.tar: {raw}");
            if plain_parts(&raw).is_none() {
                return Err(ArchiveError::UnsafePath(name));
            }
            match entry.header().entry_type() {
                EntryType::Directory => {
                    self.count(Part::Home);
                    directories.push((entry, home));
                }
                EntryType::Regular
                | EntryType::Continuous
                | EntryType::Symlink
                | EntryType::Link
                | EntryType::GNUSparse => self.unpack(&mut entry, home, Part::Home, &name)?,
                _ => return Err(ArchiveError::SpecialFile(name)),
            }
        }
        finish_directories(directories)
    }

    fn unpack<R: Read>(
        &mut self,
        entry: &mut Entry<'_, R>,
        dst: &Path,
        part: Part,
        name: &str,
    ) -> Result<(), ArchiveError> {
        configure(entry);
        let unpacked = entry
            .unpack_in(dst)
            .map_err(|e| ArchiveError::Unreadable(format!("{name}: {e}")))?;
        if !unpacked {
            self.found
                .skipped
                .push(format!("{name}: not a path inside the archive"));
        } else {
            self.count(part);
        }
        Ok(())
    }

    fn count(&mut self, part: Part) {
        match part {
            Part::Home => self.found.home_entries += 1,
            Part::Side => self.found.side_entries += 1,
        }
    }
}

fn configure<R: Read>(entry: &mut Entry<'_, R>) {
    entry.set_preserve_permissions(false);
    entry.set_preserve_mtime(true);
    entry.set_unpack_xattrs(false);
}

/// Makes the directories held back, deepest first, with their modes.
fn finish_directories<R: Read>(
    mut directories: Vec<(Entry<'_, R>, &Path)>,
) -> Result<(), ArchiveError> {
    directories.sort_by(|a, b| b.0.path_bytes().cmp(&a.0.path_bytes()));
    for (mut entry, dst) in directories {
        configure(&mut entry);
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        entry
            .unpack_in(dst)
            .map_err(|e| ArchiveError::Unreadable(format!("{name}: {e}")))?;
    }
    Ok(())
}
