//! createacct: the success shape in both versions, every documented refusal, races.

use super::{create, v1};
use crate::harness::Server;
use serde_json::json;

#[tokio::test]
async fn success_shape_in_api1() {
    let server = Server::start().await;
    let reply = create(
        &server,
        "alice",
        "&contactemail=alice%40example.org&quota=500",
    )
    .await;
    assert_eq!(reply["metadata"]["reason"], "Account Creation Ok");
    let data = reply["data"].as_object().expect("data");
    assert_eq!(data["ip"], "127.0.0.1");
    assert_eq!(data["package"], "default");
    assert_eq!(data["nameserver"], "ns1.test");
    for key in ["nameserver2", "nameserver3", "nameserver4"] {
        assert!(data[key].is_string(), "{key}");
    }
    for key in [
        "nameservera",
        "nameservera4",
        "nameserverentry",
        "nameserverentry4",
    ] {
        assert!(data[key].is_null(), "{key}");
    }
    let raw = reply["metadata"]["output"]["raw"].as_str().expect("raw");
    for step in [
        "Validating Username...Done",
        "| Domain: alice.example.com",
        "| PassWord: Secret-alice-1",
        "The host is not managed by whmd (provisioning is off)",
    ] {
        assert!(raw.contains(step), "{step} in {raw}");
    }
    assert!(
        !raw.contains("Adding User"),
        "nothing claims a user was made: {raw}"
    );
    assert!(
        raw.contains("Adding the DNS zone alice.example.com...Done"),
        "{raw}"
    );
    let zone = server
        .store()
        .await
        .zones
        .zone("alice.example.com")
        .await
        .expect("read")
        .expect("the account's zone is stored");
    assert_eq!(zone.owner, "alice");
    assert!(
        zone.text
            .contains("alice.example.com.\t14400\tIN\tA\t127.0.0.1"),
        "{}",
        zone.text
    );
}

#[tokio::test]
async fn showpass_n_keeps_the_password_out_of_the_log() {
    let server = Server::start().await;
    let reply = create(&server, "quiet", "&showpass=n").await;
    let raw = reply["metadata"]["output"]["raw"].as_str().expect("raw");
    assert!(!raw.contains("Secret-quiet-1"), "{raw}");
}

#[tokio::test]
async fn api0_shape() {
    let server = Server::start().await;
    let reply = server
        .call(
            "createacct",
            "username=zed&domain=zed.example.com&password=Zed-pass-1",
        )
        .await;
    let record = &reply["result"][0];
    assert_eq!(record["status"], 1, "{reply}");
    assert_eq!(record["statusmsg"], "Account Creation Ok");
    assert_eq!(record["options"]["package"], "default");
    assert!(
        record["rawout"]
            .as_str()
            .expect("rawout")
            .contains("Account Info")
    );
    let failed = server
        .call("createacct", "username=zed&domain=zed2.example.com")
        .await;
    assert_eq!(
        failed,
        json!({"result": [{"status": 0, "statusmsg": "This system already has an account named “zed”."}]})
    );
}

#[tokio::test]
async fn documented_refusals() {
    let server = Server::start().await;
    create(&server, "abcdefgh1", "").await;
    let cases = [
        (
            "username=test&domain=t.example.com",
            "“test” is a reserved username on this system.",
        ),
        (
            "username=root&domain=r.example.com",
            "“root” is a reserved username on this system.",
        ),
        (
            "username=1abc&domain=n.example.com",
            "“1abc” is not a valid username on this system.",
        ),
        (
            "username=ab_cd&domain=n.example.com",
            "“ab_cd” is not a valid username on this system.",
        ),
        (
            "username=abcdefghijklmnopq&domain=n.example.com",
            "“abcdefghijklmnopq” is not a valid username on this system.",
        ),
        (
            "username=ABCDEFGH1&domain=n.example.com",
            "This system already has an account named “abcdefgh1”.",
        ),
        (
            "username=abcdefgh2&domain=n.example.com",
            "The name of another account on this server has the same initial 8 characters as the given username (abcdefgh2). Each username’s first 8 characters must be unique.",
        ),
        (
            "username=newone&domain=abcdefgh1.example.com",
            "The domain “abcdefgh1.example.com” already exists in the userdata.",
        ),
        (
            "username=newone&domain=whmd.test",
            "You may not create a domain with a name that is the server’s hostname.",
        ),
        (
            "username=newone&domain=bad_domain.com",
            "The system cannot accept “bad_domain.com” as a domain name (labels may contain only letters, digits and hyphens).",
        ),
        ("domain=n.example.com", "Provide the “username” parameter."),
        (
            "username=&domain=n.example.com",
            "The value of “username” may not be empty.",
        ),
        (
            "username=newone&domain=n.example.com&plan=gold",
            "The package “gold” does not exist.",
        ),
        (
            "username=newone&domain=n.example.com&ip=y",
            "There are no dedicated IP addresses available.",
        ),
        (
            "username=newone&domain=n.example.com&quota=lots",
            "Invalid value “lots” for the “quota” setting.",
        ),
        (
            "username=newone&domain=n.example.com&maxpop=1000000",
            "Invalid value “1000000” for the “maxpop” setting.",
        ),
        (
            "username=newone&domain=n.example.com&contactemail=not-an-address",
            "“not-an-address” is not a valid email address.",
        ),
        (
            "username=newone&domain=n.example.com&owner=nobody",
            "The owner “nobody” is not a reseller.",
        ),
        (
            "username=newone&domain=n.example.com&featurelist=gold",
            "The feature list “gold” does not exist.",
        ),
        (
            "username=newone&domain=n.example.com&customip=300.1.1.1",
            "The IP address “300.1.1.1” is not valid.",
        ),
    ];
    for (query, reason) in cases {
        let (result, got, _) = v1(&server, "createacct", query).await;
        assert_eq!((result, got.as_str()), (0, reason), "{query}");
    }
    let listed = server.call("listaccts", "api.version=1").await;
    assert_eq!(
        listed["data"]["acct"].as_array().map(Vec::len),
        Some(1),
        "no refused create left anything"
    );
}

#[tokio::test]
async fn concurrent_creates_of_one_name_make_one_account() {
    let server = Server::start().await;
    let queries: Vec<String> = (0..8)
        .map(|i| {
            format!("api.version=1&username=race&domain=race{i}.example.com&password=Race-pass-1")
        })
        .collect();
    let replies =
        futures::future::join_all(queries.iter().map(|q| server.call("createacct", q))).await;
    let won = replies
        .iter()
        .filter(|r| r["metadata"]["result"] == 1)
        .count();
    assert_eq!(won, 1, "{replies:?}");
    for r in replies.iter().filter(|r| r["metadata"]["result"] == 0) {
        assert_eq!(
            r["metadata"]["reason"],
            "This system already has an account named “race”."
        );
    }
    let listed = server
        .call("listaccts", "api.version=1&search=race&searchtype=user")
        .await;
    assert_eq!(listed["data"]["acct"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn a_thousand_accounts_create_and_list() {
    let server = Server::start().await;
    let mut pending = Vec::new();
    for i in 0..1000 {
        pending.push(format!(
            "api.version=1&username=u{i:04}&domain=u{i:04}.example.com&password=Pass-{i}-word"
        ));
    }
    for chunk in pending.chunks(16) {
        let replies =
            futures::future::join_all(chunk.iter().map(|q| server.call("createacct", q))).await;
        for r in replies {
            assert_eq!(r["metadata"]["result"], 1, "{r}");
        }
    }
    let listed = server.call("listaccts", "api.version=1").await;
    let accts = listed["data"]["acct"].as_array().expect("accounts");
    assert_eq!(accts.len(), 1000);
    assert_eq!(accts[0]["user"], "u0000");
    assert_eq!(accts[999]["domain"], "u0999.example.com");
    let uids: std::collections::HashSet<_> = accts.iter().map(|a| a["uid"].as_u64()).collect();
    assert_eq!(uids.len(), 1000, "every account has its own uid");
}

#[tokio::test]
async fn without_a_domain_a_temporary_one_is_made() {
    let server = Server::start().await;
    let (result, _, reply) = v1(
        &server,
        "createacct",
        "username=nodomain&password=No-domain-1",
    )
    .await;
    assert_eq!(result, 1, "{reply}");
    let summary = server
        .call("accountsummary", "api.version=1&user=nodomain")
        .await;
    assert_eq!(summary["data"]["acct"][0]["domain"], "nodomain.whmd.test");
    let (result, _, _) = v1(
        &server,
        "createacct",
        "username=resnodom&domain=ignored.example.com&reseller=1&reseller_without_domain=1",
    )
    .await;
    assert_eq!(result, 1);
    let summary = server
        .call("accountsummary", "api.version=1&user=resnodom")
        .await;
    assert_eq!(summary["data"]["acct"][0]["domain"], "resnodom.whmd.test");
}

#[tokio::test]
async fn xml_api0_texts_perl_clients_match() {
    // cPanel::PublicAPI's tests look for these in API 0 XML.
    let server = Server::start().await;
    let reserved = server
        .get("/xml-api/createacct?username=test&domain=t.example.com")
        .await
        .text;
    let line = reserved
        .lines()
        .find(|l| l.contains("<statusmsg>"))
        .expect("a statusmsg line");
    assert!(line.contains("is a reserved username"), "{reserved}");
    assert!(reserved.starts_with("<createacct><result>"), "{reserved}");
    let made = server
        .get("/xml-api/createacct?username=perl&domain=perl.example.com&password=Perl-pass-1")
        .await
        .text;
    assert!(
        made.contains("<statusmsg>Account Creation Ok</statusmsg>"),
        "{made}"
    );
    let removed = server.get("/xml-api/removeacct?user=perl").await.text;
    assert!(removed.contains("perl account removed"), "{removed}");
}

#[tokio::test]
async fn oversized_values_are_refused_cleanly() {
    let server = Server::start().await;
    let long_user = "a".repeat(5_000);
    let (result, reason, _) = v1(
        &server,
        "createacct",
        &format!("username={long_user}&domain=x.example.com"),
    )
    .await;
    assert_eq!(result, 0);
    assert!(
        reason.ends_with("is not a valid username on this system."),
        "{}",
        &reason[reason.len() - 60..]
    );
    let long_domain = format!("{}.com", "a".repeat(300));
    let (result, reason, _) = v1(
        &server,
        "createacct",
        &format!("username=okname&domain={long_domain}"),
    )
    .await;
    assert_eq!(result, 0);
    assert!(
        reason.ends_with("(it is longer than 254 characters)."),
        "{reason}"
    );
    create(&server, "okname", "").await;
    let long_key = "k".repeat(65);
    let (_, reason, _) = v1(&server, "modifyacct", &format!("user=okname&{long_key}=1")).await;
    assert_eq!(
        reason,
        format!("“{long_key}” is not a valid parameter name.")
    );
    let body = format!("api.version=1&user=okname&note={}", "v".repeat(100_000));
    let answer = server
        .send(
            reqwest::Method::POST,
            server.http("/json-api/modifyacct"),
            Some(&server.root_auth()),
            None,
            Some(body.into_bytes()),
        )
        .await;
    assert_eq!(
        answer.json()["metadata"]["result"],
        1,
        "a long value is stored as it is"
    );
}
