//! Crash tests: with `WHMD_HOST_FAILPOINT` naming a step kind (`CreateUser`, `Home`,
//! `SetPassword`, `RenameUser`, `DeleteUser`, `DeleteHome`, `WriteWeb`, `Reload`, …), the process aborts just
//! before the first such step, as a power cut would stop it. The tests then start whmd again
//! and check that the next pass converges with nothing made twice.

use std::sync::LazyLock;

static FAILPOINT: LazyLock<Option<String>> = LazyLock::new(|| {
    std::env::var("WHMD_HOST_FAILPOINT")
        .ok()
        .filter(|f| !f.is_empty())
});

pub(crate) fn hit(kind: &str) {
    if FAILPOINT.as_deref() == Some(kind) {
        tracing::error!(kind, "failpoint: aborting before this step");
        std::process::abort();
    }
}
