//! modifyacct: each kind of change, each refusal, and concurrent writers.

use super::{create, v1};
use crate::harness::Server;
use serde_json::json;

#[tokio::test]
async fn limits_flags_and_keys() {
    let server = Server::start().await;
    create(&server, "mod", "").await;
    let (result, _, reply) = v1(
        &server,
        "modifyacct",
        "user=mod&bwlimit=500&quota=250&maxpop=10&maxsub=0&MAX_EMAIL_PER_HOUR=100&hasshell=1&HASCGI=0&rs=paper_lantern&LANG=de&PLAN=default",
    )
    .await;
    assert_eq!(result, 1, "{reply}");
    let cpuser = &reply["data"]["cpuser"];
    assert_eq!(cpuser["BWLIMIT"], (500u64 * 1_048_576).to_string());
    assert_eq!(cpuser["MAXPOP"], "10");
    assert_eq!(
        cpuser["MAXSUB"], "0",
        "0 subdomains is a number, not unlimited"
    );
    assert_eq!(cpuser["MAX_EMAIL_PER_HOUR"], "100");
    assert_eq!(cpuser["HASCGI"], "0");
    assert_eq!(cpuser["RS"], "paper_lantern");
    assert_eq!(cpuser["LOCALE"], "de");
    assert_eq!(reply["data"]["setshell"], "/bin/bash");
    let summary = server
        .call("accountsummary", "api.version=1&user=mod")
        .await;
    assert_eq!(summary["data"]["acct"][0]["disklimit"], "250M");
    assert_eq!(summary["data"]["acct"][0]["shell"], "/bin/bash");
    let (_, _, reply) = v1(&server, "modifyacct", "user=mod&BWLIMIT=1048576&bwlimit=0").await;
    assert_eq!(
        reply["data"]["cpuser"]["BWLIMIT"], "unlimited",
        "the later parameter wins"
    );
}

#[tokio::test]
async fn refusals() {
    let server = Server::start().await;
    create(&server, "first", "").await;
    create(&server, "second", "").await;
    let api0 = server.call("modifyacct", "").await;
    assert_eq!(
        api0,
        json!({"result": [{"status": 0, "statusmsg": "Required fields missing", "missingfields": ["user"], "messages": [], "warnings": []}]})
    );
    let cases = [
        ("", "Must at least specify a user to modify."),
        ("user=ghost", "You do not have a user named “ghost”."),
        (
            "user=first&newuser=second",
            "This system already has an account named “second”.",
        ),
        (
            "user=first&newuser=1bad",
            "“1bad” is not a valid username on this system.",
        ),
        (
            "user=first&DNS=second.example.com",
            "The domain “second.example.com” already exists in the userdata.",
        ),
        (
            "user=first&owner=second",
            "The owner “second” is not a reseller.",
        ),
        (
            "user=first&maxpop=many",
            "Invalid value “many” for the “maxpop” setting.",
        ),
        (
            "user=first&bogus%20key=1",
            "“bogus key” is not a valid parameter name.",
        ),
        (
            "user=first&note=a%0Ab",
            "The value of “note” may not contain a line break.",
        ),
        ("user=first&PLAN=gold", "The package “gold” does not exist."),
        (
            "user=first&contactemail=nope",
            "“nope” is not a valid email address.",
        ),
    ];
    for (query, reason) in cases {
        let (result, got, _) = v1(&server, "modifyacct", query).await;
        assert_eq!((result, got.as_str()), (0, reason), "{query}");
    }
    let summary = server
        .call("accountsummary", "api.version=1&user=first")
        .await;
    let acct = &summary["data"]["acct"][0];
    assert_eq!(
        (acct["domain"].as_str(), acct["maxpop"].as_str()),
        (Some("first.example.com"), Some("unlimited")),
        "refused changes change nothing"
    );
}

#[tokio::test]
async fn read_only_keys_are_left_alone_and_said_so() {
    let server = Server::start().await;
    create(&server, "ro", "").await;
    let (result, _, reply) = v1(&server, "modifyacct", "user=ro&MTIME=1&DOMAINS=x").await;
    assert_eq!(result, 1);
    let messages = reply["metadata"]["output"]["messages"]
        .as_array()
        .expect("messages");
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert_ne!(reply["data"]["cpuser"]["MTIME"], 1);
}

#[tokio::test]
async fn concurrent_modifications_lose_no_update() {
    let server = Server::start().await;
    create(&server, "busy", "").await;
    let queries: Vec<String> = (0..12)
        .map(|i| format!("api.version=1&user=busy&key{i}=v{i}"))
        .collect();
    let replies =
        futures::future::join_all(queries.iter().map(|q| server.call("modifyacct", q))).await;
    let after = server.call("modifyacct", "api.version=1&user=busy").await;
    let cpuser = &after["data"]["cpuser"];
    for (i, reply) in replies.iter().enumerate() {
        let key = format!("key{i}");
        if reply["metadata"]["result"] == 1 {
            assert_eq!(
                cpuser[&key],
                format!("v{i}"),
                "a change reported as made is kept: {key}"
            );
        } else {
            assert_eq!(
                reply["metadata"]["reason"],
                "The account changed while it was being modified. Try again."
            );
            assert!(
                cpuser.get(&key).is_none(),
                "a change reported as refused left nothing: {key}"
            );
        }
    }
}
