//! cPHulk, brute-force protection (PROTOCOL.md §2.5): its switch and settings (`settings`),
//! the failed logins and blocks it keeps (`history`), and its white and black lists
//! (`lists`). All are root's.

mod history;
mod lists;
mod settings;

use crate::registry::{Call, Handler};
use crate::{Access, FunctionSpec, Versions};
use serde_json::{Map, Value, json};
use whmd_domain::hulk::HulkConfig;
use whmd_domain::ip;
use whmd_wire::{Acl, WhmError};

const fn root_function(name: &'static str, handler: Handler) -> FunctionSpec {
    FunctionSpec::legacy(name, Access::Acl(Acl::ALL), Versions::V1, handler)
}

pub const FUNCTIONS: &[FunctionSpec] = &[
    root_function("cphulk_status", settings::cphulk_status).read_only(),
    root_function("enable_cphulk", settings::enable_cphulk),
    root_function("disable_cphulk", settings::disable_cphulk),
    root_function("load_cphulk_config", settings::load_cphulk_config).read_only(),
    root_function("save_cphulk_config", settings::save_cphulk_config),
    root_function(
        "get_cphulk_failed_logins",
        history::get_cphulk_failed_logins,
    )
    .read_only()
    .list("failed_logins"),
    root_function("get_cphulk_brutes", history::get_cphulk_brutes)
        .read_only()
        .list("brutes"),
    root_function(
        "get_cphulk_excessive_brutes",
        history::get_cphulk_excessive_brutes,
    )
    .read_only()
    .list("excessive_brutes"),
    root_function(
        "flush_cphulk_login_history",
        history::flush_cphulk_login_history,
    ),
    root_function(
        "flush_cphulk_login_history_for_ips",
        history::flush_cphulk_login_history_for_ips,
    ),
    root_function("create_cphulk_record", lists::create_cphulk_record),
    root_function("delete_cphulk_record", lists::delete_cphulk_record),
    root_function("read_cphulk_records", lists::read_cphulk_records).read_only(),
];

/// The refusal of functions that check cPHulk runs, unless `skip_enabled_check`.
fn check_enabled(call: &Call, config: &HulkConfig) -> Result<(), WhmError> {
    if config.is_enabled || call.args.is_true("skip_enabled_check") {
        Ok(())
    } else {
        Err(WhmError::reason("cPHulk is disabled on the server."))
    }
}

/// `requester_ip` and `requester_ip_is_whitelisted`, which the list functions report.
async fn requester(call: &Call, data: &mut Map<String, Value>) -> Result<(), WhmError> {
    let white = call
        .ctx
        .stores
        .hulk
        .hulk_records(whmd_domain::hulk::HulkList::White)
        .await?;
    let ranges: Vec<_> = white.into_iter().map(|r| r.range).collect();
    let peer = call.peer.map(ip::canonical);
    data.insert("requester_ip".into(), json!(peer.map(|p| p.to_string())));
    data.insert(
        "requester_ip_is_whitelisted".into(),
        json!(u8::from(peer.is_some_and(|p| ip::is_in(p, &ranges)))),
    );
    Ok(())
}
