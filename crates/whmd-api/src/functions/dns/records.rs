//! One record at a time, named by the line it starts on: getzonerecord, addzonerecord,
//! editzonerecord, removezonerecord.

use super::{
    ACTION, NO_ZONE, RECORD_OBTAINED, ZoneEntry, check_serial, entry_json, field, load, save,
    zone_arg,
};
use crate::FunctionSpec;
use crate::function::{NoData, function};
use crate::registry::Call;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use whmd_dns::name::{self, Rule};
use whmd_dns::record::{self, RecordError};
use whmd_dns::{Entry, RData, Record, Soa};
use whmd_wire::params::Others;
use whmd_wire::{Acl, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] = &[
    function!("getzonerecord", Acl::MANAGE_DNS_RECORDS, V1, getzonerecord).read_only(),
    function!(
        "addzonerecord",
        Acl::MANAGE_DNS_RECORDS,
        Both,
        addzonerecord
    )
    .api0(ACTION),
    function!(
        "editzonerecord",
        Acl::MANAGE_DNS_RECORDS,
        Both,
        editzonerecord
    )
    .api0(ACTION),
    function!(
        "removezonerecord",
        Acl::MANAGE_DNS_RECORDS,
        Both,
        removezonerecord
    )
    .api0(ACTION),
];

/// A record call's arguments: the zone, the line, the serial it read, and the record's own
/// fields by WHM's names (`name`, `ttl`, `class`, `type`, and per type `address`, `cname`,
/// `exchange` and `preference`, `nsdname`, `txtdata`, `priority`, `weight`, `port`,
/// `target`, `flag`, `tag`, `value`, `ptrdname`; for the SOA `mname`, `rname`, `refresh`,
/// `retry`, `expire`, `minimum`).
#[derive(Debug, Deserialize, JsonSchema)]
struct RecordArgs {
    /// The zone's domain.
    domain: Option<String>,
    /// The zone, as its file name (`example.com.db`), when `domain` is not given.
    zone: Option<String>,
    /// The line the record starts on, counting from 1 (`Line` is taken too).
    line: Option<String>,
    #[serde(rename = "Line")]
    line_upper: Option<String>,
    /// The zone's serial as read; a change is refused if the zone changed since.
    serialnum: Option<String>,
    #[serde(flatten)]
    fields: Others,
}

impl RecordArgs {
    fn zone_name(&self) -> Result<String, WhmError> {
        zone_arg(self.domain.as_deref(), self.zone.as_deref())
            .ok_or_else(|| WhmError::reason(NO_ZONE))
    }

    /// `line` (or `Line`, its alias), counting from 1.
    fn line(&self) -> Result<usize, WhmError> {
        self.line
            .as_deref()
            .or(self.line_upper.as_deref())
            .and_then(|l| l.trim().parse().ok())
            .filter(|l| *l > 0)
            .ok_or_else(|| WhmError::reason("Must specify a record line."))
    }

    fn field(&self, name: &str) -> Option<&str> {
        field(&self.fields, name)
    }
}

#[derive(Debug, Serialize, JsonSchema)]
struct Found {
    record: [ZoneEntry; 1],
}

fn refused(e: impl ToString) -> WhmError {
    WhmError::Reason(e.to_string())
}

async fn getzonerecord(call: Call, req: RecordArgs) -> Result<Outcome<Found>, WhmError> {
    let name = req.zone_name()?;
    let line = req.line()?;
    let (_, zone) = load(&call, &name).await?;
    let found = zone
        .numbered()
        .find(|(at, entry)| *at == line && matches!(entry, Entry::Record(_)));
    let Some((at, entry)) = found else {
        return Err(WhmError::reason("No record available on selected line."));
    };
    let data = Found {
        record: [entry_json(at, entry, &zone)],
    };
    Ok(Outcome::ok(data).with_reason(RECORD_OBTAINED))
}

async fn addzonerecord(call: Call, req: RecordArgs) -> Result<Outcome<NoData>, WhmError> {
    let name = req.zone_name()?;
    let (stored, zone) = load(&call, &name).await?;
    let record = Record::from_fields(zone.origin(), zone.default_ttl(), |k| req.field(k))
        .map_err(refused)?;
    let changed = zone.add(record).map_err(refused)?;
    let reason = save(&call, &stored, &changed).await?;
    Ok(Outcome::done().with_reason(reason))
}

async fn editzonerecord(call: Call, req: RecordArgs) -> Result<Outcome<NoData>, WhmError> {
    let name = req.zone_name()?;
    let line = req.line()?;
    let (stored, zone) = load(&call, &name).await?;
    check_serial(req.serialnum.as_deref(), &stored)?;
    let Some(old) = zone.record_at(line) else {
        return Err(WhmError::Reason(format!(
            "Unable to find a record on specified line: {line}"
        )));
    };
    let edited = match &old.data {
        RData::Soa(soa) => edit_soa(&req, old, soa)?,
        _ => {
            // Fields the call leaves out keep their values; a new type starts afresh.
            let kept = old.fields();
            let retyped = req
                .field("type")
                .is_some_and(|t| !t.trim().eq_ignore_ascii_case(old.data.kind()));
            Record::from_fields(zone.origin(), old.ttl, |k| {
                req.field(k).or_else(|| {
                    let common = matches!(k, "name" | "ttl" | "class" | "type");
                    (common || !retyped)
                        .then(|| kept.iter().find(|(f, _)| *f == k).map(|(_, v)| v.as_str()))
                        .flatten()
                })
            })
            .map_err(refused)?
        }
    };
    let changed = zone.replace(line, edited).map_err(refused)?;
    let reason = save(&call, &stored, &changed).await?;
    Ok(Outcome::done().with_reason(reason))
}

/// The SOA with the fields the call gives; its serial is the zone's to manage.
fn edit_soa(req: &RecordArgs, old: &Record, soa: &Soa) -> Result<Record, WhmError> {
    let number = |field: &'static str, current: u32| match req.field(field) {
        None => Ok(current),
        Some(raw) => record::ttl(raw.trim()).ok_or(RecordError::Range { field, kind: "SOA" }),
    };
    let host = |field: &str, current: &str, rule| match req.field(field) {
        None => Ok(current.to_owned()),
        Some(raw) => name::target(raw, rule).map_err(RecordError::from),
    };
    let edited = || -> Result<Record, RecordError> {
        Ok(Record {
            name: old.name.clone(),
            ttl: number("ttl", old.ttl)?,
            data: RData::Soa(Soa {
                mname: host("mname", &soa.mname, Rule::Host)?,
                rname: host("rname", &soa.rname, Rule::Service)?,
                serial: soa.serial,
                refresh: number("refresh", soa.refresh)?,
                retry: number("retry", soa.retry)?,
                expire: number("expire", soa.expire)?,
                minimum: number("minimum", soa.minimum)?,
            }),
        })
    };
    edited().map_err(refused)
}

async fn removezonerecord(call: Call, req: RecordArgs) -> Result<Outcome<NoData>, WhmError> {
    let name = req.zone_name()?;
    let line = req.line()?;
    let (stored, zone) = load(&call, &name).await?;
    check_serial(req.serialnum.as_deref(), &stored)?;
    let changed = zone.remove(line).map_err(refused)?;
    let reason = save(&call, &stored, &changed).await?;
    Ok(Outcome::done().with_reason(reason))
}
