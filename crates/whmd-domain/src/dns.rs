//! DNS zones: who may act on one, how a new one is made and stored, and
//! the publisher that writes stored zones out for the name server.

use crate::Principal;
use crate::account::can_access;
use crate::host::HostError;
use crate::store::{AccountStore, StoreError, StoredZone};
use crate::time::civil;
use async_trait::async_trait;
use std::fmt::Debug;
use std::net::{Ipv4Addr, Ipv6Addr};
use whmd_dns::zone::next_serial;
use whmd_dns::{Template, TemplateInput, Zone, ZoneError};

/// Root reaches every zone; a reseller the zones of its own and of the accounts it owns; an
/// account its own.
pub async fn may_manage(
    principal: &Principal,
    owner: &str,
    accounts: &dyn AccountStore,
) -> Result<bool, StoreError> {
    if principal.is_root() || owner == principal.user {
        return Ok(true);
    }
    Ok(accounts
        .account(owner)
        .await?
        .is_some_and(|account| can_access(principal, &account)))
}

/// `YYYYMMDD` of a Unix time, the date part of zone serials.
pub fn serial_date(time: i64) -> u32 {
    let (year, month, day, ..) = civil(time);
    let year = u32::try_from(year.clamp(0, 9999)).unwrap_or(0);
    let month = u32::try_from(month).unwrap_or(0);
    year * 10_000 + month * 100 + day
}

/// What a new zone is made from, beyond the template.
#[derive(Debug, Clone)]
pub struct NewZone<'a> {
    pub domain: &'a str,
    pub owner: &'a str,
    pub ipv4: Ipv4Addr,
    pub ipv6: Option<Ipv6Addr>,
    pub template: Template,
    pub nameservers: &'a [String],
    pub hostname: &'a str,
    pub now: i64,
    /// The serial of the zone this one replaces, which the new serial must pass.
    pub replaces: Option<u32>,
}

impl NewZone<'_> {
    /// The zone, ready to store: serial `YYYYMMDD00` of today (or the one after the serial it
    /// replaces, when that is later), SOA mailbox `hostmaster` at the domain.
    pub fn build(&self) -> Result<StoredZone, ZoneError> {
        let rname = format!("hostmaster.{}", self.domain);
        let header = format!(
            "; Zone {} written by whmd on {}",
            self.domain, self.hostname
        );
        let zone = self.template.zone(&TemplateInput {
            domain: self.domain,
            ipv4: self.ipv4,
            ipv6: self.ipv6,
            nameservers: self.nameservers,
            rname: &rname,
            serial: match self.replaces {
                Some(old) => next_serial(old, serial_date(self.now)),
                None => serial_date(self.now) * 100,
            },
            header: &header,
        })?;
        Ok(stored(&zone, self.owner))
    }
}

/// A zone as the store keeps it.
pub fn stored(zone: &Zone, owner: &str) -> StoredZone {
    StoredZone {
        name: zone.origin().to_owned(),
        owner: owner.to_owned(),
        serial: zone.soa().serial,
        text: whmd_dns::render(zone),
    }
}

/// What publishing did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Published {
    /// Zones are only stored: no name server is configured.
    Stored,
    /// The zone files were written; no reload command is configured.
    Written,
    /// The zone files were written and the name server was told to reload.
    Reloaded,
}

/// Writes stored zones out where the name server reads them, and has it reload. It reads the
/// zones from the store rather than taking them from the change, so what it writes is what
/// every replica sees.
#[async_trait]
pub trait ZonePublisher: Debug + Send + Sync {
    /// After a change: brings the named zones (present or gone) up to date.
    async fn publish(&self, zones: &[String]) -> Result<Published, HostError>;

    /// Brings every zone up to date, which also catches up with other replicas' changes.
    async fn sync(&self) -> Result<Published, HostError>;
}

/// The publisher when no zone directory is configured.
#[derive(Debug, Default)]
pub struct StoreOnly;

#[async_trait]
impl ZonePublisher for StoreOnly {
    async fn publish(&self, _zones: &[String]) -> Result<Published, HostError> {
        Ok(Published::Stored)
    }

    async fn sync(&self) -> Result<Published, HostError> {
        Ok(Published::Stored)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_dates_are_utc_days() {
        assert_eq!(serial_date(0), 19_700_101);
        assert_eq!(serial_date(1_796_256_000), 20_261_203);
        assert_eq!(serial_date(1_796_256_000 + 86_399), 20_261_203);
    }
}
