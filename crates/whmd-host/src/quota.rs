//! Disk quotas. whmd enforces an account's quota where its home root can: on btrfs with quotas
//! turned on (`btrfs quota enable ROOT`), each home is made a subvolume of its own and the
//! account's quota is that subvolume's qgroup limit (it counts everything in the home, written
//! by anyone). Elsewhere quotas are not enforced, and the start-up log says so for each root.
//! ext4 and XFS user quotas are not supported yet.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The inode number of a btrfs subvolume's root directory.
const SUBVOLUME_ROOT_INODE: u64 = 256;

/// The home roots where quotas can be enforced; each other root is logged with the reason.
pub fn enforced_roots(roots: &[PathBuf]) -> Vec<PathBuf> {
    roots
        .iter()
        .filter(|root| match why_not(root) {
            None => {
                tracing::info!(root = %root.display(), "disk quotas are enforced with btrfs qgroups");
                true
            }
            Some(why) => {
                tracing::warn!(root = %root.display(), "disk quotas are not enforced: {why}");
                false
            }
        })
        .cloned()
        .collect()
}

/// Why quotas cannot be enforced below `root`, or `None` when they can.
pub fn why_not(root: &Path) -> Option<String> {
    match nix::sys::statfs::statfs(root) {
        Ok(fs) if fs.filesystem_type() == nix::sys::statfs::BTRFS_SUPER_MAGIC => {}
        Ok(_) => {
            return Some(
                "it is not on btrfs (whmd enforces quotas with btrfs qgroups; ext4 and XFS user \
                 quotas are not supported yet)"
                    .into(),
            );
        }
        Err(e) => return Some(format!("{e}")),
    }
    match btrfs(&["qgroup", "show", &root.to_string_lossy()]) {
        Ok(()) => None,
        Err(e) => Some(format!(
            "btrfs quotas are off ({e}); `btrfs quota enable {}` turns them on for homes made \
             from then on",
            root.display()
        )),
    }
}

/// Makes `home` a subvolume, unless something is there already; whether it made one.
pub fn make_subvolume(home: &Path) -> Result<bool, String> {
    if std::fs::symlink_metadata(home).is_ok() {
        return Ok(false);
    }
    btrfs(&["subvolume", "create", &home.to_string_lossy()])?;
    Ok(true)
}

/// Sets the qgroup limit of the subvolume `home` (`None`: no limit). A home that is not a
/// subvolume of its own (made before quotas were on) is refused: a limit there would fall on
/// the whole home root.
pub fn limit(home: &Path, megabytes: Option<u64>) -> Result<(), String> {
    let meta = std::fs::symlink_metadata(home).map_err(|e| format!("{}: {e}", home.display()))?;
    if !meta.is_dir() || std::os::unix::fs::MetadataExt::ino(&meta) != SUBVOLUME_ROOT_INODE {
        return Err(format!(
            "{} is not a btrfs subvolume (it was made before quotas were on): its quota is not \
             enforced",
            home.display()
        ));
    }
    let size = megabytes.map_or_else(|| "none".to_owned(), |mb| format!("{mb}M"));
    btrfs(&["qgroup", "limit", &size, &home.to_string_lossy()])
}

/// Forgets the qgroups of subvolumes deleted below `root`. btrfs deletes a subvolume in the
/// background; committing the filesystem's transaction first lets it finish.
pub fn clear_stale(root: &Path) {
    let root = root.to_string_lossy();
    let cleared = btrfs(&["filesystem", "sync", &root])
        .and_then(|()| btrfs(&["qgroup", "clear-stale", &root]));
    if let Err(e) = cleared {
        tracing::warn!(%root, error = %e, "could not clear stale qgroups");
    }
}

fn btrfs(args: &[&str]) -> Result<(), String> {
    let output = Command::new("btrfs")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("btrfs: {e}"))?;
    if output.status.success() {
        return Ok(());
    }
    let text = String::from_utf8_lossy(&output.stderr);
    Err(format!(
        "btrfs {} failed: {}",
        args.join(" "),
        text.trim().lines().last().unwrap_or_default()
    ))
}
