//! Background jobs: created running by the replica that starts them, logged and finished by it
//! alone while its lease holds, failed by anyone once the lease has passed.

use super::StoreError;
use crate::job::{Job, JobState};
use async_trait::async_trait;
use std::fmt::Debug;

#[async_trait]
pub trait JobStore: Debug + Send + Sync {
    /// Stores a new job; an id that exists is `Conflict::Name`.
    async fn create_job(&self, job: &Job) -> Result<(), StoreError>;

    async fn job(&self, id: &str) -> Result<Option<Job>, StoreError>;

    /// The newest job of `kind` (by when it was created; of two created in the same second,
    /// a running one).
    async fn latest_job(&self, kind: &str) -> Result<Option<Job>, StoreError>;

    /// Appends `line` to a running job's log (and its error log when `error`) and extends its
    /// lease, when `holder` holds it; `false` (nothing written) otherwise.
    async fn log_job(
        &self,
        id: &str,
        holder: &str,
        line: &str,
        error: bool,
        lease_until: i64,
    ) -> Result<bool, StoreError>;

    /// Ends a running job `holder` holds as `state`; `false` (nothing written) otherwise.
    async fn finish_job(
        &self,
        id: &str,
        holder: &str,
        state: JobState,
        now: i64,
    ) -> Result<bool, StoreError>;

    /// Fails every running job whose lease passed before `now`, adding `note` to both its
    /// logs; returns their ids.
    async fn fail_lapsed_jobs(&self, now: i64, note: &str) -> Result<Vec<String>, StoreError>;
}
