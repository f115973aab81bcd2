//! resellerstats: what a reseller's accounts are allotted and use, in MB.
//! whmd measures no disk or bandwidth use yet, so the use figures are zero.

use super::super::accounts::{AccountRecords, RecordOf};
use crate::FunctionSpec;
use crate::function::{WithList, function};
use crate::registry::Call;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use whmd_domain::account::Account;
use whmd_domain::store::Usage;
use whmd_domain::time::{civil, unix_now};
use whmd_wire::params::Flag;
use whmd_wire::{Acl, Listing, Outcome, WhmError};

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

/// resellerstats' account records: each account, or those not suspended.
struct StatsRecord {
    filter_suspended: bool,
}

impl RecordOf for StatsRecord {
    fn record(&self, a: &Account, _: Option<&Usage>) -> Option<Value> {
        if self.filter_suspended && a.suspension.is_some() {
            return None;
        }
        serde_json::to_value(AccountStats {
            user: a.user.clone(),
            domain: a.domain.clone(),
            package: a.plan.clone(),
            suspended: u8::from(a.suspension.is_some()),
            deleted: 0,
            diskused: "0.00",
            diskquota: megabytes(a.quota_mb),
            bandwidthused: "0.00",
            bandwidthlimit: megabytes(a.bwlimit_bytes().map(|b| b / BYTES_PER_MB)),
        })
        .ok()
    }
}

async fn resellerstats(
    call: Call,
    req: Resellerstats,
) -> Result<Outcome<WithList<ResellerstatsResponse>>, WhmError> {
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
    let counts = call.ctx.stores.accounts.owned_counts(&user).await?;
    let filter_suspended = req.filter_suspended.get();
    let allotted = if filter_suspended {
        counts.allotted_active
    } else {
        counts.allotted
    };
    let records = AccountRecords::new(&call.ctx, Some(&user), StatsRecord { filter_suspended });
    let listing = Listing::start(records)
        .await?
        .unwrap_or_else(|| Listing::of(Vec::new()))
        .at(&["reseller", "acct"]);
    let limits = limits.unwrap_or_default();
    let resources = limits.resource_limits_enabled;
    let data = ResellerstatsResponse {
        reseller: Stats {
            diskused: 0,
            totalbwused: 0,
            totaldiskalloc: allotted.disk_mb.to_string(),
            totalbwalloc: (allotted.bandwidth_bytes / BYTES_PER_MB).to_string(),
            bandwidthlimit: if resources { limits.bandwidth_mb } else { 0 },
            diskquota: if resources { limits.disk_mb } else { 0 },
            bwoverselling: u8::from(limits.overselling && limits.oversell_bandwidth),
            diskoverselling: u8::from(limits.overselling && limits.oversell_disk),
            month,
            year,
            // Written from `listing` as the reply is sent.
            acct: Vec::new(),
            user,
        },
    };
    Ok(Outcome::ok(WithList::new(data, listing)))
}
