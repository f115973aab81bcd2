//! A list reply's records, read from where they live while the reply is written, so a reply
//! of any length holds only a batch of them at a time (docs/compatibility.md, "Streamed
//! lists").

use crate::WhmError;
use async_trait::async_trait;
use serde_json::Value;

/// Where a list's records come from: in the list's own order, a batch at a time.
#[async_trait]
pub trait Source: Send {
    /// The next records; none once every record has been read.
    async fn next(&mut self) -> Result<Vec<Value>, WhmError>;

    /// The records at these positions of the order [`Source::next`] gave them in, in the
    /// order asked (a sort reads positions first and records after). A record gone since it
    /// was read is left out.
    async fn fetch(&mut self, positions: &[usize]) -> Result<Vec<Value>, WhmError>;

    /// The list will be read once through and nothing fetched: a source that remembers
    /// positions for [`Source::fetch`] can stop.
    fn once_through(&mut self) {}
}

/// A list about to be written: its source, with the first batch already read.
pub struct Listing {
    source: Box<dyn Source>,
    first: Vec<Value>,
    /// Where in the data the list goes, when not under the function's list key.
    at: Vec<String>,
}

impl std::fmt::Debug for Listing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listing").finish_non_exhaustive()
    }
}

impl Listing {
    /// Reads the first batch, so a failing source fails the function before any of the reply
    /// is sent; `None` when the list is empty.
    pub async fn start(mut source: impl Source + 'static) -> Result<Option<Self>, WhmError> {
        let first = source.next().await?;
        Ok((!first.is_empty()).then(|| Self {
            source: Box::new(source),
            first,
            at: Vec::new(),
        }))
    }

    /// A list already in memory.
    pub fn of(records: Vec<Value>) -> Self {
        Self {
            source: Box::new(InMemory {
                records,
                read: false,
            }),
            first: Vec::new(),
            at: Vec::new(),
        }
    }

    /// The list placed at `path` in the data (keys from its top), where the data holds an
    /// empty array for it, rather than under the function's list key.
    pub fn at(mut self, path: &[&str]) -> Self {
        self.at = path.iter().map(|k| (*k).to_owned()).collect();
        self
    }

    /// Where the list goes in the data; empty for the function's list key.
    pub fn path(&self) -> &[String] {
        &self.at
    }

    /// The next records; none at the end.
    pub async fn next(&mut self) -> Result<Vec<Value>, WhmError> {
        if self.first.is_empty() {
            self.source.next().await
        } else {
            Ok(std::mem::take(&mut self.first))
        }
    }

    pub async fn fetch(&mut self, positions: &[usize]) -> Result<Vec<Value>, WhmError> {
        self.source.fetch(positions).await
    }

    pub fn once_through(&mut self) {
        self.source.once_through();
    }
}

/// Records built whole by their function: small lists (packages, privileges, features).
struct InMemory {
    records: Vec<Value>,
    read: bool,
}

#[async_trait]
impl Source for InMemory {
    async fn next(&mut self) -> Result<Vec<Value>, WhmError> {
        if std::mem::replace(&mut self.read, true) {
            return Ok(Vec::new());
        }
        Ok(self.records.clone())
    }

    async fn fetch(&mut self, positions: &[usize]) -> Result<Vec<Value>, WhmError> {
        Ok(positions
            .iter()
            .filter_map(|&p| self.records.get(p).cloned())
            .collect())
    }
}
