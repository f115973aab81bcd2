//! What a reseller may see and do with accounts: only its own.

use super::create;
use crate::harness::Server;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use reqwest::Method;
use serde_json::Value;
use whmd_domain::reseller::Reseller;
use whmd_domain::store::AccountChange;
use whmd_wire::{Acl, AclSet};

/// Makes `name` a reseller holding `acls`, with password `Secret-{name}-1`.
async fn reseller(server: &Server, name: &str, acls: &[Acl]) {
    create(server, name, "&reseller=1").await;
    let stores = server.store().await;
    let mut account = stores
        .accounts
        .account(name)
        .await
        .expect("read")
        .expect("exists");
    account.reseller = Some(Reseller::new(acls.iter().copied().collect::<AclSet>()));
    stores
        .accounts
        .change(&AccountChange::update(name, account.clone(), vec![]))
        .await
        .expect("grant");
}

async fn as_user(server: &Server, user: &str, function: &str, query: &str) -> Value {
    let auth = format!(
        "Basic {}",
        STANDARD.encode(format!("{user}:Secret-{user}-1"))
    );
    let url = server.http(&format!("/json-api/{function}?api.version=1&{query}"));
    server
        .send(Method::GET, url, Some(&auth), None, None)
        .await
        .json()
}

const ACCOUNT_ACLS: &[Acl] = &[
    Acl::CREATE_ACCT,
    Acl::LIST_ACCTS,
    Acl::ACCT_SUMMARY,
    Acl::SUSPEND_ACCT,
    Acl::KILL_ACCT,
    Acl::EDIT_ACCOUNT,
    Acl::PASSWD,
];

#[tokio::test]
async fn a_reseller_sees_and_touches_only_its_own_accounts() {
    let server = Server::start().await;
    reseller(&server, "resa", ACCOUNT_ACLS).await;
    reseller(&server, "resb", ACCOUNT_ACLS).await;
    let made = as_user(
        &server,
        "resa",
        "createacct",
        "username=mine&domain=mine.example.com&password=Mine-pass-1",
    )
    .await;
    assert_eq!(made["metadata"]["result"], 1, "{made}");
    create(&server, "theirs", "&owner=resb").await;

    let listed = as_user(&server, "resa", "listaccts", "").await;
    let users: Vec<&str> = listed["data"]["acct"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|a| a["user"].as_str())
        .collect();
    assert_eq!(users, ["mine"]);
    let summary = as_user(&server, "resa", "accountsummary", "user=theirs").await;
    assert_eq!(summary["metadata"]["reason"], "Account does not exist.");
    let exact = as_user(
        &server,
        "resa",
        "listaccts",
        "search=theirs&searchtype=user&searchmethod=exact",
    )
    .await;
    assert_eq!(exact["metadata"]["reason"], "No accounts found.");
    for (function, query, reason) in [
        (
            "suspendacct",
            "user=theirs",
            "You do not have access to an account named “theirs”.",
        ),
        (
            "modifyacct",
            "user=theirs&maxpop=1",
            "You do not have access to an account named “theirs”.",
        ),
        (
            "removeacct",
            "user=theirs",
            "You do not have permission to remove that account (theirs)!",
        ),
        (
            "passwd",
            "user=theirs&password=Xyz-123-abc",
            "You do not have access to an account named “theirs”.",
        ),
        (
            "modifyacct",
            "user=mine&owner=resb",
            "Only root may change the owner of an account.",
        ),
        (
            "modifyacct",
            "user=theirs&newuser=stolen",
            "You do not have access to an account named “theirs”.",
        ),
        (
            "modifyacct",
            "user=mine&newuser=theirs",
            "This system already has an account named “theirs”.",
        ),
        (
            "createacct",
            "username=other&domain=other.example.com&owner=resb",
            "Without root access, you can only create accounts that you yourself own.",
        ),
        (
            "createacct",
            "username=other&domain=other.example.com&forcedns=1",
            "You cannot use the “forcedns” argument because you do not have root access.",
        ),
        (
            "createacct",
            "username=other&domain=other.example.com&reseller=1",
            "You cannot use the “reseller” argument because you do not have root access.",
        ),
        (
            "modifyacct",
            "user=mine&IP=192.0.2.99",
            "You cannot use the “IP” argument because you do not have root access.",
        ),
        ("removeacct", "user=resa", "You cannot remove yourself!"),
    ] {
        let reply = as_user(&server, "resa", function, query).await;
        assert_eq!(
            (
                reply["metadata"]["result"].as_i64(),
                reply["metadata"]["reason"].as_str()
            ),
            (Some(0), Some(reason)),
            "{function}?{query}"
        );
    }
    let theirs = server
        .call("accountsummary", "api.version=1&user=theirs")
        .await;
    assert_eq!(
        theirs["data"]["acct"][0]["suspended"], 0,
        "nothing happened to the other reseller's account"
    );
    let suspended = as_user(&server, "resa", "suspendacct", "user=mine").await;
    assert_eq!(suspended["metadata"]["result"], 1);
}

#[tokio::test]
async fn a_reseller_without_the_privilege_is_refused() {
    let server = Server::start().await;
    reseller(&server, "basic", &[Acl::BASIC_WHM_FUNCTIONS]).await;
    let reply = as_user(
        &server,
        "basic",
        "createacct",
        "username=x&domain=x.example.com",
    )
    .await;
    assert_eq!(
        reply["metadata"]["reason"],
        "Permission Denied: You do not have the “create-acct” privilege."
    );
    let privs = as_user(&server, "basic", "myprivs", "").await;
    assert_eq!(privs["data"]["privileges"][0]["basic-whm-functions"], 1);
    assert_eq!(privs["data"]["privileges"][0]["create-acct"], 0);
}

#[tokio::test]
async fn a_new_reseller_gets_the_basic_privileges_and_logs_in() {
    let server = Server::start().await;
    create(&server, "fresh", "&reseller=1").await;
    let privs = as_user(&server, "fresh", "myprivs", "").await;
    assert_eq!(privs["data"]["privileges"][0]["acct-summary"], 1, "{privs}");
    assert_eq!(privs["data"]["privileges"][0]["list-accts"], 0);
    // A suspended reseller cannot log in.
    server.call("suspendacct", "api.version=1&user=fresh").await;
    let auth = format!("Basic {}", STANDARD.encode("fresh:Secret-fresh-1"));
    let answer = server
        .send(
            Method::GET,
            server.http("/json-api/myprivs"),
            Some(&auth),
            None,
            None,
        )
        .await;
    assert_eq!(answer.status, 403);
    // A plain account holds no WHM privileges at all.
    create(&server, "plain", "").await;
    let auth = format!("Basic {}", STANDARD.encode("plain:Secret-plain-1"));
    let answer = server
        .send(
            Method::GET,
            server.http("/json-api/myprivs"),
            Some(&auth),
            None,
            None,
        )
        .await;
    assert_eq!(answer.status, 403);
}
