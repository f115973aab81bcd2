//! The output controls every list-returning WHM API 1 function accepts (docs/compatibility.md,
//! "Output controls, batch and the command line"): `api.columns`, `api.filter`, `api.sort` and
//! `api.chunk`, applied in that fixed order to the function's list, in place, with their `metadata`
//! records. One generic pass over the response tree; no function knows about it.

mod chunk;
mod columns;
mod field;
mod filter;
mod pushdown;
mod sort;

pub use pushdown::{FieldOrder, FieldTest, Pushdown, TextTest, pushdown};

use crate::Args;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// One control's arguments: its options (`enable`, `verbose`, `size`, …) and its items by id,
/// in sorted id order (`a`, `b`, …, `za`), each with its attributes (`field`, `type`, `arg0`).
#[derive(Debug, Default)]
pub struct Spec {
    pub enabled: bool,
    pub verbose: bool,
    pub options: BTreeMap<String, String>,
    pub items: BTreeMap<String, BTreeMap<String, String>>,
}

impl Spec {
    /// Reads `api.NAME.*` from the meta-arguments.
    fn read(meta: &Args, name: &str) -> Self {
        let prefix = format!("api.{name}.");
        let mut spec = Spec::default();
        for (key, value) in meta.iter() {
            let (Some(rest), Some(value)) = (key.strip_prefix(&prefix), value) else {
                continue;
            };
            match rest.split_once('.') {
                Some((id, attr)) if valid_id(id) => {
                    spec.items
                        .entry(id.to_owned())
                        .or_default()
                        .insert(attr.to_owned(), value.to_owned());
                }
                Some(_) => {}
                None => {
                    spec.options.insert(rest.to_owned(), value.to_owned());
                }
            }
        }
        let truthy = |k: &str| {
            spec.options
                .get(k)
                .is_some_and(|v| !v.is_empty() && v != "0")
        };
        spec.enabled = truthy("enable");
        spec.verbose = truthy("verbose");
        spec
    }
}

/// Item ids: a letter, then letters, digits and `_`, and none of the option names.
fn valid_id(id: &str) -> bool {
    let b = id.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_lowercase()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_')
        && !matches!(id, "enable" | "verbose" | "filter" | "filtered")
}

/// Whether the meta-arguments ask for any output control at all.
pub fn requested(meta: &Args) -> bool {
    ["columns", "filter", "sort", "chunk"]
        .iter()
        .any(|n| meta.is_true(&format!("api.{n}.enable")))
}

/// Applies the requested controls to `data[list]` (or, with no name, to the first value of
/// `data` that is a list) and returns the metadata records to add.
pub fn apply(meta: &Args, data: &mut Map<String, Value>, list: Option<&str>) -> Map<String, Value> {
    let mut metadata = Map::new();
    let records = match list {
        Some(name) => data.get_mut(name),
        None => data.values_mut().next(),
    };
    let Some(Value::Array(records)) = records else {
        return metadata;
    };
    let columns = Spec::read(meta, "columns");
    if columns.enabled {
        metadata.insert("columns".into(), columns::apply(&columns, records));
    }
    let filter = Spec::read(meta, "filter");
    if filter.enabled
        && let Some(report) = filter::apply(&filter, records)
    {
        metadata.insert("filter".into(), report);
    }
    let sort = Spec::read(meta, "sort");
    if sort.enabled
        && let Some(report) = sort::apply(&sort, records)
    {
        metadata.insert("sort".into(), report);
    }
    let chunk = Spec::read(meta, "chunk");
    if chunk.enabled
        && let Some(report) = chunk::apply(&chunk, records)
    {
        metadata.insert("chunk".into(), report);
    }
    metadata
}

#[cfg(test)]
mod tests;
