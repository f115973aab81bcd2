//! setacls, listacls and saveacllist: a reseller's privileges, given one by
//! one (`acl-NAME=1`) or from a saved list.

use super::super::{CHANGED_MEANWHILE, entry};
use super::LISTED;
use crate::FunctionSpec;
use crate::function::{NoData, function};
use crate::registry::Call;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use whmd_domain::StoreError;
use whmd_domain::names::catalog::{self, Catalog};
use whmd_domain::store::AccountChange;
use whmd_domain::time::unix_now;
use whmd_wire::params::Others;
use whmd_wire::{Acl, AclSet, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] = &[
    function!("setacls", Acl::ALL, Both, setacls).api0(LISTED),
    function!("listacls", Acl::ALL, Both, listacls)
        .read_only()
        .list("acl"),
    function!("saveacllist", Acl::ALL, Both, saveacllist).api0(LISTED),
];

#[derive(Debug, Deserialize, JsonSchema)]
struct Setacls {
    /// The reseller (`user` is taken too).
    reseller: Option<String>,
    user: Option<String>,
    /// A saved privilege list to give the reseller, instead of `acl-NAME` arguments.
    acllist: Option<String>,
    /// `acl-NAME=1` for each privilege to grant; the rest are taken away.
    #[serde(flatten)]
    acls: Others,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct Saveacllist {
    /// The list's name.
    acllist: String,
    /// `acl-NAME=1` for each privilege the list grants.
    #[serde(flatten)]
    acls: Others,
}

/// The privileges a reseller was given (or asked for, when refused).
#[derive(Debug, Serialize, JsonSchema)]
struct Granted {
    acl: Vec<&'static str>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct AclLists {
    acl: Vec<AclList>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct AclList {
    name: String,
    /// Every privilege, as the strings "1" and "0".
    privileges: BTreeMap<&'static str, &'static str>,
}

/// The privileges the `acl-NAME` arguments grant (a true value grants, a false one does not).
/// A name that is no privilege is refused.
fn granted(args: &Others) -> Result<AclSet, WhmError> {
    let mut set = AclSet::EMPTY;
    for (key, value) in args {
        let Some(name) = key.strip_prefix("acl-") else {
            continue;
        };
        let acl = Acl::from_name(name)
            .ok_or_else(|| WhmError::Reason(format!("The privilege “{name}” does not exist.")))?;
        if whmd_wire::args::perl_true(Some(value)) {
            set = set.with(acl);
        }
    }
    Ok(set)
}

fn names(set: AclSet) -> Granted {
    Granted {
        acl: set.iter().map(Acl::name).collect(),
    }
}

async fn setacls(call: Call, req: Setacls) -> Result<Outcome<Granted>, WhmError> {
    let Some(user) = req.reseller.or(req.user) else {
        return Err(WhmError::reason("No reseller specified."));
    };
    let acls = match &req.acllist {
        Some(list) => call
            .ctx
            .stores
            .acl_lists
            .acl_list(list)
            .await?
            .ok_or_else(|| WhmError::Reason(format!("The ACL list “{list}” does not exist.")))?,
        None => granted(&req.acls)?,
    };
    let data = names(acls);
    let account = call.ctx.stores.accounts.account(&user).await?;
    let Some(mut account) = account.filter(|a| a.reseller.is_some()) else {
        // WHM returns the privileges asked for even when it refuses them.
        return Ok(Outcome {
            data: Some(data),
            ..Outcome::failure("Not a reseller.")
        });
    };
    let before = account.reseller_acls().unwrap_or_default();
    let mut log = Vec::new();
    if acls.is_root() != before.is_root() {
        let action = if acls.is_root() {
            "GRANTROOT"
        } else {
            "REVOKEROOT"
        };
        log.push(entry(&call, action, &[&account.domain, &user]));
    }
    if let Some(reseller) = account.reseller.as_mut() {
        reseller.acls = acls;
    }
    account.mtime = unix_now();
    let change = AccountChange::update(user, account, log);
    match call.ctx.stores.accounts.change(&change).await {
        Ok(_) => Ok(Outcome::ok(data)),
        Err(StoreError::Conflict(_)) => Err(WhmError::reason(CHANGED_MEANWHILE)),
        Err(e) => Err(e.into()),
    }
}

async fn listacls(call: Call, _: ()) -> Result<Outcome<AclLists>, WhmError> {
    let lists = call.ctx.stores.acl_lists.acl_lists().await?;
    let acl = lists
        .into_iter()
        .map(|(name, set)| AclList {
            name,
            privileges: Acl::every()
                .map(|a| (a.name(), if set.has(a) { "1" } else { "0" }))
                .collect(),
        })
        .collect();
    Ok(Outcome::ok(AclLists { acl }))
}

async fn saveacllist(call: Call, req: Saveacllist) -> Result<Outcome<NoData>, WhmError> {
    let name = req.acllist;
    catalog::check(Catalog::AclList, &name).map_err(|why| {
        WhmError::Reason(format!(
            "The ACL List could not be saved: the name “{name}” is not valid ({why})."
        ))
    })?;
    let acls = granted(&req.acls)?;
    call.ctx.stores.acl_lists.save_acl_list(&name, acls).await?;
    Ok(Outcome::done().with_reason(format!("ACL List {name} saved.")))
}
