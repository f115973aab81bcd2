//! What a function hands back: success or failure, its reason, its data and its output log.

use crate::Listing;
use serde_json::{Map, Value};
use std::borrow::Cow;

/// The `metadata.output` block: non-fatal messages, warnings and a raw log (docs/compatibility.md,
/// "Responses").
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Output {
    pub messages: Vec<String>,
    pub warnings: Vec<String>,
    pub raw: Option<String>,
    /// Send the block even when it is empty, for functions whose clients expect the arrays.
    pub always: bool,
}

impl Output {
    /// Whether the block is left out of the envelope.
    pub fn is_omitted(&self) -> bool {
        !self.always && self.messages.is_empty() && self.warnings.is_empty() && self.raw.is_none()
    }
}

/// A function's reply before it is shaped. A handler returns it with its own response type as
/// `D`; the dispatcher turns that into the JSON object every format is written from.
#[derive(Debug)]
pub struct Outcome<D = Map<String, Value>> {
    pub result: bool,
    pub reason: Cow<'static, str>,
    /// `None` when the function returns nothing: API 1 then omits `data` entirely.
    pub data: Option<D>,
    pub output: Output,
    /// Records the output controls add to `metadata` (`filter`, `sort`, `chunk`, `columns`);
    /// `None` until the controls have been applied, by the function itself or after it.
    pub controls: Option<Map<String, Value>>,
    /// The data's list, when it is written from its source as the reply is sent rather than
    /// held in `data`.
    pub listing: Option<Listing>,
}

impl<D> Outcome<D> {
    /// Success with reason `OK` and the given data.
    pub fn ok(data: D) -> Self {
        Self {
            result: true,
            reason: Cow::Borrowed("OK"),
            data: Some(data),
            output: Output::default(),
            controls: None,
            listing: None,
        }
    }

    /// Success with reason `OK` and no data.
    pub fn done() -> Self {
        Self {
            result: true,
            reason: Cow::Borrowed("OK"),
            data: None,
            output: Output::default(),
            controls: None,
            listing: None,
        }
    }

    pub fn failure(reason: impl Into<Cow<'static, str>>) -> Self {
        Self {
            result: false,
            reason: reason.into(),
            data: None,
            output: Output::default(),
            controls: None,
            listing: None,
        }
    }

    pub fn with_reason(mut self, reason: impl Into<Cow<'static, str>>) -> Self {
        self.reason = reason.into();
        self
    }

    /// The function applied the output controls itself, producing these metadata records.
    pub fn with_controls(mut self, metadata: Map<String, Value>) -> Self {
        self.controls = Some(metadata);
        self
    }

    pub fn with_raw(mut self, raw: impl Into<String>) -> Self {
        self.output.raw = Some(raw.into());
        self
    }

    /// The same outcome with its data turned into another type.
    pub fn try_map<E, F>(self, f: impl FnOnce(D) -> Result<E, F>) -> Result<Outcome<E>, F> {
        Ok(Outcome {
            result: self.result,
            reason: self.reason,
            data: self.data.map(f).transpose()?,
            output: self.output,
            controls: self.controls,
            listing: self.listing,
        })
    }
}
