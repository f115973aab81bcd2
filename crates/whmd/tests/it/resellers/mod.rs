//! The reseller functions: making resellers and their privileges, their limits as createacct
//! and changepackage enforce them, and suspending or terminating them with their accounts.

mod limits;
mod setup;
mod terminate;

use serde_json::Value;

/// (result, reason) of a reply.
fn outcome(reply: &Value) -> (i64, &str) {
    (
        reply["metadata"]["result"].as_i64().expect("result"),
        reply["metadata"]["reason"].as_str().expect("reason"),
    )
}
