//! Server information: version, gethostname, systemloadavg, loadavg (FUNCTIONS.md §2,
//! "myprivs / applist / version / gethostname / systemloadavg / loadavg").

use super::respond;
use crate::registry::Call;
use crate::{Access, FunctionSpec, Versions};
use futures::future::BoxFuture;
use serde::Serialize;
use whmd_wire::{Acl, Api1Shape, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] = &[
    FunctionSpec::new(
        "version",
        Access::Acl(Acl::BASIC_SYSTEM_INFO),
        Versions::Both,
        version,
    )
    .read_only(),
    FunctionSpec::new(
        "gethostname",
        Access::Acl(Acl::BASIC_SYSTEM_INFO),
        Versions::Both,
        gethostname,
    )
    .read_only(),
    FunctionSpec::new(
        "systemloadavg",
        Access::Acl(Acl::BASIC_SYSTEM_INFO),
        Versions::V1,
        systemloadavg,
    )
    .read_only(),
    // No ACL check in WHM; its keys stay at the top level in API 1 too (CLIENTS.md §1).
    FunctionSpec::new("loadavg", Access::Authenticated, Versions::Both, loadavg)
        .read_only()
        .api1(Api1Shape::TopLevel),
];

type Reply = BoxFuture<'static, Result<Outcome, WhmError>>;

#[derive(Debug, Serialize)]
struct VersionResponse<'a> {
    version: &'a str,
}

fn version(call: Call) -> Reply {
    Box::pin(async move {
        respond(&VersionResponse {
            version: &call.ctx.info.whm_version,
        })
    })
}

#[derive(Debug, Serialize)]
struct HostnameResponse<'a> {
    hostname: &'a str,
}

fn gethostname(call: Call) -> Reply {
    Box::pin(async move {
        let hostname = call.ctx.info.hostname.as_str();
        if hostname.is_empty() {
            return Err(WhmError::reason("Unable to determine hostname."));
        }
        respond(&HostnameResponse { hostname })
    })
}

/// `systemloadavg`: numbers, as cPanel's API 1 description types them.
#[derive(Debug, Serialize)]
struct SystemLoadResponse {
    one: f64,
    five: f64,
    fifteen: f64,
}

fn systemloadavg(_call: Call) -> Reply {
    Box::pin(async move {
        let [one, five, fifteen] = read_load().await?.map(|v| (v * 100.0).round() / 100.0);
        respond(&SystemLoadResponse { one, five, fifteen })
    })
}

/// `loadavg`: strings that always carry two decimals (`0.00`), as cPanel's Perl client reads them.
#[derive(Debug, Serialize)]
struct LoadResponse {
    one: String,
    five: String,
    fifteen: String,
}

fn loadavg(_call: Call) -> Reply {
    Box::pin(async move {
        let [one, five, fifteen] = read_load().await?.map(|v| format!("{v:.2}"));
        respond(&LoadResponse { one, five, fifteen })
    })
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
