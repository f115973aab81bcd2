//! One record at a time, named by the line it starts on: getzonerecord, addzonerecord,
//! editzonerecord, removezonerecord.

use super::super::args::optional;
use super::{ACTION, NO_ZONE, check_serial, entry_json, load, save, zone_arg};
use crate::registry::Call;
use crate::{Access, FunctionSpec, Versions};
use futures::future::BoxFuture;
use serde_json::{Map, json};
use whmd_dns::name::{self, Rule};
use whmd_dns::record::{self, RecordError};
use whmd_dns::{Entry, RData, Record, Soa};
use whmd_wire::{Acl, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] = &[
    FunctionSpec::legacy(
        "getzonerecord",
        Access::Acl(Acl::MANAGE_DNS_RECORDS),
        Versions::V1,
        getzonerecord,
    )
    .read_only(),
    FunctionSpec::legacy(
        "addzonerecord",
        Access::Acl(Acl::MANAGE_DNS_RECORDS),
        Versions::Both,
        addzonerecord,
    )
    .api0(ACTION),
    FunctionSpec::legacy(
        "editzonerecord",
        Access::Acl(Acl::MANAGE_DNS_RECORDS),
        Versions::Both,
        editzonerecord,
    )
    .api0(ACTION),
    FunctionSpec::legacy(
        "removezonerecord",
        Access::Acl(Acl::MANAGE_DNS_RECORDS),
        Versions::Both,
        removezonerecord,
    )
    .api0(ACTION),
];

type Reply = BoxFuture<'static, Result<Outcome, WhmError>>;

fn zone_name(call: &Call) -> Result<String, WhmError> {
    zone_arg(call).ok_or_else(|| WhmError::reason(NO_ZONE))
}

/// `line` (or `Line`, its alias), counting from 1.
fn line_arg(call: &Call) -> Result<usize, WhmError> {
    optional(&call.args, "line")
        .or_else(|| optional(&call.args, "Line"))
        .and_then(|l| l.trim().parse().ok())
        .filter(|l| *l > 0)
        .ok_or_else(|| WhmError::reason("Must specify a record line."))
}

fn refused(e: impl ToString) -> WhmError {
    WhmError::Reason(e.to_string())
}

fn getzonerecord(call: Call) -> Reply {
    Box::pin(async move {
        let name = zone_name(&call)?;
        let line = line_arg(&call)?;
        let (_, zone) = load(&call, &name).await?;
        let found = zone
            .numbered()
            .find(|(at, entry)| *at == line && matches!(entry, Entry::Record(_)));
        let Some((at, entry)) = found else {
            return Err(WhmError::reason("No record available on selected line."));
        };
        let mut data = Map::new();
        data.insert("record".into(), json!([entry_json(at, entry, &zone)]));
        Ok(Outcome::ok(data).with_reason("Record obtained."))
    })
}

fn addzonerecord(call: Call) -> Reply {
    Box::pin(async move {
        let name = zone_name(&call)?;
        let (stored, zone) = load(&call, &name).await?;
        let record = Record::from_fields(zone.origin(), zone.default_ttl(), |k| {
            optional(&call.args, k)
        })
        .map_err(refused)?;
        let changed = zone.add(record).map_err(refused)?;
        let reason = save(&call, &stored, &changed).await?;
        Ok(Outcome::done().with_reason(reason))
    })
}

fn editzonerecord(call: Call) -> Reply {
    Box::pin(async move {
        let name = zone_name(&call)?;
        let line = line_arg(&call)?;
        let (stored, zone) = load(&call, &name).await?;
        check_serial(&call, &stored)?;
        let Some(old) = zone.record_at(line) else {
            return Err(WhmError::Reason(format!(
                "Unable to find a record on specified line: {line}"
            )));
        };
        let edited = match &old.data {
            RData::Soa(soa) => edit_soa(&call, old, soa)?,
            _ => {
                // Fields the call leaves out keep their values; a new type starts afresh.
                let kept = old.fields();
                let retyped = optional(&call.args, "type")
                    .is_some_and(|t| !t.trim().eq_ignore_ascii_case(old.data.kind()));
                Record::from_fields(zone.origin(), old.ttl, |k| {
                    optional(&call.args, k).or_else(|| {
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
    })
}

/// The SOA with the fields the call gives; its serial is the zone's to manage.
fn edit_soa(call: &Call, old: &Record, soa: &Soa) -> Result<Record, WhmError> {
    let number = |field: &'static str, current: u32| match optional(&call.args, field) {
        None => Ok(current),
        Some(raw) => record::ttl(raw.trim()).ok_or(RecordError::Range { field, kind: "SOA" }),
    };
    let host = |field: &str, current: &str, rule| match optional(&call.args, field) {
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

fn removezonerecord(call: Call) -> Reply {
    Box::pin(async move {
        let name = zone_name(&call)?;
        let line = line_arg(&call)?;
        let (stored, zone) = load(&call, &name).await?;
        check_serial(&call, &stored)?;
        let changed = zone.remove(line).map_err(refused)?;
        let reason = save(&call, &stored, &changed).await?;
        Ok(Outcome::done().with_reason(reason))
    })
}
