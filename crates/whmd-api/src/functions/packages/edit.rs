//! addpkg, editpkg and killpkg. editpkg gives the accounts on the package the settings that
//! changed, in the same transaction as the package.

use super::settings;
use crate::FunctionSpec;
use crate::function::{NoData, function};
use crate::registry::Call;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use whmd_domain::StoreError;
use whmd_domain::account::{Account, AccountingEntry};
use whmd_domain::names::catalog::{self, Catalog};
use whmd_domain::package::{self, DEFAULT, Package, owned_name};
use whmd_domain::store::{PackageRemoval, Reapplied};
use whmd_domain::time::unix_now;
use whmd_wire::params::Others;
use whmd_wire::{Acl, Api0Data, Api0Shape, Outcome, WhmError};

const LISTED: Api0Shape = Api0Shape::Listed {
    key: "result",
    data: Api0Data::Flatten,
    raw: None,
    messages: false,
};

pub const FUNCTIONS: &[FunctionSpec] = &[
    function!("addpkg", Acl::ADD_PKG, Both, addpkg).api0(LISTED),
    function!("editpkg", Acl::EDIT_PKG, Both, editpkg).api0(LISTED),
    // API 0 names the package `pkg` (cPanel's API 0 documentation), API 1 `pkgname`; either works.
    function!("killpkg", Acl::ADD_PKG, Both, killpkg)
        .api0(LISTED)
        .aliases(&[("pkg", "pkgname")]),
];

/// addpkg's and editpkg's arguments.
#[derive(Debug, Deserialize, JsonSchema)]
struct PackageArgs {
    /// The package (a reseller's gets its `RESELLER_` prefix).
    name: Option<String>,
    /// The package, when `name` is not given.
    pkgname: Option<String>,
    /// The settings, by their package-file names in any case or their argument names:
    /// `quota`, `bwlimit`, `max_emailacct_quota` (MB), the `max*` counts, `ip`, `cgi`,
    /// `hasshell`, `digestauth` (y/n), `cpmod`, `language`, `featurelist`,
    /// `max_team_users`, `_PACKAGE_EXTENSIONS` and the named extensions' variables.
    #[serde(flatten)]
    settings: Others,
}

#[derive(Debug, Serialize, JsonSchema)]
struct Named {
    /// The package's full name.
    pkg: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct Killpkg {
    /// The package (`pkg` in API 0).
    pkgname: String,
}

/// The package name a call asks for (`name`, or `pkgname`): a reseller's gets its
/// `<reseller>_` prefix. Refuses names that are not safe ones.
fn package_name(call: &Call, req: &PackageArgs) -> Result<String, WhmError> {
    let raw = req
        .name
        .as_deref()
        .or(req.pkgname.as_deref())
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
fn named(name: &str) -> Outcome<Named> {
    Outcome::ok(Named {
        pkg: name.to_owned(),
    })
}

async fn addpkg(call: Call, req: PackageArgs) -> Result<Outcome<Named>, WhmError> {
    let name = package_name(&call, &req)?;
    if super::find(&call, &name).await?.is_some() {
        return Err(exists(&name));
    }
    let mut package = Package::new(&name, &call.principal.user);
    settings::apply(&call, &req.settings, &mut package, false).await?;
    match call.ctx.stores.packages.create_package(&package).await {
        Ok(()) => Ok(named(&name)),
        Err(StoreError::Conflict(_)) => Err(exists(&name)),
        Err(e) => Err(e.into()),
    }
}

async fn editpkg(call: Call, req: PackageArgs) -> Result<Outcome<Named>, WhmError> {
    let name = package_name(&call, &req)?;
    let Some(plan) = super::find(&call, &name).await? else {
        // WHM makes a package editpkg names that does not exist, for callers who may.
        if !call.principal.acls.permits(Acl::ADD_PKG) {
            return Err(WhmError::Reason(format!(
                "The package “{name}” does not exist."
            )));
        }
        return Box::pin(addpkg(call, req)).await;
    };
    if !package::can_edit(&call.principal, &plan.package) {
        return Err(no_access(&name));
    }
    let mut package = plan.package.clone();
    let changed = settings::apply(&call, &req.settings, &mut package, true).await?;
    let now = unix_now();
    let by = call.principal.user.clone();
    let reapply = |account: &mut Account| {
        let applied = package.apply_to(account, Some(&changed));
        account.mtime = now;
        Reapplied {
            log: AccountingEntry::new(
                now,
                "MODIFY",
                &by,
                vec![
                    account.user.clone(),
                    account.domain.clone(),
                    format!("PLAN={name}"),
                ],
            ),
            host: applied.quota || applied.shell,
        }
    };
    let on_host = match call
        .ctx
        .stores
        .packages
        // The implicit `default` is stored by its first edit.
        .update_package(&package, !plan.stored, &reapply)
        .await
    {
        Ok(on_host) => on_host,
        Err(StoreError::Conflict(_)) => {
            return Err(WhmError::reason(
                "The package or an account on it changed while it was being modified. Try again.",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let outcome = named(&name);
    Ok(super::super::with_host(&call, outcome, &on_host, "").await)
}

/// A reseller's refusal for a package that does not exist or is not its own, which it is not
/// told apart.
fn no_access(name: &str) -> WhmError {
    WhmError::Reason(format!(
        "You do not have access to a package named “{name}”."
    ))
}

async fn killpkg(call: Call, req: Killpkg) -> Result<Outcome<NoData>, WhmError> {
    let name = req.pkgname;
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
}
