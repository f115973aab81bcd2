//! DNS zones: the zone functions (`zones`), record functions (`records`),
//! mail exchangers (`mx`) and nameserver lookups (`nameservers`). Zones live in the store as
//! their zone file; every change re-checks the whole zone, bumps its serial, is stored only if
//! no one changed the zone meanwhile, and is then published for the name server.

mod mx;
mod nameservers;
mod records;
mod zones;

use crate::FunctionSpec;
use crate::registry::Call;
use serde_json::{Map, Value, json};
use whmd_dns::{Entry, Record, Zone};
use whmd_domain::StoreError;
use whmd_domain::account::can_access;
use whmd_domain::dns::{Published, may_manage, serial_date, stored};
use whmd_domain::store::StoredZone;
use whmd_domain::time::unix_now;
use whmd_wire::params::Others;
use whmd_wire::{Api0Data, Api0Shape, WhmError};

pub const ZONES: &[FunctionSpec] = zones::FUNCTIONS;
pub const RECORDS: &[FunctionSpec] = records::FUNCTIONS;
pub const MX: &[FunctionSpec] = mx::FUNCTIONS;
pub const NAMESERVERS: &[FunctionSpec] = nameservers::FUNCTIONS;

/// Who else owns `domain` or a domain above it, if anyone the caller may not act for does: an
/// account's domain is its owner's, zone or no zone, and a zone for a name inside another's
/// domain would take that name over.
async fn foreign_owner(call: &Call, domain: &str) -> Result<Option<String>, WhmError> {
    let stores = &call.ctx.stores;
    let mut name = domain;
    loop {
        if let Some(account) = stores.accounts.account_by_domain(name).await?
            && !can_access(&call.principal, &account)
        {
            return Ok(Some(account.user));
        }
        if name != domain
            && let Some(zone) = stores.zones.zone(name).await?
            && !may_manage(&call.principal, &zone.owner, stores.accounts.as_ref()).await?
        {
            return Ok(Some(zone.owner));
        }
        match name.split_once('.') {
            Some((_, parent)) if parent.contains('.') => name = parent,
            _ => return Ok(None),
        }
    }
}

/// Refuses `domain` when it, or a domain above it, belongs to someone the caller may not act
/// for (adddns, and createacct and modifyacct for a reseller).
pub(crate) async fn not_foreign(call: &Call, domain: &str) -> Result<(), WhmError> {
    match foreign_owner(call, domain).await? {
        Some(other) => Err(WhmError::Reason(format!(
            "Sorry, the domain {domain} is owned by another user ({other})"
        ))),
        None => Ok(()),
    }
}

/// The API 0 form of functions that change a zone: `{"result": [{"status", "statusmsg"}]}`.
const ACTION: Api0Shape = Api0Shape::Listed {
    key: "result",
    data: Api0Data::Flatten,
    raw: None,
    messages: false,
};

/// The reason a change gets when the zone's serial is not the one the caller read (or
/// another request changed the zone first).
const CHANGED: &str = "Zone file changed since last read.";
const NO_ZONE: &str = "Zone does not exist.";
/// dumpzone's and getzonerecord's successes, as cPanel's documentation shows them.
const ZONE_SERIALIZED: &str = "Zone Serialized";
const RECORD_OBTAINED: &str = "Record obtained.";

/// The zone a call names: `domain`, or `zone` as a file name (`example.com.db`); lowercase,
/// without `.db` or a trailing dot.
fn zone_arg(domain: Option<&str>, zone: Option<&str>) -> Option<String> {
    domain.or(zone).map(zone_name)
}

/// A record field the call gives among its other arguments, `None` when absent or empty.
fn field<'a>(fields: &'a Others, name: &str) -> Option<&'a str> {
    fields
        .get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
}

/// A zone's name as a call gives it: any case, a trailing dot, or as its file (`x.db`).
pub(crate) fn zone_name(raw: &str) -> String {
    let name = raw.trim().to_ascii_lowercase();
    let name = name.strip_suffix(".db").unwrap_or(&name);
    name.strip_suffix('.').unwrap_or(name).to_owned()
}

/// The named zone, parsed, if it exists and the caller may act on it. A zone the caller may
/// not reach reads as one that does not exist, so that its existence is not revealed.
async fn load(call: &Call, name: &str) -> Result<(StoredZone, Zone), WhmError> {
    let Some(stored) = call.ctx.stores.zones.zone(name).await? else {
        return Err(WhmError::reason(NO_ZONE));
    };
    let accounts = call.ctx.stores.accounts.as_ref();
    if !may_manage(&call.principal, &stored.owner, accounts).await? {
        return Err(WhmError::reason(NO_ZONE));
    }
    let zone = whmd_dns::parse(&stored.name, &stored.text).map_err(WhmError::internal)?;
    Ok((stored, zone))
}

/// `serialnum`, when given, must be the zone's current serial.
fn check_serial(serialnum: Option<&str>, stored: &StoredZone) -> Result<(), WhmError> {
    match serialnum {
        Some(serial) if serial.trim() != stored.serial.to_string() => {
            Err(WhmError::reason(CHANGED))
        }
        _ => Ok(()),
    }
}

/// Stores `zone` with the next serial in place of `before`, unless the zone changed since it
/// was read, then publishes it. Returns the success reason.
async fn save(call: &Call, before: &StoredZone, zone: &Zone) -> Result<String, WhmError> {
    let next = zone.with_next_serial(serial_date(unix_now()));
    let after = stored(&next, &before.owner);
    match call
        .ctx
        .stores
        .zones
        .update_zone(&after, before.serial)
        .await
    {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => return Err(WhmError::reason(CHANGED)),
        Err(e) => return Err(e.into()),
    }
    Ok(publish(call, &after.name).await)
}

/// Publishes the zone and says what happened, as WHM's success reasons for record changes do:
/// the name server's reload, or `OK` when zones are only stored.
async fn publish(call: &Call, zone: &str) -> String {
    publish_note(call, zone)
        .await
        .unwrap_or_else(|| "OK".to_owned())
}

/// Publishes the zone and says what happened, for a raw log: the name server's reload, a
/// failure, or nothing when zones are only stored. A failure to publish does not undo the
/// stored change (the next publish catches up); it is logged and named.
async fn publish_note(call: &Call, zone: &str) -> Option<String> {
    match call.ctx.dns.publish(&[zone.to_owned()]).await {
        Ok(Published::Reloaded) => Some(format!(
            "Bind reloading on {} using rndc zone: [{zone}]\n",
            call.ctx.info.hostname
        )),
        Ok(Published::Stored | Published::Written) => None,
        Err(e) => {
            tracing::warn!(zone, error = %e, "publishing zones failed");
            Some(format!(
                "The zone was saved, but the name server was not updated: {e}"
            ))
        }
    }
}

/// The refusal when a zone of a domain an account is given exists.
pub(crate) fn zone_exists_reason(domain: &str) -> String {
    format!(
        "A DNS entry for “{domain}” already exists. You must remove this DNS entry from all servers in the DNS cluster to proceed."
    )
}

/// Publishes after an account function changed zones; a failure becomes the warning this
/// returns (the change is stored; the next publish catches up).
pub(crate) async fn publish_for_account(call: &Call, zones: &[String]) -> Option<String> {
    match call.ctx.dns.publish(zones).await {
        Ok(_) => None,
        Err(e) => {
            tracing::warn!(error = %e, "publishing zones failed");
            Some(format!("The name server was not updated: {e}"))
        }
    }
}

/// One zone entry as dumpzone, getzonerecord and listmxs give it: WHM's field names (`Line`,
/// `Lines` for a record over several lines, `type`, `name`, `ttl`, and the type's own
/// fields), values as strings except `Line` and `Lines`. The fields vary with the type, so an
/// entry is an open object.
type ZoneEntry = Map<String, Value>;

fn entry_json(line: usize, entry: &Entry, zone: &Zone) -> ZoneEntry {
    let mut out = Map::new();
    out.insert("Line".into(), json!(line));
    match entry {
        Entry::Comment(text) => {
            out.insert("type".into(), json!(":RAW"));
            out.insert("raw".into(), json!(text));
            out.insert("name".into(), json!(""));
            out.insert("ttl".into(), json!(zone.soa().minimum.to_string()));
        }
        Entry::Ttl(ttl) => {
            out.insert("type".into(), json!("$TTL"));
            out.insert("ttl".into(), json!(ttl.to_string()));
            out.insert("name".into(), json!(""));
        }
        Entry::Record(record) => {
            if entry.lines() > 1 {
                out.insert("Lines".into(), json!(entry.lines()));
            }
            record_fields(&mut out, record);
        }
    }
    out
}

fn record_fields(out: &mut Map<String, Value>, record: &Record) {
    for (key, value) in record.fields() {
        out.insert(key.to_owned(), Value::String(value));
    }
}
