//! setupreseller, unsetupreseller and listresellers.

use super::super::{CHANGED_MEANWHILE, entry};
use super::LISTED;
use crate::FunctionSpec;
use crate::function::{NoData, function};
use crate::registry::Call;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use whmd_domain::StoreError;
use whmd_domain::account::default_reseller_acls;
use whmd_domain::reseller::Reseller;
use whmd_domain::store::AccountChange;
use whmd_domain::time::unix_now;
use whmd_wire::params::Flag;
use whmd_wire::{Acl, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] = &[
    function!("setupreseller", Acl::ALL, Both, setupreseller).api0(LISTED),
    function!("unsetupreseller", Acl::ALL, Both, unsetupreseller).api0(LISTED),
    function!("listresellers", Acl::ALL, Both, listresellers)
        .read_only()
        .list("reseller"),
];

#[derive(Debug, Deserialize, JsonSchema)]
struct Setupreseller {
    user: String,
    /// The reseller owns its own account (rather than root).
    #[serde(default)]
    makeowner: Flag<false>,
}

async fn setupreseller(call: Call, req: Setupreseller) -> Result<Outcome<NoData>, WhmError> {
    let user = req.user;
    let Some(mut account) = call.ctx.stores.accounts.account(&user).await? else {
        return Err(WhmError::Reason(format!(
            "_setupreseller called for a user that does not exist. ({user})"
        )));
    };
    if account.reseller.is_some() {
        return Err(WhmError::Reason(format!(
            "_setupreseller tried to make a reseller out of a reseller when a normal user was expected. ({user})"
        )));
    }
    // An account another reseller owns cannot itself resell.
    if account.owner != "root" && account.owner != user {
        return Err(WhmError::Reason(format!(
            "The account “{user}” belongs to the reseller “{}”: only accounts that root owns can become resellers. ({user})",
            account.owner
        )));
    }
    account.reseller = Some(Reseller::new(default_reseller_acls()));
    if req.makeowner.get() {
        account.owner = user.clone();
    }
    account.mtime = unix_now();
    let log = entry(&call, "ADDRESELLER", &[&account.domain, &user]);
    let change = AccountChange::update(user, account, vec![log]);
    match call.ctx.stores.accounts.change(&change).await {
        Ok(_) => Ok(Outcome::done()),
        Err(StoreError::Conflict(_)) => Err(WhmError::reason(CHANGED_MEANWHILE)),
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
struct Unsetupreseller {
    user: String,
}

async fn unsetupreseller(call: Call, req: Unsetupreseller) -> Result<Outcome<NoData>, WhmError> {
    let user = req.user;
    let Some(mut account) = call.ctx.stores.accounts.account(&user).await? else {
        return Err(WhmError::Reason(format!(
            "The user “{user}” does not exist."
        )));
    };
    // WHM answers OK for an account that is not a reseller.
    if account.reseller.is_none() {
        return Ok(Outcome::done());
    }
    // Its accounts go to its own owner; a reseller that owned itself passes to root, and
    // its accounts with it.
    let heir = if account.owner == user {
        "root".to_owned()
    } else {
        account.owner.clone()
    };
    account.owner = heir.clone();
    account.reseller = None;
    account.mtime = unix_now();
    let log = entry(&call, "DELRESELLER", &[&account.domain, &user]);
    let change = AccountChange::demote(user, account, heir, vec![log]);
    match call.ctx.stores.accounts.change(&change).await {
        Ok(_) => Ok(Outcome::done()),
        Err(StoreError::Conflict(_)) => Err(WhmError::reason(CHANGED_MEANWHILE)),
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Serialize, JsonSchema)]
struct Resellers {
    /// The resellers' user names.
    reseller: Vec<String>,
}

async fn listresellers(call: Call, _: ()) -> Result<Outcome<Resellers>, WhmError> {
    let reseller = call.ctx.stores.accounts.resellers().await?;
    Ok(Outcome::ok(Resellers { reseller }))
}
