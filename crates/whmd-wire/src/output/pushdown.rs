//! The output controls handed to a function that runs them itself, in its store's query, when
//! every one of them is simple enough: tests and byte-wise orders of top-level text fields,
//! and the page. The function then gives back what [`super::apply`] would have produced from
//! the same records: the same page, in the same order, with the same metadata records.

use super::chunk::Page;
use super::{Spec, filter, sort};
use crate::Args;
use serde_json::{Map, Value};
use std::ops::Range;

/// A test of one text field, as `api.filter` runs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextTest {
    /// Holds the term, ignoring ASCII case; the term is lowercase ASCII.
    Contains(String),
    /// Begins with the term, ignoring ASCII case; the term is lowercase ASCII.
    Begins(String),
    /// Is exactly the term.
    Eq(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldTest {
    pub field: String,
    pub test: TextTest,
}

/// One sort key: the field's bytes, ascending unless reversed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldOrder {
    pub field: String,
    pub reverse: bool,
}

/// The requested controls, ready to run in a query.
pub struct Pushdown {
    /// Every test must hold.
    pub filters: Vec<FieldTest>,
    /// Like `ORDER BY`; ties keep the function's own order.
    pub order: Vec<FieldOrder>,
    filter_report: Option<Box<dyn Fn(usize) -> Value + Send + Sync>>,
    sort_report: Option<Value>,
    chunk: Option<Spec>,
}

impl std::fmt::Debug for Pushdown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pushdown")
            .field("filters", &self.filters)
            .field("order", &self.order)
            .finish_non_exhaustive()
    }
}

/// The controls in `meta` as a [`Pushdown`] over `fields` (the top-level text fields the
/// function can test and sort itself, all present in every record); `None` when no control is
/// asked for, or when any is beyond that (`api.columns`, other fields, numeric filters or
/// sorts), and the function should produce every record for [`super::apply`] instead.
pub fn pushdown(meta: &Args, fields: &[&str]) -> Option<Pushdown> {
    if !super::requested(meta) || Spec::read(meta, "columns").enabled {
        return None;
    }
    let known = |field: &str| fields.contains(&field);
    let mut plan = Pushdown {
        filters: Vec::new(),
        order: Vec::new(),
        filter_report: None,
        sort_report: None,
        chunk: None,
    };
    let spec = Spec::read(meta, "filter");
    if spec.enabled {
        let (filters, report) = filter::pushdown(&spec)?;
        if !filters.iter().all(|f| known(&f.field)) {
            return None;
        }
        plan.filters = filters;
        if spec.verbose {
            plan.filter_report = Some(Box::new(report));
        }
    }
    let spec = Spec::read(meta, "sort");
    if spec.enabled {
        let (order, report) = sort::pushdown(&spec)?;
        if !order.iter().all(|o| known(&o.field)) {
            return None;
        }
        plan.order = order;
        plan.sort_report = spec.verbose.then_some(report);
    }
    let spec = Spec::read(meta, "chunk");
    if spec.enabled {
        plan.chunk = Some(spec);
    }
    Some(plan)
}

impl Pushdown {
    /// Whether [`Pushdown::metadata`] needs the count of records before filtering.
    pub fn reports_unfiltered_count(&self) -> bool {
        self.filter_report.is_some()
    }

    /// The most records the answer can hold: the page's size, or `None` without a page (every
    /// record that passes the filters).
    pub fn page_size(&self) -> Option<usize> {
        self.chunk.as_ref().map(|spec| {
            let page = Page::of(spec, usize::MAX);
            page.end - page.start
        })
    }

    /// The records to return of `matching` ones that passed the filters, in order.
    pub fn window(&self, matching: usize) -> Range<usize> {
        match &self.chunk {
            Some(spec) => {
                let page = Page::of(spec, matching);
                page.start..page.end
            }
            None => 0..matching,
        }
    }

    /// The metadata records [`super::apply`] would have added, given how many records there
    /// were before filtering (`unfiltered`) and after (`matching`).
    pub fn metadata(&self, unfiltered: usize, matching: usize) -> Map<String, Value> {
        let mut metadata = Map::new();
        if let Some(report) = &self.filter_report {
            metadata.insert("filter".into(), report(unfiltered));
        }
        if let Some(report) = &self.sort_report {
            metadata.insert("sort".into(), report.clone());
        }
        if let Some(spec) = self.chunk.as_ref().filter(|s| s.verbose) {
            metadata.insert("chunk".into(), Page::of(spec, matching).report());
        }
        metadata
    }
}
