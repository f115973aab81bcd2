//! The output controls every list-returning WHM API 1 function accepts (docs/compatibility.md,
//! "Output controls, batch and the command line"): `api.columns`, `api.filter`, `api.sort` and
//! `api.chunk`, applied in that fixed order to the function's list, in place, with their `metadata`
//! records. One generic pass over the response tree; no function knows about it.

mod chunk;
mod columns;
mod field;
mod filter;
mod pushdown;
mod records;
mod sort;

pub use pushdown::{FieldOrder, FieldTest, Pushdown, TextTest, pushdown};
pub use records::Records;

use crate::Args;
use crate::listing::Listing;
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
    [
        "api.columns.enable",
        "api.filter.enable",
        "api.sort.enable",
        "api.chunk.enable",
    ]
    .iter()
    .any(|name| meta.is_true(name))
}

/// Applies the requested controls to `data[list]` (or, with no name, to the first value of
/// `data` that is a list) in memory, as [`Records`] writes them, and returns the metadata
/// records to add. For the benchmarks and tests of the controls themselves.
pub fn apply(meta: &Args, data: &mut Map<String, Value>, list: Option<&str>) -> Map<String, Value> {
    let records = match list {
        Some(name) => data.get_mut(name),
        None => data.values_mut().next(),
    };
    let Some(Value::Array(records)) = records else {
        return Map::new();
    };
    let mut written = Records::new(Listing::of(std::mem::take(records)), Some(meta));
    // Records in memory are never waited for, and reading them cannot fail.
    futures::executor::block_on(async {
        if written.prepare().await.is_ok() {
            while let Ok(Some(record)) = written.next().await {
                records.push(record);
            }
        }
    });
    written.metadata()
}

#[cfg(test)]
mod tests;
