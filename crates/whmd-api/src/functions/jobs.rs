//! Background jobs, as cPanel's transfer and pkgacct sessions: a function answers at once with
//! the job's id while the work runs in this process, logging to the job in the store (so any
//! replica answers for its state and log) and renewing its lease as it goes. A job whose
//! process died is failed by the next server that sweeps ([`SWEEP_NOTE`]), so none stays
//! running for ever.

use crate::Context;
use crate::registry::Call;
use rand::Rng;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use whmd_domain::job::{Job, JobState};
use whmd_domain::time::{civil, unix_now};
use whmd_wire::WhmError;

/// How long a job is held without a sign of life.
pub const LEASE: i64 = 300;
/// How often a running job renews its lease.
const HEARTBEAT: Duration = Duration::from_secs(60);
/// What a job whose process died is told.
pub const SWEEP_NOTE: &str =
    "The server running this session stopped before it finished; nothing more was done.\n";

/// A running job, for its work to log to.
#[derive(Debug, Clone)]
pub struct Running {
    ctx: Arc<Context>,
    pub id: String,
    holder: String,
}

impl Running {
    /// Appends `text` to the job's log (and its error log when `error`).
    pub async fn log(&self, text: &str, error: bool) {
        let lease = unix_now() + LEASE;
        if let Err(e) = self
            .ctx
            .stores
            .jobs
            .log_job(&self.id, &self.holder, text, error, lease)
            .await
        {
            tracing::warn!(job = %self.id, error = %e, "a background job's log was not written");
        }
    }
}

/// Starts `work` as a job of `kind` whose log begins with `first`; returns its id. The job
/// completes when `work` returns true, and fails otherwise.
pub async fn spawn<F, Fut>(
    call: &Call,
    kind: &str,
    first: String,
    work: F,
) -> Result<String, WhmError>
where
    F: FnOnce(Running) -> Fut + Send + 'static,
    Fut: Future<Output = bool> + Send + 'static,
{
    let now = unix_now();
    let job = Job {
        id: new_id(&call.principal.user, now),
        kind: kind.to_owned(),
        state: JobState::Running,
        holder: format!("{}:{}", call.ctx.info.hostname, std::process::id()),
        lease_until: now + LEASE,
        created: now,
        finished: None,
        log: first,
        error_log: String::new(),
    };
    call.ctx.stores.jobs.create_job(&job).await?;
    let running = Running {
        ctx: Arc::clone(&call.ctx),
        id: job.id.clone(),
        holder: job.holder,
    };
    tokio::spawn(async move {
        let heartbeat = {
            let running = running.clone();
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(HEARTBEAT).await;
                    running.log("", false).await;
                }
            })
        };
        let ok = work(running.clone()).await;
        heartbeat.abort();
        let state = if ok {
            JobState::Completed
        } else {
            JobState::Failed
        };
        let jobs = &running.ctx.stores.jobs;
        if let Err(e) = jobs
            .finish_job(&running.id, &running.holder, state, unix_now())
            .await
        {
            tracing::warn!(job = %running.id, error = %e, "a background job's end was not recorded");
        }
    });
    Ok(job.id)
}

/// An id as cPanel makes session ids: the user, the time (`YYYYMMDDhhmmss`) and a random
/// tail.
pub fn new_id(user: &str, now: i64) -> String {
    const TAIL: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let (y, mo, d, h, mi, s, _) = civil(now);
    let mut rng = rand::rng();
    let tail: String = (0..8)
        .map(|_| char::from(TAIL[rng.random_range(0..TAIL.len())]))
        .collect();
    let user: String = user.chars().filter(char::is_ascii_alphanumeric).collect();
    format!("{user}{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}{tail}")
}

/// A job of `kind` by id, or `missing`'s refusal.
pub async fn find(
    call: &Call,
    kind: &str,
    id: &str,
    missing: impl FnOnce() -> WhmError,
) -> Result<Job, WhmError> {
    call.ctx
        .stores
        .jobs
        .job(id)
        .await?
        .filter(|j| j.kind == kind)
        .ok_or_else(missing)
}

#[cfg(test)]
mod tests {
    use super::new_id;

    #[test]
    fn job_ids_look_like_cpanels_session_ids() {
        let id = new_id("root", 1_585_590_962);
        assert!(id.starts_with("root20200330175602"), "{id}");
        assert_eq!(id.len(), "root20200330175602".len() + 8);
        assert_ne!(new_id("root", 0), new_id("root", 0));
    }
}
