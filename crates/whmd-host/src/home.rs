//! Home directories, made and removed without following a link: every directory below the
//! home root is opened with `O_NOFOLLOW` relative to its parent's descriptor, and owners and
//! modes are set on those descriptors, so a link a user planted in a home leads nowhere.

use nix::errno::Errno;
use nix::fcntl::{OFlag, openat, renameat};
use nix::sys::stat::{Mode, fchmod, fstat, mkdirat};
use nix::unistd::{Gid, Uid, fchown, symlinkat};
use std::fs;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::fs::MetadataExt as _;
use std::path::Path;

/// The home's own mode: others may pass through to public_html, never list.
pub const HOME_MODE: u32 = 0o711;

/// The directories in a home: name, mode, and whether the web server's group owns it.
const TREE: [(&str, u32, bool); 5] = [
    ("public_html", 0o750, true),
    ("tmp", 0o700, false),
    ("logs", 0o700, false),
    ("etc", 0o750, false),
    ("mail", 0o751, false),
];

/// Makes `home` and its tree for `uid` (whose group has the same id), public_html in
/// `web_gid`'s group; `Ok(true)` when anything changed.
pub fn make(home: &Path, uid: u32, web_gid: u32) -> Result<bool, String> {
    let (root, name) = split(home)?;
    let root = open_dir(None, root, false)?;
    let mut changed = create(&root, name)?;
    let home_fd = open_dir(Some(&root), name, true)?;
    changed |= claim(&home_fd, home, uid, uid, HOME_MODE)?;
    for (sub, mode, web) in TREE {
        changed |= create(&home_fd, sub)?;
        let fd = open_dir(Some(&home_fd), sub, true)?;
        let gid = if web { web_gid } else { uid };
        changed |= claim(&fd, &home.join(sub), uid, gid, mode)?;
    }
    match symlinkat("public_html", home_fd.as_fd(), "www") {
        Ok(()) => changed = true,
        Err(Errno::EEXIST) => {}
        Err(e) => return Err(format!("{}/www: {e}", home.display())),
    }
    Ok(changed)
}

/// Moves the home at `from` to `to` (both below home roots) when `from` is there and `to`
/// is not; `Ok(true)` when it moved.
pub fn relocate(from: &Path, to: &Path, uid: u32) -> Result<bool, String> {
    let (from_root, from_name) = split(from)?;
    let (to_root, to_name) = split(to)?;
    let from_dir = open_dir(None, from_root, false)?;
    let to_dir = open_dir(None, to_root, false)?;
    if exists(&to_dir, to_name)? {
        return Ok(false);
    }
    let Some(old) = open_owned(&from_dir, from, from_name, uid)? else {
        return Ok(false);
    };
    drop(old);
    renameat(from_dir.as_fd(), from_name, to_dir.as_fd(), to_name)
        .map_err(|e| format!("moving {} to {}: {e}", from.display(), to.display()))?;
    Ok(true)
}

/// Deletes the home of `uid`: moved aside inside its root first (so a half-deleted home is
/// never mistaken for a live one), then removed; `Ok(true)` when there was one. A home that
/// is a link, or not the uid's, is left alone and reported.
pub fn delete(home: &Path, uid: u32) -> Result<bool, String> {
    let (root, name) = split(home)?;
    let root_fd = open_dir(None, root, false)?;
    let aside = format!(".whmd-removed-{name}-{uid}");
    if open_owned(&root_fd, home, name, uid)?.is_some() {
        renameat(root_fd.as_fd(), name, root_fd.as_fd(), aside.as_str())
            .map_err(|e| format!("moving {} aside: {e}", home.display()))?;
    } else if !exists(&root_fd, &aside)? {
        return Ok(false);
    }
    // std's remove_dir_all does not follow links.
    fs::remove_dir_all(root.join(&aside))
        .map_err(|e| format!("removing {}: {e}", home.display()))?;
    Ok(true)
}

/// Puts a home restored into `staged` (a directory beside `home`, on its filesystem) in place
/// for `uid`: every entry becomes the uid's (its group the uid's too; a converge then gives
/// public_html its group), changed without following a link, and the directory is moved in
/// whole. When a converge made the home meanwhile, it may only hold the empty tree [`make`]
/// leaves; the staged entries are then moved into it, replacing that tree.
pub fn adopt(staged: &Path, home: &Path, uid: u32) -> Result<(), String> {
    give(staged, uid)?;
    let (root, name) = split(home)?;
    let root_fd = open_dir(None, root, false)?;
    let (staged_root, staged_name) = split(staged)?;
    let staged_root_fd = open_dir(None, staged_root, false)?;
    let Some(made) = open_owned(&root_fd, home, name, uid)? else {
        return renameat(staged_root_fd.as_fd(), staged_name, root_fd.as_fd(), name)
            .map_err(|e| format!("moving the restored home to {}: {e}", home.display()));
    };
    if !holds_only_the_fresh_tree(home) {
        return Err(format!(
            "{} is there already, with files of its own",
            home.display()
        ));
    }
    let staged_fd = open_dir(Some(&staged_root_fd), staged_name, true)?;
    for entry in fs::read_dir(staged).map_err(|e| format!("{}: {e}", staged.display()))? {
        let entry = entry.map_err(|e| format!("{}: {e}", staged.display()))?;
        let entry = entry.file_name();
        renameat(
            staged_fd.as_fd(),
            entry.as_os_str(),
            made.as_fd(),
            entry.as_os_str(),
        )
        .map_err(|e| {
            format!(
                "moving {} into {}: {e}",
                Path::new(&entry).display(),
                home.display()
            )
        })?;
    }
    fs::remove_dir(staged).map_err(|e| format!("{}: {e}", staged.display()))
}

/// Whether a home holds nothing but what [`make`] puts there, all of it empty.
fn holds_only_the_fresh_tree(home: &Path) -> bool {
    let Ok(entries) = fs::read_dir(home) else {
        return false;
    };
    entries.flatten().all(|entry| {
        let name = entry.file_name();
        let name = name.to_str().unwrap_or("");
        match entry.file_type() {
            Ok(t) if t.is_symlink() => name == "www",
            Ok(t) if t.is_dir() => {
                TREE.iter().any(|(sub, ..)| *sub == name) && is_empty(&entry.path())
            }
            _ => false,
        }
    })
}

/// Gives `path` and everything below it to `uid` (and its group), never following a link.
fn give(path: &Path, uid: u32) -> Result<(), String> {
    let meta = fs::symlink_metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    std::os::unix::fs::lchown(path, Some(uid), Some(uid))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if meta.is_dir() {
        for entry in fs::read_dir(path).map_err(|e| format!("{}: {e}", path.display()))? {
            let entry = entry.map_err(|e| format!("{}: {e}", path.display()))?;
            give(&entry.path(), uid)?;
        }
    }
    Ok(())
}

fn split(home: &Path) -> Result<(&Path, &str), String> {
    match (home.parent(), home.file_name().and_then(|n| n.to_str())) {
        (Some(root), Some(name)) => Ok((root, name)),
        _ => Err(format!("{} is not a home directory", home.display())),
    }
}

/// Opens a directory: the root by path (an administrator may make it a link), anything
/// below it relative to its parent and never through a link.
fn open_dir(
    parent: Option<&OwnedFd>,
    name: impl AsRef<Path>,
    no_follow: bool,
) -> Result<OwnedFd, String> {
    let name = name.as_ref();
    let mut flags = OFlag::O_DIRECTORY | OFlag::O_RDONLY | OFlag::O_CLOEXEC;
    if no_follow {
        flags |= OFlag::O_NOFOLLOW;
    }
    let opened = match parent {
        Some(dir) => openat(dir.as_fd(), name, flags, Mode::empty()),
        None => openat(nix::fcntl::AT_FDCWD, name, flags, Mode::empty()),
    };
    opened.map_err(|e| match e {
        Errno::ELOOP | Errno::ENOTDIR => format!("{} is not a directory (a link?)", name.display()),
        e => format!("{}: {e}", name.display()),
    })
}

fn create(parent: &OwnedFd, name: &str) -> Result<bool, String> {
    match mkdirat(parent.as_fd(), name, Mode::from_bits_truncate(0o700)) {
        Ok(()) => Ok(true),
        Err(Errno::EEXIST) => Ok(false),
        Err(e) => Err(format!("{name}: {e}")),
    }
}

fn exists(parent: &OwnedFd, name: &str) -> Result<bool, String> {
    match nix::sys::stat::fstatat(
        parent.as_fd(),
        name,
        nix::fcntl::AtFlags::AT_SYMLINK_NOFOLLOW,
    ) {
        Ok(_) => Ok(true),
        Err(Errno::ENOENT) => Ok(false),
        Err(e) => Err(format!("{name}: {e}")),
    }
}

/// The directory `name`, when it is there and is `uid`'s; an error when it is something
/// else (a link, a file, another user's).
fn open_owned(
    parent: &OwnedFd,
    path: &Path,
    name: &str,
    uid: u32,
) -> Result<Option<OwnedFd>, String> {
    if !exists(parent, name)? {
        return Ok(None);
    }
    let fd = open_dir(Some(parent), name, true)?;
    let owner = fstat(fd.as_fd())
        .map_err(|e| format!("{}: {e}", path.display()))?
        .st_uid;
    if owner != uid {
        return Err(format!(
            "{} belongs to uid {owner}, not {uid}",
            path.display()
        ));
    }
    Ok(Some(fd))
}

/// Gives an opened directory its owner and mode. One that belongs to someone else is
/// refused, unless it belongs to root and is empty (whmd made it and stopped short).
fn claim(fd: &OwnedFd, path: &Path, uid: u32, gid: u32, mode: u32) -> Result<bool, String> {
    let stat = fstat(fd.as_fd()).map_err(|e| format!("{}: {e}", path.display()))?;
    if stat.st_uid != uid && !(stat.st_uid == 0 && is_empty(path)) {
        return Err(format!(
            "{} belongs to uid {}, not {uid}",
            path.display(),
            stat.st_uid
        ));
    }
    let mut changed = false;
    if stat.st_uid != uid || stat.st_gid != gid {
        fchown(
            fd.as_fd(),
            Some(Uid::from_raw(uid)),
            Some(Gid::from_raw(gid)),
        )
        .map_err(|e| format!("{}: {e}", path.display()))?;
        changed = true;
    }
    if stat.st_mode & 0o7777 != mode {
        fchmod(fd.as_fd(), Mode::from_bits_truncate(mode))
            .map_err(|e| format!("{}: {e}", path.display()))?;
        changed = true;
    }
    Ok(changed)
}

fn is_empty(path: &Path) -> bool {
    fs::read_dir(path).is_ok_and(|mut entries| entries.next().is_none())
}

/// Whether `home` and its tree are as [`make`] leaves them, read without changing anything.
pub fn is_made(home: &Path, uid: u32, web_gid: u32) -> bool {
    let right = |path: &Path, gid: u32, mode: u32| {
        fs::symlink_metadata(path).is_ok_and(|m| {
            m.is_dir() && m.uid() == uid && m.gid() == gid && m.mode() & 0o7777 == mode
        })
    };
    right(home, uid, HOME_MODE)
        && TREE
            .iter()
            .all(|(sub, mode, web)| right(&home.join(sub), if *web { web_gid } else { uid }, *mode))
        && fs::symlink_metadata(home.join("www")).is_ok_and(|m| m.file_type().is_symlink())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    /// A restored home staged under `root` with a file, a private directory and a link.
    fn staged(root: &Path) -> std::path::PathBuf {
        let staged = root.join(".whmd-restore-bob/top/homedir");
        fs::create_dir_all(staged.join("public_html")).expect("dirs");
        fs::write(staged.join("public_html/index.html"), "hi").expect("file");
        fs::create_dir(staged.join("private")).expect("dir");
        fs::set_permissions(staged.join("private"), PermissionsExt::from_mode(0o700))
            .expect("chmod");
        std::os::unix::fs::symlink("/etc/passwd", staged.join("link")).expect("link");
        staged
    }

    fn owner(path: &Path) -> u32 {
        fs::symlink_metadata(path).expect("stat").uid()
    }

    #[test]
    fn a_restored_home_is_given_to_the_uid_and_moved_in() {
        let root = tempfile::tempdir().expect("tempdir");
        let home = root.path().join("bob");
        adopt(&staged(root.path()), &home, 4242).expect("adopted");
        for path in ["", "public_html/index.html", "private", "link"] {
            assert_eq!(owner(&home.join(path)), 4242, "{path}");
        }
        // The link was changed itself, not what it points at.
        assert_eq!(owner(Path::new("/etc/passwd")), 0);
        let private = fs::metadata(home.join("private")).expect("private");
        assert_eq!(private.mode() & 0o7777, 0o700);
    }

    #[test]
    fn a_fresh_tree_made_meanwhile_is_filled_and_a_used_home_refused() {
        let root = tempfile::tempdir().expect("tempdir");
        let home = root.path().join("bob");
        make(&home, 4242, 4242).expect("made");
        adopt(&staged(root.path()), &home, 4242).expect("adopted into the fresh tree");
        assert_eq!(
            fs::read_to_string(home.join("public_html/index.html")).expect("page"),
            "hi"
        );
        assert!(home.join("tmp").is_dir(), "the rest of the tree stays");
        assert!(!root.path().join(".whmd-restore-bob/top/homedir").exists());

        let again = staged(root.path());
        let refused = adopt(&again, &home, 4242).expect_err("a home with files");
        assert!(refused.contains("files of its own"), "{refused}");
        let other = root.path().join("carol");
        fs::create_dir(&other).expect("another's");
        let refused = adopt(&again, &other, 4242).expect_err("another uid's directory");
        assert!(refused.contains("belongs to uid 0"), "{refused}");
    }
}
