//! Scheduled backups inside `whmd serve`: every minute the server looks at what is due (see
//! `whmd_api::functions::backups::run`); the replica that claims the day's run writes it.

use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use whmd_api::Context;
use whmd_api::functions::backups::run::tick;
use whmd_domain::time::unix_now;

/// How often the schedule is looked at.
pub const TICK: Duration = Duration::from_secs(60);

/// Looks at the schedule now and every [`TICK`] until `stop` turns true; backups run from
/// `hour` (UTC).
pub async fn run_regularly(ctx: Arc<Context>, hour: u32, mut stop: watch::Receiver<bool>) {
    // This replica's name in the store's claims: the host, the process and when it started.
    let holder = format!(
        "{}:{}:{}",
        ctx.info.hostname,
        std::process::id(),
        unix_now()
    );
    loop {
        match tick(&ctx, &holder, unix_now(), hour).await {
            Ok(Some(report)) => {
                let failed = report.failed.len();
                if report.stopped.is_some() || failed > 0 {
                    tracing::warn!(day = %report.day, failed, stopped = ?report.stopped, "scheduled backups failed");
                } else {
                    tracing::info!(day = %report.day, accounts = report.backed_up.len(), "scheduled backups done");
                }
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "scheduled backups could not run"),
        }
        tokio::select! {
            _ = tokio::time::sleep(TICK) => {}
            _ = stop.changed() => return,
        }
    }
}
