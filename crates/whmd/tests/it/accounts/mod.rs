//! Accounts over HTTP: creation, listing, changes, suspension, removal, resellers, and the
//! examples of cPanel's documentation (`golden`).

mod create;
mod golden;
mod lifecycle;
mod modify;
mod resellers;
mod settings;

use crate::harness::Server;
use serde_json::Value;

/// Creates an account through the API and checks that it worked.
pub async fn create(server: &Server, user: &str, extra: &str) -> Value {
    let reply = server
        .call("createacct", &format!("api.version=1&username={user}&domain={user}.example.com&password=Secret-{user}-1{extra}"))
        .await;
    assert_eq!(reply["metadata"]["result"], 1, "createacct {user}: {reply}");
    reply
}

/// Calls an API 1 function as root and returns (result, reason, whole reply).
pub async fn v1(server: &Server, function: &str, query: &str) -> (i64, String, Value) {
    let reply = server
        .call(function, &format!("api.version=1&{query}"))
        .await;
    let result = reply["metadata"]["result"].as_i64().expect("a result");
    let reason = reply["metadata"]["reason"]
        .as_str()
        .expect("a reason")
        .to_owned();
    (result, reason, reply)
}
