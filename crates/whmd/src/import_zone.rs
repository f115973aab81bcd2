//! `whmd import-zone DOMAIN FILE`: reads an existing BIND zone file (cPanel's
//! `/var/named/DOMAIN.db`, say) into the store, for an account or root. The file must hold only
//! the record types whmd keeps and load as BIND would; the zone keeps its comments and lines.
//! A running server writes it out for BIND at its next publish (within 30 seconds).

use crate::config::StoreFlags;
use crate::store;
use anyhow::{Context as _, bail};
use whmd_dns::name::{self, Rule};
use whmd_domain::dns::stored;

/// Imports the zone and returns how many records it holds.
pub async fn run(
    domain: &str,
    text: &str,
    owner: &str,
    replace: bool,
    flags: &StoreFlags,
) -> anyhow::Result<usize> {
    let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    if !domain.contains('.') || !name::valid(&domain, Rule::Host) {
        bail!("“{domain}” is not a domain name");
    }
    let zone =
        whmd_dns::parse(&domain, text).with_context(|| format!("reading the zone of {domain}"))?;
    let config = flags.resolve()?;
    let stores = store::open(&config.database_url).await?;
    if owner != "root" && stores.accounts.account(owner).await?.is_none() {
        bail!("there is no account named “{owner}”");
    }
    match stores.zones.put_zone(&stored(&zone, owner), replace).await {
        Ok(()) => Ok(zone.records().count()),
        Err(whmd_domain::StoreError::Conflict(_)) => {
            bail!("a zone for {domain} exists; pass --replace to replace it")
        }
        Err(e) => Err(e.into()),
    }
}
