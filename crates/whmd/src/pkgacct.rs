//! `whmd pkgacct USER [DIR]`: writes the account's archive as cPanel's pkgacct does, as
//! `DIR/cpmove-USER.tar.gz` (docs/compatibility.md, "Account archives"): its settings, its
//! password hash, its zones, and its home directory when that is on this host. The archive is
//! written under a temporary name beside the final one and renamed when complete, so a failed
//! run leaves no partial archive; it is readable by root alone.

use crate::config::{StoreFlags, system_hostname};
use crate::store;
use anyhow::{Context as _, bail};
use std::fs::OpenOptions;
use std::io::BufWriter;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use whmd_archive::layout::TRANSFER_PREFIX;

/// What was written.
#[derive(Debug)]
pub struct Packed {
    pub path: PathBuf,
    /// Whether the home directory went in (it does when it exists on this host).
    pub home: bool,
    /// Entries of the home an archive does not hold (sockets, pipes, devices).
    pub skipped: Vec<PathBuf>,
}

pub async fn run(
    user: &str,
    dir: &Path,
    skip_home: bool,
    flags: &StoreFlags,
) -> anyhow::Result<Packed> {
    let config = flags.resolve()?;
    let stores = store::open(&config.database_url).await?;
    let Some(account) = stores.accounts.account(user).await? else {
        bail!("there is no account named “{user}”");
    };
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
    let hostname = if account.host.is_empty() {
        system_hostname()
    } else {
        account.host.clone()
    };
    let contents = whmd_archive::contents(&account, &shadow, zones, &hostname);
    let home = Path::new(&account.homedir);
    let home = (!skip_home && home.is_dir()).then(|| home.to_owned());
    let with_home = home.is_some();
    let path = dir.join(format!("{TRANSFER_PREFIX}{user}.tar.gz"));
    let partial = dir.join(format!(".{TRANSFER_PREFIX}{user}.tar.gz.partial"));
    let (final_path, partial_path) = (path.clone(), partial.clone());
    // Reading a home and compressing it is blocking work.
    let skipped = tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<PathBuf>> {
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&partial_path)
            .with_context(|| format!("cannot create {}", partial_path.display()))?;
        let written = whmd_archive::write(
            BufWriter::new(file),
            TRANSFER_PREFIX,
            &contents,
            home.as_deref(),
        )
        .and_then(|(out, written)| {
            out.into_inner()
                .map_err(std::io::IntoInnerError::into_error)?
                .sync_all()?;
            Ok(written)
        });
        let written = match written {
            Ok(w) => w,
            Err(e) => {
                let _ = std::fs::remove_file(&partial_path);
                return Err(e).context("cannot write the archive");
            }
        };
        std::fs::rename(&partial_path, &final_path)
            .with_context(|| format!("cannot move the archive to {}", final_path.display()))?;
        Ok(written.skipped)
    })
    .await??;
    Ok(Packed {
        path,
        home: with_home,
        skipped,
    })
}
