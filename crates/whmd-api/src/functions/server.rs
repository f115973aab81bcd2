//! Server information: version, gethostname, systemloadavg, loadavg.

use crate::FunctionSpec;
use crate::function::function;
use crate::registry::Call;
use schemars::JsonSchema;
use serde::Serialize;
use whmd_wire::{Acl, Api1Shape, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] = &[
    function!("version", Acl::BASIC_SYSTEM_INFO, Both, version).read_only(),
    function!("gethostname", Acl::BASIC_SYSTEM_INFO, Both, gethostname).read_only(),
    function!("systemloadavg", Acl::BASIC_SYSTEM_INFO, V1, systemloadavg).read_only(),
    // No ACL check in WHM; its keys stay at the top level in API 1 too.
    function!("loadavg", Authenticated, Both, loadavg)
        .read_only()
        .api1(Api1Shape::TopLevel),
];

#[derive(Debug, Serialize, JsonSchema)]
struct VersionResponse {
    /// The WHM version this server answers as, `11.120.0.16` by default.
    version: String,
}

async fn version(call: Call, _: ()) -> Result<Outcome<VersionResponse>, WhmError> {
    Ok(Outcome::ok(VersionResponse {
        version: call.ctx.info.whm_version.clone(),
    }))
}

#[derive(Debug, Serialize, JsonSchema)]
struct HostnameResponse {
    hostname: String,
}

async fn gethostname(call: Call, _: ()) -> Result<Outcome<HostnameResponse>, WhmError> {
    let hostname = call.ctx.info.hostname.clone();
    if hostname.is_empty() {
        return Err(WhmError::reason("Unable to determine hostname."));
    }
    Ok(Outcome::ok(HostnameResponse { hostname }))
}

/// `systemloadavg`: numbers, as cPanel's API 1 description types them.
#[derive(Debug, Serialize, JsonSchema)]
struct SystemLoadResponse {
    one: f64,
    five: f64,
    fifteen: f64,
}

async fn systemloadavg(_: Call, _: ()) -> Result<Outcome<SystemLoadResponse>, WhmError> {
    let [one, five, fifteen] = read_load().await?.map(|v| (v * 100.0).round() / 100.0);
    Ok(Outcome::ok(SystemLoadResponse { one, five, fifteen }))
}

/// `loadavg`: strings that always carry two decimals (`0.00`), as cPanel's Perl client reads them.
#[derive(Debug, Serialize, JsonSchema)]
struct LoadResponse {
    one: String,
    five: String,
    fifteen: String,
}

async fn loadavg(_: Call, _: ()) -> Result<Outcome<LoadResponse>, WhmError> {
    let [one, five, fifteen] = read_load().await?.map(|v| format!("{v:.2}"));
    Ok(Outcome::ok(LoadResponse { one, five, fifteen }))
}

async fn read_load() -> Result<[f64; 3], WhmError> {
    let text = tokio::fs::read_to_string("/proc/loadavg")
        .await
        .map_err(|_| WhmError::reason("Unable to determine the load average."))?;
    parse_loadavg(&text).ok_or_else(|| WhmError::reason("Unable to determine the load average."))
}

fn parse_loadavg(text: &str) -> Option<[f64; 3]> {
    let mut fields = text.split_ascii_whitespace().map(|f| f.parse::<f64>().ok());
    Some([fields.next()??, fields.next()??, fields.next()??])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loadavg_parsing() {
        assert_eq!(
            parse_loadavg("0.08 0.15 1.50 1/200 1234\n"),
            Some([0.08, 0.15, 1.5])
        );
        assert_eq!(parse_loadavg("0.08 x"), None);
        assert_eq!(parse_loadavg(""), None);
    }
}
