//! The serde deserializer over [`Args`] that [`from_args`] runs.

use crate::args::perl_true;
use crate::{Args, WhmError};
use serde::de::value::SeqDeserializer;
use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, MapAccess, Visitor};
use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

/// Reads `args` into the request type `T` (see the module's documentation for the rules).
pub fn from_args<T: DeserializeOwned>(args: &Args) -> Result<T, WhmError> {
    T::deserialize(Top { args }).map_err(|e| e.0)
}

/// A refusal while reading: WHM's error, carried through serde.
#[derive(Debug)]
struct Error(WhmError);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self(WhmError::Reason(msg.to_string()))
    }

    fn missing_field(field: &'static str) -> Self {
        Self(WhmError::MissingParameter(field))
    }
}

/// An argument's name: one of the request type's fields, or one as sent (a flattened map).
#[derive(Debug, Clone, Copy)]
enum Name<'a> {
    Field(&'static str),
    Sent(&'a str),
}

impl Name<'_> {
    fn as_str(&self) -> &str {
        match self {
            Self::Field(name) => name,
            Self::Sent(name) => name,
        }
    }

    fn empty(self) -> Error {
        Error(WhmError::EmptyParameter(match self {
            Self::Field(name) => Cow::Borrowed(name),
            Self::Sent(name) => Cow::Owned(name.to_owned()),
        }))
    }

    fn missing(self) -> Error {
        match self {
            Self::Field(name) => Error(WhmError::MissingParameter(name)),
            Self::Sent(name) => Error(WhmError::Reason(format!("Provide the “{name}” parameter."))),
        }
    }
}

/// The whole argument list: a request struct, or a map of every argument.
struct Top<'a> {
    args: &'a Args,
}

impl<'de> de::Deserializer<'de> for Top<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_map(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_map(Every {
            args: self.args,
            pairs: self.args.iter(),
            current: None,
        })
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_map(Fields {
            args: self.args,
            fields: fields.iter(),
            current: None,
        })
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option newtype_struct seq tuple tuple_struct enum identifier ignored_any
    }
}

/// A request struct's fields, in declaration order, those that were sent.
struct Fields<'a> {
    args: &'a Args,
    fields: std::slice::Iter<'static, &'static str>,
    current: Option<&'static str>,
}

impl<'de> MapAccess<'de> for Fields<'_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        for field in self.fields.by_ref() {
            if self.args.get(field).is_some() || !self.args.list(field).is_empty() {
                self.current = Some(field);
                return seed.deserialize(field.into_deserializer()).map(Some);
            }
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let field = self
            .current
            .take()
            .ok_or_else(|| Error(WhmError::internal("value before key")))?;
        seed.deserialize(Value {
            args: self.args,
            name: Name::Field(field),
            text: self.args.get(field),
            member: false,
        })
    }
}

/// Every defined argument, in arrival order (a struct with a flattened map, or a map).
struct Every<'a, I> {
    args: &'a Args,
    pairs: I,
    current: Option<(&'a str, &'a str)>,
}

impl<'a, 'de, I: Iterator<Item = (&'a str, Option<&'a str>)>> MapAccess<'de> for Every<'a, I> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        for (key, value) in self.pairs.by_ref() {
            if let Some(value) = value {
                self.current = Some((key, value));
                return seed.deserialize(key.into_deserializer()).map(Some);
            }
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let (key, text) = self
            .current
            .take()
            .ok_or_else(|| Error(WhmError::internal("value before key")))?;
        seed.deserialize(Value {
            args: self.args,
            name: Name::Sent(key),
            text: Some(text),
            member: false,
        })
    }
}

/// One argument's value (or, for a `Vec`, every value sent under its name).
struct Value<'a> {
    args: &'a Args,
    name: Name<'a>,
    text: Option<&'a str>,
    /// One of a list's values, which may be empty: the list is what was required.
    member: bool,
}

impl Value<'_> {
    /// The value as text, refusing an absent one, and an empty one unless it is a list's.
    fn text(&self) -> Result<&str, Error> {
        match self.text {
            None => Err(self.name.missing()),
            Some("") if !self.member => Err(self.name.empty()),
            Some(text) => Ok(text),
        }
    }

    fn number<T: FromStr>(&self) -> Result<T, Error> {
        let text = self.text()?;
        text.trim().parse().map_err(|_| {
            Error(WhmError::Reason(format!(
                "The “{}” parameter must be a number, not “{text}”.",
                self.name.as_str()
            )))
        })
    }
}

macro_rules! numbers {
    ($($method:ident $visit:ident $ty:ty),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            visitor.$visit(self.number::<$ty>()?)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for Value<'_> {
    type Error = Error;

    /// Any value as sent, the empty one too (the values of a flattened map).
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.text {
            Some(text) => visitor.visit_str(text),
            None => Err(self.name.missing()),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_str(self.text()?)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_str(self.text()?)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_bool(perl_true(self.text))
    }

    numbers! {
        deserialize_i8 visit_i8 i8, deserialize_i16 visit_i16 i16, deserialize_i32 visit_i32 i32,
        deserialize_i64 visit_i64 i64, deserialize_u8 visit_u8 u8, deserialize_u16 visit_u16 u16,
        deserialize_u32 visit_u32 u32, deserialize_u64 visit_u64 u64,
        deserialize_f32 visit_f32 f32, deserialize_f64 visit_f64 f64,
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.text {
            None | Some("") => visitor.visit_none(),
            Some(_) => visitor.visit_some(self),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let name = self.name;
        let values = self.args.list(name.as_str()).into_iter().map(|text| Value {
            args: self.args,
            name,
            text: Some(text),
            member: true,
        });
        let mut seq = SeqDeserializer::new(values);
        let value = visitor.visit_seq(&mut seq)?;
        seq.end()?;
        Ok(value)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_enum(self.text()?.into_deserializer())
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        i128 u128 char bytes byte_buf unit_struct tuple tuple_struct map struct
        identifier ignored_any
    }
}

impl<'de, 'a> IntoDeserializer<'de, Error> for Value<'a> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}
