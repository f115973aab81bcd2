//! The one form of a WHM function: a request type, a response type, a plain `async fn` and a
//! [`function!`] line in its section's `FUNCTIONS` table.
//!
//! ```text
//! pub const FUNCTIONS: &[FunctionSpec] = &[
//!     function!("verify_new_username", Acl::CREATE_ACCT, V1, verify_new_username).read_only(),
//! ];
//!
//! #[derive(Debug, Deserialize, JsonSchema)]
//! struct VerifyNewUsername { user: String }
//!
//! async fn verify_new_username(call: Call, req: VerifyNewUsername) -> Result<Outcome<NoData>, WhmError>
//! ```
//!
//! The request type is read from the call's arguments before the handler runs
//! ([`whmd_wire::params`]); the response type is serialised in field order into the reply's
//! `data`. Both types are what the OpenAPI document ([`crate::openapi`]) describes, so the
//! document cannot say anything the code does not do.

use crate::registry::Call;
use futures::FutureExt;
use futures::future::Either;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::DeserializeOwned;
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};
use std::any::TypeId;
use std::borrow::Cow;
use std::future::Future;
use std::marker::PhantomData;
use whmd_wire::params::from_args;
use whmd_wire::{Args, Listing, Outcome, WhmError};

/// The data of a function that returns none: API 1 then leaves `data` out. It has no values,
/// so such a function can only answer `Outcome::done()`.
#[derive(Debug, Clone, Copy)]
pub enum NoData {}

impl Serialize for NoData {
    fn serialize<S: Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        match *self {}
    }
}

impl JsonSchema for NoData {
    fn schema_name() -> Cow<'static, str> {
        "NoData".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!(false)
    }
}

/// What the OpenAPI document says of one function: its arguments and its data.
#[derive(Debug)]
pub struct Signature {
    /// The request type's schema, inline: an object whose properties are the arguments.
    pub request: Schema,
    /// The response type's schema (usually a reference), or `None` for [`NoData`].
    pub response: Option<Schema>,
}

/// A list function's data when its records are read from their source as the reply is
/// written (a list that grows with the number of accounts): the listing, and the data's type
/// `D` for the OpenAPI document. The dispatcher writes the records under the function's list
/// key.
pub struct Listed<D> {
    listing: Listing,
    schema: PhantomData<D>,
}

impl<D> std::fmt::Debug for Listed<D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Listed").field(&self.listing).finish()
    }
}

impl<D> Listed<D> {
    pub fn new(listing: Listing) -> Self {
        Self {
            listing,
            schema: PhantomData,
        }
    }
}

impl<D: JsonSchema> JsonSchema for Listed<D> {
    fn schema_name() -> Cow<'static, str> {
        D::schema_name()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        D::json_schema(generator)
    }
}

/// A response with a list inside it streamed like a [`Listed`] one's (resellerstats'
/// `reseller.acct`): the data with an empty array where the list goes, and the listing placed
/// there ([`Listing::at`]).
pub struct WithList<T> {
    data: T,
    listing: Listing,
}

impl<T> WithList<T> {
    pub fn new(data: T, listing: Listing) -> Self {
        Self { data, listing }
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for WithList<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WithList")
            .field("data", &self.data)
            .field("listing", &self.listing)
            .finish()
    }
}

impl<T: JsonSchema> JsonSchema for WithList<T> {
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }
}

impl<T: Serialize> Data for WithList<T> {
    fn into_reply(self) -> Result<(Map<String, Value>, Option<Listing>), WhmError> {
        Ok((to_object(&self.data)?, Some(self.listing)))
    }
}

/// The data type of a [`Listed`] response, for the OpenAPI document only: an object whose one
/// key holds the list's records.
///
/// ```text
/// list_data!(AccountList = "Accounts" { "acct": [Record] });
/// ```
macro_rules! list_data {
    ($(#[$doc:meta])* $name:ident = $schema:literal { $key:literal: [$record:ty] }) => {
        $(#[$doc])*
        pub enum $name {}

        impl ::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                $schema.into()
            }

            fn json_schema(generator: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                ::schemars::json_schema!({
                    "type": "object",
                    "properties": {$key: {"type": "array", "items": generator.subschema_for::<$record>()}},
                    "required": [$key],
                })
            }
        }
    };
}

pub(crate) use list_data;

/// A response as the reply carries it: its object, and its streamed list if it has one.
pub trait Data {
    fn into_reply(self) -> Result<(Map<String, Value>, Option<Listing>), WhmError>;
}

impl<T: Serialize> Data for T {
    fn into_reply(self) -> Result<(Map<String, Value>, Option<Listing>), WhmError> {
        Ok((to_object(&self)?, None))
    }
}

impl<D> Data for Listed<D> {
    fn into_reply(self) -> Result<(Map<String, Value>, Option<Listing>), WhmError> {
        Ok((Map::new(), Some(self.listing)))
    }
}

/// Reads the request, runs the handler and turns its typed data into the reply's object.
///
/// The request is read at once, and the future is the handler's own with the conversion
/// after it, so it holds neither the arguments nor one more layer around the handler.
pub fn run<F, Req, Fut, Res>(
    call: Call,
    args: &Args,
    handler: F,
) -> impl Future<Output = Result<Outcome, WhmError>> + use<F, Req, Fut, Res>
where
    F: FnOnce(Call, Req) -> Fut,
    Req: DeserializeOwned,
    Fut: Future<Output = Result<Outcome<Res>, WhmError>>,
    Res: Data,
{
    match from_args(args) {
        Ok(request) => Either::Left(handler(call, request).map(into_reply)),
        Err(e) => Either::Right(std::future::ready(Err(e))),
    }
}

/// A handler's outcome, its typed data turned into the reply's object and list.
fn into_reply<Res: Data>(outcome: Result<Outcome<Res>, WhmError>) -> Result<Outcome, WhmError> {
    let mut listing = None;
    let mut outcome = outcome?.try_map(|data| {
        let (object, list) = data.into_reply()?;
        listing = list;
        Ok::<_, WhmError>(object)
    })?;
    if listing.is_some() {
        outcome.listing = listing;
    }
    Ok(outcome)
}

/// The schemas of a handler's request and response types, found from its signature.
pub fn describe<F, Req, Fut, Res>(generator: &mut SchemaGenerator, _: F) -> Signature
where
    F: FnOnce(Call, Req) -> Fut,
    Req: JsonSchema,
    Fut: Future<Output = Result<Outcome<Res>, WhmError>>,
    Res: JsonSchema + 'static,
{
    Signature {
        request: Req::json_schema(generator),
        response: (TypeId::of::<Res>() != TypeId::of::<NoData>())
            .then(|| generator.subschema_for::<Res>()),
    }
}

/// A response as the JSON object a reply's `data` holds.
fn to_object<T: Serialize>(data: &T) -> Result<Map<String, Value>, WhmError> {
    match serde_json::to_value(data) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(WhmError::internal(
            "a response did not serialise to an object",
        )),
        Err(e) => Err(WhmError::internal(e)),
    }
}

/// One function's entry in its section's table: `function!(name, ACL or Authenticated,
/// V0|V1|Both, handler)`, then the builder methods of [`crate::FunctionSpec`] for the rest.
macro_rules! function {
    ($name:literal, Authenticated, $versions:ident, $handler:path) => {
        $crate::function::function!(@ $name, $crate::registry::Access::Authenticated, $versions, $handler)
    };
    ($name:literal, $acl:expr, $versions:ident, $handler:path) => {
        $crate::function::function!(@ $name, $crate::registry::Access::Acl($acl), $versions, $handler)
    };
    (@ $name:literal, $access:expr, $versions:ident, $handler:path) => {
        $crate::registry::FunctionSpec::new(
            $name,
            $access,
            $crate::registry::Versions::$versions,
            {
                fn run(
                    call: $crate::registry::Call,
                    args: ::whmd_wire::Args,
                ) -> ::futures::future::BoxFuture<
                    'static,
                    ::std::result::Result<::whmd_wire::Outcome, ::whmd_wire::WhmError>,
                > {
                    ::std::boxed::Box::pin($crate::function::run(call, &args, $handler))
                }
                run
            },
            {
                fn describe(
                    generator: &mut ::schemars::SchemaGenerator,
                ) -> $crate::function::Signature {
                    $crate::function::describe(generator, $handler)
                }
                describe
            },
        )
    };
}

pub(crate) use function;
