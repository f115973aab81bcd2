//! toggle_user_backup_state (seed toggle_user_backup_state; FUNCTIONS.md §3).

use super::super::args::required;
use super::{CHANGED_MEANWHILE, accessible, entry, save};
use crate::registry::Call;
use crate::{Access, FunctionSpec, Versions};
use futures::future::BoxFuture;
use serde_json::{Map, json};
use whmd_domain::time::unix_now;
use whmd_wire::{Acl, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] = &[FunctionSpec::new(
    "toggle_user_backup_state",
    // Backup configuration is root's (FUNCTIONS.md §3).
    Access::Acl(Acl::ALL),
    Versions::V1,
    toggle_user_backup_state,
)];

fn toggle_user_backup_state(call: Call) -> BoxFuture<'static, Result<Outcome, WhmError>> {
    Box::pin(async move {
        let user = required(&call.args, "user")?.to_owned();
        let legacy = call.args.is_true("legacy");
        let key = if legacy { "LEGACY_BACKUP" } else { "BACKUP" };
        let mut account = accessible(&call, &user).await?;
        // An explicit BACKUP sets the state; otherwise "0" becomes 1 and anything else 0.
        let new = match call.args.get("BACKUP").filter(|v| !v.is_empty()) {
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
        let mut data = Map::new();
        data.insert("toggle_status".into(), json!(new));
        let reason = if legacy {
            "Legacy Backup state modified"
        } else {
            "Backup state modified"
        };
        Ok(Outcome::ok(data).with_reason(reason))
    })
}
