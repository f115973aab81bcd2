//! `api.chunk` (PROTOCOL.md §4.6): one page of the records.

use super::Spec;
use serde_json::{Value, json};

/// The page size when none, or less than 1, is asked for.
const DEFAULT_SIZE: usize = 100;

/// Keeps one page; returns `metadata.chunk` when verbose.
pub fn apply(spec: &Spec, records: &mut Vec<Value>) -> Option<Value> {
    let number = |key: &str| {
        spec.options
            .get(key)
            .and_then(|v| v.trim().parse::<i64>().ok())
    };
    let size = number("size")
        .filter(|s| *s >= 1)
        .map_or(DEFAULT_SIZE, |s| usize::try_from(s).unwrap_or(usize::MAX));
    let total = records.len();
    let start = match (
        number("start").filter(|s| *s > 0),
        number("select").filter(|s| *s > 0),
    ) {
        (Some(start), _) => usize::try_from(start).unwrap_or(usize::MAX),
        (None, Some(page)) => usize::try_from(page - 1)
            .unwrap_or(0)
            .saturating_mul(size)
            .saturating_add(1),
        (None, None) => 1,
    };
    // Past the end, the first page is shown (not an empty one).
    let start = if start > total { 1 } else { start };
    let end = (start - 1).saturating_add(size).min(total);
    records.truncate(end);
    records.drain(..(start - 1).min(records.len()));
    spec.verbose.then(|| {
        json!({
            "start": start,
            "size": size,
            "records": total,
            "current": start.div_ceil(size),
            "chunks": total.div_ceil(size),
        })
    })
}
