//! Argument types with WHM's own spellings.

use crate::args::perl_true;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;

/// A 0/1 flag that is `DEFAULT` when absent or empty; any other value is Perl's truth
/// (`0` is false, anything else true).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag<const DEFAULT: bool>(pub bool);

impl<const DEFAULT: bool> Flag<DEFAULT> {
    pub fn get(self) -> bool {
        self.0
    }
}

impl<const DEFAULT: bool> Default for Flag<DEFAULT> {
    fn default() -> Self {
        Self(DEFAULT)
    }
}

impl<'de, const DEFAULT: bool> Deserialize<'de> for Flag<DEFAULT> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Self(match Option::<String>::deserialize(deserializer)? {
            None => DEFAULT,
            Some(text) => perl_true(Some(&text)),
        }))
    }
}

impl<const DEFAULT: bool> Serialize for Flag<DEFAULT> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u8(u8::from(self.0))
    }
}

impl<const DEFAULT: bool> JsonSchema for Flag<DEFAULT> {
    fn schema_name() -> Cow<'static, str> {
        "Flag".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "integer",
            "enum": [0, 1],
            "default": u8::from(DEFAULT),
            "description": "1 or 0; any value but 0 and the empty one counts as 1."
        })
    }
}

/// A `y`/`n` switch (`y`, `yes` and `1` are true; any other value false) that is `DEFAULT`
/// when absent or empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YesNo<const DEFAULT: bool>(pub bool);

impl<const DEFAULT: bool> YesNo<DEFAULT> {
    pub fn get(self) -> bool {
        self.0
    }
}

impl<const DEFAULT: bool> Default for YesNo<DEFAULT> {
    fn default() -> Self {
        Self(DEFAULT)
    }
}

impl<'de, const DEFAULT: bool> Deserialize<'de> for YesNo<DEFAULT> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Self(match Option::<String>::deserialize(deserializer)? {
            None => DEFAULT,
            Some(text) => text.starts_with(['y', 'Y']) || text == "1",
        }))
    }
}

impl<const DEFAULT: bool> Serialize for YesNo<DEFAULT> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(if self.0 { "y" } else { "n" })
    }
}

impl<const DEFAULT: bool> JsonSchema for YesNo<DEFAULT> {
    fn schema_name() -> Cow<'static, str> {
        "YesNo".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "enum": ["y", "n", "1", "0"],
            "default": if DEFAULT { "y" } else { "n" },
            "description": "y, yes or 1 for yes; any other value for no."
        })
    }
}

/// An argument whose being sent matters, even empty (an argument only root may pass, say).
/// Absent is `Sent::default()`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sent(Option<String>);

impl Sent {
    /// Whether the argument was sent, with any value.
    pub fn is_sent(&self) -> bool {
        self.0.is_some()
    }

    /// Its value, unless absent or empty.
    pub fn value(&self) -> Option<&str> {
        self.0.as_deref().filter(|v| !v.is_empty())
    }

    /// Perl's truth of its value.
    pub fn is_true(&self) -> bool {
        perl_true(self.0.as_deref())
    }
}

impl<'de> Deserialize<'de> for Sent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Any;
        impl serde::de::Visitor<'_> for Any {
            type Value = Sent;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a value")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Sent, E> {
                Ok(Sent(Some(v.to_owned())))
            }
        }
        deserializer.deserialize_any(Any)
    }
}

impl JsonSchema for Sent {
    fn schema_name() -> Cow<'static, str> {
        "Sent".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string"})
    }
}
