//! Restores that run in the background as cPanel's transfer sessions (a job of kind
//! `transfer`): the log says what was restored, module by module, or why nothing was.

use super::{Opener, Options, restore};
use crate::functions::jobs::{Running, spawn};
use crate::registry::Call;
use std::path::PathBuf;
use std::sync::Arc;
use whmd_wire::WhmError;

/// The jobs' kind.
pub const KIND: &str = "transfer";

/// Starts restoring in the background; returns the session's id. `delete` is the archive to
/// remove once the account is restored.
pub async fn start(
    call: &Call,
    open: Opener,
    options: Options,
    source: String,
    delete: Option<PathBuf>,
) -> Result<String, WhmError> {
    let call_copy = Call {
        ctx: Arc::clone(&call.ctx),
        principal: call.principal.clone(),
        peer: call.peer,
        meta: Arc::clone(&call.meta),
        version: call.version.clone(),
    };
    let first = format!("Restoring the account archive {source}\n");
    spawn(call, KIND, first, move |job: Running| async move {
        match restore(&call_copy, open, &options).await {
            Ok(restored) => {
                let mut text = format!("Restored the account {}\n", restored.user);
                text.push_str(&restored.details());
                if let Some(archive) = delete {
                    text.push_str(&remove(&archive));
                }
                job.log(&text, false).await;
                true
            }
            Err(e) => {
                job.log(&format!("The account was not restored: {e}\n"), true)
                    .await;
                false
            }
        }
    })
    .await
}

/// Removes a restored archive (a file or a directory); the log line saying so.
fn remove(archive: &std::path::Path) -> String {
    let removed = if archive.is_dir() {
        std::fs::remove_dir_all(archive)
    } else {
        std::fs::remove_file(archive)
    };
    match removed {
        Ok(()) => format!("Removed {}\n", archive.display()),
        Err(e) => format!("warning: {} was not removed: {e}\n", archive.display()),
    }
}
