//! An account's archive as an unpacked tree, as cPanel's incremental backups keep it
//! (`accounts/USER/`, the entries of `USER/` in an archive): the archive's own files root's,
//! 0600 in 0700 directories; the home under `homedir/` with owners, modes, times and links.
//! A home file that the previous run's tree has unchanged (same size, time, mode and owner)
//! is a hard link to it rather than a copy, as `rsync --link-dest` makes them, so each run
//! costs only what changed.

use crate::layout::ALWAYS_MADE;
use crate::write::{Contents, Written, small_files};
use std::collections::HashMap;
use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt, lchown};
use std::path::{Path, PathBuf};

/// Writes the tree of `contents` at `dest` (which must not exist), the home `home` under
/// `homedir/`, linking unchanged files to `previous` (an earlier tree of the same account).
pub fn write_dir(
    dest: &Path,
    contents: &Contents,
    home: Option<&Path>,
    previous: Option<&Path>,
) -> io::Result<Written> {
    let private = |dir: &Path| DirBuilder::new().mode(0o700).recursive(true).create(dir);
    DirBuilder::new().mode(0o700).create(dest)?;
    for dir in ALWAYS_MADE {
        private(&dest.join(dir))?;
    }
    for (name, text) in small_files(contents) {
        let path = dest.join(&name);
        if let Some(parent) = path.parent() {
            private(parent)?;
        }
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)?;
        io::Write::write_all(&mut file, text.as_bytes())?;
    }
    let mut written = Written::default();
    if let Some(home) = home {
        let mut copier = Copier {
            previous: previous.map(|p| p.join("homedir")),
            links: HashMap::new(),
            written: &mut written,
        };
        copier.dir(home, &dest.join("homedir"), Path::new(""))?;
    }
    Ok(written)
}

struct Copier<'a> {
    previous: Option<PathBuf>,
    /// Files with several names: the first copy made of each.
    links: HashMap<(u64, u64), PathBuf>,
    written: &'a mut Written,
}

impl Copier<'_> {
    /// Copies the directory `from` to `to` (`rel` below the home), without following links.
    fn dir(&mut self, from: &Path, to: &Path, rel: &Path) -> io::Result<()> {
        let meta = fs::symlink_metadata(from)?;
        DirBuilder::new().mode(0o700).create(to)?;
        let mut children: Vec<_> = fs::read_dir(from)?.collect::<io::Result<_>>()?;
        children.sort_by_key(fs::DirEntry::file_name);
        for child in children {
            let (src, dst) = (child.path(), to.join(child.file_name()));
            let rel = rel.join(child.file_name());
            let meta = fs::symlink_metadata(&src)?;
            let kind = meta.file_type();
            if kind.is_dir() {
                self.dir(&src, &dst, &rel)?;
            } else if kind.is_symlink() {
                std::os::unix::fs::symlink(fs::read_link(&src)?, &dst)?;
                lchown(&dst, Some(meta.uid()), Some(meta.gid()))?;
            } else if kind.is_file() {
                self.file(&src, &dst, &rel, &meta)?;
            } else {
                self.written.skipped.push(src);
            }
        }
        // The directory's own owner, mode and time last, once nothing more is written in it.
        keep_metadata(to, &meta)
    }

    fn file(&mut self, src: &Path, dst: &Path, rel: &Path, meta: &fs::Metadata) -> io::Result<()> {
        let key = (meta.dev(), meta.ino());
        if meta.nlink() > 1 {
            if let Some(first) = self.links.get(&key) {
                return fs::hard_link(first, dst);
            }
            self.links.insert(key, dst.to_owned());
        }
        if let Some(previous) = self.previous.as_ref().map(|p| p.join(rel))
            && fs::symlink_metadata(&previous).is_ok_and(|old| unchanged(&old, meta))
        {
            return fs::hard_link(previous, dst);
        }
        let mut from = File::open(src)?;
        let mut to = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(dst)?;
        io::copy(&mut from, &mut to)?;
        drop(to);
        keep_metadata(dst, meta)
    }
}

/// Whether an earlier copy `old` is still the file `now` describes.
fn unchanged(old: &fs::Metadata, now: &fs::Metadata) -> bool {
    old.is_file()
        && old.len() == now.len()
        && old.mtime() == now.mtime()
        && old.mtime_nsec() == now.mtime_nsec()
        && old.mode() == now.mode()
        && old.uid() == now.uid()
        && old.gid() == now.gid()
}

/// Gives `path` the owner, mode (set-ID bits included, after the owner) and times of `meta`.
fn keep_metadata(path: &Path, meta: &fs::Metadata) -> io::Result<()> {
    lchown(path, Some(meta.uid()), Some(meta.gid()))?;
    fs::set_permissions(path, fs::Permissions::from_mode(meta.mode() & 0o7777))?;
    let mtime = filetime::FileTime::from_last_modification_time(meta);
    filetime::set_file_times(path, filetime::FileTime::from_last_access_time(meta), mtime)
}
