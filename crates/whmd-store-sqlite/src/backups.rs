//! [`BackupStore`] on Sqlite: the configuration is a row of the settings table, changed only
//! when it is still what the change was made from.

use crate::{SqliteStore, map_error};
use async_trait::async_trait;
use whmd_domain::StoreError;
use whmd_domain::backup::BackupConfig;
use whmd_domain::store::encoding::{from_json, to_json};
use whmd_domain::store::{BackupStore, Conflict};

const CONFIG: &str = "backups";

#[async_trait]
impl BackupStore for SqliteStore {
    async fn backup_config(&self) -> Result<Option<BackupConfig>, StoreError> {
        let text: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE name = ?")
            .bind(CONFIG)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_error)?;
        text.map(|t| from_json(&t)).transpose()
    }

    async fn save_backup_config(
        &self,
        config: &BackupConfig,
        previous: Option<&BackupConfig>,
    ) -> Result<(), StoreError> {
        let written = match previous {
            None => sqlx::query(
                "INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
            )
            .bind(CONFIG)
            .bind(to_json(config)?),
            Some(previous) => {
                sqlx::query("UPDATE settings SET value = ? WHERE name = ? AND value = ?")
                    .bind(to_json(config)?)
                    .bind(CONFIG)
                    .bind(to_json(previous)?)
            }
        }
        .execute(&self.writer)
        .await
        .map_err(map_error)?;
        if written.rows_affected() == 0 {
            return Err(StoreError::Conflict(Conflict::Changed));
        }
        Ok(())
    }
}
