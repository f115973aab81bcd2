//! create_cphulk_record, delete_cphulk_record and read_cphulk_records: cPHulk's white and
//! black lists of addresses and ranges.

use super::super::args::{optional, required};
use super::{check_enabled, requester};
use crate::registry::Call;
use futures::future::BoxFuture;
use ipnet::IpNet;
use serde_json::{Map, Value, json};
use whmd_domain::hulk::{BlockKind, HulkList, HulkRecord};
use whmd_domain::ip::{is_in, parse_range, show_range};
use whmd_domain::time::unix_now;
use whmd_wire::{Outcome, WhmError};

type Reply = BoxFuture<'static, Result<Outcome, WhmError>>;

/// The longest comment a record keeps.
const MAX_COMMENT: usize = 255;

/// `list_name`: `white` or `black`.
fn list_name(call: &Call) -> Result<HulkList, WhmError> {
    let name = required(&call.args, "list_name")?;
    HulkList::parse(name).ok_or_else(|| {
        WhmError::Reason(format!(
            "The list “{name}” does not exist: use “white” or “black”."
        ))
    })
}

/// The `ip`/`ip-N` arguments, split into ranges and refusals (text → reason).
fn ranges(call: &Call) -> Result<(Vec<IpNet>, Map<String, Value>), WhmError> {
    let given = call.args.list("ip");
    if given.is_empty() {
        return Err(WhmError::MissingParameter("ip"));
    }
    let mut ok = Vec::new();
    let mut failed = Map::new();
    for text in given {
        match parse_range(text) {
            Some(range) if !ok.contains(&range) => ok.push(range),
            Some(_) => {}
            None => {
                failed.insert(
                    text.to_owned(),
                    json!(format!("Invalid IP address or range: \"{text}\"")),
                );
            }
        }
    }
    Ok((ok, failed))
}

pub fn create_cphulk_record(call: Call) -> Reply {
    Box::pin(async move {
        let config = call.ctx.stores.hulk.hulk_config().await?;
        check_enabled(&call, &config)?;
        let list = list_name(&call)?;
        let comment = optional(&call.args, "comment").unwrap_or("").to_owned();
        if comment.chars().count() > MAX_COMMENT || comment.contains(['\n', '\r', '\0']) {
            return Err(WhmError::Reason(format!(
                "The comment must be one line of at most {MAX_COMMENT} characters."
            )));
        }
        let (added, failed) = ranges(&call)?;
        let records: Vec<HulkRecord> = added
            .iter()
            .map(|range| HulkRecord {
                range: *range,
                comment: comment.clone(),
            })
            .collect();
        call.ctx
            .stores
            .hulk
            .add_hulk_records(list, &records)
            .await?;
        // A whitelisted address is no longer blocked.
        let mut blocks_removed = 0;
        if list == HulkList::White {
            let blocked: Vec<_> = call
                .ctx
                .stores
                .hulk
                .hulk_blocks(unix_now())
                .await?
                .into_iter()
                .filter(|b| b.kind != BlockKind::User)
                .filter_map(|b| b.key.parse().ok())
                .filter(|ip| is_in(*ip, &added))
                .collect();
            if !blocked.is_empty() {
                blocks_removed = call.ctx.stores.hulk.flush_hulk(Some(&blocked)).await?;
            }
        }
        let mut data = Map::new();
        data.insert("list_name".into(), json!(list.name()));
        data.insert("comment".into(), json!(comment));
        data.insert(
            "ips_added".into(),
            json!(added.iter().map(show_range).collect::<Vec<_>>()),
        );
        data.insert("ips_failed".into(), Value::Object(failed));
        data.insert("ip_blocks_removed".into(), json!(blocks_removed));
        data.insert("iptable_bans_removed".into(), json!(0));
        requester(&call, &mut data).await?;
        Ok(Outcome::ok(data))
    })
}

pub fn delete_cphulk_record(call: Call) -> Reply {
    Box::pin(async move {
        let config = call.ctx.stores.hulk.hulk_config().await?;
        check_enabled(&call, &config)?;
        let list = list_name(&call)?;
        let (wanted, mut failed) = ranges(&call)?;
        let removed = call
            .ctx
            .stores
            .hulk
            .remove_hulk_records(list, &wanted)
            .await?;
        for range in wanted.iter().filter(|r| !removed.contains(r)) {
            let shown = show_range(range);
            failed.insert(
                shown.clone(),
                json!(format!("“{shown}” is not on the {} list.", list.name())),
            );
        }
        let mut data = Map::new();
        data.insert("list_name".into(), json!(list.name()));
        data.insert(
            "ips_removed".into(),
            json!(removed.iter().map(show_range).collect::<Vec<_>>()),
        );
        data.insert("ips_failed".into(), Value::Object(failed));
        requester(&call, &mut data).await?;
        Ok(Outcome::ok(data))
    })
}

pub fn read_cphulk_records(call: Call) -> Reply {
    Box::pin(async move {
        let config = call.ctx.stores.hulk.hulk_config().await?;
        check_enabled(&call, &config)?;
        let list = list_name(&call)?;
        let records = call.ctx.stores.hulk.hulk_records(list).await?;
        let mut data = Map::new();
        data.insert("list_name".into(), json!(list.name()));
        data.insert(
            "ips_in_list".into(),
            Value::Object(
                records
                    .iter()
                    .map(|r| (show_range(&r.range), json!(r.comment)))
                    .collect(),
            ),
        );
        requester(&call, &mut data).await?;
        data.insert("restart_ssh".into(), json!(0));
        if list == HulkList::White && data["requester_ip_is_whitelisted"] == 0 {
            data.insert(
                "warning_ip".into(),
                json!("Your IP address is not on the whitelist."),
            );
        }
        Ok(Outcome::ok(data))
    })
}
