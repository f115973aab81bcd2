//! Writing an account's archive to a file, as `whmd pkgacct` and scheduled backups do: its
//! settings, password hash and zones from the store, and its home when that is on this host.
//! The file is written under a temporary name beside its own and renamed when complete (and
//! synced), so a failed write leaves nothing; it is readable by root alone.

use std::fs::OpenOptions;
use std::io::{self, BufWriter};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use whmd_archive::Compression;
use whmd_domain::Stores;
use whmd_domain::account::Account;
use whmd_wire::WhmError;

/// What was written.
#[derive(Debug, Clone)]
pub struct Packed {
    pub path: PathBuf,
    /// Whether the home directory went in.
    pub home: bool,
    /// Entries of the home an archive does not hold (sockets, pipes, devices).
    pub skipped: Vec<PathBuf>,
    /// The archive's size.
    pub bytes: u64,
}

/// Writes `account`'s archive to `path`, its entries under `PREFIX + USER/`; the home goes in
/// when `with_home` and it is a directory on this host. `hostname` is the writing server's.
pub async fn pack(
    stores: &Stores,
    account: &Account,
    hostname: &str,
    path: &Path,
    prefix: &str,
    compression: Compression,
    with_home: bool,
) -> Result<Packed, WhmError> {
    let contents = contents(stores, account, hostname).await?;
    let home = Path::new(&account.homedir);
    let home = (with_home && home.is_dir()).then(|| home.to_owned());
    let (path, prefix) = (path.to_owned(), prefix.to_owned());
    tokio::task::spawn_blocking(move || write_file(&path, &prefix, &contents, home, compression))
        .await
        .map_err(WhmError::internal)?
        .map_err(|e| WhmError::Reason(format!("The archive could not be written: {e}")))
}

/// What `account`'s archive holds: its settings, its password hash and its zones, as stored.
pub async fn contents(
    stores: &Stores,
    account: &Account,
    hostname: &str,
) -> Result<whmd_archive::Contents, WhmError> {
    let user = &account.user;
    let shadow = stores
        .credentials
        .password_hash(user)
        .await?
        .unwrap_or_default();
    let mut zones = Vec::new();
    for summary in stores.zones.zones(Some(user)).await? {
        if let Some(zone) = stores.zones.zone(&summary.name).await? {
            zones.push((zone.name, zone.text));
        }
    }
    Ok(whmd_archive::contents(account, &shadow, zones, hostname))
}

fn write_file(
    path: &Path,
    prefix: &str,
    contents: &whmd_archive::Contents,
    home: Option<PathBuf>,
    compression: Compression,
) -> io::Result<Packed> {
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::other(format!("{} names no file", path.display())))?;
    let partial = path.with_file_name(format!(".{}.partial", name.to_string_lossy()));
    let file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&partial)
        .map_err(|e| io::Error::other(format!("{}: {e}", partial.display())))?;
    let written = whmd_archive::write(
        BufWriter::new(file),
        prefix,
        contents,
        home.as_deref(),
        compression,
    )
    .and_then(|(out, written)| {
        let file = out.into_inner().map_err(io::IntoInnerError::into_error)?;
        file.sync_all()?;
        Ok((written, file.metadata()?.len()))
    })
    .and_then(|done| std::fs::rename(&partial, path).map(|()| done));
    match written {
        Ok((written, bytes)) => Ok(Packed {
            path: path.to_owned(),
            home: home.is_some(),
            skipped: written.skipped,
            bytes,
        }),
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
}
