//! `Idempotency-Key`: a retried change gets the first reply and runs nothing; another call
//! with the same key is refused; racing retries run once; bad keys change nothing.

use crate::harness::Server;
use futures::future::join_all;
use serde_json::Value;
use whmd_api::idempotent::{INVALID_KEY, OTHER_CALL};

const CREATE: &str = "api.version=1&username=idem&domain=idem.example.com&password=Pw-123456-x";

/// A call with `key`: the reply, and whether it was a kept one.
async fn keyed(server: &Server, function: &str, query: &str, key: &str) -> (Value, bool) {
    let response = server
        .client
        .get(server.http(&format!("/json-api/{function}?{query}")))
        .header("Authorization", server.root_auth())
        .header("Idempotency-Key", key)
        .send()
        .await
        .expect("answered");
    let replayed = response.headers().get("idempotent-replayed").is_some();
    let body: Value = response.json().await.expect("JSON");
    (body, replayed)
}

async fn accounts(server: &Server) -> usize {
    let list = server.call("listaccts", "api.version=1").await;
    list["data"]["acct"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn a_retried_createacct_gets_the_first_reply_and_creates_nothing() {
    let server = Server::start().await;
    let (first, replayed) = keyed(&server, "createacct", CREATE, "order-77").await;
    assert_eq!(
        first["metadata"]["reason"], "Account Creation Ok",
        "{first}"
    );
    assert!(!replayed);
    let (again, replayed) = keyed(&server, "createacct", CREATE, "order-77").await;
    assert!(replayed, "the retry is answered with the kept reply");
    assert_eq!(again["metadata"]["reason"], "Account Creation Ok");
    assert_eq!(again["data"], first["data"]);
    let raw = again["metadata"]["output"]["raw"].as_str().expect("raw");
    assert!(raw.contains("| UserName: idem"), "{raw}");
    assert!(
        !raw.contains("PassWord"),
        "the kept reply holds no password: {raw}"
    );
    assert_eq!(accounts(&server).await, 1);
    // Without the key the same call runs, and fails as a second creation does.
    let plain = server.call("createacct", CREATE).await;
    assert_eq!(plain["metadata"]["result"], 0);
}

#[tokio::test]
async fn the_same_key_for_another_call_is_refused() {
    let server = Server::start().await;
    keyed(&server, "createacct", CREATE, "k1").await;
    let other = "api.version=1&username=other&domain=other.example.com&password=Pw-123456-x";
    let (refused, _) = keyed(&server, "createacct", other, "k1").await;
    assert_eq!(refused["metadata"]["result"], 0);
    assert_eq!(refused["metadata"]["reason"], OTHER_CALL);
    assert_eq!(accounts(&server).await, 1, "nothing ran");
}

#[tokio::test]
async fn racing_retries_run_once_and_all_get_the_reply() {
    let server = Server::start().await;
    let calls = (0..8).map(|_| keyed(&server, "createacct", CREATE, "race-1"));
    let answers = join_all(calls).await;
    for (reply, _) in &answers {
        assert_eq!(
            reply["metadata"]["reason"], "Account Creation Ok",
            "{reply}"
        );
    }
    assert_eq!(answers.iter().filter(|(_, replayed)| !replayed).count(), 1);
    assert_eq!(accounts(&server).await, 1);
}

#[tokio::test]
async fn bad_keys_are_refused_and_change_nothing() {
    let server = Server::start().await;
    for key in ["", "has space", &"k".repeat(256)] {
        let (refused, _) = keyed(&server, "createacct", CREATE, key).await;
        assert_eq!(refused["metadata"]["reason"], INVALID_KEY, "{key:?}");
    }
    assert_eq!(accounts(&server).await, 0);
}

#[tokio::test]
async fn keys_are_ignored_where_nothing_changes_or_a_secret_is_shown() {
    let server = Server::start().await;
    let (one, replayed) = keyed(&server, "version", "api.version=1", "v").await;
    assert_eq!(one["metadata"]["result"], 1);
    assert!(!replayed);
    let (_, replayed) = keyed(&server, "version", "api.version=1", "v").await;
    assert!(!replayed, "a read is not kept");
    // A new token is shown once: a retry runs again (and meets the name it made).
    let token = "api.version=1&token_name=idem";
    let (made, _) = keyed(&server, "api_token_create", token, "t").await;
    assert_eq!(made["metadata"]["result"], 1);
    let (again, replayed) = keyed(&server, "api_token_create", token, "t").await;
    assert!(!replayed);
    assert_eq!(again["metadata"]["result"], 0, "{again}");
}
