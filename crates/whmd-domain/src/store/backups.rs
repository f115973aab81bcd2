//! The backup configuration's store.

use super::StoreError;
use crate::backup::BackupConfig;
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
}
