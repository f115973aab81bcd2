//! Accounts: the account lifecycle of WHM API 1 and API 0 (FUNCTIONS.md §2, §3, §9).

mod backup;
mod create;
mod limits;
mod list;
mod modify;
mod names;
mod passwd;
mod record;
mod remove;
mod settings;
mod suspend;
mod userdata;

use crate::registry::Call;
use whmd_domain::StoreError;
use whmd_domain::account::{Account, AccountingEntry, require_access};
use whmd_domain::host::HostEffect;
use whmd_domain::store::Admission;
use whmd_domain::time::unix_now;
use whmd_wire::{Outcome, WhmError};

pub use backup::FUNCTIONS as BACKUP;
pub use create::FUNCTIONS as CREATE;
pub use limits::FUNCTIONS as LIMITS;
pub use list::FUNCTIONS as LIST;
pub use modify::FUNCTIONS as MODIFY;
pub use names::FUNCTIONS as NAMES;
pub use passwd::FUNCTIONS as PASSWD;
pub use remove::FUNCTIONS as REMOVE;
pub use suspend::FUNCTIONS as SUSPEND;
pub use userdata::FUNCTIONS as USERDATA;

/// The account `user` if the caller may act on it; otherwise WHM's refusal.
async fn accessible(call: &Call, user: &str) -> Result<Account, WhmError> {
    let account = call.ctx.stores.accounts.account(user).await?;
    require_access(&call.principal, user, account).map_err(WhmError::Reason)
}

/// An accounting entry for a change the caller made now.
fn entry(call: &Call, action: &str, fields: &[&str]) -> AccountingEntry {
    AccountingEntry::new(
        unix_now(),
        action,
        &call.principal.user,
        fields.iter().map(|f| (*f).to_owned()).collect(),
    )
}

/// The reason a change gets when another request changed the account first.
const CHANGED_MEANWHILE: &str = "The account changed while it was being modified. Try again.";

/// Stores the changed account (read as `user`) with its log entries; a lost race answers
/// `conflict`, and nothing is written.
async fn save(
    call: &Call,
    user: &str,
    account: &Account,
    log: &[AccountingEntry],
    conflict: &str,
) -> Result<(), WhmError> {
    match call
        .ctx
        .stores
        .accounts
        .update_account(user, account, log, &Admission::NONE)
        .await
    {
        Ok(()) => Ok(()),
        Err(StoreError::Conflict(_)) => Err(WhmError::Reason(conflict.to_owned())),
        Err(e) => Err(e.into()),
    }
}

/// Asks the host for each effect, in order, adding to the outcome's raw log a line for each
/// and, after them, `done`. A failure does not undo the stored change: it is reported in the
/// log and as a warning.
async fn with_effects(
    call: &Call,
    mut outcome: Outcome,
    effects: &[HostEffect],
    done: &str,
) -> Outcome {
    if effects.is_empty() && done.is_empty() {
        return outcome;
    }
    let output = &mut outcome.output;
    let raw = output.raw.get_or_insert_with(String::new);
    for effect in effects {
        raw.push_str(&format!("{effect}..."));
        match call.ctx.host.apply(effect).await {
            Ok(()) => raw.push_str("Done\n"),
            Err(e) => {
                raw.push_str(&format!("Failed: {e}\n"));
                output.warnings.push(format!("{effect} failed: {e}"));
                tracing::warn!(%effect, error = %e, "host effect failed");
            }
        }
    }
    raw.push_str(done);
    outcome
}
