//! resellerstats: what a reseller's accounts are allotted and use, in MB.
//! whmd measures no disk or bandwidth use yet, so the use figures are zero.

use crate::FunctionSpec;
use crate::function::function;
use crate::registry::Call;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use whmd_domain::account::Account;
use whmd_domain::time::{civil, unix_now};
use whmd_wire::params::Flag;
use whmd_wire::{Acl, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] = &[function!("resellerstats", Acl::ALL, Both, resellerstats)
    // API 0 clients name the reseller `reseller`.
    .aliases(&[("reseller", "user")])
    .read_only()];

const BYTES_PER_MB: u64 = 1_048_576;

/// The first year WHM keeps statistics for.
const FIRST_YEAR: i64 = 1996;

/// A month or year argument within `range`, or WHM's `Invalid “KEY”: VALUE`.
fn period(
    raw: Option<&str>,
    key: &str,
    range: std::ops::RangeInclusive<i64>,
    now: i64,
) -> Result<i64, WhmError> {
    match raw {
        None => Ok(now),
        Some(raw) => raw
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| WhmError::Reason(format!("Invalid “{key}”: {raw}"))),
    }
}

/// MB with two decimals, as the account records give them.
fn megabytes(value: Option<u64>) -> String {
    value.map_or_else(|| "unlimited".to_owned(), |mb| format!("{mb}.00"))
}

#[derive(Debug, Deserialize, JsonSchema)]
struct Resellerstats {
    /// The reseller (`reseller` in API 0), or root.
    user: String,
    /// 1 to 12; this month by default.
    month: Option<String>,
    /// This year by default.
    year: Option<String>,
    /// Leave suspended accounts out.
    #[serde(default)]
    filter_suspended: Flag<false>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct ResellerstatsResponse {
    reseller: Stats,
}

/// What a reseller's accounts are allotted and use, in MB.
#[derive(Debug, Serialize, JsonSchema)]
struct Stats {
    user: String,
    diskused: u64,
    totalbwused: u64,
    totaldiskalloc: String,
    totalbwalloc: String,
    bandwidthlimit: u64,
    diskquota: u64,
    bwoverselling: u8,
    diskoverselling: u8,
    month: i64,
    year: i64,
    acct: Vec<AccountStats>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct AccountStats {
    user: String,
    domain: String,
    package: String,
    suspended: u8,
    deleted: u8,
    diskused: &'static str,
    /// MB with two decimals, or `unlimited`.
    diskquota: String,
    bandwidthused: &'static str,
    /// MB with two decimals, or `unlimited`.
    bandwidthlimit: String,
}

fn record(a: &Account) -> AccountStats {
    AccountStats {
        user: a.user.clone(),
        domain: a.domain.clone(),
        package: a.plan.clone(),
        suspended: u8::from(a.suspension.is_some()),
        deleted: 0,
        diskused: "0.00",
        diskquota: megabytes(a.quota_mb),
        bandwidthused: "0.00",
        bandwidthlimit: megabytes(a.bwlimit_bytes().map(|b| b / BYTES_PER_MB)),
    }
}

async fn resellerstats(
    call: Call,
    req: Resellerstats,
) -> Result<Outcome<ResellerstatsResponse>, WhmError> {
    let user = req.user;
    let (year_now, month_now, ..) = civil(unix_now());
    let month = period(
        req.month.as_deref(),
        "month",
        1..=12,
        i64::try_from(month_now).unwrap_or(1),
    )?;
    let year = period(req.year.as_deref(), "year", FIRST_YEAR..=year_now, year_now)?;
    let limits = if user == "root" {
        None
    } else {
        let account = call.ctx.stores.accounts.account(&user).await?;
        let Some(reseller) = account.and_then(|a| a.reseller) else {
            return Err(WhmError::Reason(format!(
                "The user “{user}” is not a reseller."
            )));
        };
        Some(reseller.limits)
    };
    let mut accounts = call.ctx.stores.accounts.accounts(Some(&user)).await?;
    if req.filter_suspended.get() {
        accounts.retain(|a| a.suspension.is_none());
    }
    let disk_alloc: u64 = accounts.iter().filter_map(|a| a.quota_mb).sum();
    let bw_alloc: u64 = accounts
        .iter()
        .filter_map(Account::bwlimit_bytes)
        .sum::<u64>()
        / BYTES_PER_MB;
    let limits = limits.unwrap_or_default();
    let resources = limits.resource_limits_enabled;
    Ok(Outcome::ok(ResellerstatsResponse {
        reseller: Stats {
            diskused: 0,
            totalbwused: 0,
            totaldiskalloc: disk_alloc.to_string(),
            totalbwalloc: bw_alloc.to_string(),
            bandwidthlimit: if resources { limits.bandwidth_mb } else { 0 },
            diskquota: if resources { limits.disk_mb } else { 0 },
            bwoverselling: u8::from(limits.overselling && limits.oversell_bandwidth),
            diskoverselling: u8::from(limits.overselling && limits.oversell_disk),
            month,
            year,
            acct: accounts.iter().map(record).collect(),
            user,
        },
    }))
}
