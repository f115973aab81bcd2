//! WHM functions, one module per WHM section. Each module lists its functions in a
//! `FUNCTIONS` table; [`ALL`] is what the registry is built from.

mod accounts;
mod args;
mod batch;
mod cphulk;
mod dns;
mod featurelists;
mod ips;
mod packages;
mod privileges;
mod resellers;
mod server;
mod sessions;
mod tokens;

use crate::FunctionSpec;
use crate::registry::Call;
use serde::Serialize;
use serde_json::Value;
use whmd_domain::account::AccountingEntry;
use whmd_domain::host::HostEffect;
use whmd_domain::time::unix_now;
use whmd_wire::{Outcome, WhmError};

/// Every section's function table.
pub const ALL: &[&[FunctionSpec]] = &[
    server::FUNCTIONS,
    privileges::FUNCTIONS,
    batch::FUNCTIONS,
    accounts::BACKUP,
    accounts::CREATE,
    accounts::HOSTED,
    accounts::LIMITS,
    accounts::LIST,
    accounts::MODIFY,
    accounts::NAMES,
    accounts::PASSWD,
    accounts::REMOVE,
    accounts::SUSPEND,
    accounts::USERDATA,
    packages::FUNCTIONS,
    featurelists::FUNCTIONS,
    resellers::FUNCTIONS,
    tokens::FUNCTIONS,
    cphulk::FUNCTIONS,
    sessions::FUNCTIONS,
    dns::ZONES,
    dns::RECORDS,
    dns::MX,
    dns::NAMESERVERS,
    ips::FUNCTIONS,
];

/// The reason a change gets when another request changed the account first.
pub(crate) const CHANGED_MEANWHILE: &str =
    "The account changed while it was being modified. Try again.";

/// A success with reason `OK` whose data is `response`, which must serialise to an object.
fn respond<T: Serialize>(response: &T) -> Result<Outcome, WhmError> {
    match serde_json::to_value(response) {
        Ok(Value::Object(data)) => Ok(Outcome::ok(data)),
        Ok(_) => Err(WhmError::internal(
            "a response did not serialise to an object",
        )),
        Err(e) => Err(WhmError::internal(e)),
    }
}

/// An accounting entry for a change the caller made now.
pub(crate) fn entry(call: &Call, action: &str, fields: &[&str]) -> AccountingEntry {
    AccountingEntry::new(
        unix_now(),
        action,
        &call.principal.user,
        fields.iter().map(|f| (*f).to_owned()).collect(),
    )
}

/// Asks the host for each effect, in order, adding to the outcome's raw log a line for each
/// and, after them, `done`. A failure does not undo the stored change: it is reported in the
/// log and as a warning.
pub(crate) async fn with_effects(
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
