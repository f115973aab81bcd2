//! The backup configuration, the scheduled runs (claimed by one replica under a lease), and
//! the destinations backups are copied to.

use super::StoreError;
use crate::backup::{BackupConfig, BackupRun, RunState};
use crate::destination::Destination;
use async_trait::async_trait;
use std::fmt::Debug;

#[async_trait]
pub trait BackupStore: Debug + Send + Sync {
    /// The saved configuration; `None` until one is saved (every setting at its default).
    async fn backup_config(&self) -> Result<Option<BackupConfig>, StoreError>;

    /// Saves `config` when the saved one is still `previous` (`None`: none saved yet), else
    /// `Conflict::Changed` and nothing is written, so that racing changes are not lost.
    async fn save_backup_config(
        &self,
        config: &BackupConfig,
        previous: Option<&BackupConfig>,
    ) -> Result<(), StoreError>;

    /// Claims `day`'s run on `host` for `holder` until `lease_until`: when there is none yet,
    /// or the one there is still running on a lease that passed before `now`. `true` when
    /// claimed; a completed or failed run is never claimed again.
    async fn claim_backup_run(
        &self,
        host: &str,
        day: &str,
        holder: &str,
        now: i64,
        lease_until: i64,
    ) -> Result<bool, StoreError>;

    /// Extends the lease of a running run `holder` holds; `false` when it holds it no more.
    async fn renew_backup_run(
        &self,
        host: &str,
        day: &str,
        holder: &str,
        lease_until: i64,
    ) -> Result<bool, StoreError>;

    /// Ends a running run `holder` holds as `state`, with what it did; `false` when it holds
    /// it no more (and nothing is written).
    async fn finish_backup_run(
        &self,
        host: &str,
        day: &str,
        holder: &str,
        state: RunState,
        now: i64,
        summary: &str,
    ) -> Result<bool, StoreError>;

    async fn backup_run(&self, host: &str, day: &str) -> Result<Option<BackupRun>, StoreError>;

    /// Every destination, by name (then id).
    async fn backup_destinations(&self) -> Result<Vec<Destination>, StoreError>;

    /// The destination `id`, if there is one.
    async fn backup_destination(&self, id: &str) -> Result<Option<Destination>, StoreError>;

    /// Adds `destination` (its revision is stored as given); `Conflict::Name` when the id is
    /// taken.
    async fn add_backup_destination(&self, destination: &Destination) -> Result<(), StoreError>;

    /// Saves `destination` over the stored one with the same id and revision, stored with the
    /// next revision; `Conflict::Changed` (and nothing written) when it changed or is gone.
    async fn save_backup_destination(&self, destination: &Destination) -> Result<(), StoreError>;

    /// Removes the destination `id`; `false` when there was none.
    async fn delete_backup_destination(&self, id: &str) -> Result<bool, StoreError>;
}
