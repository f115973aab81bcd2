//! Accounts: the account lifecycle of WHM API 1 and API 0.

mod backup;
mod create;
mod hosted;
mod limits;
mod list;
mod modify;
mod names;
mod passwd;
mod reasons;
mod record;
mod remove;
mod settings;
mod source;
mod suspend;
mod userdata;

use super::{CHANGED_MEANWHILE, entry, with_host};
use crate::registry::Call;
use whmd_domain::StoreError;
use whmd_domain::account::{Account, AccountingEntry, require_access};
use whmd_domain::store::AccountChange;
use whmd_wire::WhmError;

pub use backup::FUNCTIONS as BACKUP;
pub use create::FUNCTIONS as CREATE;
pub use hosted::FUNCTIONS as HOSTED;
pub use limits::FUNCTIONS as LIMITS;
pub use list::FUNCTIONS as LIST;
pub use modify::FUNCTIONS as MODIFY;
pub use names::FUNCTIONS as NAMES;
pub use passwd::FUNCTIONS as PASSWD;
pub use remove::FUNCTIONS as REMOVE;
pub use suspend::FUNCTIONS as SUSPEND;
pub use userdata::FUNCTIONS as USERDATA;

pub(crate) use create::{generated_password, new_zone};
pub(crate) use names::check_name_free;
pub(crate) use remove::remove;
pub(crate) use settings::Settings;
pub(crate) use source::{AccountRecords, RecordOf};
pub(crate) use suspend::{clean_reason, suspend, unsuspend};

/// The account `user` if the caller may act on it; otherwise WHM's refusal.
async fn accessible(call: &Call, user: &str) -> Result<Account, WhmError> {
    let account = call.ctx.stores.accounts.account(user).await?;
    require_access(&call.principal, user, account).map_err(WhmError::Reason)
}

/// Stores the changed account (read as `user`) with its log entries; a lost race answers
/// `conflict`, and nothing is written.
async fn save(
    call: &Call,
    user: &str,
    account: &Account,
    log: &[AccountingEntry],
    conflict: &str,
) -> Result<(), WhmError> {
    let change = AccountChange::update(user, account.clone(), log.to_vec());
    match call.ctx.stores.accounts.change(&change).await {
        Ok(_) => Ok(()),
        Err(StoreError::Conflict(_)) => Err(WhmError::Reason(conflict.to_owned())),
        Err(e) => Err(e.into()),
    }
}
