//! get_cphulk_failed_logins, get_cphulk_brutes, get_cphulk_excessive_brutes,
//! flush_cphulk_login_history and flush_cphulk_login_history_for_ips.

use crate::FunctionSpec;
use crate::function::function;
use crate::registry::Call;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use whmd_domain::hulk::{Block, BlockKind};
use whmd_domain::time::{iso8601, unix_now};
use whmd_wire::{Acl, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] = &[
    function!(
        "get_cphulk_failed_logins",
        Acl::ALL,
        V1,
        get_cphulk_failed_logins
    )
    .read_only()
    .list("failed_logins"),
    function!("get_cphulk_brutes", Acl::ALL, V1, get_cphulk_brutes)
        .read_only()
        .list("brutes"),
    function!(
        "get_cphulk_excessive_brutes",
        Acl::ALL,
        V1,
        get_cphulk_excessive_brutes
    )
    .read_only()
    .list("excessive_brutes"),
    function!(
        "flush_cphulk_login_history",
        Acl::ALL,
        V1,
        flush_cphulk_login_history
    ),
    function!(
        "flush_cphulk_login_history_for_ips",
        Acl::ALL,
        V1,
        flush_cphulk_login_history_for_ips
    ),
];

#[derive(Debug, Serialize, JsonSchema)]
struct FailedLogins {
    failed_logins: Vec<FailedLogin>,
}

/// A failed login still counted (times in ISO 8601; `timeleft` in minutes).
#[derive(Debug, Serialize, JsonSchema)]
struct FailedLogin {
    user: String,
    ip: String,
    service: String,
    authservice: String,
    logintime: String,
    exptime: String,
    timeleft: i64,
}

/// A block in force (times in ISO 8601; `timeleft` in minutes).
#[derive(Debug, Serialize, JsonSchema)]
struct BlockRecord {
    ip: String,
    logintime: String,
    exptime: String,
    timeleft: i64,
    notes: String,
}

#[derive(Debug, Serialize, JsonSchema)]
struct Brutes {
    brutes: Vec<BlockRecord>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct ExcessiveBrutes {
    excessive_brutes: Vec<BlockRecord>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct Flushed {
    records_removed: u64,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct FlushForIps {
    /// Addresses, repeated (or `ip-N`).
    ip: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct FlushedForIps {
    records_removed: u64,
    /// Always 0: whmd keeps no firewall bans.
    iptable_bans_removed: u8,
}

/// Whole minutes from `now` until `until`, rounded up.
fn minutes_left(until: i64, now: i64) -> i64 {
    ((until - now).max(0) + 59) / 60
}

async fn get_cphulk_failed_logins(call: Call, _: ()) -> Result<Outcome<FailedLogins>, WhmError> {
    let now = unix_now();
    let config = call.ctx.stores.hulk.hulk_config().await?;
    let lookback = i64::from(config.lookback_period_min) * 60;
    let failures = call.ctx.stores.hulk.failed_logins(now - lookback).await?;
    let failed_logins = failures
        .into_iter()
        .map(|f| FailedLogin {
            ip: f.ip.to_string(),
            user: f.user,
            service: f.service,
            authservice: f.authservice,
            logintime: iso8601(f.time),
            exptime: iso8601(f.time + lookback),
            timeleft: minutes_left(f.time + lookback, now),
        })
        .collect();
    Ok(Outcome::ok(FailedLogins { failed_logins }))
}

/// The address blocks of one kind in force, as cPHulk's records.
async fn blocks(call: &Call, kind: BlockKind) -> Result<Vec<BlockRecord>, WhmError> {
    let now = unix_now();
    let blocks: Vec<Block> = call.ctx.stores.hulk.hulk_blocks(now).await?;
    Ok(blocks
        .into_iter()
        .filter(|b| b.kind == kind)
        .map(|b| BlockRecord {
            ip: b.key,
            logintime: iso8601(b.since),
            exptime: iso8601(b.until),
            timeleft: minutes_left(b.until, now),
            notes: b.notes,
        })
        .collect())
}

async fn get_cphulk_brutes(call: Call, _: ()) -> Result<Outcome<Brutes>, WhmError> {
    let brutes = blocks(&call, BlockKind::Brute).await?;
    Ok(Outcome::ok(Brutes { brutes }))
}

async fn get_cphulk_excessive_brutes(
    call: Call,
    _: (),
) -> Result<Outcome<ExcessiveBrutes>, WhmError> {
    let excessive_brutes = blocks(&call, BlockKind::Excessive).await?;
    Ok(Outcome::ok(ExcessiveBrutes { excessive_brutes }))
}

async fn flush_cphulk_login_history(call: Call, _: ()) -> Result<Outcome<Flushed>, WhmError> {
    let records_removed = call.ctx.stores.hulk.flush_hulk(None).await?;
    Ok(Outcome::ok(Flushed { records_removed }))
}

async fn flush_cphulk_login_history_for_ips(
    call: Call,
    req: FlushForIps,
) -> Result<Outcome<FlushedForIps>, WhmError> {
    let mut ips: Vec<IpAddr> = Vec::with_capacity(req.ip.len());
    for text in &req.ip {
        let ip = text
            .trim()
            .parse::<IpAddr>()
            .map_err(|_| WhmError::Reason(format!("Invalid IP address: “{text}”")))?;
        ips.push(whmd_domain::ip::canonical(ip));
    }
    let records_removed = call.ctx.stores.hulk.flush_hulk(Some(&ips)).await?;
    // No firewall, so no firewall bans to lift.
    Ok(Outcome::ok(FlushedForIps {
        records_removed,
        iptable_bans_removed: 0,
    }))
}
