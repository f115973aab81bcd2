//! suspendacct and unsuspendacct, with WHM's quirks: some refusals answer
//! `result: 1` and say why only in the raw log.

use super::reasons;
use super::{accessible, entry, save, with_host};
use crate::FunctionSpec;
use crate::function::{NoData, function};
use crate::registry::Call;
use schemars::JsonSchema;
use serde::Deserialize;
use whmd_domain::account::{Account, Suspension};
use whmd_domain::time::unix_now;
use whmd_wire::params::Flag;
use whmd_wire::{Acl, Api0Data, Api0Shape, Outcome, WhmError};

const LISTED: Api0Shape = Api0Shape::Listed {
    key: "result",
    data: Api0Data::Flatten,
    raw: None,
    messages: false,
};

pub const FUNCTIONS: &[FunctionSpec] = &[
    function!("suspendacct", Acl::SUSPEND_ACCT, Both, suspendacct).api0(LISTED),
    function!("unsuspendacct", Acl::SUSPEND_ACCT, Both, unsuspendacct).api0(LISTED),
];

#[derive(Debug, Deserialize, JsonSchema)]
struct Suspendacct {
    user: String,
    /// Why; shown to the account's owner.
    reason: Option<String>,
    /// Only root may lift the suspension (root only).
    #[serde(default)]
    disallowun: Flag<false>,
    /// Leave the account's FTP accounts usable (root only).
    #[serde(rename = "leave-ftp-accts-enabled", default)]
    leave_ftp_accts_enabled: Flag<false>,
}

async fn suspendacct(call: Call, req: Suspendacct) -> Result<Outcome<NoData>, WhmError> {
    let user = req.user;
    if user == "root" {
        return Ok(
            Outcome::failure(reasons::SUSPEND_FAILED).with_raw("Root user may not be suspended.\n")
        );
    }
    let account = accessible(&call, &user).await?;
    if account.suspension.is_some() {
        return Ok(Outcome::done().with_raw(format!(
            "User '{user}' is already suspended. Provide '--force' to suspend the account again.\n"
        )));
    }
    let root = call.principal.is_root();
    let locked = req.disallowun.get();
    let leave_ftp_enabled = req.leave_ftp_accts_enabled.get();
    if !root && locked {
        return Ok(Outcome::done()
            .with_raw("Only root may prevent a reseller from unsuspending an account.\n"));
    }
    if !root && leave_ftp_enabled {
        return Ok(Outcome::done().with_raw("Only root may leave FTP accounts enabled.\n"));
    }
    let suspension = Suspension {
        reason: clean_reason(req.reason.as_deref().unwrap_or("")),
        time: unix_now(),
        locked,
        leave_ftp_enabled,
    };
    suspend(&call, account, suspension).await
}

/// Suspends `account` (not suspended yet) as `suspension` says, and asks the host to.
pub(crate) async fn suspend(
    call: &Call,
    mut account: Account,
    suspension: Suspension,
) -> Result<Outcome<NoData>, WhmError> {
    let user = account.user.clone();
    let log = entry(
        call,
        "SUSPEND",
        &[&user, &account.domain, &suspension.reason],
    );
    account.set("SUSPENDED", "1");
    account.set("SUSPENDTIME", suspension.time.to_string());
    account.mtime = suspension.time;
    account.suspension = Some(suspension);
    save(call, &user, &account, &[log], reasons::SUSPEND_FAILED).await?;
    let outcome = Outcome::done().with_raw(format!("Suspending account {user}\n"));
    Ok(with_host(
        call,
        outcome,
        &[account.uid],
        &format!("{user}'s account has been suspended\n"),
    )
    .await)
}

#[derive(Debug, Deserialize, JsonSchema)]
struct Unsuspendacct {
    user: String,
}

async fn unsuspendacct(call: Call, req: Unsuspendacct) -> Result<Outcome<NoData>, WhmError> {
    let account = accessible(&call, &req.user).await?;
    unsuspend(&call, account).await
}

/// Lifts `account`'s suspension, unless only root may and the caller is not root.
pub(crate) async fn unsuspend(
    call: &Call,
    mut account: Account,
) -> Result<Outcome<NoData>, WhmError> {
    let user = account.user.clone();
    let Some(suspension) = &account.suspension else {
        return Ok(Outcome::done().with_raw(format!("User '{user}' is not suspended.\n")));
    };
    if suspension.locked && !call.principal.is_root() {
        return Ok(
            Outcome::failure(reasons::UNSUSPEND_FAILED).with_raw(format!(
                "This account is locked and can only be unsuspended by root ({user})\n"
            )),
        );
    }
    account.suspension = None;
    account.cpuser.remove("SUSPENDED");
    account.cpuser.remove("SUSPENDTIME");
    account.mtime = unix_now();
    let log = entry(call, "UNSUSPEND", &[&user, &account.domain]);
    save(call, &user, &account, &[log], reasons::UNSUSPEND_FAILED).await?;
    let outcome = Outcome::done().with_raw(format!("Unsuspending account {user}\n"));
    Ok(with_host(
        call,
        outcome,
        &[account.uid],
        &format!("{user}'s account is now active\n"),
    )
    .await)
}

/// A suspension reason as WHM keeps it: HTML entities decoded, `=`, newlines and NULs removed.
pub(crate) fn clean_reason(raw: &str) -> String {
    let decoded = raw
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    decoded
        .chars()
        .filter(|c| !matches!(c, '=' | '\n' | '\r' | '\0'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_cleaned() {
        assert_eq!(clean_reason("a=b\nc&amp;d &lt;x&gt;\0"), "abc&d <x>");
    }
}
