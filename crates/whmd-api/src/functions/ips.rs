//! IP addresses (docs/compatibility.md, "IP addresses"): the pool root keeps with `addip`
//! (one address), `addips` (API 1: a range) and `delip`, `listips`, and `setsiteip`, which moves an account
//! to another of the server's addresses. Pool addresses are dedicated: an account on one holds
//! it alone; the main address is shared.

use super::dns::publish_for_account;
use super::{CHANGED_MEANWHILE, entry};
use crate::FunctionSpec;
use crate::function::{NoData, function};
use crate::registry::Call;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::net::Ipv4Addr;
use whmd_domain::StoreError;
use whmd_domain::account::{Account, can_access};
use whmd_domain::address::{MAX_RANGE, PoolAddress, expand, parse_address, parse_netmask, usable};
use whmd_domain::dns::{serial_date, stored};
use whmd_domain::store::{AccountChange, AddressRemoval, Admission, ZoneWrites};
use whmd_domain::time::unix_now;
use whmd_wire::{Acl, Api0Data, Api0Shape, Outcome, WhmError};

/// API 0's action replies: `{KEY: [{status, statusmsg}]}`.
const fn listed(key: &'static str) -> Api0Shape {
    Api0Shape::Listed {
        key,
        data: Api0Data::Flatten,
        raw: None,
        messages: false,
    }
}

pub const FUNCTIONS: &[FunctionSpec] = &[
    function!("listips", Acl::ALL, Both, listips)
        .api0(Api0Shape::Renamed {
            from: "ip",
            to: "result",
        })
        .list("ip")
        .read_only(),
    function!("addip", Acl::ALL, Both, addip).api0(listed("addip")),
    function!("addips", Acl::ALL, V1, addips),
    function!("delip", Acl::ALL, Both, delip).api0(listed("delip")),
    function!("setsiteip", Acl::ALL, Both, setsiteip).api0(listed("result")),
];

/// The refusal when no pool address is free.
pub(crate) const NONE_FREE: &str = "There are no dedicated IP addresses available.";

/// The first pool address no account holds, other than the main address.
pub(crate) async fn free_address(call: &Call) -> Result<Option<Ipv4Addr>, WhmError> {
    let main = call.ctx.info.main_ip.as_str();
    Ok(call
        .ctx
        .stores
        .addresses
        .addresses()
        .await?
        .into_iter()
        .find(|h| h.holder.is_none() && h.address.ip.to_string() != main)
        .map(|h| h.address.ip))
}

#[derive(Debug, Deserialize, JsonSchema)]
struct Addip {
    /// An IPv4 address.
    ip: String,
    netmask: String,
    /// The network interface (letters, digits, `.`, `_`, `:`, `-`).
    ethernetdev: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct Addips {
    /// A range: `192.0.2.10-192.0.2.20`, `192.0.2.10-20` or CIDR.
    ips: String,
    netmask: String,
    /// Addresses of the range to leave out, the same way.
    excludes: Option<String>,
    ethernetdev: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct Delip {
    ip: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct Setsiteip {
    /// The main address or a pool address.
    ip: String,
    /// The account; or name it by `domain`.
    user: Option<String>,
    domain: Option<String>,
}

/// One address as listips shows it, fields in the order of WHM's description.
#[derive(Debug, Serialize, JsonSchema)]
struct Listed {
    active: u8,
    dedicated: u8,
    #[serde(rename = "if")]
    interface: String,
    ip: String,
    mainaddr: u8,
    netmask: String,
    network: String,
    public_ip: String,
    removable: u8,
    used: u8,
}

#[derive(Debug, Serialize, JsonSchema)]
struct Addresses {
    ip: Vec<Listed>,
}

async fn listips(call: Call, _: ()) -> Result<Outcome<Addresses>, WhmError> {
    let main = call.ctx.info.main_ip.clone();
    let pool = call.ctx.stores.addresses.addresses().await?;
    let in_pool = |ip: &str| pool.iter().find(|h| h.address.ip.to_string() == ip);
    // The main address first; its netmask is the pool's when root added it there too.
    let main_mask = in_pool(&main).map_or_else(
        || "255.255.255.255".to_owned(),
        |h| h.address.netmask.to_string(),
    );
    let mut ip = vec![Listed {
        active: 1,
        dedicated: 0,
        interface: in_pool(&main)
            .map(|h| h.address.interface.clone())
            .unwrap_or_default(),
        ip: main.clone(),
        mainaddr: 1,
        network: main_network(&main, &main_mask),
        netmask: main_mask,
        public_ip: main.clone(),
        removable: 0,
        used: 1,
    }];
    for held in pool.iter().filter(|h| h.address.ip.to_string() != main) {
        let used = u8::from(held.holder.is_some());
        ip.push(Listed {
            active: 1,
            dedicated: used,
            interface: held.address.interface.clone(),
            ip: held.address.ip.to_string(),
            mainaddr: 0,
            netmask: held.address.netmask.to_string(),
            network: held.address.network().to_string(),
            public_ip: held.address.ip.to_string(),
            removable: 1 - used,
            used,
        });
    }
    Ok(Outcome::ok(Addresses { ip }))
}

fn main_network(ip: &str, mask: &str) -> String {
    match (ip.parse::<Ipv4Addr>(), mask.parse::<Ipv4Addr>()) {
        (Ok(ip), Ok(mask)) => Ipv4Addr::from(u32::from(ip) & u32::from(mask)).to_string(),
        _ => ip.to_owned(),
    }
}

/// Adds `ips` to the pool, all or none; each must be usable and not the main address.
async fn add(
    call: &Call,
    ips: Vec<Ipv4Addr>,
    netmask: Ipv4Addr,
    ethernetdev: Option<&str>,
) -> Result<Vec<String>, WhmError> {
    let main = call.ctx.info.main_ip.as_str();
    if let Some(ip) = ips.iter().find(|ip| ip.to_string() == main) {
        return Err(WhmError::Reason(format!(
            "The IP address “{ip}” is the server’s main IP address."
        )));
    }
    let interface = ethernetdev.unwrap_or("").to_owned();
    if !interface.is_empty()
        && !interface
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._:-".contains(&b))
    {
        return Err(WhmError::Reason(format!(
            "The network interface “{interface}” is not valid."
        )));
    }
    let addresses: Vec<PoolAddress> = ips
        .iter()
        .map(|ip| PoolAddress {
            ip: *ip,
            netmask,
            interface: interface.clone(),
        })
        .collect();
    match call.ctx.stores.addresses.add_addresses(&addresses).await {
        Ok(()) => Ok(ips
            .iter()
            .map(|ip| format!("{ip}/{netmask} has been added."))
            .collect()),
        // One already in the pool is refused with its address.
        Err(e) => Err(e.into()),
    }
}

fn netmask(raw: &str) -> Result<Ipv4Addr, WhmError> {
    parse_netmask(raw).ok_or_else(|| WhmError::Reason(format!("The netmask “{raw}” is not valid.")))
}

async fn addip(call: Call, req: Addip) -> Result<Outcome<NoData>, WhmError> {
    let raw = &req.ip;
    let ip = parse_address(raw)
        .filter(|ip| usable(*ip))
        .ok_or_else(|| WhmError::Reason(format!("“{raw}” is not a valid IPv4 address.")))?;
    let netmask = netmask(&req.netmask)?;
    let added = add(&call, vec![ip], netmask, req.ethernetdev.as_deref()).await?;
    Ok(Outcome::done()
        .with_reason("Success")
        .with_raw(added.join("\n")))
}

async fn addips(call: Call, req: Addips) -> Result<Outcome<NoData>, WhmError> {
    let netmask = netmask(&req.netmask)?;
    let ips =
        expand(&req.ips, req.excludes.as_deref()).map_err(|e| WhmError::Reason(e.to_string()))?;
    if ips.is_empty() || ips.len() > MAX_RANGE {
        return Err(WhmError::reason("The range holds no address to add."));
    }
    let added = add(&call, ips, netmask, req.ethernetdev.as_deref()).await?;
    let mut outcome = Outcome::done().with_reason("Success");
    outcome.output.messages = added;
    Ok(outcome)
}

async fn delip(call: Call, req: Delip) -> Result<Outcome<NoData>, WhmError> {
    let raw = &req.ip;
    let ip = parse_address(raw)
        .ok_or_else(|| WhmError::Reason(format!("“{raw}” is not a valid IPv4 address.")))?;
    if ip.to_string() == call.ctx.info.main_ip {
        return Err(WhmError::reason(
            "The server’s main IP address cannot be removed.",
        ));
    }
    match call.ctx.stores.addresses.remove_address(ip).await? {
        AddressRemoval::Removed => {
            Ok(Outcome::done().with_reason(format!("{ip} has been removed")))
        }
        AddressRemoval::InUse(user) => Err(WhmError::Reason(format!(
            "The IP address “{ip}” is in use by the account “{user}”."
        ))),
        AddressRemoval::Missing => Err(WhmError::Reason(format!(
            "The IP address “{ip}” is not on this server."
        ))),
    }
}

async fn setsiteip(call: Call, req: Setsiteip) -> Result<Outcome<NoData>, WhmError> {
    let raw = req.ip;
    let accounts = call.ctx.stores.accounts.as_ref();
    let (found, named) = match (req.user, req.domain) {
        (Some(user), _) => (accounts.account(&user).await?, user),
        (None, Some(domain)) => {
            let domain = domain.to_ascii_lowercase();
            (accounts.account_by_domain(&domain).await?, domain)
        }
        (None, None) => {
            return Err(WhmError::reason("You must specify a user or a domain."));
        }
    };
    let Some(mut account) = found.filter(|a| can_access(&call.principal, a)) else {
        return Err(WhmError::Reason(format!(
            "“{named}” is not an account or a domain on this server."
        )));
    };
    let ip = ours(&call, &raw).await?;
    if account.ip == ip.to_string() {
        return Ok(Outcome::done());
    }
    let mut outcome = Outcome::done();
    if let Some(warning) = move_account(&call, &mut account, ip).await? {
        outcome.output.warnings.push(warning);
    }
    Ok(outcome)
}

/// `raw` as one of the server's addresses: the main one or a pool address.
async fn ours(call: &Call, raw: &str) -> Result<Ipv4Addr, WhmError> {
    let not_ours = || {
        WhmError::Reason(format!(
            "The IP address “{raw}” is not an address of this server."
        ))
    };
    let ip = parse_address(raw).ok_or_else(not_ours)?;
    if ip.to_string() == call.ctx.info.main_ip {
        return Ok(ip);
    }
    let pool = call.ctx.stores.addresses.addresses().await?;
    if pool.iter().any(|h| h.address.ip == ip) {
        Ok(ip)
    } else {
        Err(not_ours())
    }
}

/// Moves `account` to `ip` and returns the write of its zone, whose A records that pointed at
/// its old address now point at `ip`; the caller stores both in one write.
pub(crate) async fn readdress(
    call: &Call,
    account: &mut Account,
    ip: Ipv4Addr,
) -> Result<ZoneWrites, WhmError> {
    let old = account.ip.parse::<Ipv4Addr>().ok();
    account.ip = ip.to_string();
    let (Some(old), Some(before)) = (old, call.ctx.stores.zones.zone(&account.domain).await?)
    else {
        return Ok(ZoneWrites::none());
    };
    let zone = whmd_dns::parse(&before.name, &before.text).map_err(WhmError::internal)?;
    Ok(match zone.readdressed(old, ip) {
        Some(moved) => ZoneWrites {
            remove: vec![(before.name.clone(), before.serial)],
            put: vec![stored(
                &moved.with_next_serial(serial_date(unix_now())),
                &before.owner,
            )],
            replace: false,
        },
        None => ZoneWrites::none(),
    })
}

/// Publishes the zones `writes` stored; a failure is the warning returned (the change is
/// stored, and the next publish catches up).
pub(crate) async fn publish(call: &Call, writes: &ZoneWrites) -> Option<String> {
    let touched: Vec<String> = writes.put.iter().map(|z| z.name.clone()).collect();
    if touched.is_empty() {
        return None;
    }
    publish_for_account(call, &touched).await
}

/// Moves `account` to `ip`, with its zone, in one write, then publishes the zone.
async fn move_account(
    call: &Call,
    account: &mut Account,
    ip: Ipv4Addr,
) -> Result<Option<String>, WhmError> {
    let user = account.user.clone();
    let zones = readdress(call, account, ip).await?;
    account.mtime = unix_now();
    let log = entry(call, "SETSITEIP", &[&account.domain, &account.ip, &user]);
    // A pool address must still be in the pool when the move commits.
    let admission = Admission {
        address: (account.ip != call.ctx.info.main_ip).then(|| account.ip.clone()),
        ..Admission::NONE
    };
    let change = AccountChange::update(user, account.clone(), vec![log])
        .admitted(admission)
        .with_zones(zones.clone());
    match call.ctx.stores.accounts.change(&change).await {
        Ok(_) => {}
        // A pool address another account took meanwhile is refused in the store.
        Err(StoreError::Conflict(_)) => return Err(WhmError::reason(CHANGED_MEANWHILE)),
        Err(e) => return Err(e.into()),
    }
    Ok(publish(call, &zones).await)
}
