//! addpkg, editpkg and killpkg (FUNCTIONS.md §4). editpkg gives the accounts on the package
//! the settings that changed, in the same transaction as the package.

use super::super::args::{optional, required};
use super::settings;
use crate::registry::Call;
use crate::{Access, FunctionSpec, Versions};
use futures::future::BoxFuture;
use serde_json::{Map, json};
use whmd_domain::StoreError;
use whmd_domain::account::AccountingEntry;
use whmd_domain::names::catalog::{self, Catalog};
use whmd_domain::package::{self, DEFAULT, Package, owned_name};
use whmd_domain::store::PackageRemoval;
use whmd_domain::time::unix_now;
use whmd_wire::{Acl, Api0Data, Api0Shape, Outcome, WhmError};

const LISTED: Api0Shape = Api0Shape::Listed {
    key: "result",
    data: Api0Data::Flatten,
    raw: None,
    messages: false,
};

pub const ADDPKG: FunctionSpec =
    FunctionSpec::legacy("addpkg", Access::Acl(Acl::ADD_PKG), Versions::Both, addpkg).api0(LISTED);
pub const EDITPKG: FunctionSpec = FunctionSpec::legacy(
    "editpkg",
    Access::Acl(Acl::EDIT_PKG),
    Versions::Both,
    editpkg,
)
.api0(LISTED);
// API 0 names the package `pkg` (cPanel's API 0 documentation), API 1 `pkgname`; either works.
pub const KILLPKG: FunctionSpec = FunctionSpec::legacy(
    "killpkg",
    Access::Acl(Acl::ADD_PKG),
    Versions::Both,
    killpkg,
)
.api0(LISTED)
.aliases(&[("pkg", "pkgname")]);

type Reply = BoxFuture<'static, Result<Outcome, WhmError>>;

/// The package name a call asks for (`name`, or `pkgname`): a reseller's gets its
/// `<reseller>_` prefix. Refuses names that are not safe ones.
fn package_name(call: &Call) -> Result<String, WhmError> {
    let args = &call.args;
    let raw = optional(args, "name")
        .or_else(|| optional(args, "pkgname"))
        .ok_or_else(|| {
            WhmError::reason("No package supplied: “pkgname” or “name” is a required argument.")
        })?;
    let name = if call.principal.is_root() {
        raw.to_owned()
    } else {
        owned_name(&call.principal.user, raw)
    };
    catalog::check(Catalog::Package, &name).map_err(|why| {
        WhmError::Reason(format!("The package name “{name}” is not valid: {why}."))
    })?;
    Ok(name)
}

fn exists(name: &str) -> WhmError {
    WhmError::Reason(format!(
        "The package “{name}” already exists. If you wish to make changes, please edit the package."
    ))
}

/// The data addpkg and editpkg return.
fn named(name: &str) -> Outcome {
    let mut data = Map::new();
    data.insert("pkg".into(), json!(name));
    Outcome::ok(data)
}

fn addpkg(call: Call) -> Reply {
    Box::pin(async move {
        let name = package_name(&call)?;
        if super::find(&call, &name).await?.is_some() {
            return Err(exists(&name));
        }
        let mut package = Package::new(&name, &call.principal.user);
        settings::apply(&call, &mut package, false).await?;
        match call.ctx.stores.packages.create_package(&package).await {
            Ok(()) => Ok(named(&name)),
            Err(StoreError::Conflict(_)) => Err(exists(&name)),
            Err(e) => Err(e.into()),
        }
    })
}

fn editpkg(call: Call) -> Reply {
    Box::pin(async move {
        let name = package_name(&call)?;
        let Some(plan) = super::find(&call, &name).await? else {
            // WHM makes a package editpkg names that does not exist, for callers who may.
            if !call.principal.acls.permits(Acl::ADD_PKG) {
                return Err(WhmError::Reason(format!(
                    "The package “{name}” does not exist."
                )));
            }
            return addpkg(call).await;
        };
        if !package::can_edit(&call.principal, &plan.package) {
            return Err(no_access(&name));
        }
        let mut package = plan.package.clone();
        let changed = settings::apply(&call, &mut package, true).await?;
        let mut accounts = call.ctx.stores.accounts.accounts_on_plan(&name).await?;
        let now = unix_now();
        let mut log = Vec::new();
        let mut on_host = Vec::new();
        for account in &mut accounts {
            let applied = package.apply_to(account, Some(&changed));
            account.mtime = now;
            log.push(AccountingEntry::new(
                now,
                "MODIFY",
                &call.principal.user,
                vec![
                    account.user.clone(),
                    account.domain.clone(),
                    format!("PLAN={name}"),
                ],
            ));
            if applied.quota || applied.shell {
                on_host.push(account.uid);
            }
        }
        match call
            .ctx
            .stores
            .packages
            // The implicit `default` is stored by its first edit.
            .update_package(&package, !plan.stored, &accounts, &log)
            .await
        {
            Ok(()) => {}
            Err(StoreError::Conflict(_)) => {
                return Err(WhmError::reason(
                    "The package or an account on it changed while it was being modified. Try again.",
                ));
            }
            Err(e) => return Err(e.into()),
        }
        let outcome = named(&name);
        Ok(super::super::with_host(&call, outcome, &on_host, "").await)
    })
}

/// A reseller's refusal for a package that does not exist or is not its own, which it is not
/// told apart.
fn no_access(name: &str) -> WhmError {
    WhmError::Reason(format!(
        "You do not have access to a package named “{name}”."
    ))
}

fn killpkg(call: Call) -> Reply {
    Box::pin(async move {
        let name = required(&call.args, "pkgname")?.to_owned();
        let root = call.principal.is_root();
        let stored = call.ctx.stores.packages.package(&name).await?;
        match &stored {
            Some(p) if package::can_edit(&call.principal, p) => {}
            _ if !root => return Err(no_access(&name)),
            None if name == DEFAULT => {
                return Err(WhmError::reason("The package “default” cannot be removed."));
            }
            None | Some(_) => {
                return Err(WhmError::Reason(format!(
                    "The package “{name}” does not exist."
                )));
            }
        }
        match call.ctx.stores.packages.remove_package(&name).await? {
            PackageRemoval::Removed => Ok(Outcome::done()),
            PackageRemoval::InUse => Err(WhmError::Reason(format!(
                "You must move all accounts using the package “{name}” to another package before removing it."
            ))),
            PackageRemoval::NotFound => Err(WhmError::Reason(format!(
                "The package “{name}” does not exist."
            ))),
        }
    })
}
