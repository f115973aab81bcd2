//! WHM functions, one module per WHM section. Each module lists its functions in a
//! `FUNCTIONS` table; [`ALL`] is what the registry is built from.

mod accounts;
mod args;
mod batch;
mod privileges;
mod server;

use crate::FunctionSpec;
use serde::Serialize;
use serde_json::Value;
use whmd_wire::{Outcome, WhmError};

/// Every section's function table.
pub const ALL: &[&[FunctionSpec]] = &[
    server::FUNCTIONS,
    privileges::FUNCTIONS,
    batch::FUNCTIONS,
    accounts::BACKUP,
    accounts::CREATE,
    accounts::LIMITS,
    accounts::LIST,
    accounts::MODIFY,
    accounts::NAMES,
    accounts::PASSWD,
    accounts::REMOVE,
    accounts::SUSPEND,
    accounts::USERDATA,
];

/// A success with reason `OK` whose data is `response`, which must serialise to an object.
fn respond<T: Serialize>(response: &T) -> Result<Outcome, WhmError> {
    match serde_json::to_value(response) {
        Ok(Value::Object(data)) => Ok(Outcome::ok(data)),
        Ok(_) => Err(WhmError::internal(
            "a response did not serialise to an object",
        )),
        Err(e) => Err(WhmError::internal(e)),
    }
}
