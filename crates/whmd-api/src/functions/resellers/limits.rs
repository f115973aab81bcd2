//! setresellerlimits, setresellerpackagelimit and acctcounts.

use super::super::{CHANGED_MEANWHILE, packages};
use super::{LISTED, named_reseller};
use crate::FunctionSpec;
use crate::function::{NoData, function};
use crate::registry::Call;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use whmd_domain::StoreError;
use whmd_domain::account::{Account, require_access};
use whmd_domain::reseller::{PackageLimit, ResellerLimits};
use whmd_domain::store::AccountChange;
use whmd_domain::time::unix_now;
use whmd_wire::params::Flag;
use whmd_wire::{Acl, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] = &[
    function!("setresellerlimits", Acl::ALL, Both, setresellerlimits).api0(LISTED),
    function!(
        "setresellerpackagelimit",
        Acl::ALL,
        Both,
        setresellerpackagelimit
    )
    .api0(LISTED),
    function!("acctcounts", Acl::ACCT_SUMMARY, Both, acctcounts).read_only(),
];

const NOT_A_RESELLER: &str = "Specified user is not a reseller.";

/// An unsigned number argument, when given.
fn number(raw: Option<&str>, key: &str) -> Result<Option<u64>, WhmError> {
    raw.map(|raw| {
        raw.trim()
            .parse::<u64>()
            .map_err(|_| WhmError::Reason(format!("Invalid value “{raw}” for “{key}”.")))
    })
    .transpose()
}

/// Stores a reseller whose limits changed.
async fn save(call: &Call, account: &mut Account) -> Result<Outcome<NoData>, WhmError> {
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

/// Each limit and switch given changes; the rest stay as they are.
#[derive(Debug, Deserialize, JsonSchema)]
struct Setresellerlimits {
    user: String,
    /// How many accounts the reseller may have.
    account_limit: Option<String>,
    /// MB the reseller's accounts may be given in all.
    diskspace_limit: Option<String>,
    /// MB a month the reseller's accounts may be given in all.
    bandwidth_limit: Option<String>,
    enable_account_limit: Option<bool>,
    enable_resource_limits: Option<bool>,
    /// Without either kind named, turning overselling on oversells both.
    enable_overselling: Option<bool>,
    enable_overselling_diskspace: Option<bool>,
    enable_overselling_bandwidth: Option<bool>,
    enable_package_limits: Option<bool>,
    enable_package_limit_numbers: Option<bool>,
}

async fn setresellerlimits(
    call: Call,
    req: Setresellerlimits,
) -> Result<Outcome<NoData>, WhmError> {
    let mut account = named_reseller(&call, &req.user, NOT_A_RESELLER).await?;
    let (accounts, disk, bandwidth) = (
        number(req.account_limit.as_deref(), "account_limit")?,
        number(req.diskspace_limit.as_deref(), "diskspace_limit")?,
        number(req.bandwidth_limit.as_deref(), "bandwidth_limit")?,
    );
    let limits = limits_of(&mut account)?;
    let set = |value: Option<bool>, field: &mut bool| {
        if let Some(v) = value {
            *field = v;
        }
    };
    set(req.enable_account_limit, &mut limits.account_limit_enabled);
    set(
        req.enable_resource_limits,
        &mut limits.resource_limits_enabled,
    );
    set(req.enable_overselling, &mut limits.overselling);
    set(req.enable_overselling_diskspace, &mut limits.oversell_disk);
    set(
        req.enable_overselling_bandwidth,
        &mut limits.oversell_bandwidth,
    );
    set(req.enable_package_limits, &mut limits.package_limits);
    set(
        req.enable_package_limit_numbers,
        &mut limits.package_limit_numbers,
    );
    // Overselling turned on without saying which kind oversells both.
    if req.enable_overselling == Some(true)
        && req.enable_overselling_diskspace.is_none()
        && req.enable_overselling_bandwidth.is_none()
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
}

#[derive(Debug, Deserialize, JsonSchema)]
struct Setresellerpackagelimit {
    user: String,
    package: String,
    /// How many accounts on the package the reseller may have (at least 1).
    number: Option<String>,
    /// Whether the reseller may use the package at all.
    allowed: Option<bool>,
    /// No limit on the number.
    #[serde(default)]
    no_limit: Flag<false>,
}

async fn setresellerpackagelimit(
    call: Call,
    req: Setresellerpackagelimit,
) -> Result<Outcome<NoData>, WhmError> {
    let mut account = named_reseller(&call, &req.user, NOT_A_RESELLER).await?;
    let package = req.package;
    if packages::find(&call, &package).await?.is_none() {
        return Err(WhmError::reason("Specified package does not exist."));
    }
    let number = number(req.number.as_deref(), "number")?;
    if number == Some(0) {
        return Err(WhmError::reason(
            "Invalid value “0” for “number”: use no_limit=1 for no limit.",
        ));
    }
    let (allowed, no_limit) = (req.allowed, req.no_limit.get());
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
}

#[derive(Debug, Deserialize, JsonSchema)]
struct Acctcounts {
    /// The reseller; the caller by default.
    user: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct AcctcountsResponse {
    reseller: AccountCounts,
}

#[derive(Debug, Serialize, JsonSchema)]
struct AccountCounts {
    user: String,
    active: u64,
    suspended: u64,
    /// The account limit, or the empty string when there is none.
    limit: Value,
}

async fn acctcounts(call: Call, req: Acctcounts) -> Result<Outcome<AcctcountsResponse>, WhmError> {
    let user = req.user.unwrap_or_else(|| call.principal.user.clone());
    let limit: Value = if user == "root" && call.principal.is_root() {
        json!("")
    } else {
        let account = call.ctx.stores.accounts.account(&user).await?;
        let account = require_access(&call.principal, &user, account).map_err(WhmError::Reason)?;
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
    // Counted in the store: a reseller's thousands of accounts are not read for two numbers.
    let counts = call.ctx.stores.accounts.owned_counts(&user).await?;
    Ok(Outcome::ok(AcctcountsResponse {
        reseller: AccountCounts {
            user,
            active: counts.total - counts.suspended,
            suspended: counts.suspended,
            limit,
        },
    }))
}
