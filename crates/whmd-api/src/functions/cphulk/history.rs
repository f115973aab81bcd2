//! get_cphulk_failed_logins, get_cphulk_brutes, get_cphulk_excessive_brutes,
//! flush_cphulk_login_history and flush_cphulk_login_history_for_ips.

use crate::registry::Call;
use futures::future::BoxFuture;
use serde_json::{Map, Value, json};
use std::net::IpAddr;
use whmd_domain::hulk::{Block, BlockKind};
use whmd_domain::time::{iso8601, unix_now};
use whmd_wire::{Outcome, WhmError};

type Reply = BoxFuture<'static, Result<Outcome, WhmError>>;

/// Whole minutes from `now` until `until`, rounded up.
fn minutes_left(until: i64, now: i64) -> i64 {
    ((until - now).max(0) + 59) / 60
}

pub fn get_cphulk_failed_logins(call: Call) -> Reply {
    Box::pin(async move {
        let now = unix_now();
        let config = call.ctx.stores.hulk.hulk_config().await?;
        let lookback = i64::from(config.lookback_period_min) * 60;
        let failures = call.ctx.stores.hulk.failed_logins(now - lookback).await?;
        let records: Vec<Value> = failures
            .iter()
            .map(|f| {
                json!({
                    "user": f.user,
                    "ip": f.ip.to_string(),
                    "service": f.service,
                    "authservice": f.authservice,
                    "logintime": iso8601(f.time),
                    "exptime": iso8601(f.time + lookback),
                    "timeleft": minutes_left(f.time + lookback, now),
                })
            })
            .collect();
        let mut data = Map::new();
        data.insert("failed_logins".into(), Value::Array(records));
        Ok(Outcome::ok(data))
    })
}

/// The address blocks of one kind in force, as cPHulk's records.
async fn blocks(call: &Call, kind: BlockKind, key: &str) -> Result<Outcome, WhmError> {
    let now = unix_now();
    let blocks: Vec<Block> = call.ctx.stores.hulk.hulk_blocks(now).await?;
    let records: Vec<Value> = blocks
        .iter()
        .filter(|b| b.kind == kind)
        .map(|b| {
            json!({
                "ip": b.key,
                "logintime": iso8601(b.since),
                "exptime": iso8601(b.until),
                "timeleft": minutes_left(b.until, now),
                "notes": b.notes,
            })
        })
        .collect();
    let mut data = Map::new();
    data.insert(key.into(), Value::Array(records));
    Ok(Outcome::ok(data))
}

pub fn get_cphulk_brutes(call: Call) -> Reply {
    Box::pin(async move { blocks(&call, BlockKind::Brute, "brutes").await })
}

pub fn get_cphulk_excessive_brutes(call: Call) -> Reply {
    Box::pin(async move { blocks(&call, BlockKind::Excessive, "excessive_brutes").await })
}

pub fn flush_cphulk_login_history(call: Call) -> Reply {
    Box::pin(async move {
        let removed = call.ctx.stores.hulk.flush_hulk(None).await?;
        let mut data = Map::new();
        data.insert("records_removed".into(), json!(removed));
        Ok(Outcome::ok(data))
    })
}

pub fn flush_cphulk_login_history_for_ips(call: Call) -> Reply {
    Box::pin(async move {
        let given = call.args.list("ip");
        if given.is_empty() {
            return Err(WhmError::MissingParameter("ip"));
        }
        let mut ips: Vec<IpAddr> = Vec::with_capacity(given.len());
        for text in given {
            let ip = text
                .trim()
                .parse::<IpAddr>()
                .map_err(|_| WhmError::Reason(format!("Invalid IP address: “{text}”")))?;
            ips.push(whmd_domain::ip::canonical(ip));
        }
        let removed = call.ctx.stores.hulk.flush_hulk(Some(&ips)).await?;
        let mut data = Map::new();
        data.insert("records_removed".into(), json!(removed));
        // No firewall, so no firewall bans to lift.
        data.insert("iptable_bans_removed".into(), json!(0));
        Ok(Outcome::ok(data))
    })
}
