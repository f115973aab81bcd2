//! setupreseller, unsetupreseller, listresellers, setacls, listacls and saveacllist.

use crate::accounts::{create, v1};
use crate::harness::Server;
use serde_json::json;
use whmd_wire::Acl;

#[tokio::test]
async fn setupreseller_and_listresellers() {
    let server = Server::start().await;
    create(&server, "sra", "").await;
    create(&server, "srb", "").await;
    let (result, reason, reply) = v1(&server, "setupreseller", "user=sra").await;
    assert_eq!((result, reason.as_str()), (1, "OK"));
    assert!(reply.get("data").is_none());
    let (result, _, _) = v1(&server, "setupreseller", "user=srb&makeowner=1").await;
    assert_eq!(result, 1);
    let listed = server.call("listresellers", "api.version=1").await;
    assert_eq!(listed["data"], json!({"reseller": ["sra", "srb"]}));
    let summary = server
        .call("accountsummary", "api.version=1&user=srb")
        .await;
    assert_eq!(summary["data"]["acct"][0]["owner"], "srb", "makeowner");
    for (query, reason) in [
        (
            "user=sra",
            "_setupreseller tried to make a reseller out of a reseller when a normal user was expected. (sra)",
        ),
        (
            "user=ghost",
            "_setupreseller called for a user that does not exist. (ghost)",
        ),
        ("", "Provide the “user” parameter."),
    ] {
        let (result, got, _) = v1(&server, "setupreseller", query).await;
        assert_eq!((result, got.as_str()), (0, reason), "{query}");
    }
    // A new reseller holds the basic privileges and can log in with its token.
    let token = server.token_auth("sra").await;
    let privs = server.call_as(&token, "myprivs", "api.version=1").await;
    assert_eq!(privs["data"]["privileges"][0]["list-pkgs"], 1);
    assert_eq!(privs["data"]["privileges"][0]["create-acct"], 0);
    // An account another reseller owns does not become one.
    create(&server, "child", "&owner=sra").await;
    let (result, reason, _) = v1(&server, "setupreseller", "user=child").await;
    assert_eq!(result, 0);
    assert!(reason.contains("belongs to the reseller “sra”"), "{reason}");
    // API 0.
    let old = server.call("listresellers", "").await;
    assert_eq!(old["reseller"], json!(["sra", "srb"]));
    let log = server
        .store()
        .await
        .accounts
        .accounting_log(20)
        .await
        .expect("log");
    assert!(
        log.iter()
            .any(|e| e.action == "ADDRESELLER" && e.fields == ["sra.example.com", "sra"]),
        "{log:?}"
    );
}

#[tokio::test]
async fn setacls_replaces_the_set_and_refuses_unknown_names() {
    let server = Server::start().await;
    let token = server.reseller("acl1", &[Acl::LIST_ACCTS]).await;
    let (result, reason, reply) = v1(
        &server,
        "setacls",
        "reseller=acl1&acl-create-acct=1&acl-kill-acct=1&acl-list-accts=0",
    )
    .await;
    assert_eq!((result, reason.as_str()), (1, "OK"));
    assert_eq!(reply["data"], json!({"acl": ["create-acct", "kill-acct"]}));
    let privs = server.call_as(&token, "myprivs", "api.version=1").await;
    assert_eq!(
        privs["metadata"]["result"], 0,
        "basic-whm-functions is gone"
    );
    // An unknown privilege: refused, the set unchanged.
    let (result, reason, _) = v1(&server, "setacls", "user=acl1&acl-nonsense=1&acl-passwd=1").await;
    assert_eq!(
        (result, reason.as_str()),
        (0, "The privilege “nonsense” does not exist.")
    );
    let account = server
        .store()
        .await
        .accounts
        .account("acl1")
        .await
        .expect("read")
        .expect("exists");
    let held: Vec<Acl> = account
        .reseller_acls()
        .expect("a reseller")
        .iter()
        .collect();
    assert_eq!(held, [Acl::CREATE_ACCT, Acl::KILL_ACCT]);
    create(&server, "plainacct", "").await;
    let (result, reason, reply) = v1(&server, "setacls", "user=plainacct&acl-passwd=1").await;
    assert_eq!((result, reason.as_str()), (0, "Not a reseller."));
    assert_eq!(reply["data"], json!({"acl": ["passwd"]}));
    let (_, reason, _) = v1(&server, "setacls", "acl-passwd=1").await;
    assert_eq!(reason, "No reseller specified.");
    // Granting and revoking `all` is logged.
    v1(&server, "setacls", "user=acl1&acl-all=1").await;
    v1(&server, "setacls", "user=acl1&acl-list-accts=1").await;
    let log = server
        .store()
        .await
        .accounts
        .accounting_log(10)
        .await
        .expect("log");
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert!(
        actions.ends_with(&["GRANTROOT", "REVOKEROOT"]),
        "{actions:?}"
    );
}

#[tokio::test]
async fn acl_lists_are_saved_listed_and_applied() {
    let server = Server::start().await;
    let (result, reason, reply) = v1(
        &server,
        "saveacllist",
        "acllist=support&acl-list-accts=1&acl-passwd=1&acl-kill-acct=0",
    )
    .await;
    assert_eq!((result, reason.as_str()), (1, "ACL List support saved."));
    assert!(reply.get("data").is_none());
    let listed = server.call("listacls", "api.version=1").await;
    let list = &listed["data"]["acl"][0];
    assert_eq!(list["name"], "support");
    assert_eq!(list["privileges"]["list-accts"], "1");
    assert_eq!(list["privileges"]["kill-acct"], "0");
    assert_eq!(list["privileges"]["all"], "0");
    assert_eq!(
        list["privileges"].as_object().expect("map").len(),
        Acl::NAMES.len(),
        "every privilege is listed"
    );
    create(&server, "usesl", "&reseller=1").await;
    let (result, _, reply) = v1(&server, "setacls", "reseller=usesl&acllist=support").await;
    assert_eq!(result, 1);
    assert_eq!(reply["data"]["acl"], json!(["list-accts", "passwd"]));
    let (result, reason, _) = v1(&server, "setacls", "reseller=usesl&acllist=nope").await;
    assert_eq!(
        (result, reason.as_str()),
        (0, "The ACL list “nope” does not exist.")
    );
    for name in ["a%2Fb", "..", "a(b)", "%3Cb%3E", "a%0Ab"] {
        let (result, reason, _) = v1(
            &server,
            "saveacllist",
            &format!("acllist={name}&acl-passwd=1"),
        )
        .await;
        assert_eq!(result, 0, "{name}");
        assert!(
            reason.starts_with("The ACL List could not be saved"),
            "{name}: {reason}"
        );
    }
    let (result, reason, _) = v1(&server, "saveacllist", "acllist=x&acl-bogus=1").await;
    assert_eq!(
        (result, reason.as_str()),
        (0, "The privilege “bogus” does not exist.")
    );
    let listed = server.call("listacls", "api.version=1").await;
    assert_eq!(
        listed["data"]["acl"].as_array().map(Vec::len),
        Some(1),
        "no list was saved by a refused call"
    );
}

#[tokio::test]
async fn unsetupreseller_hands_its_accounts_on() {
    let server = Server::start().await;
    let token = server.reseller("unsr", &[Acl::LIST_ACCTS]).await;
    create(&server, "unsrcust", "&owner=unsr").await;
    create(&server, "selfres", "&reseller=1&ownerself=1").await;
    create(&server, "selfcust", "&owner=selfres").await;
    let (result, reason, _) = v1(&server, "unsetupreseller", "user=unsr").await;
    assert_eq!((result, reason.as_str()), (1, "OK"));
    let cust = server
        .call("accountsummary", "api.version=1&user=unsrcust")
        .await;
    assert_eq!(cust["data"]["acct"][0]["owner"], "root");
    assert_eq!(
        server.login_status(&token).await,
        403,
        "no longer a reseller, it cannot log in"
    );
    v1(&server, "unsetupreseller", "user=selfres").await;
    for user in ["selfres", "selfcust"] {
        let s = server
            .call("accountsummary", &format!("api.version=1&user={user}"))
            .await;
        assert_eq!(s["data"]["acct"][0]["owner"], "root", "{user}");
    }
    // Not a reseller: WHM says OK anyway.
    let (result, reason, _) = v1(&server, "unsetupreseller", "user=unsrcust").await;
    assert_eq!((result, reason.as_str()), (1, "OK"));
    let listed = server.call("listresellers", "api.version=1").await;
    assert_eq!(listed["data"]["reseller"], json!([]));
    let reply = server.call("unsetupreseller", "user=ghost").await;
    assert_eq!(
        reply,
        json!({"result": [{"status": 0, "statusmsg": "The user “ghost” does not exist."}]})
    );
}
