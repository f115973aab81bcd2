//! `whmd access-hash USER`: makes a new legacy access hash for root or a reseller, prints it
//! once (30 lines of 32 hexadecimal digits, as cPanel's `~/.accesshash`) and keeps only its
//! digest. The server accepts it only when configured to (`--access-hash`).

use crate::config::StoreFlags;
use crate::store;
use anyhow::bail;
use whmd_domain::Secret;
use whmd_domain::secret::{access_hash_digest, generate_access_hash};
use whmd_domain::time::unix_now;

pub async fn run(user: &str, flags: &StoreFlags) -> anyhow::Result<Secret> {
    let config = flags.resolve()?;
    let stores = store::open(&config.database_url).await?;
    if user != "root" {
        let account = stores.accounts.account(user).await?;
        if account.is_none_or(|a| a.reseller.is_none()) {
            bail!("“{user}” is neither root nor a reseller: only they have access hashes");
        }
    }
    let hash = generate_access_hash();
    stores
        .credentials
        .set_access_hash(user, &access_hash_digest(hash.expose()), unix_now())
        .await?;
    Ok(hash)
}
