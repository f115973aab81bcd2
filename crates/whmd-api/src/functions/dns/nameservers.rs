//! Nameservers: lookupnsip and get_nameserver_config.

use crate::FunctionSpec;
use crate::function::function;
use crate::registry::Call;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use whmd_dns::RData;
use whmd_dns::name::{self, Rule};
use whmd_wire::{Acl, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] = &[
    function!("lookupnsip", Acl::NS_CONFIG, Both, lookupnsip).read_only(),
    function!(
        "get_nameserver_config",
        Acl::NS_CONFIG,
        V1,
        get_nameserver_config
    )
    .read_only(),
];

#[derive(Debug, Deserialize, JsonSchema)]
struct Lookupnsip {
    /// The nameserver's host name.
    host: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct Address {
    ip: String,
}

#[derive(Debug, Serialize, JsonSchema)]
struct NameserverConfig {
    /// The nameservers new accounts are told about.
    nameservers: Vec<String>,
}

/// The nameserver's IPv4 address: from the zones whmd serves when the name lies in one (so a
/// new server's own nameservers resolve before the world knows them), else from the system's
/// resolver.
async fn lookupnsip(call: Call, req: Lookupnsip) -> Result<Outcome<Address>, WhmError> {
    let raw = req
        .host
        .ok_or_else(|| WhmError::reason("Provide the “host” parameter."))?;
    let host = name::target(&raw, Rule::Host)
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
    Ok(Outcome::ok(Address { ip: ip.to_string() }))
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

async fn get_nameserver_config(call: Call, _: ()) -> Result<Outcome<NameserverConfig>, WhmError> {
    Ok(Outcome::ok(NameserverConfig {
        nameservers: call.ctx.info.nameservers.clone(),
    }))
}
