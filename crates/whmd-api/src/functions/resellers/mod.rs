//! Resellers: making and unmaking them (`setup`), their privileges and saved
//! privilege lists (`acls`), their limits and counts (`limits`, `stats`), and suspending or
//! terminating them with their accounts (`suspend`). All but `acctcounts` are root's.

mod acls;
mod limits;
mod setup;
mod stats;
mod suspend;

use crate::registry::Call;
use whmd_domain::account::Account;
use whmd_wire::{Api0Data, Api0Shape, WhmError};

pub use acls::FUNCTIONS as ACLS;
pub use limits::FUNCTIONS as LIMITS;
pub use setup::FUNCTIONS as SETUP;
pub use stats::FUNCTIONS as STATS;
pub use suspend::FUNCTIONS as SUSPEND;

/// The API 0 shape of the functions that change something: `{result: [{status, statusmsg}]}`.
const LISTED: Api0Shape = Api0Shape::Listed {
    key: "result",
    data: Api0Data::Flatten,
    raw: Some("rawout"),
    messages: false,
};

/// The reseller `user`, or `not_reseller` as the refusal when there is no such account or it
/// is not a reseller.
async fn named_reseller(call: &Call, user: &str, not_reseller: &str) -> Result<Account, WhmError> {
    match call.ctx.stores.accounts.account(user).await? {
        Some(a) if a.reseller.is_some() => Ok(a),
        _ => Err(WhmError::reason(not_reseller)),
    }
}
