//! Measuring homes for listaccts' `diskused` and `inodesused`: a walk of each home that
//! follows no link and stays on the home's filesystem, run by a periodic scan (never per
//! request). Hard-linked files count once.

use std::collections::HashSet;
use std::fs;
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};

/// Bytes on disk (allocated blocks) and inodes under `home`, the home itself included;
/// `None` when there is no directory there.
pub fn measure(home: &Path) -> Option<(u64, u64)> {
    let top = fs::symlink_metadata(home)
        .ok()
        .filter(fs::Metadata::is_dir)?;
    let device = top.dev();
    let mut seen = HashSet::new();
    let (mut bytes, mut inodes) = (top.blocks() * 512, 1);
    let mut todo: Vec<PathBuf> = vec![home.to_owned()];
    while let Some(dir) = todo.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let Ok(meta) = entry.metadata() else {
                continue;
            };
            if meta.dev() != device || (meta.nlink() > 1 && !seen.insert(meta.ino())) {
                continue;
            }
            bytes += meta.blocks() * 512;
            inodes += 1;
            if meta.is_dir() {
                todo.push(entry.path());
            }
        }
    }
    Some((bytes, inodes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_what_is_there_once_and_follows_no_link() {
        let dir = tempfile::tempdir().expect("tempdir");
        let home = dir.path().join("home");
        fs::create_dir_all(home.join("public_html")).expect("dirs");
        fs::write(home.join("public_html/big"), vec![7u8; 1 << 20]).expect("file");
        fs::hard_link(home.join("public_html/big"), home.join("again")).expect("link");
        std::os::unix::fs::symlink("/usr", home.join("usr")).expect("symlink");
        let (bytes, inodes) = measure(&home).expect("measured");
        // home, public_html, big (once), the symlink.
        assert_eq!(inodes, 4);
        assert!((1 << 20..2 << 20).contains(&bytes), "{bytes}");
        assert_eq!(measure(&dir.path().join("missing")), None);
    }
}
