//! Envelopes: how an [`Outcome`] looks on the wire in API 1 and API 0 (docs/compatibility.md,
//! "Responses").
//!
//! The result is a body that reads as one JSON value tree, plus the XML root name; the
//! renderers in [`crate::render`] write that tree as JSON or XML, so the formats never
//! disagree. API 1's envelope is kept in its parts until it is written (`body`).

mod body;

use crate::output::Records;
use crate::{ApiFormat, ApiVersion, Outcome, Output};
use body::{Body, Metadata};
use serde_json::{Map, Value, json};
use std::borrow::Cow;

/// How a function's API 1 reply is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api1Shape {
    /// `{data, metadata}`, the standard envelope.
    Envelope,
    /// The data's keys at the top level beside `metadata`. Only `loadavg`, whose keys cPanel's
    /// own Perl client reads at the top in every version.
    TopLevel,
}

/// How a function's API 0 reply is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api0Shape {
    /// The data object itself (`{"version": …}`, `{"app": […]}`); a failure is
    /// `{"status": 0, "statusmsg": reason}`.
    Flat,
    /// As `Flat`, with the data key `from` written as `to` (API 1 `privileges` is API 0
    /// `privs`).
    Renamed {
        from: &'static str,
        to: &'static str,
    },
    /// Query functions: the data's keys beside `status` and `statusmsg`, where a success says
    /// `ok` instead of `OK` (`{"acct": […], "status": 1, "statusmsg": "Ok"}`); `rename` as for
    /// `Renamed`.
    Status {
        ok: &'static str,
        rename: Option<(&'static str, &'static str)>,
    },
    /// Action functions: `{KEY: [{status, statusmsg, …}]}`. The data goes into that one record
    /// as `data` says; the raw log, when `raw` names a key, goes there; `messages` adds the
    /// `messages` and `warnings` arrays.
    Listed {
        key: &'static str,
        data: Api0Data,
        raw: Option<&'static str>,
        messages: bool,
    },
}

/// Where a `Listed` API 0 record puts the function's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api0Data {
    /// Its keys beside `status` and `statusmsg`.
    Flatten,
    /// Under one key (`options` for createacct, `newcfg` for modifyacct).
    Under(&'static str),
    /// The keys of the first object in the data's list `key`, beside `status` and `statusmsg`
    /// (dumpzone: API 1's `zone[0].record` is API 0's `result[0].record`).
    FirstOf(&'static str),
}

/// The HTTP-level class of a reply: a function's own failure is still a 200.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyStatus {
    Ok,
    /// The store is unreachable (503).
    Unavailable,
    /// The store was lost while committing a change that may have been made (503).
    OutcomeUnknown,
    /// A bug or unexpected failure (500).
    Internal,
}

/// A shaped reply, ready to render.
#[derive(Debug)]
pub struct Reply {
    pub status: ReplyStatus,
    /// The XML root element: `result` in API 1, the function's name in API 0.
    pub root: Cow<'static, str>,
    body: Body,
    /// A list written from its records as the reply is sent ([`crate::render::chunks`]).
    /// Boxed: a reply is moved through every layer of a request, and most have no list.
    pub list: Option<Box<StreamedList>>,
}

/// A list left out of a reply's body and written into it as it is sent.
#[derive(Debug)]
pub struct StreamedList {
    /// The keys from the body's top to the list, whose place holds an empty array.
    pub path: Vec<String>,
    pub records: Records,
}

impl Reply {
    /// Shapes a function's outcome for the version it was called in.
    pub fn new(
        command: impl Into<Cow<'static, str>>,
        version: &ApiVersion,
        api0_shape: Api0Shape,
        api1: Api1Shape,
        outcome: Outcome,
        status: ReplyStatus,
    ) -> Self {
        let command = command.into();
        if !version.uses_metadata() {
            return Self::of(status, command, api0(api0_shape, outcome));
        }
        let metadata = Metadata {
            controls: outcome.controls.unwrap_or_default(),
            ..Metadata::new(
                command,
                version,
                outcome.result,
                outcome.reason,
                outcome.output,
            )
        };
        let body = match (api1, outcome.data) {
            (Api1Shape::TopLevel, Some(mut data)) => {
                data.insert("metadata".into(), metadata.into_value());
                Body::Tree(Value::Object(data))
            }
            (_, data) => Body::Envelope {
                data,
                metadata: Box::new(metadata),
            },
        };
        Self {
            status,
            root: "result".into(),
            body,
            list: None,
        }
    }

    /// A reply of `body` as it is, with `root` its XML root element.
    pub fn of(status: ReplyStatus, root: impl Into<Cow<'static, str>>, body: Value) -> Self {
        Self {
            status,
            root: root.into(),
            body: Body::Tree(body),
            list: None,
        }
    }

    /// The reply for a function that does not exist in this API version. API 0 also carries
    /// the text as a top-level `error`, where older clients look for it.
    pub fn unknown_app(command: &str, version: &ApiVersion) -> Self {
        let reason = unknown_app_reason(command, version);
        if !version.uses_metadata() {
            return Self::of(
                ReplyStatus::Ok,
                command.to_owned(),
                json!({"status": 0, "statusmsg": reason, "error": reason}),
            );
        }
        Self {
            status: ReplyStatus::Ok,
            root: "result".into(),
            body: Body::Envelope {
                data: None,
                metadata: Box::new(Metadata::new(
                    command.to_owned().into(),
                    version,
                    false,
                    reason.into(),
                    Output::default(),
                )),
            },
            list: None,
        }
    }

    /// The body as a value tree (a copy, for an envelope kept in its parts).
    pub fn body(&self) -> Cow<'_, Value> {
        match &self.body {
            Body::Tree(value) => Cow::Borrowed(value),
            envelope => Cow::Owned(envelope.clone().into_value()),
        }
    }

    /// The body as a value tree.
    pub fn into_body(self) -> Value {
        self.body.into_value()
    }

    /// The XML root, the body as a value tree and the streamed list.
    pub(crate) fn into_parts(self) -> (Cow<'static, str>, Value, Option<Box<StreamedList>>) {
        (self.root, self.body.into_value(), self.list)
    }

    /// The whole reply in `format`. A streamed list is written by [`crate::render::chunks`].
    pub fn render(self, format: ApiFormat) -> Vec<u8> {
        self.body.render(format, &self.root)
    }
}

fn api0(shape: Api0Shape, outcome: Outcome) -> Value {
    let status = json!(u8::from(outcome.result));
    let mut data = outcome.data.unwrap_or_default();
    let rename = |data: &mut Map<String, Value>, rename: Option<(&str, &str)>| {
        if let Some((from, to)) = rename
            && let Some(v) = data.shift_remove(from)
        {
            data.insert(to.to_owned(), v);
        }
    };
    match shape {
        Api0Shape::Flat | Api0Shape::Renamed { .. } | Api0Shape::Status { .. }
            if !outcome.result =>
        {
            json!({"status": 0, "statusmsg": outcome.reason})
        }
        Api0Shape::Flat => Value::Object(data),
        Api0Shape::Renamed { from, to } => {
            rename(&mut data, Some((from, to)));
            Value::Object(data)
        }
        Api0Shape::Status { ok, rename: r } => {
            rename(&mut data, r);
            data.insert("status".into(), status);
            let msg = if outcome.reason == "OK" {
                ok.into()
            } else {
                outcome.reason
            };
            data.insert("statusmsg".into(), json!(msg));
            Value::Object(data)
        }
        Api0Shape::Listed {
            key,
            data: placement,
            raw,
            messages,
        } => {
            let mut record = Map::new();
            record.insert("status".into(), status);
            record.insert("statusmsg".into(), json!(outcome.reason));
            match placement {
                // A failure's data (modifyacct's `missingfields`) sits beside its status.
                Api0Data::Flatten => record.extend(data),
                Api0Data::Under(_) if !outcome.result => record.extend(data),
                Api0Data::Under(under) if !data.is_empty() => {
                    record.insert(under.into(), Value::Object(data));
                }
                Api0Data::Under(_) => {}
                Api0Data::FirstOf(list) => {
                    if let Some(Value::Object(first)) = data
                        .remove(list)
                        .and_then(|v| v.as_array().and_then(|a| a.first().cloned()))
                    {
                        record.extend(first);
                    }
                }
            }
            if let (Some(raw_key), Some(text)) = (raw, outcome.output.raw) {
                record.insert(raw_key.into(), json!(text));
            }
            if messages {
                record.insert("messages".into(), json!(outcome.output.messages));
                record.insert("warnings".into(), json!(outcome.output.warnings));
            }
            json!({ key: [record] })
        }
    }
}

/// Where a successful reply holds the list at `path` in its data, as the keys from the
/// body's top; `None` when the API 0 shape folds the data into a record (`Listed`), so the
/// list must be read whole first.
pub fn list_path(
    version: &ApiVersion,
    api0: Api0Shape,
    api1: Api1Shape,
    path: &[String],
) -> Option<Vec<String>> {
    let mut keys = path.to_vec();
    if version.uses_metadata() {
        if api1 == Api1Shape::Envelope {
            keys.insert(0, "data".to_owned());
        }
        return Some(keys);
    }
    let rename = match api0 {
        Api0Shape::Flat => None,
        Api0Shape::Renamed { from, to } => Some((from, to)),
        Api0Shape::Status { rename, .. } => rename,
        Api0Shape::Listed { .. } => return None,
    };
    if let (Some((from, to)), Some(first)) = (rename, keys.first_mut())
        && first == from
    {
        *first = to.to_owned();
    }
    Some(keys)
}

/// The reason for a function that does not exist in this API version. Clients match on it
/// (`Unknown app (FN) requested`), so it is written in this one place.
pub fn unknown_app_reason(command: &str, version: &ApiVersion) -> String {
    format!("Unknown app ({command}) requested for this version ({version}) of the API.")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("version".into(), json!("11.120.0.16"));
        m
    }

    #[test]
    fn api1_envelope_and_omitted_data() {
        let r = Reply::new(
            "version",
            &ApiVersion::V1,
            Api0Shape::Flat,
            Api1Shape::Envelope,
            Outcome::ok(data()),
            ReplyStatus::Ok,
        );
        assert_eq!(r.root, "result");
        assert_eq!(
            *r.body(),
            json!({"data": {"version": "11.120.0.16"}, "metadata": {"version": 1, "command": "version", "result": 1, "reason": "OK"}})
        );
        let r = Reply::new(
            "x",
            &ApiVersion::V1,
            Api0Shape::Flat,
            Api1Shape::Envelope,
            Outcome::done(),
            ReplyStatus::Ok,
        );
        assert!(r.body().get("data").is_none());
    }

    #[test]
    fn api1_output_block_when_present() {
        let o = Outcome::done().with_raw("log");
        let r = Reply::new(
            "x",
            &ApiVersion::V1,
            Api0Shape::Flat,
            Api1Shape::Envelope,
            o,
            ReplyStatus::Ok,
        );
        assert_eq!(
            r.body()["metadata"]["output"],
            json!({"messages": [], "warnings": [], "raw": "log"})
        );
    }

    #[test]
    fn api0_flat_success_and_failure() {
        let r = Reply::new(
            "version",
            &ApiVersion::V0,
            Api0Shape::Flat,
            Api1Shape::Envelope,
            Outcome::ok(data()),
            ReplyStatus::Ok,
        );
        assert_eq!(r.root, "version");
        assert_eq!(*r.body(), json!({"version": "11.120.0.16"}));
        let r = Reply::new(
            "x",
            &ApiVersion::V0,
            Api0Shape::Flat,
            Api1Shape::Envelope,
            Outcome::failure("no"),
            ReplyStatus::Ok,
        );
        assert_eq!(*r.body(), json!({"status": 0, "statusmsg": "no"}));
    }

    #[test]
    fn api0_renamed_key() {
        let r = Reply::new(
            "v",
            &ApiVersion::V0,
            Api0Shape::Renamed {
                from: "version",
                to: "v",
            },
            Api1Shape::Envelope,
            Outcome::ok(data()),
            ReplyStatus::Ok,
        );
        assert_eq!(*r.body(), json!({"v": "11.120.0.16"}));
    }

    #[test]
    fn api0_status_and_listed() {
        let shape = Api0Shape::Status {
            ok: "Ok",
            rename: Some(("version", "v")),
        };
        let r = Reply::new(
            "x",
            &ApiVersion::V0,
            shape,
            Api1Shape::Envelope,
            Outcome::ok(data()),
            ReplyStatus::Ok,
        );
        assert_eq!(
            *r.body(),
            json!({"v": "11.120.0.16", "status": 1, "statusmsg": "Ok"})
        );
        let listed = Api0Shape::Listed {
            key: "result",
            data: Api0Data::Under("options"),
            raw: Some("rawout"),
            messages: false,
        };
        let o = Outcome::ok(data())
            .with_reason("Account Creation Ok")
            .with_raw("log");
        let r = Reply::new(
            "createacct",
            &ApiVersion::V0,
            listed,
            Api1Shape::Envelope,
            o,
            ReplyStatus::Ok,
        );
        assert_eq!(
            *r.body(),
            json!({"result": [{"status": 1, "statusmsg": "Account Creation Ok", "options": {"version": "11.120.0.16"}, "rawout": "log"}]})
        );
        let flat = Api0Shape::Listed {
            key: "passwd",
            data: Api0Data::Flatten,
            raw: None,
            messages: true,
        };
        let r = Reply::new(
            "passwd",
            &ApiVersion::V0,
            flat,
            Api1Shape::Envelope,
            Outcome::failure("no"),
            ReplyStatus::Ok,
        );
        assert_eq!(
            *r.body(),
            json!({"passwd": [{"status": 0, "statusmsg": "no", "messages": [], "warnings": []}]})
        );
    }

    #[test]
    fn top_level_keeps_keys_beside_metadata() {
        let r = Reply::new(
            "loadavg",
            &ApiVersion::V1,
            Api0Shape::Flat,
            Api1Shape::TopLevel,
            Outcome::ok(data()),
            ReplyStatus::Ok,
        );
        assert_eq!(r.body()["version"], json!("11.120.0.16"));
        assert_eq!(r.body()["metadata"]["command"], json!("loadavg"));
    }

    #[test]
    fn first_of_lifts_the_first_list_entry_into_the_record() {
        let mut zone = Map::new();
        zone.insert("zone".into(), json!([{"record": [{"Line": 1}]}]));
        let shape = Api0Shape::Listed {
            key: "result",
            data: Api0Data::FirstOf("zone"),
            raw: None,
            messages: false,
        };
        let ok = Outcome::ok(zone).with_reason("Zone Serialized");
        let r = Reply::new(
            "dumpzone",
            &ApiVersion::V0,
            shape,
            Api1Shape::Envelope,
            ok,
            ReplyStatus::Ok,
        );
        assert_eq!(
            *r.body(),
            json!({"result": [{"status": 1, "statusmsg": "Zone Serialized", "record": [{"Line": 1}]}]})
        );
    }

    #[test]
    fn unknown_app_texts() {
        let r = Reply::unknown_app("nope", &ApiVersion::V1);
        assert_eq!(
            r.body()["metadata"]["reason"],
            json!("Unknown app (nope) requested for this version (1) of the API.")
        );
        assert_eq!(r.body()["metadata"]["result"], json!(0));
        let r = Reply::unknown_app("nope", &ApiVersion::V0);
        assert_eq!(
            r.body()["error"],
            json!("Unknown app (nope) requested for this version (0) of the API.")
        );
        let r = Reply::unknown_app("version", &ApiVersion::Other("7".into()));
        assert_eq!(r.body()["metadata"]["version"], json!(7));
    }
}
