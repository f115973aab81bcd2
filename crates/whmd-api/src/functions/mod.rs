//! WHM functions, one module per WHM section. Each module lists its functions in a
//! `FUNCTIONS` table of [`function!`](crate::function::function) lines; [`ALL`] is what the
//! registry is built from.

mod accounts;
pub mod backups;
mod batch;
mod cphulk;
mod dns;
mod featurelists;
mod ips;
pub mod jobs;
mod packages;
mod privileges;
mod resellers;
pub mod restore;
mod server;
mod sessions;
mod tokens;

use crate::FunctionSpec;
use crate::registry::Call;
use whmd_domain::account::AccountingEntry;
use whmd_domain::time::unix_now;
use whmd_wire::Outcome;

/// Every section's function tables, under the section's name (the OpenAPI document's tags and
/// the headings of docs/functions.md).
pub const ALL: &[(&str, &[FunctionSpec])] = &[
    ("Server", server::FUNCTIONS),
    ("Server", privileges::FUNCTIONS),
    ("Batch", batch::FUNCTIONS),
    ("Accounts", accounts::BACKUP),
    ("Accounts", accounts::CREATE),
    ("Accounts", accounts::HOSTED),
    ("Accounts", accounts::LIMITS),
    ("Accounts", accounts::LIST),
    ("Accounts", accounts::MODIFY),
    ("Accounts", accounts::NAMES),
    ("Accounts", accounts::PASSWD),
    ("Accounts", accounts::REMOVE),
    ("Accounts", accounts::SUSPEND),
    ("Accounts", accounts::USERDATA),
    ("Backups", backups::CONFIG),
    ("Backups", backups::DESTINATIONS),
    ("Backups", backups::LIST),
    ("Backups", backups::SESSIONS),
    ("Backups", backups::SKIP),
    ("Backups", restore::TRANSFER),
    ("Backups", restore::QUEUE),
    ("Packages", packages::EDIT),
    ("Packages", packages::LIST),
    ("Feature lists", featurelists::FUNCTIONS),
    ("Feature lists", featurelists::WRITE),
    ("Resellers", resellers::SETUP),
    ("Resellers", resellers::ACLS),
    ("Resellers", resellers::LIMITS),
    ("Resellers", resellers::STATS),
    ("Resellers", resellers::SUSPEND),
    ("API tokens", tokens::FUNCTIONS),
    ("Brute-force protection (cPHulk)", cphulk::SETTINGS),
    ("Brute-force protection (cPHulk)", cphulk::HISTORY),
    ("Brute-force protection (cPHulk)", cphulk::LISTS),
    ("Sessions", sessions::FUNCTIONS),
    ("DNS", dns::ZONES),
    ("DNS", dns::RECORDS),
    ("DNS", dns::MX),
    ("DNS", dns::NAMESERVERS),
    ("IP addresses", ips::FUNCTIONS),
];

/// The reason a change gets when another request changed the account first.
pub(crate) const CHANGED_MEANWHILE: &str =
    "The account changed while it was being modified. Try again.";

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
pub(crate) async fn with_host<D>(
    call: &Call,
    mut outcome: Outcome<D>,
    uids: &[u32],
    done: &str,
) -> Outcome<D> {
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
