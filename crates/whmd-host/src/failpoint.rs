//! Crash tests: with `WHMD_HOST_FAILPOINT` naming a step kind (`CreateUser`, `Home`,
//! `SetPassword`, `RenameUser`, `DeleteUser`, `DeleteHome`, …), the process aborts just
//! before the first such step, as a power cut would stop it. The tests then start whmd again
//! and check that the next pass converges with nothing made twice.

use crate::plan::Step;
use std::sync::LazyLock;

static FAILPOINT: LazyLock<Option<String>> = LazyLock::new(|| {
    std::env::var("WHMD_HOST_FAILPOINT")
        .ok()
        .filter(|f| !f.is_empty())
});

pub(crate) fn hit(step: &Step) {
    if FAILPOINT.as_deref() == Some(step.kind()) {
        tracing::error!(%step, "failpoint: aborting before this step");
        std::process::abort();
    }
}
