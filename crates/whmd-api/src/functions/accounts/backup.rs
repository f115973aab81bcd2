//! toggle_user_backup_state
//! (<https://api.docs.cpanel.net/openapi/whm/operation/toggle_user_backup_state/>).

use super::reasons;
use super::{CHANGED_MEANWHILE, accessible, entry, save};
use crate::FunctionSpec;
use crate::function::function;
use crate::registry::Call;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use whmd_domain::time::unix_now;
use whmd_wire::params::Flag;
use whmd_wire::{Acl, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] = &[
    // Backup configuration is root's.
    function!(
        "toggle_user_backup_state",
        Acl::ALL,
        V1,
        toggle_user_backup_state
    ),
];

#[derive(Debug, Deserialize, JsonSchema)]
struct ToggleUserBackupState {
    user: String,
    /// Toggle the legacy backup system's state (`LEGACY_BACKUP`) rather than `BACKUP`.
    #[serde(default)]
    legacy: Flag<false>,
    /// Set the state instead of toggling it: 0 off, anything else on.
    #[serde(rename = "BACKUP")]
    backup: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct ToggleStatus {
    /// The new state, 1 or 0.
    toggle_status: u8,
}

async fn toggle_user_backup_state(
    call: Call,
    req: ToggleUserBackupState,
) -> Result<Outcome<ToggleStatus>, WhmError> {
    let user = req.user;
    let legacy = req.legacy.get();
    let key = if legacy { "LEGACY_BACKUP" } else { "BACKUP" };
    let mut account = accessible(&call, &user).await?;
    // An explicit BACKUP sets the state; otherwise "0" becomes 1 and anything else 0.
    let new = match req.backup {
        Some(v) => u8::from(v != "0"),
        None => u8::from(account.get(key) == Some("0")),
    };
    account.set(key, new.to_string());
    account.mtime = unix_now();
    let log = entry(
        &call,
        "MODIFY",
        &[&user, &account.domain, &format!("{key}={new}")],
    );
    save(&call, &user, &account, &[log], CHANGED_MEANWHILE).await?;
    let reason = if legacy {
        reasons::LEGACY_BACKUP_STATE_MODIFIED
    } else {
        reasons::BACKUP_STATE_MODIFIED
    };
    Ok(Outcome::ok(ToggleStatus { toggle_status: new }).with_reason(reason))
}
