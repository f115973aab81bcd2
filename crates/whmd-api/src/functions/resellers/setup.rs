//! setupreseller, unsetupreseller and listresellers (FUNCTIONS.md §5).

use super::super::args::required;
use super::super::{CHANGED_MEANWHILE, entry};
use super::LISTED;
use crate::registry::Call;
use crate::{Access, FunctionSpec, Versions};
use futures::future::BoxFuture;
use serde_json::{Map, json};
use whmd_domain::StoreError;
use whmd_domain::account::default_reseller_acls;
use whmd_domain::reseller::Reseller;
use whmd_domain::store::AccountChange;
use whmd_domain::time::unix_now;
use whmd_wire::{Acl, Outcome, WhmError};

pub const SETUPRESELLER: FunctionSpec = FunctionSpec::legacy(
    "setupreseller",
    Access::Acl(Acl::ALL),
    Versions::Both,
    setupreseller,
)
.api0(LISTED);
pub const UNSETUPRESELLER: FunctionSpec = FunctionSpec::legacy(
    "unsetupreseller",
    Access::Acl(Acl::ALL),
    Versions::Both,
    unsetupreseller,
)
.api0(LISTED);
pub const LISTRESELLERS: FunctionSpec = FunctionSpec::legacy(
    "listresellers",
    Access::Acl(Acl::ALL),
    Versions::Both,
    listresellers,
)
.read_only()
.list("reseller");

type Reply = BoxFuture<'static, Result<Outcome, WhmError>>;

fn setupreseller(call: Call) -> Reply {
    Box::pin(async move {
        let user = required(&call.args, "user")?.to_owned();
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
        if call.args.is_true("makeowner") {
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
    })
}

fn unsetupreseller(call: Call) -> Reply {
    Box::pin(async move {
        let user = required(&call.args, "user")?.to_owned();
        let Some(mut account) = call.ctx.stores.accounts.account(&user).await? else {
            return Err(WhmError::Reason(format!(
                "The user “{user}” does not exist."
            )));
        };
        // WHM answers OK for an account that is not a reseller (FUNCTIONS.md §5).
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
    })
}

fn listresellers(call: Call) -> Reply {
    Box::pin(async move {
        let resellers = call.ctx.stores.accounts.resellers().await?;
        let mut data = Map::new();
        data.insert("reseller".into(), json!(resellers));
        Ok(Outcome::ok(data))
    })
}
