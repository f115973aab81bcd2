//! Restores that run in the background, as cPanel's transfer sessions do: the function answers
//! at once with a session id; the restore runs in this process, logging to the session in the
//! store (so any replica answers for its state and log) and renewing its lease as it logs. A
//! session whose process died is failed by the next server that sweeps (see
//! [`SWEEP_NOTE`]), so none stays running for ever.

use super::{Opener, Options, restore};
use crate::registry::Call;
use rand::Rng;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use whmd_domain::job::{Job, JobState};
use whmd_domain::time::{civil, unix_now};
use whmd_wire::WhmError;

/// How long a session is held without a sign of life.
pub const LEASE: i64 = 300;
/// How often a running session renews its lease.
const HEARTBEAT: Duration = Duration::from_secs(60);
/// What a session whose process died is told.
pub const SWEEP_NOTE: &str =
    "The server running this session stopped before it finished; nothing more was done.\n";

/// Starts restoring in the background; returns the session's id. `delete` is the archive to
/// remove once the account is restored.
pub async fn start(
    call: &Call,
    open: Opener,
    options: Options,
    source: String,
    delete: Option<PathBuf>,
) -> Result<String, WhmError> {
    let store = &call.ctx.stores.jobs;
    let now = unix_now();
    let holder = format!("{}:{}", call.ctx.info.hostname, std::process::id());
    let job = Job {
        id: session_id(&call.principal.user, now),
        kind: "transfer".into(),
        state: JobState::Running,
        holder: holder.clone(),
        lease_until: now + LEASE,
        created: now,
        finished: None,
        log: format!("Restoring the account archive {source}\n"),
        error_log: String::new(),
    };
    store.create_job(&job).await?;
    let id = job.id.clone();
    let call = Call {
        ctx: Arc::clone(&call.ctx),
        principal: call.principal.clone(),
        peer: call.peer,
        meta: Arc::clone(&call.meta),
        version: call.version.clone(),
    };
    tokio::spawn(async move {
        let ctx = Arc::clone(&call.ctx);
        let (id, holder) = (job.id, job.holder);
        let heartbeat = {
            let (ctx, id, holder) = (Arc::clone(&ctx), id.clone(), holder.clone());
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(HEARTBEAT).await;
                    let lease = unix_now() + LEASE;
                    if !matches!(
                        ctx.stores
                            .jobs
                            .log_job(&id, &holder, "", false, lease)
                            .await,
                        Ok(true)
                    ) {
                        return;
                    }
                }
            })
        };
        let restored = restore(&call, open, &options).await;
        heartbeat.abort();
        let jobs = &ctx.stores.jobs;
        let lease = unix_now() + LEASE;
        let state = match restored {
            Ok(restored) => {
                let mut text = format!("Restored the account {}\n", restored.user);
                text.push_str(&restored.details());
                if let Some(archive) = delete {
                    let removed = if archive.is_dir() {
                        std::fs::remove_dir_all(&archive)
                    } else {
                        std::fs::remove_file(&archive)
                    };
                    match removed {
                        Ok(()) => text.push_str(&format!("Removed {}\n", archive.display())),
                        Err(e) => text.push_str(&format!(
                            "warning: {} was not removed: {e}\n",
                            archive.display()
                        )),
                    }
                }
                let _ = jobs.log_job(&id, &holder, &text, false, lease).await;
                JobState::Completed
            }
            Err(e) => {
                let line = format!("The account was not restored: {e}\n");
                let _ = jobs.log_job(&id, &holder, &line, true, lease).await;
                JobState::Failed
            }
        };
        if let Err(e) = jobs.finish_job(&id, &holder, state, unix_now()).await {
            tracing::warn!(session = %id, error = %e, "a restore session's end was not recorded");
        }
    });
    Ok(id)
}

/// A session id as cPanel makes them: the user, the time (`YYYYMMDDhhmmss`) and a random tail.
fn session_id(user: &str, now: i64) -> String {
    const TAIL: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let (y, mo, d, h, mi, s, _) = civil(now);
    let mut rng = rand::rng();
    let tail: String = (0..4)
        .map(|_| char::from(TAIL[rng.random_range(0..TAIL.len())]))
        .collect();
    let user: String = user.chars().filter(char::is_ascii_alphanumeric).collect();
    format!("{user}{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}{tail}")
}

#[cfg(test)]
mod tests {
    use super::session_id;

    #[test]
    fn session_ids_look_like_cpanels() {
        let id = session_id("root", 1_585_590_962);
        assert!(id.starts_with("root20200330175602"), "{id}");
        assert_eq!(id.len(), "root20200330175602".len() + 4);
        assert_ne!(session_id("root", 0), session_id("root", 0));
    }
}
