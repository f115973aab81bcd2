//! [`BackupStore`] on Sqlite: the configuration is a row of the settings table, changed only
//! when it is still what the change was made from; the scheduled runs in `backup_runs`;
//! the destinations in `backup_destinations`.

use crate::{SqliteStore, map_error};
use async_trait::async_trait;
use sqlx::Row;
use whmd_domain::StoreError;
use whmd_domain::backup::{BackupConfig, BackupRun, RunState};
use whmd_domain::destination::Destination;
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

    async fn claim_backup_run(
        &self,
        host: &str,
        day: &str,
        holder: &str,
        now: i64,
        lease_until: i64,
    ) -> Result<bool, StoreError> {
        let written = sqlx::query(
            "INSERT INTO backup_runs (host, day, holder, state, started, lease_until, finished, summary) VALUES (?, ?, ?, 'running', ?, ?, NULL, '') ON CONFLICT (host, day) DO UPDATE SET holder = excluded.holder, started = excluded.started, lease_until = excluded.lease_until WHERE backup_runs.state = 'running' AND backup_runs.lease_until < excluded.started",
        )
        .bind(host)
        .bind(day)
        .bind(holder)
        .bind(now)
        .bind(lease_until)
        .execute(&self.writer)
        .await
        .map_err(map_error)?;
        Ok(written.rows_affected() == 1)
    }

    async fn renew_backup_run(
        &self,
        host: &str,
        day: &str,
        holder: &str,
        lease_until: i64,
    ) -> Result<bool, StoreError> {
        let written = sqlx::query(
            "UPDATE backup_runs SET lease_until = ? WHERE host = ? AND day = ? AND holder = ? AND state = 'running'",
        )
        .bind(lease_until)
        .bind(host)
        .bind(day)
        .bind(holder)
        .execute(&self.writer)
        .await
        .map_err(map_error)?;
        Ok(written.rows_affected() == 1)
    }

    async fn finish_backup_run(
        &self,
        host: &str,
        day: &str,
        holder: &str,
        state: RunState,
        now: i64,
        summary: &str,
    ) -> Result<bool, StoreError> {
        let written = sqlx::query(
            "UPDATE backup_runs SET state = ?, finished = ?, summary = ? WHERE host = ? AND day = ? AND holder = ? AND state = 'running'",
        )
        .bind(state.as_str())
        .bind(now)
        .bind(summary)
        .bind(host)
        .bind(day)
        .bind(holder)
        .execute(&self.writer)
        .await
        .map_err(map_error)?;
        Ok(written.rows_affected() == 1)
    }

    async fn backup_run(&self, host: &str, day: &str) -> Result<Option<BackupRun>, StoreError> {
        let row = sqlx::query(
            "SELECT host, day, holder, state, started, lease_until, finished, summary FROM backup_runs WHERE host = ? AND day = ?",
        )
        .bind(host)
        .bind(day)
        .fetch_optional(&self.pool)
        .await
        .map_err(map_error)?;
        row.map(|row| run_from_row(&row)).transpose()
    }
    async fn backup_destinations(&self) -> Result<Vec<Destination>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, name, kind, disabled, disable_reason, settings, sealed, revision FROM backup_destinations ORDER BY name, id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_error)?;
        rows.iter().map(destination_from_row).collect()
    }

    async fn backup_destination(&self, id: &str) -> Result<Option<Destination>, StoreError> {
        let row = sqlx::query(
            "SELECT id, name, kind, disabled, disable_reason, settings, sealed, revision FROM backup_destinations WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(map_error)?;
        row.as_ref().map(destination_from_row).transpose()
    }

    async fn add_backup_destination(&self, destination: &Destination) -> Result<(), StoreError> {
        insert_destination(&self.writer, destination).await
    }

    async fn save_backup_destination(&self, destination: &Destination) -> Result<(), StoreError> {
        let written = sqlx::query(
            "UPDATE backup_destinations SET name = ?, kind = ?, disabled = ?, disable_reason = ?, settings = ?, sealed = ?, revision = revision + 1 WHERE id = ? AND revision = ?",
        )
        .bind(&destination.name)
        .bind(&destination.kind)
        .bind(destination.disabled)
        .bind(&destination.disable_reason)
        .bind(to_json(&destination.settings)?)
        .bind(to_json(&destination.sealed)?)
        .bind(&destination.id)
        .bind(destination.revision)
        .execute(&self.writer)
        .await
        .map_err(map_error)?;
        if written.rows_affected() == 0 {
            return Err(StoreError::Conflict(Conflict::Changed));
        }
        Ok(())
    }

    async fn delete_backup_destination(&self, id: &str) -> Result<bool, StoreError> {
        let written = sqlx::query("DELETE FROM backup_destinations WHERE id = ?")
            .bind(id)
            .execute(&self.writer)
            .await
            .map_err(map_error)?;
        Ok(written.rows_affected() == 1)
    }
}

fn run_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<BackupRun, StoreError> {
    let state: String = row.try_get("state").map_err(map_error)?;
    Ok(BackupRun {
        host: row.try_get("host").map_err(map_error)?,
        day: row.try_get("day").map_err(map_error)?,
        holder: row.try_get("holder").map_err(map_error)?,
        state: RunState::parse(&state).ok_or_else(|| {
            StoreError::Internal(format!("a backup run in state “{state}”").into())
        })?,
        started: row.try_get("started").map_err(map_error)?,
        lease_until: row.try_get("lease_until").map_err(map_error)?,
        finished: row.try_get("finished").map_err(map_error)?,
        summary: row.try_get("summary").map_err(map_error)?,
    })
}

pub(crate) fn destination_from_row(
    row: &sqlx::sqlite::SqliteRow,
) -> Result<Destination, StoreError> {
    let settings: String = row.try_get("settings").map_err(map_error)?;
    let sealed: String = row.try_get("sealed").map_err(map_error)?;
    Ok(Destination {
        id: row.try_get("id").map_err(map_error)?,
        name: row.try_get("name").map_err(map_error)?,
        kind: row.try_get("kind").map_err(map_error)?,
        disabled: row.try_get("disabled").map_err(map_error)?,
        disable_reason: row.try_get("disable_reason").map_err(map_error)?,
        settings: from_json(&settings)?,
        sealed: from_json(&sealed)?,
        revision: row.try_get("revision").map_err(map_error)?,
    })
}

/// Adds a destination, as it is (a copy keeps its revision).
pub(crate) async fn insert_destination<'e, E>(
    executor: E,
    destination: &Destination,
) -> Result<(), StoreError>
where
    E: sqlx::Executor<'e, Database = sqlx::Sqlite>,
{
    sqlx::query(
        "INSERT INTO backup_destinations (id, name, kind, disabled, disable_reason, settings, sealed, revision) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&destination.id)
    .bind(&destination.name)
    .bind(&destination.kind)
    .bind(destination.disabled)
    .bind(&destination.disable_reason)
    .bind(to_json(&destination.settings)?)
    .bind(to_json(&destination.sealed)?)
    .bind(destination.revision)
    .execute(executor)
    .await
    .map_err(map_error)?;
    Ok(())
}
