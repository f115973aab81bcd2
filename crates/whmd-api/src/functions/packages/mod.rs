//! Packages: addpkg, editpkg and killpkg (`edit`); listpkgs, getpkginfo and
//! matchpkgs (`list`); and how account functions find the package an account is put on.

mod edit;
mod list;
mod settings;

use crate::registry::Call;
use whmd_domain::package::{self, DEFAULT, Package};
use whmd_domain::reseller::ResellerLimits;
use whmd_domain::store::{Admission, PlanGuard};
use whmd_wire::WhmError;

pub use edit::FUNCTIONS as EDIT;
pub use list::FUNCTIONS as LIST;

/// A package as read: stored, or the implicit `default` (no revision).
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub package: Package,
    pub stored: bool,
}

impl Plan {
    /// What an account write on this package must find unchanged in the store.
    pub fn guard(&self) -> PlanGuard {
        PlanGuard {
            name: self.package.name.clone(),
            revision: self.stored.then_some(self.package.revision),
        }
    }
}

/// The package `name`, stored or the implicit `default`.
pub(crate) async fn find(call: &Call, name: &str) -> Result<Option<Plan>, WhmError> {
    let stored = call.ctx.stores.packages.package(name).await?;
    Ok(match stored {
        Some(package) => Some(Plan {
            package,
            stored: true,
        }),
        None if name == DEFAULT => Some(Plan {
            package: Package::implicit_default(),
            stored: false,
        }),
        None => None,
    })
}

/// The package `name` if the caller may put accounts on it; `None` when it does not exist or
/// the caller may not see it, which a reseller is not told apart.
pub(crate) async fn usable(call: &Call, name: &str) -> Result<Option<Plan>, WhmError> {
    Ok(find(call, name)
        .await?
        .filter(|plan| package::can_view(&call.principal, &plan.package)))
}

/// The caller's own reseller limits; `None` for root, whom no limits bind.
pub(crate) async fn caller_limits(call: &Call) -> Result<Option<ResellerLimits>, WhmError> {
    if call.principal.is_root() {
        return Ok(None);
    }
    let account = call
        .ctx
        .stores
        .accounts
        .account(&call.principal.user)
        .await?;
    Ok(account.and_then(|a| a.reseller).map(|r| r.limits))
}

/// The admission for writing an account owned by `owner` on `plan`: the package unchanged
/// since it was read and, when a reseller writes one of its own accounts, its limits.
pub(crate) async fn admission(
    call: &Call,
    plan: Option<&Plan>,
    owner: &str,
) -> Result<Admission, WhmError> {
    let limits = if owner == call.principal.user {
        caller_limits(call).await?
    } else {
        None
    };
    Ok(Admission {
        plan: plan.map(Plan::guard),
        limits,
        address: None,
    })
}
