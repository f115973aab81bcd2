//! cPHulk, brute-force protection: its switch and settings (`settings`),
//! the failed logins and blocks it keeps (`history`), and its white and black lists
//! (`lists`). All are root's.

mod history;
mod lists;
mod settings;

use crate::registry::Call;
use schemars::JsonSchema;
use serde::Serialize;
use whmd_domain::hulk::HulkConfig;
use whmd_domain::ip;
use whmd_wire::WhmError;

pub use history::FUNCTIONS as HISTORY;
pub use lists::FUNCTIONS as LISTS;
pub use settings::FUNCTIONS as SETTINGS;

/// The refusal of functions that check cPHulk runs, unless `skip_enabled_check`.
fn check_enabled(skip_enabled_check: bool, config: &HulkConfig) -> Result<(), WhmError> {
    if config.is_enabled || skip_enabled_check {
        Ok(())
    } else {
        Err(WhmError::reason("cPHulk is disabled on the server."))
    }
}

/// The caller's address and whether it is whitelisted, which the list functions report.
#[derive(Debug, Serialize, JsonSchema)]
struct Requester {
    requester_ip: Option<String>,
    requester_ip_is_whitelisted: u8,
}

async fn requester(call: &Call) -> Result<Requester, WhmError> {
    let white = call
        .ctx
        .stores
        .hulk
        .hulk_records(whmd_domain::hulk::HulkList::White)
        .await?;
    let ranges: Vec<_> = white.into_iter().map(|r| r.range).collect();
    let peer = call.peer.map(ip::canonical);
    Ok(Requester {
        requester_ip: peer.map(|p| p.to_string()),
        requester_ip_is_whitelisted: u8::from(peer.is_some_and(|p| ip::is_in(p, &ranges))),
    })
}
