//! setresellerlimits, setresellerpackagelimit, acctcounts and resellerstats, and the limits
//! createacct and changepackage enforce for a reseller.

use crate::accounts::v1;
use crate::harness::{Server, outcome};
use serde_json::{Value, json};
use whmd_wire::Acl;

const SELLER: &[Acl] = &[
    Acl::CREATE_ACCT,
    Acl::LIST_ACCTS,
    Acl::ACCT_SUMMARY,
    Acl::ADD_PKG,
    Acl::LIST_PKGS,
    Acl::UPGRADE_ACCOUNT,
    Acl::SUSPEND_ACCT,
];

/// createacct as `auth`, for a new account `user`.
fn new_account(user: &str, extra: &str) -> String {
    format!("api.version=1&username={user}&domain={user}.example.com&password=Pw-{user}-x1{extra}")
}

#[tokio::test]
async fn the_account_limit() {
    let server = Server::start().await;
    let token = server.reseller("lima", SELLER).await;
    let (result, reason, reply) = v1(
        &server,
        "setresellerlimits",
        "user=lima&enable_account_limit=1&account_limit=2",
    )
    .await;
    assert_eq!((result, reason.as_str()), (1, "OK"));
    assert!(reply.get("data").is_none());
    for user in ["lim1", "lim2"] {
        let made = server
            .call_as(&token, "createacct", &new_account(user, ""))
            .await;
        assert_eq!(outcome(&made).0, 1, "{made}");
    }
    let third = server
        .call_as(&token, "createacct", &new_account("lim3", ""))
        .await;
    assert_eq!(
        outcome(&third),
        (
            0,
            "You have reached your limit of 2 accounts: you cannot have more."
        )
    );
    let gone = server
        .call("accountsummary", "api.version=1&user=lim3")
        .await;
    assert_eq!(gone["metadata"]["result"], 0, "nothing was made");
    let counts = server.call_as(&token, "acctcounts", "api.version=1").await;
    assert_eq!(
        counts["data"],
        json!({"reseller": {"user": "lima", "active": 2, "suspended": 0, "limit": 2}})
    );
    // Root is not bound by a reseller's limits.
    let (result, _, _) = v1(
        &server,
        "createacct",
        "username=lim4&domain=lim4.example.com&owner=lima",
    )
    .await;
    assert_eq!(result, 1);
    server
        .call_as(&token, "suspendacct", "api.version=1&user=lim1")
        .await;
    let counts = server.call("acctcounts", "api.version=1&user=lima").await;
    assert_eq!(
        counts["data"]["reseller"],
        json!({"user": "lima", "active": 2, "suspended": 1, "limit": 2})
    );
    // Turned off, the number is kept for later; acctcounts shows no limit.
    v1(
        &server,
        "setresellerlimits",
        "user=lima&enable_account_limit=0",
    )
    .await;
    let counts = server.call("acctcounts", "api.version=1&user=lima").await;
    assert_eq!(counts["data"]["reseller"]["limit"], "");
    let made = server
        .call_as(&token, "createacct", &new_account("lim5", ""))
        .await;
    assert_eq!(outcome(&made).0, 1);
    for (query, reason) in [
        (
            "user=lim1&account_limit=2",
            "Specified user is not a reseller.",
        ),
        (
            "user=lima&account_limit=-2",
            "Invalid value “-2” for “account_limit”.",
        ),
    ] {
        let (result, got, _) = v1(&server, "setresellerlimits", query).await;
        assert_eq!((result, got.as_str()), (0, reason), "{query}");
    }
    let root = server.call("acctcounts", "api.version=1&user=root").await;
    assert_eq!(root["data"]["reseller"]["user"], "root");
    let (result, reason, _) = v1(&server, "acctcounts", "user=lim1").await;
    assert_eq!((result, reason.as_str()), (0, "Not a reseller."));
}

#[tokio::test]
async fn disk_and_bandwidth_limits_and_overselling() {
    let server = Server::start().await;
    let token = server.reseller("limd", SELLER).await;
    v1(
        &server,
        "setresellerlimits",
        "user=limd&enable_resource_limits=1&diskspace_limit=100&bandwidth_limit=1000",
    )
    .await;
    let pkg = server
        .call_as(
            &token,
            "addpkg",
            "api.version=1&name=small&quota=60&bwlimit=100",
        )
        .await;
    assert_eq!(pkg["data"]["pkg"], "limd_small");
    let first = server
        .call_as(
            &token,
            "createacct",
            &new_account("disk1", "&plan=limd_small"),
        )
        .await;
    assert_eq!(outcome(&first).0, 1, "{first}");
    let second = server
        .call_as(
            &token,
            "createacct",
            &new_account("disk2", "&plan=limd_small"),
        )
        .await;
    assert_eq!(
        outcome(&second),
        (
            0,
            "The disk quotas of your accounts may not add up to more than your disk space limit (100 MB)."
        )
    );
    let unlimited = server
        .call_as(&token, "createacct", &new_account("disk3", ""))
        .await;
    assert_eq!(
        outcome(&unlimited),
        (
            0,
            "Your disk space is limited, so each of your accounts needs a disk quota (not “unlimited”)."
        )
    );
    v1(
        &server,
        "setresellerlimits",
        "user=limd&enable_overselling=1",
    )
    .await;
    let oversold = server
        .call_as(
            &token,
            "createacct",
            &new_account("disk2", "&plan=limd_small"),
        )
        .await;
    assert_eq!(outcome(&oversold).0, 1, "overselling lets it through");
    let stats = server
        .call("resellerstats", "api.version=1&user=limd")
        .await;
    let r = &stats["data"]["reseller"];
    assert_eq!(
        (
            &r["user"],
            &r["totaldiskalloc"],
            &r["totalbwalloc"],
            &r["diskquota"],
            &r["bandwidthlimit"],
            &r["diskoverselling"],
            &r["bwoverselling"]
        ),
        (
            &json!("limd"),
            &json!("120"),
            &json!("200"),
            &json!(100),
            &json!(1000),
            &json!(1),
            &json!(1)
        )
    );
    let acct = &r["acct"][0];
    assert_eq!(
        (
            &acct["user"],
            &acct["package"],
            &acct["diskquota"],
            &acct["bandwidthlimit"]
        ),
        (
            &json!("disk1"),
            &json!("limd_small"),
            &json!("60.00"),
            &json!("100.00")
        )
    );
    // Suspended accounts left out: of the records and of the sums.
    let suspended = server
        .call("suspendacct", "api.version=1&user=disk1&reason=r")
        .await;
    assert_eq!(outcome(&suspended).0, 1, "{suspended}");
    let stats = server
        .call(
            "resellerstats",
            "api.version=1&user=limd&filter_suspended=1",
        )
        .await;
    let r = &stats["data"]["reseller"];
    let users: Vec<&Value> = r["acct"]
        .as_array()
        .expect("records")
        .iter()
        .map(|a| &a["user"])
        .collect();
    assert_eq!(users, [&json!("disk2")]);
    assert_eq!(
        (&r["totaldiskalloc"], &r["totalbwalloc"]),
        (&json!("60"), &json!("100"))
    );
    for (query, reason) in [
        ("user=limd&month=13", "Invalid “month”: 13"),
        ("user=limd&year=1995", "Invalid “year”: 1995"),
        ("user=disk1", "The user “disk1” is not a reseller."),
    ] {
        let (result, got, _) = v1(&server, "resellerstats", query).await;
        assert_eq!((result, got.as_str()), (0, reason), "{query}");
    }
}

#[tokio::test]
async fn package_limits() {
    let server = Server::start().await;
    let token = server.reseller("limp", SELLER).await;
    server
        .call_as(
            &token,
            "addpkg",
            "api.version=1&name=one&quota=10&bwlimit=10",
        )
        .await;
    server
        .call_as(
            &token,
            "addpkg",
            "api.version=1&name=two&quota=10&bwlimit=10",
        )
        .await;
    let (result, reason, _) = v1(
        &server,
        "setresellerpackagelimit",
        "user=limp&package=limp_one&allowed=1&number=1",
    )
    .await;
    assert_eq!((result, reason.as_str()), (1, "OK"));
    v1(
        &server,
        "setresellerlimits",
        "user=limp&enable_package_limits=1&enable_package_limit_numbers=1",
    )
    .await;
    let listed = server
        .call_as(&token, "listpkgs", "api.version=1&want=creatable")
        .await;
    assert_eq!(listed["data"]["pkg"].as_array().map(Vec::len), Some(1));
    assert_eq!(listed["data"]["pkg"][0]["name"], "limp_one");
    let first = server
        .call_as(&token, "createacct", &new_account("pk1", "&plan=limp_one"))
        .await;
    assert_eq!(outcome(&first).0, 1, "{first}");
    let second = server
        .call_as(&token, "createacct", &new_account("pk2", "&plan=limp_one"))
        .await;
    assert_eq!(
        outcome(&second),
        (
            0,
            "Sorry you may not create any more accounts with the package limp_one."
        )
    );
    let other = server
        .call_as(&token, "createacct", &new_account("pk2", "&plan=limp_two"))
        .await;
    assert_eq!(
        outcome(&other),
        (0, "You may not use the package “limp_two”.")
    );
    // Root puts an account of the reseller on `two`; moving it to the full `one` is refused.
    v1(
        &server,
        "createacct",
        "username=pk3&domain=pk3.example.com&owner=limp&plan=limp_two",
    )
    .await;
    let moved = server
        .call_as(
            &token,
            "changepackage",
            "api.version=1&user=pk3&pkg=limp_one",
        )
        .await;
    assert_eq!(
        outcome(&moved),
        (
            0,
            "Sorry you may not create any more accounts with the package limp_one."
        )
    );
    let kept = server
        .call("accountsummary", "api.version=1&user=pk3")
        .await;
    assert_eq!(kept["data"]["acct"][0]["plan"], "limp_two", "unchanged");
    v1(
        &server,
        "setresellerpackagelimit",
        "user=limp&package=limp_one&no_limit=1",
    )
    .await;
    let moved = server
        .call_as(
            &token,
            "changepackage",
            "api.version=1&user=pk3&pkg=limp_one",
        )
        .await;
    assert_eq!(outcome(&moved).0, 1);
    for (query, reason) in [
        (
            "user=limp&package=nope",
            "Specified package does not exist.",
        ),
        (
            "user=pk1&package=limp_one",
            "Specified user is not a reseller.",
        ),
        ("user=limp", "Provide the “package” parameter."),
        (
            "user=limp&package=limp_one&number=0",
            "Invalid value “0” for “number”: use no_limit=1 for no limit.",
        ),
    ] {
        let (result, got, _) = v1(&server, "setresellerpackagelimit", query).await;
        assert_eq!((result, got.as_str()), (0, reason), "{query}");
    }
}
