//! The output controls over HTTP, as cPanel's UIs and @cpanel/api send them.

use crate::accounts::create;
use crate::harness::Server;
use serde_json::json;

#[tokio::test]
async fn listaccts_filtered_sorted_and_paged() {
    let server = Server::start().await;
    for user in ["carol", "alice", "bob", "dave", "erin"] {
        create(&server, user, "").await;
    }
    let reply = server
        .call(
            "listaccts",
            "api.version=1&api.filter.enable=1&api.filter.verbose=1&api.filter.a.field=user&api.filter.a.type=contains&api.filter.a.arg0=a\
             &api.sort.enable=1&api.sort.a.field=user&api.sort.a.reverse=1&api.sort.a.method=lexicographic\
             &api.chunk.enable=1&api.chunk.verbose=1&api.chunk.start=1&api.chunk.size=2",
        )
        .await;
    let users: Vec<&str> = reply["data"]["acct"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|a| a["user"].as_str())
        .collect();
    assert_eq!(
        users,
        ["dave", "carol"],
        "users with an a, descending, first page of 2"
    );
    assert_eq!(reply["metadata"]["filter"]["filtered"], 5);
    assert_eq!(
        reply["metadata"]["chunk"],
        json!({"start": 1, "size": 2, "records": 3, "current": 1, "chunks": 2})
    );
    assert_eq!(reply["metadata"]["result"], 1);
}

#[tokio::test]
async fn columns_cut_records_and_report() {
    let server = Server::start().await;
    create(&server, "colly", "").await;
    let reply = server
        .call("listaccts", "api.version=1&api.columns.enable=1&api.columns.a=user&api.columns.b=domain&api.columns.c=nope")
        .await;
    assert_eq!(
        reply["data"]["acct"][0],
        json!({"user": "colly", "domain": "colly.example.com"})
    );
    assert_eq!(
        reply["metadata"]["columns"],
        json!({"invalid_msg": "“nope” is not a valid column.", "invalid": ["nope"]})
    );
}

#[tokio::test]
async fn lists_of_names_page_too_and_api0_ignores_the_controls() {
    let server = Server::start().await;
    let paged = server
        .call(
            "applist",
            "api.version=1&api.chunk.enable=1&api.chunk.size=3&api.chunk.verbose=1",
        )
        .await;
    assert_eq!(paged["data"]["app"].as_array().map(Vec::len), Some(3));
    assert!(paged["metadata"]["chunk"]["chunks"].as_u64() > Some(1));
    let api0 = server
        .call("applist", "api.chunk.enable=1&api.chunk.size=3")
        .await;
    assert!(
        api0["app"].as_array().map(Vec::len) > Some(3),
        "API 0 has no output controls"
    );
    // A function without a list ignores them.
    let version = server
        .call(
            "version",
            "api.version=1&api.chunk.enable=1&api.chunk.verbose=1",
        )
        .await;
    assert!(version["metadata"].get("chunk").is_none());
}
