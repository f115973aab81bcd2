//! An account's incremental backup: its archive as an unpacked tree
//! (`BACKUPDIR/YYYY-MM-DD/accounts/USER/`), home files unchanged since the previous run's tree
//! hard-linked to it. Written under a temporary name and renamed when complete.

use std::path::{Path, PathBuf};
use whmd_domain::Stores;
use whmd_domain::account::Account;
use whmd_wire::WhmError;

/// Writes `account`'s tree at `dest`, linking to `previous` (the same account's tree in an
/// earlier run) where nothing changed.
pub async fn write_tree(
    stores: &Stores,
    account: &Account,
    hostname: &str,
    dest: &Path,
    previous: Option<PathBuf>,
) -> Result<(), WhmError> {
    let contents = super::pack::contents(stores, account, hostname).await?;
    let home = Path::new(&account.homedir);
    let home = home.is_dir().then(|| home.to_owned());
    let dest = dest.to_owned();
    tokio::task::spawn_blocking(move || {
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let partial = dest.with_file_name(format!(".{name}.partial"));
        let _ = std::fs::remove_dir_all(&partial);
        let written =
            whmd_archive::write_dir(&partial, &contents, home.as_deref(), previous.as_deref())
                .and_then(|_| std::fs::rename(&partial, &dest));
        if written.is_err() {
            let _ = std::fs::remove_dir_all(&partial);
        }
        written
    })
    .await
    .map_err(WhmError::internal)?
    .map_err(|e| WhmError::Reason(format!("The backup could not be written: {e}")))
}
