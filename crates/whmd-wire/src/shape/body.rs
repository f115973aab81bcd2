//! A reply's body. API 1's `{data, metadata}` envelope is kept in its parts until it is
//! written: most replies are written once and never looked at, and building a value tree for
//! the envelope and its metadata cost every one of them more than writing it. Everything else
//! is a value tree. Either way the bytes written are those of the tree.

use crate::{ApiFormat, ApiVersion, Output};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};
use std::borrow::Cow;

#[derive(Debug, Clone)]
pub(super) enum Body {
    Envelope {
        /// `None` when the function returns nothing: the envelope then has no `data`.
        data: Option<Map<String, Value>>,
        /// Boxed: a reply is moved through every layer of a request.
        metadata: Box<Metadata>,
    },
    Tree(Value),
}

/// API 1's `metadata`, written in the order clients see it: version, command, result, reason,
/// the output block when there is one, then the output controls' records.
#[derive(Debug, Clone)]
pub(super) struct Metadata {
    pub version: Value,
    pub command: Cow<'static, str>,
    pub result: bool,
    pub reason: Cow<'static, str>,
    pub output: Output,
    /// `filter`, `sort`, `chunk`, `columns`: never one of the keys above.
    pub controls: Map<String, Value>,
}

impl Metadata {
    pub fn new(
        command: Cow<'static, str>,
        version: &ApiVersion,
        result: bool,
        reason: Cow<'static, str>,
        output: Output,
    ) -> Self {
        let version = match version {
            ApiVersion::V0 => Value::from(0),
            ApiVersion::V1 => Value::from(1),
            ApiVersion::Other(v) => v
                .parse::<u64>()
                .map_or_else(|_| Value::from(v.as_str()), Value::from),
        };
        Self {
            version,
            command,
            result,
            reason,
            output,
            controls: Map::new(),
        }
    }

    pub fn into_value(self) -> Value {
        // Serialising into a value cannot fail: every key is a string.
        serde_json::to_value(&self).unwrap_or_default()
    }
}

impl Serialize for Metadata {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("version", &self.version)?;
        map.serialize_entry("command", &self.command)?;
        map.serialize_entry("result", &u8::from(self.result))?;
        map.serialize_entry("reason", &self.reason)?;
        if !self.output.is_omitted() {
            map.serialize_entry("output", &OutputBlock(&self.output))?;
        }
        for (key, value) in &self.controls {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

/// `metadata.output`: the messages and warnings, and the raw log when there is one.
struct OutputBlock<'a>(&'a Output);

impl Serialize for OutputBlock<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("messages", &self.0.messages)?;
        map.serialize_entry("warnings", &self.0.warnings)?;
        if let Some(raw) = &self.0.raw {
            map.serialize_entry("raw", raw)?;
        }
        map.end()
    }
}

/// The envelope as it is written.
#[derive(serde::Serialize)]
struct Envelope<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a Map<String, Value>>,
    metadata: &'a Metadata,
}

impl Body {
    /// The body in `format`; `root` names the XML root element.
    pub fn render(self, format: ApiFormat, root: &str) -> Vec<u8> {
        match (format, self) {
            (ApiFormat::Json, Self::Envelope { data, metadata }) => {
                let envelope = Envelope {
                    data: data.as_ref(),
                    metadata: &metadata,
                };
                // Serialising cannot fail: every key is a string.
                serde_json::to_vec(&envelope).unwrap_or_default()
            }
            (format, body) => crate::render::render(format, root, &body.into_value()),
        }
    }

    pub fn into_value(self) -> Value {
        match self {
            Self::Tree(value) => value,
            Self::Envelope { data, metadata } => {
                let mut envelope = Map::with_capacity(2);
                if let Some(data) = data {
                    envelope.insert("data".into(), Value::Object(data));
                }
                envelope.insert("metadata".into(), metadata.into_value());
                Value::Object(envelope)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn metadata(output: Output, controls: Map<String, Value>) -> Metadata {
        Metadata {
            controls,
            ..Metadata::new(
                "listaccts".into(),
                &ApiVersion::V1,
                true,
                "OK".into(),
                output,
            )
        }
    }

    fn bodies() -> Vec<Body> {
        let data = json!({"acct": [{"user": "a<b>", "n": 1}], "z": null, "a": "é\"\n"});
        let Value::Object(data) = data else {
            unreachable!()
        };
        let Value::Object(controls) = json!({"filter": {"filtered": 3}, "chunk": {"start": 1}})
        else {
            unreachable!()
        };
        let output = Output {
            messages: vec!["m".into()],
            warnings: vec![],
            raw: Some("log".into()),
            always: false,
        };
        vec![
            Body::Envelope {
                data: Some(data.clone()),
                metadata: Box::new(metadata(Output::default(), Map::new())),
            },
            Body::Envelope {
                data: Some(data),
                metadata: Box::new(metadata(output, controls)),
            },
            Body::Envelope {
                data: None,
                metadata: Box::new(metadata(
                    Output {
                        always: true,
                        ..Output::default()
                    },
                    Map::new(),
                )),
            },
        ]
    }

    #[test]
    fn an_envelope_is_written_as_its_tree_would_be() {
        for body in bodies() {
            let tree = body.clone().into_value();
            assert_eq!(
                body.render(ApiFormat::Json, "result"),
                serde_json::to_vec(&tree).expect("json")
            );
        }
    }

    #[test]
    fn the_metadata_keeps_its_order() {
        let Body::Envelope { metadata, .. } = bodies().remove(1) else {
            unreachable!()
        };
        let Value::Object(tree) = metadata.into_value() else {
            panic!("an object")
        };
        let keys: Vec<&str> = tree.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "version", "command", "result", "reason", "output", "filter", "chunk"
            ]
        );
        assert_eq!(
            tree["output"],
            json!({"messages": ["m"], "warnings": [], "raw": "log"})
        );
    }
}
