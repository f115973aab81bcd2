//! setresellerlimits, setresellerpackagelimit and acctcounts (FUNCTIONS.md §5).

use super::super::args::{optional, required};
use super::super::{CHANGED_MEANWHILE, packages};
use super::{LISTED, named_reseller};
use crate::registry::Call;
use crate::{Access, FunctionSpec, Versions};
use futures::future::BoxFuture;
use serde_json::{Map, Value, json};
use whmd_domain::StoreError;
use whmd_domain::account::{Account, require_access};
use whmd_domain::reseller::{PackageLimit, ResellerLimits};
use whmd_domain::store::AccountChange;
use whmd_domain::time::unix_now;
use whmd_wire::{Acl, Outcome, WhmError};

pub const SETRESELLERLIMITS: FunctionSpec = FunctionSpec::legacy(
    "setresellerlimits",
    Access::Acl(Acl::ALL),
    Versions::Both,
    setresellerlimits,
)
.api0(LISTED);
pub const SETRESELLERPACKAGELIMIT: FunctionSpec = FunctionSpec::legacy(
    "setresellerpackagelimit",
    Access::Acl(Acl::ALL),
    Versions::Both,
    setresellerpackagelimit,
)
.api0(LISTED);
pub const ACCTCOUNTS: FunctionSpec = FunctionSpec::legacy(
    "acctcounts",
    Access::Acl(Acl::ACCT_SUMMARY),
    Versions::Both,
    acctcounts,
)
.read_only();

type Reply = BoxFuture<'static, Result<Outcome, WhmError>>;

const NOT_A_RESELLER: &str = "Specified user is not a reseller.";

/// An unsigned number argument, when given.
fn number(call: &Call, key: &str) -> Result<Option<u64>, WhmError> {
    optional(&call.args, key)
        .map(|raw| {
            raw.trim()
                .parse::<u64>()
                .map_err(|_| WhmError::Reason(format!("Invalid value “{raw}” for “{key}”.")))
        })
        .transpose()
}

/// A 0/1 argument, when given.
fn switch(call: &Call, key: &str) -> Option<bool> {
    optional(&call.args, key).map(|_| call.args.is_true(key))
}

/// Stores a reseller whose limits changed.
async fn save(call: &Call, account: &mut Account) -> Result<Outcome, WhmError> {
    account.mtime = unix_now();
    let user = account.user.clone();
    let change = AccountChange::update(user, account.clone(), vec![]);
    match call.ctx.stores.accounts.change(&change).await {
        Ok(_) => Ok(Outcome::done()),
        Err(StoreError::Conflict(_)) => Err(WhmError::reason(CHANGED_MEANWHILE)),
        Err(e) => Err(e.into()),
    }
}

/// The reseller's limits, to change in place.
fn limits_of(account: &mut Account) -> Result<&mut ResellerLimits, WhmError> {
    account
        .reseller
        .as_mut()
        .map(|r| &mut r.limits)
        .ok_or_else(|| WhmError::reason(NOT_A_RESELLER))
}

fn setresellerlimits(call: Call) -> Reply {
    Box::pin(async move {
        let mut account = named_reseller(&call, NOT_A_RESELLER).await?;
        let (accounts, disk, bandwidth) = (
            number(&call, "account_limit")?,
            number(&call, "diskspace_limit")?,
            number(&call, "bandwidth_limit")?,
        );
        let limits = limits_of(&mut account)?;
        let set = |value: Option<bool>, field: &mut bool| {
            if let Some(v) = value {
                *field = v;
            }
        };
        set(
            switch(&call, "enable_account_limit"),
            &mut limits.account_limit_enabled,
        );
        set(
            switch(&call, "enable_resource_limits"),
            &mut limits.resource_limits_enabled,
        );
        set(switch(&call, "enable_overselling"), &mut limits.overselling);
        set(
            switch(&call, "enable_overselling_diskspace"),
            &mut limits.oversell_disk,
        );
        set(
            switch(&call, "enable_overselling_bandwidth"),
            &mut limits.oversell_bandwidth,
        );
        set(
            switch(&call, "enable_package_limits"),
            &mut limits.package_limits,
        );
        set(
            switch(&call, "enable_package_limit_numbers"),
            &mut limits.package_limit_numbers,
        );
        // Overselling turned on without saying which kind oversells both.
        if switch(&call, "enable_overselling") == Some(true)
            && switch(&call, "enable_overselling_diskspace").is_none()
            && switch(&call, "enable_overselling_bandwidth").is_none()
        {
            limits.oversell_disk = true;
            limits.oversell_bandwidth = true;
        }
        if let Some(n) = accounts {
            limits.account_limit = n;
        }
        if let Some(mb) = disk {
            limits.disk_mb = mb;
        }
        if let Some(mb) = bandwidth {
            limits.bandwidth_mb = mb;
        }
        save(&call, &mut account).await
    })
}

fn setresellerpackagelimit(call: Call) -> Reply {
    Box::pin(async move {
        let mut account = named_reseller(&call, NOT_A_RESELLER).await?;
        let package = required(&call.args, "package")?.to_owned();
        if packages::find(&call, &package).await?.is_none() {
            return Err(WhmError::reason("Specified package does not exist."));
        }
        let number = number(&call, "number")?;
        if number == Some(0) {
            return Err(WhmError::reason(
                "Invalid value “0” for “number”: use no_limit=1 for no limit.",
            ));
        }
        let (allowed, no_limit) = (switch(&call, "allowed"), call.args.is_true("no_limit"));
        let limits = limits_of(&mut account)?;
        let entry = limits.packages.entry(package).or_insert(PackageLimit {
            allowed: true,
            number: None,
        });
        if let Some(allowed) = allowed {
            entry.allowed = allowed;
        }
        if no_limit {
            entry.number = None;
        } else if number.is_some() {
            entry.number = number;
        }
        save(&call, &mut account).await
    })
}

fn acctcounts(call: Call) -> Reply {
    Box::pin(async move {
        let caller = call.principal.user.clone();
        let user = optional(&call.args, "user").unwrap_or(&caller).to_owned();
        let limit: Value = if user == "root" && call.principal.is_root() {
            json!("")
        } else {
            let account = call.ctx.stores.accounts.account(&user).await?;
            let account =
                require_access(&call.principal, &user, account).map_err(WhmError::Reason)?;
            let Some(reseller) = account.reseller else {
                return Err(WhmError::reason("Not a reseller."));
            };
            let l = reseller.limits;
            if l.account_limit_enabled {
                json!(l.account_limit)
            } else {
                json!("")
            }
        };
        let owned = call.ctx.stores.accounts.accounts(Some(&user)).await?;
        let suspended = owned.iter().filter(|a| a.suspension.is_some()).count();
        let mut data = Map::new();
        data.insert(
            "reseller".into(),
            json!({
                "user": user,
                "active": owned.len() - suspended,
                "suspended": suspended,
                "limit": limit,
            }),
        );
        Ok(Outcome::ok(data))
    })
}
