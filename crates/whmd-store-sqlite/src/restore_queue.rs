//! [`RestoreQueueStore`] on SQLite.

use crate::{SqliteStore, map_error};
use async_trait::async_trait;
use sqlx::Row;
use whmd_domain::StoreError;
use whmd_domain::backup::{RestoreTask, TaskState};
use whmd_domain::store::encoding::{from_json, to_json};
use whmd_domain::store::{Conflict, RestoreQueueStore};

macro_rules! columns {
    () => {
        "id, username, restore_point, options, state, added, start_time, end_time, session, result"
    };
}

#[async_trait]
impl RestoreQueueStore for SqliteStore {
    async fn add_restore_task(&self, task: &RestoreTask) -> Result<(), StoreError> {
        let written = sqlx::query(
            "INSERT INTO restore_queue (id, username, restore_point, options, state, added, start_time, end_time, session, result) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT DO NOTHING",
        )
        .bind(&task.id)
        .bind(&task.user)
        .bind(&task.restore_point)
        .bind(to_json(&task.options)?)
        .bind(task.state.as_str())
        .bind(task.added)
        .bind(task.start_time)
        .bind(task.end_time)
        .bind(&task.session)
        .bind(&task.result)
        .execute(&self.writer)
        .await
        .map_err(map_error)?;
        if written.rows_affected() == 0 {
            return Err(StoreError::Conflict(Conflict::Name));
        }
        Ok(())
    }

    async fn restore_tasks(&self) -> Result<Vec<RestoreTask>, StoreError> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            columns!(),
            " FROM restore_queue ORDER BY added, id"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(map_error)?;
        rows.iter().map(task_from_row).collect()
    }

    async fn start_restore_task(
        &self,
        session: &str,
        now: i64,
    ) -> Result<Option<RestoreTask>, StoreError> {
        let row = sqlx::query(concat!(
            "UPDATE restore_queue SET state = 'active', start_time = ?1, session = ?2 \
             WHERE id = (SELECT id FROM restore_queue WHERE state = 'pending' ORDER BY added, id LIMIT 1) \
             AND state = 'pending' RETURNING ",
            columns!()
        ))
        .bind(now)
        .bind(session)
        .fetch_optional(&self.writer)
        .await
        .map_err(map_error)?;
        row.as_ref().map(task_from_row).transpose()
    }

    async fn finish_restore_task(
        &self,
        id: &str,
        state: TaskState,
        now: i64,
        result: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE restore_queue SET state = ?1, end_time = ?2, result = ?3 WHERE id = ?4 AND state = 'active'",
        )
        .bind(state.as_str())
        .bind(now)
        .bind(result)
        .bind(id)
        .execute(&self.writer)
        .await
        .map_err(map_error)?;
        Ok(())
    }

    async fn clear_restore_tasks(
        &self,
        states: &[TaskState],
        user: Option<&str>,
        start_time: Option<i64>,
    ) -> Result<u64, StoreError> {
        let states: Vec<&str> = states.iter().map(|s| s.as_str()).collect();
        let written = sqlx::query(
            "DELETE FROM restore_queue WHERE state IN (SELECT value FROM json_each(?1)) \
             AND (?2 IS NULL OR username = ?2) AND (?3 IS NULL OR start_time = ?3)",
        )
        .bind(to_json(&states)?)
        .bind(user)
        .bind(start_time)
        .execute(&self.writer)
        .await
        .map_err(map_error)?;
        Ok(written.rows_affected())
    }

    async fn fail_orphaned_restore_tasks(&self, now: i64, note: &str) -> Result<u64, StoreError> {
        let written = sqlx::query(
            "UPDATE restore_queue SET state = 'failed', end_time = ?1, result = ?2 \
             WHERE state = 'active' AND NOT EXISTS \
             (SELECT 1 FROM jobs WHERE jobs.id = restore_queue.session AND jobs.state = 'RUNNING')",
        )
        .bind(now)
        .bind(note)
        .execute(&self.writer)
        .await
        .map_err(map_error)?;
        Ok(written.rows_affected())
    }
}

fn task_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<RestoreTask, StoreError> {
    let state: String = row.try_get("state").map_err(map_error)?;
    let options: String = row.try_get("options").map_err(map_error)?;
    Ok(RestoreTask {
        id: row.try_get("id").map_err(map_error)?,
        user: row.try_get("username").map_err(map_error)?,
        restore_point: row.try_get("restore_point").map_err(map_error)?,
        options: from_json(&options)?,
        state: TaskState::parse(&state).ok_or_else(|| {
            StoreError::Internal(format!("a restore task in state “{state}”").into())
        })?,
        added: row.try_get("added").map_err(map_error)?,
        start_time: row.try_get("start_time").map_err(map_error)?,
        end_time: row.try_get("end_time").map_err(map_error)?,
        session: row.try_get("session").map_err(map_error)?,
        result: row.try_get("result").map_err(map_error)?,
    })
}
