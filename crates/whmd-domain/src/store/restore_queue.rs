//! The restore queue: tasks added, taken one at a time in order, finished, cleared.

use super::StoreError;
use crate::backup::{RestoreTask, TaskState};
use async_trait::async_trait;
use std::fmt::Debug;

#[async_trait]
pub trait RestoreQueueStore: Debug + Send + Sync {
    /// Adds a pending task; `Conflict::Name` when the account has a pending or active one.
    async fn add_restore_task(&self, task: &RestoreTask) -> Result<(), StoreError>;

    /// Every task, oldest first.
    async fn restore_tasks(&self) -> Result<Vec<RestoreTask>, StoreError>;

    /// Makes the oldest pending task active for the job `session`, at `now`; `None` when none
    /// is pending. Racing callers never take the same task.
    async fn start_restore_task(
        &self,
        session: &str,
        now: i64,
    ) -> Result<Option<RestoreTask>, StoreError>;

    /// Ends an active task as completed or failed, with what came of it.
    async fn finish_restore_task(
        &self,
        id: &str,
        state: TaskState,
        now: i64,
        result: &str,
    ) -> Result<(), StoreError>;

    /// Removes the tasks in `states`, only `user`'s when given, and only those started at
    /// `start_time` when given; returns how many went.
    async fn clear_restore_tasks(
        &self,
        states: &[TaskState],
        user: Option<&str>,
        start_time: Option<i64>,
    ) -> Result<u64, StoreError>;

    /// Fails the active tasks whose job is no longer running (its server stopped), with
    /// `note`, at `now`; returns how many.
    async fn fail_orphaned_restore_tasks(&self, now: i64, note: &str) -> Result<u64, StoreError>;
}
