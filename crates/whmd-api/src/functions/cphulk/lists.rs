//! create_cphulk_record, delete_cphulk_record and read_cphulk_records: cPHulk's white and
//! black lists of addresses and ranges.

use super::{Requester, check_enabled, requester};
use crate::FunctionSpec;
use crate::function::function;
use crate::registry::Call;
use indexmap::IndexMap;
use ipnet::IpNet;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use whmd_domain::hulk::{BlockKind, HulkList, HulkRecord};
use whmd_domain::ip::{is_in, parse_range, show_range};
use whmd_domain::time::unix_now;
use whmd_wire::params::Flag;
use whmd_wire::{Acl, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] = &[
    function!("create_cphulk_record", Acl::ALL, V1, create_cphulk_record),
    function!("delete_cphulk_record", Acl::ALL, V1, delete_cphulk_record),
    function!("read_cphulk_records", Acl::ALL, V1, read_cphulk_records).read_only(),
];

#[derive(Debug, Deserialize, JsonSchema)]
struct CreateCphulkRecord {
    /// `white` or `black`.
    list_name: String,
    /// Addresses or CIDR ranges, repeated (or `ip-N`).
    ip: Vec<String>,
    /// At most 255 characters, one line.
    comment: Option<String>,
    /// Change the lists even when cPHulk is off.
    #[serde(default)]
    skip_enabled_check: Flag<false>,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct DeleteCphulkRecord {
    /// `white` or `black`.
    list_name: String,
    /// Addresses or CIDR ranges, repeated (or `ip-N`).
    ip: Vec<String>,
    #[serde(default)]
    skip_enabled_check: Flag<false>,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct ReadCphulkRecords {
    /// `white` or `black`.
    list_name: String,
    #[serde(default)]
    skip_enabled_check: Flag<false>,
}

/// Why each address given was not taken, by the text sent.
type Failed = IndexMap<String, String>;

#[derive(Debug, Serialize, JsonSchema)]
struct Added {
    list_name: &'static str,
    comment: String,
    ips_added: Vec<String>,
    ips_failed: Failed,
    /// Blocks lifted because their address is now whitelisted.
    ip_blocks_removed: u64,
    iptable_bans_removed: u8,
    #[serde(flatten)]
    requester: Requester,
}

#[derive(Debug, Serialize, JsonSchema)]
struct Removed {
    list_name: &'static str,
    ips_removed: Vec<String>,
    ips_failed: Failed,
    #[serde(flatten)]
    requester: Requester,
}

#[derive(Debug, Serialize, JsonSchema)]
struct Records {
    list_name: &'static str,
    /// Each address or range, with its comment.
    ips_in_list: IndexMap<String, String>,
    #[serde(flatten)]
    requester: Requester,
    restart_ssh: u8,
    /// Only when the caller's own address is not on the whitelist being read.
    #[serde(skip_serializing_if = "Option::is_none")]
    warning_ip: Option<&'static str>,
}

/// The longest comment a record keeps.
const MAX_COMMENT: usize = 255;

/// `list_name`: `white` or `black`.
fn list_name(name: &str) -> Result<HulkList, WhmError> {
    HulkList::parse(name).ok_or_else(|| {
        WhmError::Reason(format!(
            "The list “{name}” does not exist: use “white” or “black”."
        ))
    })
}

/// The `ip`/`ip-N` arguments, split into ranges and refusals (text → reason).
fn ranges(given: &[String]) -> (Vec<IpNet>, Failed) {
    let mut ok = Vec::new();
    let mut failed = Failed::new();
    for text in given {
        match parse_range(text) {
            Some(range) if !ok.contains(&range) => ok.push(range),
            Some(_) => {}
            None => {
                failed.insert(
                    text.clone(),
                    format!("Invalid IP address or range: \"{text}\""),
                );
            }
        }
    }
    (ok, failed)
}

async fn create_cphulk_record(
    call: Call,
    req: CreateCphulkRecord,
) -> Result<Outcome<Added>, WhmError> {
    let config = call.ctx.stores.hulk.hulk_config().await?;
    check_enabled(req.skip_enabled_check.get(), &config)?;
    let list = list_name(&req.list_name)?;
    let comment = req.comment.unwrap_or_default();
    if comment.chars().count() > MAX_COMMENT || comment.contains(['\n', '\r', '\0']) {
        return Err(WhmError::Reason(format!(
            "The comment must be one line of at most {MAX_COMMENT} characters."
        )));
    }
    let (added, failed) = ranges(&req.ip);
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
    Ok(Outcome::ok(Added {
        list_name: list.name(),
        comment,
        ips_added: added.iter().map(show_range).collect(),
        ips_failed: failed,
        ip_blocks_removed: blocks_removed,
        iptable_bans_removed: 0,
        requester: requester(&call).await?,
    }))
}

async fn delete_cphulk_record(
    call: Call,
    req: DeleteCphulkRecord,
) -> Result<Outcome<Removed>, WhmError> {
    let config = call.ctx.stores.hulk.hulk_config().await?;
    check_enabled(req.skip_enabled_check.get(), &config)?;
    let list = list_name(&req.list_name)?;
    let (wanted, mut failed) = ranges(&req.ip);
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
            format!("“{shown}” is not on the {} list.", list.name()),
        );
    }
    Ok(Outcome::ok(Removed {
        list_name: list.name(),
        ips_removed: removed.iter().map(show_range).collect(),
        ips_failed: failed,
        requester: requester(&call).await?,
    }))
}

async fn read_cphulk_records(
    call: Call,
    req: ReadCphulkRecords,
) -> Result<Outcome<Records>, WhmError> {
    let config = call.ctx.stores.hulk.hulk_config().await?;
    check_enabled(req.skip_enabled_check.get(), &config)?;
    let list = list_name(&req.list_name)?;
    let records = call.ctx.stores.hulk.hulk_records(list).await?;
    let requester = requester(&call).await?;
    let warning_ip = (list == HulkList::White && requester.requester_ip_is_whitelisted == 0)
        .then_some("Your IP address is not on the whitelist.");
    Ok(Outcome::ok(Records {
        list_name: list.name(),
        ips_in_list: records
            .into_iter()
            .map(|r| (show_range(&r.range), r.comment))
            .collect(),
        requester,
        restart_ssh: 0,
        warning_ip,
    }))
}
