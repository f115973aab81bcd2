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

/// Has the host converge the accounts with these uids (after the store committed their
/// change) and adds its report to the outcome's raw log, then `done`. A host failure does not
/// undo the stored change: it is reported in the log and as a warning, and the host tries
/// again on its next pass.
pub(crate) async fn with_host(
    call: &Call,
    mut outcome: Outcome,
    uids: &[u32],
    done: &str,
) -> Outcome {
    let output = &mut outcome.output;
    let raw = output.raw.get_or_insert_with(String::new);
    if !uids.is_empty() {
        let (log, warnings) = call.ctx.host.converge(uids).await.log();
        raw.push_str(&log);
        output.warnings.extend(warnings);
    }
    raw.push_str(done);
    if raw.is_empty() {
        output.raw = None;
    }
    outcome
}
