//! suspendreseller, unsuspendreseller and terminatereseller.

use crate::accounts::{create, v1};
use crate::harness::{Server, outcome};
use serde_json::json;
use whmd_wire::Acl;

async fn suspended(server: &Server, user: &str) -> i64 {
    let s = server
        .call("accountsummary", &format!("api.version=1&user={user}"))
        .await;
    s["data"]["acct"][0]["suspended"]
        .as_i64()
        .expect("suspended")
}

#[tokio::test]
async fn suspending_a_reseller_and_its_accounts() {
    let server = Server::start().await;
    let token = server.reseller("susr", &[Acl::LIST_ACCTS]).await;
    create(&server, "susc1", "&owner=susr").await;
    create(&server, "susc2", "&owner=susr").await;
    create(&server, "bystander", "").await;
    let (result, reason, reply) = v1(
        &server,
        "suspendreseller",
        "user=susr&reason=unpaid&disallow=1",
    )
    .await;
    assert_eq!((result, reason.as_str()), (1, "OK"));
    let raw = reply["metadata"]["output"]["raw"].as_str().expect("raw");
    assert!(raw.contains("Suspending account susc1"), "{raw}");
    for user in ["susr", "susc1", "susc2"] {
        assert_eq!(suspended(&server, user).await, 1, "{user}");
    }
    assert_eq!(suspended(&server, "bystander").await, 0);
    assert_eq!(
        server.login_status(&token).await,
        403,
        "a suspended reseller cannot log in"
    );
    let (result, _, _) = v1(&server, "unsuspendreseller", "user=susr&reseller-only=1").await;
    assert_eq!(result, 1);
    assert_eq!(suspended(&server, "susr").await, 0);
    assert_eq!(suspended(&server, "susc1").await, 1, "reseller-only");
    v1(&server, "unsuspendreseller", "user=susr").await;
    assert_eq!(suspended(&server, "susc1").await, 0);
    for function in ["suspendreseller", "unsuspendreseller"] {
        let (result, reason, _) = v1(&server, function, "user=bystander").await;
        assert_eq!(
            (result, reason.as_str()),
            (0, "Specified user is not a reseller."),
            "{function}"
        );
    }
    let old = server
        .call("suspendreseller", "user=susr&reseller-only=1")
        .await;
    assert_eq!(old["result"][0]["status"], 1);
    assert!(old["result"][0]["rawout"].is_string());
}

#[tokio::test]
async fn terminatereseller_removes_exactly_its_accounts() {
    let server = Server::start().await;
    server.reseller("term", &[Acl::LIST_ACCTS]).await;
    server.reseller("keep", &[Acl::LIST_ACCTS]).await;
    create(&server, "termc1", "&owner=term").await;
    create(&server, "termc2", "&owner=term").await;
    create(&server, "keepc1", "&owner=keep").await;
    create(&server, "rootc1", "").await;
    let (result, reason, _) = v1(&server, "terminatereseller", "user=term").await;
    assert_eq!(
        (result, reason.as_str()),
        (
            0,
            "The reseller was not terminated: confirm with “terminatereseller=1”."
        )
    );
    let (result, reason, reply) = v1(
        &server,
        "terminatereseller",
        "user=term&terminatereseller=1",
    )
    .await;
    assert_eq!((result, reason.as_str()), (1, "OK"));
    let removed: Vec<(&str, i64, &str)> = reply["data"]["acct"]
        .as_array()
        .expect("acct")
        .iter()
        .map(|a| {
            (
                a["user"].as_str().expect("user"),
                a["result"].as_i64().expect("result"),
                a["reason"].as_str().expect("reason"),
            )
        })
        .collect();
    assert_eq!(
        removed,
        [
            ("termc1", 1, "termc1 account removed"),
            ("termc2", 1, "termc2 account removed"),
            ("term", 1, "term account removed"),
        ]
    );
    assert!(reply["data"]["acct"][0]["output"]["raw"].is_string());
    assert_eq!(server.users().await, ["keep", "keepc1", "rootc1"]);
    let listed = server.call("listresellers", "api.version=1").await;
    assert_eq!(listed["data"]["reseller"], json!(["keep"]));
    let again = server
        .call(
            "terminatereseller",
            "api.version=1&user=term&terminatereseller=1",
        )
        .await;
    assert_eq!(outcome(&again), (0, "Specified user is not a reseller."));
}
