//! Mail exchangers: listmxs and savemxs, which replaces them all.

use super::super::args::optional;
use super::{check_serial, entry_json, load, save, zone_arg};
use crate::registry::Call;
use crate::{Access, FunctionSpec, Versions};
use futures::future::BoxFuture;
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use whmd_dns::{Entry, RData, Record};
use whmd_wire::{Acl, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] = &[
    FunctionSpec::legacy("listmxs", Access::Acl(Acl::EDIT_MX), Versions::V1, listmxs)
        .read_only()
        .list("record"),
    FunctionSpec::legacy("savemxs", Access::Acl(Acl::EDIT_MX), Versions::V1, savemxs),
];

type Reply = BoxFuture<'static, Result<Outcome, WhmError>>;

fn listmxs(call: Call) -> Reply {
    Box::pin(async move {
        let name = zone_arg(&call).unwrap_or_default();
        let (_, zone) = load(&call, &name)
            .await
            .map_err(|_| WhmError::reason("Failed to obtain MX records."))?;
        let records: Vec<Value> = zone
            .numbered()
            .filter(|(_, e)| matches!(e, Entry::Record(r) if matches!(r.data, RData::Mx { .. })))
            .map(|(line, entry)| entry_json(line, entry, &zone))
            .collect();
        if records.is_empty() {
            return Ok(Outcome::done());
        }
        let mut data = Map::new();
        data.insert("record".into(), Value::Array(records));
        Ok(Outcome::ok(data))
    })
}

/// `exchange<S>`, `preference<S>`, `name<S>`, `class<S>` and `ttl<S>` with one suffix `S`
/// per record (`exchange-1`, `exchange-2`, or none at all for a single record).
fn savemxs(call: Call) -> Reply {
    Box::pin(async move {
        let name = zone_arg(&call).unwrap_or_default();
        let (stored, zone) = load(&call, &name)
            .await
            .map_err(|_| WhmError::reason("Failed to set MX records."))?;
        check_serial(&call, &stored)?;
        let suffixes: BTreeSet<&str> = call
            .args
            .iter()
            .filter_map(|(key, _)| key.strip_prefix("exchange"))
            .collect();
        let mut records = Vec::with_capacity(suffixes.len());
        for suffix in suffixes {
            let field = |k: &str| match k {
                "type" => Some("MX"),
                _ => optional(&call.args, &format!("{k}{suffix}")),
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
    })
}
