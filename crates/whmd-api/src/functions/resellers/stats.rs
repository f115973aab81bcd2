//! resellerstats (FUNCTIONS.md §5): what a reseller's accounts are allotted and use, in MB.
//! whmd measures no disk or bandwidth use yet, so the use figures are zero.

use super::super::args::{optional, required};
use crate::registry::Call;
use crate::{Access, FunctionSpec, Versions};
use futures::future::BoxFuture;
use serde_json::{Map, Value, json};
use whmd_domain::account::Account;
use whmd_domain::time::{civil, unix_now};
use whmd_wire::{Acl, Outcome, WhmError};

pub const RESELLERSTATS: FunctionSpec = FunctionSpec::legacy(
    "resellerstats",
    Access::Acl(Acl::ALL),
    Versions::Both,
    resellerstats,
)
// API 0 clients name the reseller `reseller`.
.aliases(&[("reseller", "user")])
.read_only();

type Reply = BoxFuture<'static, Result<Outcome, WhmError>>;

const BYTES_PER_MB: u64 = 1_048_576;

/// The first year WHM keeps statistics for.
const FIRST_YEAR: i64 = 1996;

/// A month or year argument within `range`, or WHM's `Invalid “KEY”: VALUE`.
fn period(
    call: &Call,
    key: &str,
    range: std::ops::RangeInclusive<i64>,
    now: i64,
) -> Result<i64, WhmError> {
    match optional(&call.args, key) {
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
fn megabytes(value: Option<u64>) -> Value {
    value.map_or_else(|| json!("unlimited"), |mb| json!(format!("{mb}.00")))
}

fn record(a: &Account) -> Value {
    json!({
        "user": a.user,
        "domain": a.domain,
        "package": a.plan,
        "suspended": u8::from(a.suspension.is_some()),
        "deleted": 0,
        "diskused": "0.00",
        "diskquota": megabytes(a.quota_mb),
        "bandwidthused": "0.00",
        "bandwidthlimit": megabytes(a.bwlimit_bytes().map(|b| b / BYTES_PER_MB)),
    })
}

fn resellerstats(call: Call) -> Reply {
    Box::pin(async move {
        let user = required(&call.args, "user")?.to_owned();
        let (year_now, month_now, ..) = civil(unix_now());
        let month = period(
            &call,
            "month",
            1..=12,
            i64::try_from(month_now).unwrap_or(1),
        )?;
        let year = period(&call, "year", FIRST_YEAR..=year_now, year_now)?;
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
        if call.args.is_true("filter_suspended") {
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
        let mut data = Map::new();
        data.insert(
            "reseller".into(),
            json!({
                "user": user,
                "diskused": 0,
                "totalbwused": 0,
                "totaldiskalloc": disk_alloc.to_string(),
                "totalbwalloc": bw_alloc.to_string(),
                "bandwidthlimit": if resources { limits.bandwidth_mb } else { 0 },
                "diskquota": if resources { limits.disk_mb } else { 0 },
                "bwoverselling": u8::from(limits.overselling && limits.oversell_bandwidth),
                "diskoverselling": u8::from(limits.overselling && limits.oversell_disk),
                "month": month,
                "year": year,
                "acct": accounts.iter().map(record).collect::<Vec<_>>(),
            }),
        );
        Ok(Outcome::ok(data))
    })
}
