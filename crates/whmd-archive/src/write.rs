//! Writing an account's archive as one stream: tar entries go into gzip (or not) as they are
//! made and on into the writer given (a file, a pipe, a connection), so nothing is staged on
//! disk.

use crate::layout::{self, ALWAYS_MADE};
use flate2::write::GzEncoder;
use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::{self, Read, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use tar::{Builder, EntryType, Header, HeaderMode};

/// What an account's archive holds: the entries whmd has data for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contents {
    pub user: String,
    /// Every cpuser key, as `cp/USER` gives them (`USER`, `DNS`, `PLAN`, limits, …).
    pub cpuser: BTreeMap<String, String>,
    /// The password's crypt hash (`shadow`).
    pub shadow: String,
    pub shell: String,
    /// The disk quota in MB, 0 for unlimited (`quota`).
    pub quota_mb: u64,
    /// The home directory's path on the host the account came from.
    pub homedir: String,
    /// The hostname of the server that wrote the archive (`meta/hostname`).
    pub hostname: String,
    /// Zone files, by domain (`dnszones/DOMAIN.db`).
    pub zones: Vec<(String, String)>,
    /// `userdata/main`: the account's domains as YAML.
    pub userdata_main: String,
}

/// What writing a home directory passed over.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Written {
    /// Sockets, pipes and devices in the home, which an archive does not hold (as pkgacct).
    pub skipped: Vec<PathBuf>,
}

/// How the tar stream is written: gzip (`.tar.gz`, what pkgacct writes by default) or as it is
/// (`.tar`, a backup of type "uncompressed").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    Gzip,
    None,
}

/// Writes the archive of `contents` to `out`, its entries under `PREFIX + USER/`, the home
/// directory `home` (when there is one) streamed into `homedir/` with owners, modes, times,
/// symbolic links and hard links kept. Returns `out` once the stream is complete.
pub fn write<W: Write>(
    out: W,
    prefix: &str,
    contents: &Contents,
    home: Option<&Path>,
    compression: Compression,
) -> io::Result<(W, Written)> {
    let top = format!("{prefix}{}", contents.user);
    match compression {
        Compression::Gzip => {
            let mut tar = Builder::new(GzEncoder::new(out, flate2::Compression::new(6)));
            let written = fill(&mut tar, &top, contents, home)?;
            Ok((tar.into_inner()?.finish()?, written))
        }
        Compression::None => {
            let mut tar = Builder::new(out);
            let written = fill(&mut tar, &top, contents, home)?;
            Ok((tar.into_inner()?, written))
        }
    }
}

fn fill<W: Write>(
    tar: &mut Builder<W>,
    top: &str,
    contents: &Contents,
    home: Option<&Path>,
) -> io::Result<Written> {
    tar.mode(HeaderMode::Complete);
    tar.follow_symlinks(false);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut entries = Entries { tar, top, now };
    entries.dir("")?;
    for dir in ALWAYS_MADE {
        entries.dir(dir)?;
    }
    for (name, text) in small_files(contents) {
        entries.file(&name, &text)?;
    }
    let mut written = Written::default();
    if let Some(home) = home {
        let mut links = HashMap::new();
        entries.tree(home, &format!("{top}/homedir"), &mut links, &mut written)?;
    }
    Ok(written)
}

/// The archive's own small files, by path under the top directory.
pub(crate) fn small_files(contents: &Contents) -> Vec<(String, String)> {
    let paths = format!("{}\n", contents.homedir);
    let mut files = vec![
        ("version".to_owned(), layout::version_file()),
        (
            format!("cp/{}", contents.user),
            layout::cpuser_file(&contents.cpuser),
        ),
        ("shadow".to_owned(), contents.shadow.clone()),
        ("shell".to_owned(), contents.shell.clone()),
        ("quota".to_owned(), contents.quota_mb.to_string()),
        ("homedir_paths".to_owned(), paths.clone()),
        ("meta/homedir_paths".to_owned(), paths),
        ("meta/dbprefix".to_owned(), "0".to_owned()),
        ("meta/hostname".to_owned(), contents.hostname.clone()),
    ];
    for (domain, zone) in &contents.zones {
        files.push((format!("dnszones/{domain}.db"), zone.clone()));
    }
    files.push(("userdata/main".to_owned(), contents.userdata_main.clone()));
    files
}

struct Entries<'a, W: Write> {
    tar: &'a mut Builder<W>,
    top: &'a str,
    now: u64,
}

impl<W: Write> Entries<'_, W> {
    fn path(&self, name: &str) -> String {
        if name.is_empty() {
            self.top.to_owned()
        } else {
            format!("{}/{name}", self.top)
        }
    }

    /// A directory of the archive's own (root-owned, 0700: the archive holds secrets).
    fn dir(&mut self, name: &str) -> io::Result<()> {
        let mut header = Header::new_gnu();
        header.set_entry_type(EntryType::Directory);
        header.set_mode(0o700);
        header.set_mtime(self.now);
        header.set_size(0);
        let path = self.path(name);
        self.tar.append_data(&mut header, path, io::empty())
    }

    /// A small file of the archive's own (root-owned, 0600).
    fn file(&mut self, name: &str, text: &str) -> io::Result<()> {
        let mut header = Header::new_gnu();
        header.set_entry_type(EntryType::Regular);
        header.set_mode(0o600);
        header.set_mtime(self.now);
        header.set_size(text.len() as u64);
        let path = self.path(name);
        self.tar.append_data(&mut header, path, text.as_bytes())
    }

    /// `dir` and everything below it as `at/…`, in name order, without following links. A file
    /// with several names is written once and linked to after.
    fn tree(
        &mut self,
        dir: &Path,
        at: &str,
        links: &mut HashMap<(u64, u64), String>,
        written: &mut Written,
    ) -> io::Result<()> {
        let meta = fs::symlink_metadata(dir)?;
        self.tar
            .append_data(&mut header_of(&meta, EntryType::Directory), at, io::empty())?;
        let mut children: Vec<_> = fs::read_dir(dir)?.collect::<io::Result<_>>()?;
        children.sort_by_key(|e| e.file_name());
        for child in children {
            let path = child.path();
            let name = format!("{at}/{}", child.file_name().to_string_lossy());
            let meta = fs::symlink_metadata(&path)?;
            let kind = meta.file_type();
            if kind.is_dir() {
                self.tree(&path, &name, links, written)?;
            } else if kind.is_symlink() {
                let mut header = header_of(&meta, EntryType::Symlink);
                self.tar
                    .append_link(&mut header, &name, fs::read_link(&path)?)?;
            } else if kind.is_file() {
                let key = (meta.dev(), meta.ino());
                if meta.nlink() > 1
                    && let Some(first) = links.get(&key)
                {
                    let mut header = header_of(&meta, EntryType::Link);
                    self.tar.append_link(&mut header, &name, first)?;
                    continue;
                }
                if meta.nlink() > 1 {
                    links.insert(key, name.clone());
                }
                let mut header = header_of(&meta, EntryType::Regular);
                let size = meta.len();
                header.set_size(size);
                // A file that changes while it is read is cut or padded with zeros to the
                // size its header gives, so the archive stays whole.
                let data = fs::File::open(&path)?
                    .take(size)
                    .chain(io::repeat(0))
                    .take(size);
                self.tar.append_data(&mut header, &name, data)?;
            } else {
                written.skipped.push(path);
            }
        }
        Ok(())
    }
}

/// A header carrying a home entry's owner, mode and time.
fn header_of(meta: &fs::Metadata, kind: EntryType) -> Header {
    let mut header = Header::new_gnu();
    header.set_metadata_in_mode(meta, HeaderMode::Complete);
    header.set_entry_type(kind);
    if kind != EntryType::Regular {
        header.set_size(0);
    }
    header
}
