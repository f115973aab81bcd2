//! Nameservers: lookupnsip and get_nameserver_config.

use super::super::args::optional;
use crate::registry::Call;
use crate::{Access, FunctionSpec, Versions};
use futures::future::BoxFuture;
use serde_json::{Map, json};
use std::net::IpAddr;
use whmd_dns::RData;
use whmd_dns::name::{self, Rule};
use whmd_wire::{Acl, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] = &[
    FunctionSpec::legacy(
        "lookupnsip",
        Access::Acl(Acl::NS_CONFIG),
        Versions::Both,
        lookupnsip,
    )
    .read_only(),
    FunctionSpec::legacy(
        "get_nameserver_config",
        Access::Acl(Acl::NS_CONFIG),
        Versions::V1,
        get_nameserver_config,
    )
    .read_only(),
];

type Reply = BoxFuture<'static, Result<Outcome, WhmError>>;

/// The nameserver's IPv4 address: from the zones whmd serves when the name lies in one (so a
/// new server's own nameservers resolve before the world knows them), else from the system's
/// resolver.
fn lookupnsip(call: Call) -> Reply {
    Box::pin(async move {
        let raw = optional(&call.args, "host")
            .ok_or_else(|| WhmError::reason("Provide the “host” parameter."))?;
        let host = name::target(raw, Rule::Host)
            .map_err(|_| WhmError::Reason(format!("“{raw}” is not a valid host name.")))?;
        let ip = match served_address(&call, &host).await? {
            Some(ip) => Some(ip),
            None => tokio::net::lookup_host((host.as_str(), 53))
                .await
                .ok()
                .and_then(|mut addrs| addrs.find(|a| a.is_ipv4()))
                .map(|a| a.ip()),
        };
        let ip = ip.ok_or_else(|| {
            WhmError::Reason(format!(
                "The system could not find the IP address of “{host}”."
            ))
        })?;
        let mut data = Map::new();
        data.insert("ip".into(), json!(ip.to_string()));
        Ok(Outcome::ok(data))
    })
}

/// The first A record of `host` in the closest stored zone that contains it.
async fn served_address(call: &Call, host: &str) -> Result<Option<IpAddr>, WhmError> {
    let mut candidate = host;
    loop {
        if let Some(stored) = call.ctx.stores.zones.zone(candidate).await? {
            let zone = whmd_dns::parse(&stored.name, &stored.text).map_err(WhmError::internal)?;
            return Ok(zone.records().find_map(|r| match r.data {
                RData::A(ip) if r.name == host => Some(IpAddr::V4(ip)),
                _ => None,
            }));
        }
        match candidate.split_once('.') {
            Some((_, parent)) if parent.contains('.') => candidate = parent,
            _ => return Ok(None),
        }
    }
}

fn get_nameserver_config(call: Call) -> Reply {
    Box::pin(async move {
        let mut data = Map::new();
        data.insert("nameservers".into(), json!(call.ctx.info.nameservers));
        Ok(Outcome::ok(data))
    })
}
