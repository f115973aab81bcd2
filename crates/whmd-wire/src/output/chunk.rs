//! `api.chunk` (docs/compatibility.md, "Output controls, batch and the command line"): one page of
//! the records.

use super::Spec;
use serde_json::{Value, json};

/// The page size when none, or less than 1, is asked for.
const DEFAULT_SIZE: usize = 100;

/// The page of `total` records a chunk request selects: `start..end`, zero-based.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub start: usize,
    pub end: usize,
    size: usize,
    total: usize,
}

impl Page {
    pub fn of(spec: &Spec, total: usize) -> Self {
        let number = |key: &str| {
            spec.options
                .get(key)
                .and_then(|v| v.trim().parse::<i64>().ok())
        };
        let size = number("size")
            .filter(|s| *s >= 1)
            .map_or(DEFAULT_SIZE, |s| usize::try_from(s).unwrap_or(usize::MAX));
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
        Self {
            start: start - 1,
            end: (start - 1).saturating_add(size).min(total),
            size,
            total,
        }
    }

    /// `metadata.chunk`.
    pub fn report(&self) -> Value {
        let start = self.start + 1;
        json!({
            "start": start,
            "size": self.size,
            "records": self.total,
            "current": start.div_ceil(self.size),
            "chunks": self.total.div_ceil(self.size),
        })
    }
}
