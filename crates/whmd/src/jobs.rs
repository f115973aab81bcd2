//! Background jobs whose process died: every server fails the running ones whose lease has
//! passed, and the restore tasks they were running, each minute, so that neither stays
//! running for ever.

use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use whmd_api::Context;
use whmd_api::functions::jobs::SWEEP_NOTE;
use whmd_domain::time::unix_now;

/// How often lapsed jobs are looked for.
pub const SWEEP: Duration = Duration::from_secs(60);

pub async fn sweep_regularly(ctx: Arc<Context>, mut stop: watch::Receiver<bool>) {
    loop {
        match ctx
            .stores
            .jobs
            .fail_lapsed_jobs(unix_now(), SWEEP_NOTE)
            .await
        {
            Ok(failed) if !failed.is_empty() => {
                tracing::warn!(?failed, "background jobs whose server stopped were failed");
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "lapsed background jobs could not be failed"),
        }
        // Restore tasks whose processing job stopped with it.
        let note = "The server restoring this account stopped before it finished.";
        if let Err(e) = ctx
            .stores
            .restore_queue
            .fail_orphaned_restore_tasks(unix_now(), note)
            .await
        {
            tracing::warn!(error = %e, "orphaned restore tasks could not be failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(SWEEP) => {}
            _ = stop.changed() => return,
        }
    }
}
