//! setacls, listacls and saveacllist (FUNCTIONS.md §5): a reseller's privileges, given one by
//! one (`acl-NAME=1`) or from a saved list.

use super::super::args::optional;
use super::super::{CHANGED_MEANWHILE, entry};
use super::LISTED;
use crate::registry::Call;
use crate::{Access, FunctionSpec, Versions};
use futures::future::BoxFuture;
use serde_json::{Map, Value, json};
use whmd_domain::StoreError;
use whmd_domain::names::catalog::{self, Catalog};
use whmd_domain::store::AccountChange;
use whmd_domain::time::unix_now;
use whmd_wire::{Acl, AclSet, Outcome, WhmError};

pub const SETACLS: FunctionSpec =
    FunctionSpec::legacy("setacls", Access::Acl(Acl::ALL), Versions::Both, setacls).api0(LISTED);
pub const LISTACLS: FunctionSpec =
    FunctionSpec::legacy("listacls", Access::Acl(Acl::ALL), Versions::Both, listacls)
        .read_only()
        .list("acl");
pub const SAVEACLLIST: FunctionSpec = FunctionSpec::legacy(
    "saveacllist",
    Access::Acl(Acl::ALL),
    Versions::Both,
    saveacllist,
)
.api0(LISTED);

type Reply = BoxFuture<'static, Result<Outcome, WhmError>>;

/// The privileges the `acl-NAME` arguments grant (a true value grants, a false one does not).
/// A name that is no privilege is refused.
fn granted(call: &Call) -> Result<AclSet, WhmError> {
    let mut set = AclSet::EMPTY;
    for (key, value) in call.args.iter() {
        let Some(name) = key.strip_prefix("acl-") else {
            continue;
        };
        let acl = Acl::from_name(name)
            .ok_or_else(|| WhmError::Reason(format!("The privilege “{name}” does not exist.")))?;
        if whmd_wire::args::perl_true(value) {
            set = set.with(acl);
        }
    }
    Ok(set)
}

fn names(set: AclSet) -> Value {
    json!(set.iter().map(Acl::name).collect::<Vec<_>>())
}

fn setacls(call: Call) -> Reply {
    Box::pin(async move {
        let args = &call.args;
        let Some(user) = optional(args, "reseller").or_else(|| optional(args, "user")) else {
            return Err(WhmError::reason("No reseller specified."));
        };
        let user = user.to_owned();
        let acls = match optional(args, "acllist") {
            Some(list) => call
                .ctx
                .stores
                .acl_lists
                .acl_list(list)
                .await?
                .ok_or_else(|| {
                    WhmError::Reason(format!("The ACL list “{list}” does not exist."))
                })?,
            None => granted(&call)?,
        };
        let mut data = Map::new();
        data.insert("acl".into(), names(acls));
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
    })
}

fn listacls(call: Call) -> Reply {
    Box::pin(async move {
        let lists = call.ctx.stores.acl_lists.acl_lists().await?;
        let acl: Vec<Value> = lists
            .into_iter()
            .map(|(name, set)| {
                // Every privilege, as the strings "1" and "0" (FUNCTIONS.md §5).
                let privileges: Map<String, Value> = Acl::every()
                    .map(|a| {
                        let on = if set.has(a) { "1" } else { "0" };
                        (a.name().to_owned(), json!(on))
                    })
                    .collect();
                json!({"name": name, "privileges": privileges})
            })
            .collect();
        let mut data = Map::new();
        data.insert("acl".into(), Value::Array(acl));
        Ok(Outcome::ok(data))
    })
}

fn saveacllist(call: Call) -> Reply {
    Box::pin(async move {
        let name = super::super::args::required(&call.args, "acllist")?.to_owned();
        catalog::check(Catalog::AclList, &name).map_err(|why| {
            WhmError::Reason(format!(
                "The ACL List could not be saved: the name “{name}” is not valid ({why})."
            ))
        })?;
        let acls = granted(&call)?;
        call.ctx.stores.acl_lists.save_acl_list(&name, acls).await?;
        Ok(Outcome::done().with_reason(format!("ACL List {name} saved.")))
    })
}
