//! A function's arguments read into its request type, by WHM's conventions.
//!
//! A request type derives `serde::Deserialize` (and `schemars::JsonSchema`, which documents
//! it); [`from_args`] fills it from the call's [`Args`]:
//! - a field reads the argument of its name (`#[serde(rename = "reseller-only")]` for names
//!   that are not Rust identifiers); fields are read in declaration order, so the first
//!   problem reported is the first field's;
//! - an absent or undefined argument leaves an `Option` `None`, a `#[serde(default)]` field its
//!   default, and any other field is `Provide the “KEY” parameter.`;
//! - an empty value is `None` for an `Option` and `The value of “KEY” may not be empty.` for a
//!   text or number field;
//! - `bool` is Perl's truth (empty and `0` are false); [`Flag`] and [`YesNo`] carry a default;
//! - a `Vec` takes every value sent as `key` and `key-N` (a repeated key), in that order,
//!   empty ones included;
//! - a `#[serde(flatten)]` map takes every argument the other fields do not name, as sent
//!   (for functions whose argument names are open, such as modifyacct's cpuser keys);
//! - a validated type (a user name, a domain) refuses a value with `serde::de::Error::custom`
//!   and WHM's reason, which is what the caller reads.

mod de;
mod types;

pub use de::from_args;
pub use types::{Flag, Sent, YesNo};

/// The arguments a request type's other fields do not name, in the order they were sent: a
/// `#[serde(flatten)]` field of this type takes them.
pub type Others = indexmap::IndexMap<String, String>;

#[cfg(test)]
mod tests;
