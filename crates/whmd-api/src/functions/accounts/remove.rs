//! removeacct.

use super::super::dns::publish_for_account;
use super::reasons;
use super::{entry, with_host};
use crate::FunctionSpec;
use crate::function::{NoData, function};
use crate::registry::Call;
use schemars::JsonSchema;
use serde::Deserialize;
use whmd_domain::StoreError;
use whmd_domain::account::{Account, can_access};
use whmd_domain::store::{AccountChange, Conflict};
use whmd_wire::{Acl, Api0Data, Api0Shape, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] = &[function!("removeacct", Acl::KILL_ACCT, Both, removeacct)
    .api0(Api0Shape::Listed {
        key: "result",
        data: Api0Data::Flatten,
        raw: Some("rawout"),
        messages: false,
    })];

#[derive(Debug, Deserialize, JsonSchema)]
struct Removeacct {
    /// The account to remove (API 1's name).
    username: Option<String>,
    /// The account to remove (API 0's name), when `username` is not given.
    user: Option<String>,
    /// `y` or `1` keeps the account's DNS zones.
    keepdns: Option<String>,
}

async fn removeacct(call: Call, req: Removeacct) -> Result<Outcome<NoData>, WhmError> {
    let Some(user) = req.username.or(req.user) else {
        return Err(WhmError::reason(
            "No user name supplied: \"user\" is a required argument.",
        ));
    };
    if user == call.principal.user {
        return Err(WhmError::reason("You cannot remove yourself!"));
    }
    let Some(account) = call.ctx.stores.accounts.account(&user).await? else {
        return Err(if call.principal.is_root() {
            WhmError::Reason(format!("System user {user} does not exist!"))
        } else {
            WhmError::Reason(format!(
                "You do not have permission to remove that account ({user})!"
            ))
        });
    };
    if !can_access(&call.principal, &account) {
        return Err(WhmError::Reason(format!(
            "You do not have permission to remove that account ({user})!"
        )));
    }
    // WHM keeps the zone when keepdns holds a `y` or a `1` (docs/compatibility.md).
    let keepdns = req.keepdns.is_some_and(|v| v.contains(['y', '1']));
    remove(&call, &account, keepdns).await
}

/// Removes `account` and asks the host to remove what it had; the zone stays with `keepdns`.
pub(crate) async fn remove(
    call: &Call,
    account: &Account,
    keepdns: bool,
) -> Result<Outcome<NoData>, WhmError> {
    let user = &account.user;
    let log = entry(call, "REMOVE", &[&account.domain, user]);
    // The zones the removal takes with it, for publishing. One added between this read and
    // the removal is caught by the next full publish.
    let zones: Vec<String> = call
        .ctx
        .stores
        .zones
        .zones(Some(user))
        .await?
        .into_iter()
        .map(|z| z.name)
        .collect();
    let change = AccountChange::remove(user.as_str(), keepdns, log);
    match call.ctx.stores.accounts.change(&change).await {
        Ok(_) => {}
        Err(StoreError::Conflict(Conflict::NoAccount)) => {
            return Err(WhmError::Reason(format!(
                "System user {user} does not exist!"
            )));
        }
        Err(e) => return Err(e.into()),
    }
    let mut raw = format!("Removing account {user} ({})\n", account.domain);
    if !keepdns {
        raw.push_str(&format!("Removing the DNS zones of {user}...Done\n"));
    }
    let mut outcome = Outcome::done()
        .with_reason(reasons::account_removed(user))
        .with_raw(raw);
    if !keepdns {
        outcome
            .output
            .warnings
            .extend(publish_for_account(call, &zones).await);
    }
    Ok(with_host(
        call,
        outcome,
        &[account.uid],
        &format!("{}\n", reasons::account_removed(user)),
    )
    .await)
}
