//! The smaller account functions: names, passwords, bandwidth, quota, user data.

use super::{create, v1};
use crate::harness::Server;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn verify_and_validate_usernames() {
    let server = Server::start().await;
    create(&server, "taken", "").await;
    let (result, reason, reply) = v1(&server, "verify_new_username", "user=freshname").await;
    assert_eq!((result, reason.as_str()), (1, "OK"));
    assert!(reply.get("data").is_none());
    for (user, reason) in [
        ("taken", "This system already has an account named “taken”."),
        ("tester", "“tester” is a reserved username on this system."),
        ("Bad", "“Bad” is not a valid username on this system."),
    ] {
        let (result, got, _) = v1(&server, "verify_new_username", &format!("user={user}")).await;
        assert_eq!((result, got.as_str()), (0, reason), "{user}");
    }
    let v = server
        .call("validate_system_user", "api.version=1&user=taken")
        .await;
    assert_eq!(
        v["data"],
        json!({"exists": 1, "reserved": 0, "valid_for_new": 1, "valid_for_transfer": 1})
    );
    let v = server
        .call("validate_system_user", "api.version=1&user=my.user")
        .await;
    assert_eq!(
        v["data"],
        json!({"exists": 0, "reserved": 0, "valid_for_new": 0, "valid_for_transfer": 1})
    );
    let (_, reason, _) = v1(&server, "validate_system_user", "").await;
    assert_eq!(
        reason,
        "No user name supplied: “user” is a required argument."
    );
}

#[tokio::test]
async fn passwd_changes_the_password() {
    let server = Server::start().await;
    create(&server, "pwres", "&reseller=1").await;
    let (result, reason, reply) = v1(&server, "passwd", "user=pwres&password=New-pass-123").await;
    assert_eq!(
        (result, reason.as_str()),
        (1, "Password changed for user “pwres”.")
    );
    assert_eq!(
        reply["data"]["app"],
        json!(["system", "ftp", "mail", "MySQL", "PostgreSQL"])
    );
    let login = |pw: &str| format!("Basic {}", STANDARD.encode(format!("pwres:{pw}")));
    let new = server
        .send(
            Method::GET,
            server.http("/json-api/version"),
            Some(&login("New-pass-123")),
            None,
            None,
        )
        .await;
    assert_eq!(new.status, 200);
    // Kept as the host's /etc/shadow keeps it, and checked as such at login.
    let stored = server
        .store()
        .await
        .credentials
        .password_hash("pwres")
        .await
        .expect("reads")
        .expect("has a password");
    assert!(stored.starts_with("$6$rounds=5000$"), "{stored}");
    let old = server
        .send(
            Method::GET,
            server.http("/json-api/version"),
            Some(&login("Secret-pwres-1")),
            None,
            None,
        )
        .await;
    assert_eq!(old.status, 403);
    let api0 = server.call("passwd", "user=ghost&password=x").await;
    assert_eq!(api0["passwd"][0]["status"], 0, "{api0}");
    server.call("suspendacct", "api.version=1&user=pwres").await;
    let (_, reason, _) = v1(&server, "passwd", "user=pwres&password=Other-pass-1").await;
    assert!(
        reason.starts_with("Sorry, the user “pwres” is currently suspended."),
        "{reason}"
    );
}

#[tokio::test]
async fn bandwidth_and_quota() {
    let server = Server::start().await;
    create(&server, "bw", "").await;
    let (result, reason, reply) = v1(&server, "limitbw", "user=bw&bwlimit=500").await;
    assert_eq!(
        (result, reason.as_str()),
        (1, "Bandwidth Limit for bw has been set to 500 megabytes")
    );
    let limits = &reply["data"]["bwlimits"][0];
    assert_eq!(limits["bwlimit"], 500 * 1_048_576);
    assert_eq!(limits["human_bwlimit"], "500 MB");
    assert_eq!(limits["unlimited"], 0);
    let (_, reason, _) = v1(&server, "limitbw", "user=bw&bwlimit=unlimited").await;
    assert_eq!(reason, "Bandwidth Limit for bw has been set to unlimited");
    let (result, reason, _) = v1(&server, "limitbw", "user=bw&bwlimit=lots").await;
    assert_eq!(result, 0);
    assert!(
        reason.starts_with("Sorry, the bandwidth value you specified, 'lots', is invalid."),
        "{reason}"
    );
    let (_, reason, _) = v1(&server, "limitbw", "user=ghost&bwlimit=1").await;
    assert_eq!(reason, "Invalid user (ghost)");

    let (result, reason, _) = v1(&server, "editquota", "user=bw&quota=1024").await;
    assert_eq!((result, reason.as_str()), (1, "Set quota for user."));
    let summary = server.call("accountsummary", "api.version=1&user=bw").await;
    assert_eq!(summary["data"]["acct"][0]["disklimit"], "1024M");
    let (_, reason, _) = v1(&server, "editquota", "user=bw&quota=-5").await;
    assert_eq!(reason, "Invalid value (-5) for quota supplied.");
    let (_, reason, _) = v1(&server, "editquota", "user=ghost&quota=5").await;
    assert_eq!(reason, "Invalid user. Cannot set quota.");

    let shown = server.call("showbw", "api.version=1").await;
    assert_eq!(shown["data"]["acct"][0]["user"], "bw");
    let (_, reason, _) = v1(&server, "showbw", "month=13").await;
    assert_eq!(reason, "Invalid month provided");
}

#[tokio::test]
async fn changepackage_refusals() {
    let server = Server::start().await;
    create(&server, "pkg", "").await;
    let (_, reason, _) = v1(&server, "changepackage", "user=pkg&pkg=gold").await;
    assert_eq!(reason, "Specified package does not exist.");
    let (_, reason, _) = v1(&server, "changepackage", "user=ghost&pkg=default").await;
    assert_eq!(reason, "Sorry, the user ghost does not exist");
    let (_, reason, _) = v1(&server, "changepackage", "user=pkg").await;
    assert_eq!(reason, "Provide the “pkg” parameter.");
    let api0 = server.call("changepackage", "user=pkg&pkg=default").await;
    assert_eq!(api0["result"][0]["status"], 1, "{api0}");
    assert!(
        api0["result"][0]["rawout"]
            .as_str()
            .expect("rawout")
            .contains("Account Upgrade/Downgrade Complete for pkg")
    );
}

#[tokio::test]
async fn domainuserdata_and_forcepasswordchange() {
    let server = Server::start().await;
    create(&server, "web", "").await;
    let data = server
        .call("domainuserdata", "api.version=1&domain=web.example.com")
        .await;
    let userdata = &data["data"]["userdata"];
    assert_eq!(userdata["documentroot"], "/home/web/public_html");
    assert_eq!(
        userdata["serveralias"],
        "mail.web.example.com www.web.example.com"
    );
    let (_, reason, _) = v1(&server, "domainuserdata", "domain=nope.example.com").await;
    assert_eq!(
        reason,
        "This system does not have a domain named “nope.example.com”."
    );

    let (result, _, reply) = v1(
        &server,
        "forcepasswordchange",
        "users_json=%7B%22web%22%3A1%7D",
    )
    .await;
    assert_eq!(result, 1);
    assert_eq!(reply["data"]["updated"], json!(["web"]));
    let (_, reason, _) = v1(
        &server,
        "forcepasswordchange",
        "users_json=%7B%22web%22%3A1%7D",
    )
    .await;
    assert_eq!(reason, "Nothing to do.");
    let (_, reason, _) = v1(
        &server,
        "forcepasswordchange",
        "users_json=%7B%22ghost%22%3A1%2C%22nope%22%3A1%7D",
    )
    .await;
    assert_eq!(reason, "Invalid user(s): ghost, nope");
}

#[tokio::test]
async fn listaccts_search_and_want() {
    let server = Server::start().await;
    for user in ["alpha", "beta", "gamma"] {
        create(&server, user, "").await;
    }
    let users = |v: &serde_json::Value| -> Vec<String> {
        v["data"]["acct"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|r| r["user"].as_str().unwrap_or("").to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(
        users(
            &server
                .call("listaccts", "api.version=1&search=^B&searchtype=user")
                .await
        ),
        ["beta"]
    );
    assert_eq!(
        users(
            &server
                .call(
                    "listaccts",
                    "api.version=1&search=a&searchtype=domain_and_user"
                )
                .await
        )
        .len(),
        3
    );
    assert_eq!(
        users(
            &server
                .call("listaccts", "api.version=1&search=(&searchtype=user")
                .await
        )
        .len(),
        3,
        "a bad pattern matches all"
    );
    assert_eq!(
        users(
            &server
                .call(
                    "listaccts",
                    "api.version=1&search=GAMMA.example.com&searchtype=domain&searchmethod=exact"
                )
                .await
        ),
        ["gamma"]
    );
    let (_, reason, _) = v1(&server, "listaccts", "search=x&searchtype=color").await;
    assert_eq!(reason, "Unknown search type.");
    let (_, reason, _) = v1(
        &server,
        "listaccts",
        "search=ghost&searchtype=user&searchmethod=exact",
    )
    .await;
    assert_eq!(reason, "No accounts found.");
    let none = server
        .call("listaccts", "api.version=1&search=zzz&searchtype=user")
        .await;
    assert_eq!(
        (none["metadata"]["result"].as_i64(), none.get("data")),
        (Some(1), None)
    );
    let cut = server
        .call("listaccts", "api.version=1&want=user,plan")
        .await;
    assert_eq!(
        cut["data"]["acct"][0],
        json!({"user": "alpha", "plan": "default"})
    );
    let api0 = server.call("listaccts", "").await;
    assert_eq!(
        (api0["status"].as_i64(), api0["statusmsg"].as_str()),
        (Some(1), Some("Ok"))
    );
    assert_eq!(api0["acct"].as_array().map(Vec::len), Some(3));
    let record = &api0["acct"][0];
    for (key, kind) in [
        ("uid", "number"),
        ("suspended", "number"),
        ("maxpop", "string"),
        ("ipv6", "array"),
        ("unix_startdate", "number"),
        ("diskused", "string"),
    ] {
        let ok = match kind {
            "number" => record[key].is_number(),
            "string" => record[key].is_string(),
            _ => record[key].is_array(),
        };
        assert!(ok, "{key} is a {kind}: {record}");
    }
}

#[tokio::test]
async fn modifyacct_takes_uppercase_legacy_keys() {
    // FOSSBilling and other API 0 clients send the cpuser spellings.
    let server = Server::start().await;
    create(&server, "upperkeys", "").await;
    let (result, reason, _) = v1(
        &server,
        "modifyacct",
        "user=upperkeys&QUOTA=700&MAXFTP=3&HASSHELL=1&MAXPOP=9",
    )
    .await;
    assert_eq!(result, 1, "{reason}");
    let listed = server
        .call("accountsummary", "api.version=1&user=upperkeys")
        .await;
    let acct = &listed["data"]["acct"][0];
    assert_eq!(acct["disklimit"], "700M", "{acct}");
    assert_eq!(acct["maxftp"], "3");
    assert_eq!(acct["maxpop"], "9");
    assert_eq!(acct["shell"], "/bin/bash", "{acct}");
}
