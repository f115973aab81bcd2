//! DNS zones over HTTP: shapes and reasons (`zones`, `records`), the
//! zones accounts get (`accounts`), and a live BIND serving what whmd wrote (`bind`).

mod accounts;
mod bind;
mod import;
mod records;
mod zones;

use crate::accounts::v1;
use crate::harness::Server;
use serde_json::Value;

/// Makes `domain`'s zone as root with the standard template.
async fn adddns(server: &Server, domain: &str) {
    let (result, reason, reply) = v1(
        server,
        "adddns",
        &format!("domain={domain}&ip=192.0.2.10&trueowner=root"),
    )
    .await;
    assert_eq!(result, 1, "{reply}");
    assert_eq!(reason, format!("Added {domain} ok belonging to user root"));
}

/// dumpzone's records.
async fn records(server: &Server, domain: &str) -> Vec<Value> {
    let (result, _, reply) = v1(server, "dumpzone", &format!("domain={domain}")).await;
    assert_eq!(result, 1, "{reply}");
    reply["data"]["zone"][0]["record"]
        .as_array()
        .expect("records")
        .clone()
}

/// The line of the first record of `kind` named `name` (with its trailing dot).
async fn line_of(server: &Server, domain: &str, kind: &str, name: &str) -> u64 {
    records(server, domain)
        .await
        .iter()
        .find(|r| r["type"] == kind && r["name"] == name)
        .and_then(|r| r["Line"].as_u64())
        .unwrap_or_else(|| panic!("no {kind} record named {name}"))
}

/// The zone's current serial, as dumpzone gives it.
async fn serial(server: &Server, domain: &str) -> String {
    records(server, domain)
        .await
        .iter()
        .find(|r| r["type"] == "SOA")
        .and_then(|r| r["serial"].as_str())
        .expect("an SOA")
        .to_owned()
}
