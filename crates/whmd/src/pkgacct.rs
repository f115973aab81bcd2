//! `whmd pkgacct USER [DIR]`: writes the account's archive as cPanel's pkgacct does, as
//! `DIR/cpmove-USER.tar.gz` (docs/compatibility.md, "Account archives"): its settings, its
//! password hash, its zones, and its home directory when that is on this host. A failed run
//! leaves no partial archive; the archive is readable by root alone.

use crate::config::{StoreFlags, system_hostname};
use crate::store;
use anyhow::bail;
use std::path::Path;
use whmd_api::functions::backups::pack::{Packed, pack};
use whmd_archive::Compression;
use whmd_archive::layout::TRANSFER_PREFIX;

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
    let hostname = if account.host.is_empty() {
        system_hostname()
    } else {
        account.host.clone()
    };
    let path = dir.join(format!("{TRANSFER_PREFIX}{user}.tar.gz"));
    Ok(pack(
        &stores,
        &account,
        &hostname,
        &path,
        TRANSFER_PREFIX,
        Compression::Gzip,
        !skip_home,
    )
    .await?)
}
