//! Whole zones: adddns, killdns, listzones, dumpzone, resetzone.

use super::{
    ACTION, NO_ZONE, ZONE_SERIALIZED, ZoneEntry, entry_json, load, not_foreign, publish_note,
    zone_arg,
};
use crate::FunctionSpec;
use crate::function::{NoData, function};
use crate::registry::Call;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use whmd_dns::name::{self, Rule};
use whmd_dns::{RData, Template};
use whmd_domain::StoreError;
use whmd_domain::account::can_access;
use whmd_domain::dns::NewZone;
use whmd_domain::store::Scope;
use whmd_domain::time::unix_now;
use whmd_wire::{Acl, Api0Data, Api0Shape, Outcome, WhmError};

// API 0 forms follow cPanel's API 0 documentation: action results in `result[0]`, dumpzone's
// records beside its status, listzones' list at the top.
pub const FUNCTIONS: &[FunctionSpec] = &[
    function!("adddns", Acl::CREATE_DNS, Both, adddns).api0(ACTION),
    function!("killdns", Acl::KILL_DNS, Both, killdns).api0(Api0Shape::Listed {
        key: "result",
        data: Api0Data::Flatten,
        raw: Some("rawout"),
        messages: false,
    }),
    function!("listzones", Acl::MANAGE_DNS_RECORDS, Both, listzones)
        .read_only()
        .list("zone"),
    function!("dumpzone", Acl::MANAGE_DNS_RECORDS, Both, dumpzone)
        .read_only()
        .api0(Api0Shape::Listed {
            key: "result",
            data: Api0Data::FirstOf("zone"),
            raw: None,
            messages: false,
        }),
    function!("resetzone", Acl::MANAGE_DNS_RECORDS, Both, resetzone).api0(ACTION),
];

const BAD_IP: &str = "Sorry, the IP address appears to be invalid.";

/// The zone a call names, as `domain` or as its file name `zone` (`example.com.db`).
#[derive(Debug, Deserialize, JsonSchema)]
struct ZoneArgs {
    domain: Option<String>,
    zone: Option<String>,
}

impl ZoneArgs {
    fn name(&self) -> Option<String> {
        zone_arg(self.domain.as_deref(), self.zone.as_deref())
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
struct Adddns {
    /// The new zone's domain.
    domain: Option<String>,
    zone: Option<String>,
    /// The IPv4 address of the zone's records.
    ip: Option<String>,
    ipv6: Option<String>,
    /// `standard` (the default), `simple` or `parked`.
    template: Option<String>,
    /// The account the zone belongs to; the caller by default.
    trueowner: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct Zones {
    zone: Vec<ZoneFile>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct ZoneFile {
    domain: String,
    zonefile: String,
}

#[derive(Debug, Serialize, JsonSchema)]
struct Dump {
    zone: [Records; 1],
}

#[derive(Debug, Serialize, JsonSchema)]
struct Records {
    record: Vec<ZoneEntry>,
}

async fn adddns(call: Call, req: Adddns) -> Result<Outcome<NoData>, WhmError> {
    let info = &call.ctx.info;
    let domain = zone_arg(req.domain.as_deref(), req.zone.as_deref()).unwrap_or_default();
    let valid = domain.contains('.')
        && domain.parse::<IpAddr>().is_err()
        && name::valid(&domain, Rule::Host)
        && !domain.starts_with("*.");
    if !valid {
        return Err(WhmError::reason("Sorry, that's an invalid domain"));
    }
    if domain == info.hostname.to_ascii_lowercase() {
        return Err(WhmError::reason(
            "Sorry, you can not add a DNS record for the system hostname.",
        ));
    }
    let ipv4: Ipv4Addr = req
        .ip
        .as_deref()
        .and_then(|ip| ip.trim().parse().ok())
        .ok_or_else(|| WhmError::reason(BAD_IP))?;
    let ipv6 = match req.ipv6.as_deref() {
        Some(ip) => Some(
            ip.trim()
                .parse::<Ipv6Addr>()
                .map_err(|_| WhmError::reason(BAD_IP))?,
        ),
        None => None,
    };
    let template_name = req.template.as_deref().unwrap_or("standard");
    let template = Template::from_name(template_name).ok_or_else(|| {
        WhmError::Reason(format!(
            "The zone template “{template_name}” does not exist."
        ))
    })?;
    let owner = true_owner(&call, req.trueowner.as_deref()).await?;
    let root = call.principal.is_root();
    if !root {
        not_foreign(&call, &domain).await?;
    }
    if let Some(existing) = call.ctx.stores.zones.zone(&domain).await? {
        let accounts = call.ctx.stores.accounts.as_ref();
        let reachable =
            whmd_domain::dns::may_manage(&call.principal, &existing.owner, accounts).await?;
        if !root && !reachable {
            return Err(WhmError::Reason(format!(
                "Sorry, the domain {domain} is owned by another user ({})",
                existing.owner
            )));
        }
        if !root {
            return Err(WhmError::Reason(format!(
                "Sorry, a DNS entry for {domain} already exists"
            )));
        }
    }
    let zone = NewZone {
        domain: &domain,
        owner: &owner,
        ipv4,
        ipv6,
        template,
        nameservers: &info.nameservers,
        hostname: &info.hostname,
        now: unix_now(),
        replaces: None,
    }
    .build()
    .map_err(|e| WhmError::Reason(e.to_string()))?;
    // Root may overwrite a zone; anyone else met the checks above, so a
    // conflict here means another request made the zone first.
    match call.ctx.stores.zones.put_zone(&zone, root).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            return Err(WhmError::Reason(format!(
                "Sorry, a DNS entry for {domain} already exists"
            )));
        }
        Err(e) => return Err(e.into()),
    }
    let mut outcome =
        Outcome::done().with_reason(format!("Added {domain} ok belonging to user {owner}"));
    outcome.output.raw = publish_note(&call, &domain).await;
    Ok(outcome)
}

/// `trueowner`, the caller by default: an account the caller may act on.
async fn true_owner(call: &Call, trueowner: Option<&str>) -> Result<String, WhmError> {
    let caller = &call.principal.user;
    let Some(owner) = trueowner.map(str::trim) else {
        return Ok(caller.clone());
    };
    if owner == caller.as_str() {
        return Ok(caller.clone());
    }
    let account = call.ctx.stores.accounts.account(owner).await?;
    match account {
        Some(a) if can_access(&call.principal, &a) => Ok(a.user),
        _ => Err(WhmError::Reason(format!(
            "You do not have access to an account named “{owner}”."
        ))),
    }
}

async fn killdns(call: Call, req: ZoneArgs) -> Result<Outcome<NoData>, WhmError> {
    let domain = req
        .name()
        .ok_or_else(|| WhmError::reason("A domain is required."))?;
    let (stored, _) = load(&call, &domain).await?;
    if !call.ctx.stores.zones.remove_zone(&stored.name).await? {
        return Err(WhmError::reason(NO_ZONE));
    }
    let note = publish_note(&call, &domain).await.unwrap_or_default();
    Ok(Outcome::done().with_raw(format!(
        "{domain} => deleted from {}.\n{note}",
        call.ctx.info.hostname
    )))
}

/// How many of a reseller's accounts listzones reads at a time.
const OWNED_BATCH: u32 = 500;

async fn listzones(call: Call, _: ()) -> Result<Outcome<Zones>, WhmError> {
    let all = call.ctx.stores.zones.zones(None).await?;
    let visible: Vec<ZoneFile> = if call.principal.is_root() {
        all.iter().map(zone_json).collect()
    } else {
        let caller = &call.principal.user;
        // The names of the accounts it owns, read a batch at a time.
        let mut owners: HashSet<String> = HashSet::from([caller.clone()]);
        let mut after = String::new();
        loop {
            let batch = call
                .ctx
                .stores
                .accounts
                .accounts_after(Scope::OwnedBy(caller), &after, OWNED_BATCH)
                .await?;
            let Some(last) = batch.last() else { break };
            after.clone_from(&last.user);
            owners.extend(batch.into_iter().map(|a| a.user));
        }
        all.iter()
            .filter(|z| owners.contains(&z.owner))
            .map(zone_json)
            .collect()
    };
    if visible.is_empty() {
        return Ok(Outcome::done());
    }
    Ok(Outcome::ok(Zones { zone: visible }))
}

fn zone_json(zone: &whmd_domain::store::ZoneSummary) -> ZoneFile {
    ZoneFile {
        domain: zone.name.clone(),
        zonefile: format!("{}.db", zone.name),
    }
}

async fn dumpzone(call: Call, req: ZoneArgs) -> Result<Outcome<Dump>, WhmError> {
    let name = req
        .name()
        .ok_or_else(|| WhmError::reason("You must specify a zone to dump."))?;
    let (_, zone) = load(&call, &name).await?;
    let record = zone
        .numbered()
        .map(|(line, entry)| entry_json(line, entry, &zone))
        .collect();
    Ok(Outcome::ok(Dump {
        zone: [Records { record }],
    })
    .with_reason(ZONE_SERIALIZED))
}

async fn resetzone(call: Call, req: ZoneArgs) -> Result<Outcome<NoData>, WhmError> {
    let name = req
        .name()
        .ok_or_else(|| WhmError::reason("A domain is required."))?;
    let (stored, zone) = load(&call, &name).await?;
    // The address of the account the zone belongs to, else the zone's own apex address.
    let account = call.ctx.stores.accounts.account(&stored.owner).await?;
    let ipv4 = account
        .and_then(|a| a.ip.parse::<Ipv4Addr>().ok())
        .or_else(|| {
            zone.records().find_map(|r| match r.data {
                RData::A(ip) if r.name == stored.name => Some(ip),
                _ => None,
            })
        })
        .ok_or_else(|| {
            WhmError::Reason(format!("Unable to determine the IP address for {name}"))
        })?;
    let info = &call.ctx.info;
    let reset = NewZone {
        domain: &stored.name,
        owner: &stored.owner,
        ipv4,
        ipv6: None,
        template: Template::Standard,
        nameservers: &info.nameservers,
        hostname: &info.hostname,
        now: unix_now(),
        replaces: Some(stored.serial),
    }
    .build()
    .map_err(|e| WhmError::Reason(e.to_string()))?;
    match call
        .ctx
        .stores
        .zones
        .update_zone(&reset, stored.serial)
        .await
    {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => return Err(WhmError::reason(super::CHANGED)),
        Err(e) => return Err(e.into()),
    }
    let mut outcome = Outcome::done();
    outcome.output.raw = publish_note(&call, &name).await;
    Ok(outcome)
}
