//! Mail exchangers: listmxs and savemxs, which replaces them all.

use super::{ZoneEntry, check_serial, entry_json, field, load, save, zone_arg};
use crate::FunctionSpec;
use crate::function::{NoData, function};
use crate::registry::Call;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use whmd_dns::{Entry, RData, Record};
use whmd_wire::params::Others;
use whmd_wire::{Acl, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] = &[
    function!("listmxs", Acl::EDIT_MX, V1, listmxs)
        .read_only()
        .list("record"),
    function!("savemxs", Acl::EDIT_MX, V1, savemxs),
];

#[derive(Debug, Deserialize, JsonSchema)]
struct Listmxs {
    domain: Option<String>,
    zone: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct MailExchangers {
    record: Vec<ZoneEntry>,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct Savemxs {
    domain: Option<String>,
    zone: Option<String>,
    /// The zone's serial as read; the change is refused if the zone changed since.
    serialnum: Option<String>,
    /// The new records: `exchange<S>`, `preference<S>`, `name<S>`, `class<S>` and `ttl<S>`
    /// with one suffix `S` per record (`exchange-1`, `exchange-2`, or none for one record).
    #[serde(flatten)]
    records: Others,
}

async fn listmxs(call: Call, req: Listmxs) -> Result<Outcome<MailExchangers>, WhmError> {
    let name = zone_arg(req.domain.as_deref(), req.zone.as_deref()).unwrap_or_default();
    let (_, zone) = load(&call, &name)
        .await
        .map_err(|_| WhmError::reason("Failed to obtain MX records."))?;
    let records: Vec<ZoneEntry> = zone
        .numbered()
        .filter(|(_, e)| matches!(e, Entry::Record(r) if matches!(r.data, RData::Mx { .. })))
        .map(|(line, entry)| entry_json(line, entry, &zone))
        .collect();
    if records.is_empty() {
        return Ok(Outcome::done());
    }
    Ok(Outcome::ok(MailExchangers { record: records }))
}

/// `exchange<S>`, `preference<S>`, `name<S>`, `class<S>` and `ttl<S>` with one suffix `S`
/// per record (`exchange-1`, `exchange-2`, or none at all for a single record).
async fn savemxs(call: Call, req: Savemxs) -> Result<Outcome<NoData>, WhmError> {
    let name = zone_arg(req.domain.as_deref(), req.zone.as_deref()).unwrap_or_default();
    let (stored, zone) = load(&call, &name)
        .await
        .map_err(|_| WhmError::reason("Failed to set MX records."))?;
    check_serial(req.serialnum.as_deref(), &stored)?;
    let suffixes: BTreeSet<&str> = req
        .records
        .keys()
        .filter_map(|key| key.strip_prefix("exchange"))
        .collect();
    let mut records = Vec::with_capacity(suffixes.len());
    for suffix in suffixes {
        let field = |k: &str| match k {
            "type" => Some("MX"),
            _ => field(&req.records, &format!("{k}{suffix}")),
        };
        let record = Record::from_fields(zone.origin(), zone.default_ttl(), field)
            .map_err(|e| WhmError::Reason(e.to_string()))?;
        records.push(record);
    }
    let changed = zone
        .replace_mx(records)
        .map_err(|e| WhmError::Reason(e.to_string()))?;
    let reason = save(&call, &stored, &changed).await?;
    Ok(Outcome::done().with_reason(reason))
}
