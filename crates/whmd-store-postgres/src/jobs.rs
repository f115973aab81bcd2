//! [`JobStore`] on PostgreSQL.

use crate::{PostgresStore, map_error};
use async_trait::async_trait;
use sqlx::Row;
use whmd_domain::StoreError;
use whmd_domain::job::{Job, JobState};
use whmd_domain::store::{Conflict, JobStore};

#[async_trait]
impl JobStore for PostgresStore {
    async fn create_job(&self, job: &Job) -> Result<(), StoreError> {
        let written = sqlx::query(
            "INSERT INTO jobs (id, kind, state, holder, lease_until, created, finished, log, error_log) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING",
        )
        .bind(&job.id)
        .bind(&job.kind)
        .bind(job.state.as_str())
        .bind(&job.holder)
        .bind(job.lease_until)
        .bind(job.created)
        .bind(job.finished)
        .bind(&job.log)
        .bind(&job.error_log)
        .execute(&self.pool)
        .await
        .map_err(map_error)?;
        if written.rows_affected() == 0 {
            return Err(StoreError::Conflict(Conflict::Name));
        }
        Ok(())
    }

    async fn job(&self, id: &str) -> Result<Option<Job>, StoreError> {
        let row = sqlx::query(
            "SELECT id, kind, state, holder, lease_until, created, finished, log, error_log FROM jobs WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(map_error)?;
        row.map(|row| job_from_row(&row)).transpose()
    }

    async fn latest_job(&self, kind: &str) -> Result<Option<Job>, StoreError> {
        let row = sqlx::query(
            "SELECT id, kind, state, holder, lease_until, created, finished, log, error_log FROM jobs \
             WHERE kind = $1 ORDER BY created DESC, (state = 'RUNNING') DESC, id DESC LIMIT 1",
        )
        .bind(kind)
        .fetch_optional(&self.pool)
        .await
        .map_err(map_error)?;
        row.map(|row| job_from_row(&row)).transpose()
    }

    async fn log_job(
        &self,
        id: &str,
        holder: &str,
        line: &str,
        error: bool,
        lease_until: i64,
    ) -> Result<bool, StoreError> {
        let written = sqlx::query(
            "UPDATE jobs SET log = log || $1, \
             error_log = CASE WHEN $2 THEN error_log || $1 ELSE error_log END, lease_until = $3 \
             WHERE id = $4 AND holder = $5 AND state = 'RUNNING'",
        )
        .bind(line)
        .bind(error)
        .bind(lease_until)
        .bind(id)
        .bind(holder)
        .execute(&self.pool)
        .await
        .map_err(map_error)?;
        Ok(written.rows_affected() == 1)
    }

    async fn finish_job(
        &self,
        id: &str,
        holder: &str,
        state: JobState,
        now: i64,
    ) -> Result<bool, StoreError> {
        let written = sqlx::query(
            "UPDATE jobs SET state = $1, finished = $2 WHERE id = $3 AND holder = $4 AND state = 'RUNNING'",
        )
        .bind(state.as_str())
        .bind(now)
        .bind(id)
        .bind(holder)
        .execute(&self.pool)
        .await
        .map_err(map_error)?;
        Ok(written.rows_affected() == 1)
    }

    async fn fail_lapsed_jobs(&self, now: i64, note: &str) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "UPDATE jobs SET state = 'FAILED', finished = $1, log = log || $2, error_log = error_log || $2 \
             WHERE state = 'RUNNING' AND lease_until < $1 RETURNING id",
        )
        .bind(now)
        .bind(note)
        .fetch_all(&self.pool)
        .await
        .map_err(map_error)?;
        rows.iter()
            .map(|row| row.try_get("id").map_err(map_error))
            .collect()
    }
}

fn job_from_row(row: &sqlx::postgres::PgRow) -> Result<Job, StoreError> {
    let state: String = row.try_get("state").map_err(map_error)?;
    Ok(Job {
        id: row.try_get("id").map_err(map_error)?,
        kind: row.try_get("kind").map_err(map_error)?,
        state: JobState::parse(&state)
            .ok_or_else(|| StoreError::Internal(format!("a job in state “{state}”").into()))?,
        holder: row.try_get("holder").map_err(map_error)?,
        lease_until: row.try_get("lease_until").map_err(map_error)?,
        created: row.try_get("created").map_err(map_error)?,
        finished: row.try_get("finished").map_err(map_error)?,
        log: row.try_get("log").map_err(map_error)?,
        error_log: row.try_get("error_log").map_err(map_error)?,
    })
}
