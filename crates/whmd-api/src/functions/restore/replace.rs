//! Restoring over an existing account (`overwrite`): the account keeps its uid and is
//! replaced in one store transaction (its settings, and its zones: the archive's replace it,
//! the ones the archive lacks go); its home is set aside while the archive's goes in, and
//! removed once that is in place. If the new home cannot be placed, the old account, zones,
//! password and home are put back, so an account is replaced whole or not at all.

use crate::registry::Call;
use std::io;
use std::path::{Path, PathBuf};
use whmd_domain::account::Account;
use whmd_domain::account::AccountingEntry;
use whmd_domain::store::{AccountChange, StoredZone, ZoneWrites};
use whmd_wire::WhmError;

/// The account a restore replaces, as it was.
#[derive(Debug)]
pub struct Replaced {
    pub old: Account,
    zones: Vec<StoredZone>,
    hash: Option<String>,
}

impl Replaced {
    /// The account `user`, when there is one to replace. A reseller is refused: its accounts
    /// would be left to an account that may not be one.
    pub async fn read(call: &Call, user: &str) -> Result<Option<Self>, WhmError> {
        let stores = &call.ctx.stores;
        let Some(old) = stores.accounts.account(user).await? else {
            return Ok(None);
        };
        if old.reseller.is_some() {
            return Err(WhmError::Reason(format!(
                "“{user}” is a reseller: whmd does not restore over a reseller. Remove it first, or restore under another name."
            )));
        }
        let mut zones = Vec::new();
        for summary in stores.zones.zones(Some(user)).await? {
            if let Some(zone) = stores.zones.zone(&summary.name).await? {
                zones.push(zone);
            }
        }
        let hash = stores.credentials.password_hash(user).await?;
        Ok(Some(Self { old, zones, hash }))
    }

    /// The change that replaces the account with `account` and its zones with `zones`.
    pub fn change(
        &self,
        mut account: Account,
        zones: Vec<StoredZone>,
        log: AccountingEntry,
    ) -> AccountChange {
        account.uid = self.old.uid;
        account.revision = self.old.revision;
        let remove = self
            .zones
            .iter()
            .filter(|old| !zones.iter().any(|z| z.name == old.name))
            .map(|old| (old.name.clone(), old.serial))
            .collect();
        AccountChange::update(self.old.user.clone(), account, vec![log]).with_zones(ZoneWrites {
            remove,
            put: zones,
            replace: true,
        })
    }

    /// Puts the old account, zones and password back over `stored` (the replacement) and its
    /// zones `placed`.
    pub async fn undo(
        &self,
        stored: &Account,
        placed: &[String],
        call: &Call,
        log: AccountingEntry,
    ) -> Result<(), WhmError> {
        let stores = &call.ctx.stores;
        let mut remove = Vec::new();
        for name in placed {
            if !self.zones.iter().any(|z| &z.name == name)
                && let Some(zone) = stores.zones.zone(name).await?
            {
                remove.push((zone.name, zone.serial));
            }
        }
        let mut old = self.old.clone();
        old.revision = stored.revision;
        let change = AccountChange::update(stored.user.clone(), old, vec![log.clone()]).with_zones(
            ZoneWrites {
                remove,
                put: self.zones.clone(),
                replace: true,
            },
        );
        stores.accounts.change(&change).await?;
        if let Some(hash) = &self.hash {
            stores
                .accounts
                .change(&AccountChange::password(
                    stored.user.clone(),
                    hash.clone(),
                    log,
                ))
                .await?;
        }
        Ok(())
    }
}

/// A home set aside while another takes its place.
#[derive(Debug, Clone)]
pub struct Aside {
    home: PathBuf,
    aside: PathBuf,
}

impl Aside {
    /// Moves `home` to a name beside it, when it is there.
    pub fn set(home: &Path, user: &str, now: i64) -> io::Result<Option<Self>> {
        if std::fs::symlink_metadata(home).is_err() {
            return Ok(None);
        }
        let aside = home.with_file_name(format!(".whmd-replaced-{user}-{now}"));
        std::fs::rename(home, &aside)?;
        Ok(Some(Self {
            home: home.to_owned(),
            aside,
        }))
    }

    /// Moves the home back, when nothing took its place.
    pub fn put_back(&self) -> io::Result<()> {
        if std::fs::symlink_metadata(&self.home).is_ok() {
            std::fs::remove_dir(&self.home)?;
        }
        std::fs::rename(&self.aside, &self.home)
    }

    /// Removes the old home for good.
    pub fn remove(&self) -> io::Result<()> {
        std::fs::remove_dir_all(&self.aside)
    }
}
