//! A list's records under the output controls, one at a time. Columns and filters run on each
//! record as it is read. A sort or a page first reads every record once, keeping only its
//! position and sort values, then fetches the records of the page in their final order: no
//! more than a batch of whole records is held at any time.

use super::Spec;
use super::chunk::Page;
use super::columns::Columns;
use super::filter::Filters;
use super::sort::{Order, SortValues};
use crate::listing::Listing;
use crate::{Args, WhmError};
use serde_json::{Map, Value};
use std::vec::IntoIter;

/// How many records a sorted or paged list fetches at a time.
const FETCH: usize = 256;

/// A list being written: its records, and the controls it is written under.
#[derive(Debug)]
pub struct Records {
    listing: Listing,
    controls: Controls,
    /// The records read and not yet handed out.
    ready: IntoIter<Value>,
    /// For a sort or a page: the positions still to fetch, in their final order.
    positions: Option<IntoIter<usize>>,
}

#[derive(Default)]
struct Controls {
    columns: Option<Columns>,
    filters: Option<Filters>,
    order: Option<Order>,
    chunk: Option<Spec>,
    /// Records read before filtering.
    read: usize,
    /// Records that passed the filters.
    matching: usize,
}

impl std::fmt::Debug for Controls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Controls")
            .field("read", &self.read)
            .field("matching", &self.matching)
            .finish_non_exhaustive()
    }
}

impl Records {
    /// `listing` under the controls `meta` asks for; with no `meta`, as it is.
    pub fn new(mut listing: Listing, meta: Option<&Args>) -> Self {
        let mut controls = Controls::default();
        if let Some(meta) = meta {
            let enabled = |name| Some(Spec::read(meta, name)).filter(|s| s.enabled);
            controls.columns = enabled("columns").map(|s| Columns::read(&s));
            controls.filters = enabled("filter").map(|s| Filters::read(&s));
            controls.order = enabled("sort").map(|s| Order::read(&s));
            controls.chunk = enabled("chunk");
        }
        if controls.order.is_none() && controls.chunk.is_none() {
            listing.once_through();
        }
        Self {
            listing,
            controls,
            ready: Vec::new().into_iter(),
            positions: None,
        }
    }

    /// Reads what a sort or a page needs before the first record can be written: every
    /// record's position and sort values. Nothing to do otherwise.
    pub async fn prepare(&mut self) -> Result<(), WhmError> {
        if self.controls.order.is_none() && self.controls.chunk.is_none() {
            return Ok(());
        }
        let mut entries: Vec<(SortValues, usize)> = Vec::new();
        loop {
            let batch = self.listing.next().await?;
            if batch.is_empty() {
                break;
            }
            for record in batch {
                let position = self.controls.read;
                if let Some(record) = self.controls.admit(record) {
                    let values = self.controls.order.as_ref().map(|o| o.values(&record));
                    entries.push((values.unwrap_or_default(), position));
                }
            }
        }
        if let Some(order) = &self.controls.order {
            order.sort(&mut entries);
        }
        let window = match &self.controls.chunk {
            Some(spec) => {
                let page = Page::of(spec, entries.len());
                page.start..page.end
            }
            None => 0..entries.len(),
        };
        let positions: Vec<usize> = entries
            .drain(window)
            .map(|(_, position)| position)
            .collect();
        self.positions = Some(positions.into_iter());
        Ok(())
    }

    /// The next record to write; `None` after the last.
    pub async fn next(&mut self) -> Result<Option<Value>, WhmError> {
        loop {
            if let Some(record) = self.ready.next() {
                match &mut self.positions {
                    // Fetched records passed the filters when they were first read.
                    Some(_) => return Ok(Some(self.controls.cut(record))),
                    None => {
                        if let Some(record) = self.controls.admit(record) {
                            return Ok(Some(record));
                        }
                        continue;
                    }
                }
            }
            let batch = match &mut self.positions {
                Some(positions) => {
                    let wanted: Vec<usize> = positions.by_ref().take(FETCH).collect();
                    if wanted.is_empty() {
                        return Ok(None);
                    }
                    self.listing.fetch(&wanted).await?
                }
                None => {
                    let batch = self.listing.next().await?;
                    if batch.is_empty() {
                        return Ok(None);
                    }
                    batch
                }
            };
            self.ready = batch.into_iter();
        }
    }

    /// The records the controls add to `metadata`, once every record has been written.
    pub fn metadata(&self) -> Map<String, Value> {
        let c = &self.controls;
        let mut metadata = Map::new();
        if let Some(columns) = &c.columns {
            metadata.insert("columns".into(), columns.report());
        }
        if let Some(report) = c.filters.as_ref().and_then(|f| f.report(c.read)) {
            metadata.insert("filter".into(), report);
        }
        if let Some(report) = c.order.as_ref().and_then(Order::report) {
            metadata.insert("sort".into(), report);
        }
        if let Some(spec) = c.chunk.as_ref().filter(|s| s.verbose) {
            metadata.insert("chunk".into(), Page::of(spec, c.matching).report());
        }
        metadata
    }
}

impl Controls {
    /// One record as read: cut to the columns, then kept if it passes the filters.
    fn admit(&mut self, record: Value) -> Option<Value> {
        self.read += 1;
        let record = self.cut(record);
        if self.filters.as_ref().is_some_and(|f| !f.matches(&record)) {
            return None;
        }
        self.matching += 1;
        Some(record)
    }

    fn cut(&mut self, mut record: Value) -> Value {
        if let Some(columns) = &mut self.columns {
            columns.cut(&mut record);
        }
        record
    }
}
