//! Packages: their functions' shapes and reasons, the value rules, editpkg's re-application,
//! and the package an account takes on createacct and changepackage.

use crate::accounts::{create, v1};
use crate::harness::{Server, outcome};
use serde_json::{Value, json};
use whmd_wire::Acl;

async fn package_names(server: &Server, auth: &str, want: &str) -> Vec<String> {
    let listed = server
        .call_as(auth, "listpkgs", &format!("api.version=1&want={want}"))
        .await;
    listed["data"]["pkg"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|p| p["name"].as_str().expect("a name").to_owned())
        .collect()
}

/// One account's record in listaccts.
async fn account(server: &Server, user: &str) -> Value {
    let listed = server
        .call(
            "listaccts",
            &format!("api.version=1&search={user}&searchtype=user&searchmethod=exact"),
        )
        .await;
    listed["data"]["acct"][0].clone()
}

#[tokio::test]
async fn addpkg_listpkgs_and_getpkginfo_shapes() {
    let server = Server::start().await;
    let (result, reason, reply) = v1(
        &server,
        "addpkg",
        "name=gold&quota=500&bwlimit=1,000&maxpop=10&hasshell=1&cgi=0&maxlists=3&frontpage=1",
    )
    .await;
    assert_eq!((result, reason.as_str()), (1, "OK"));
    assert_eq!(reply["data"], json!({"pkg": "gold"}));
    let listed = server.call("listpkgs", "api.version=1&want=all").await;
    let gold = &listed["data"]["pkg"][0];
    assert_eq!(gold["name"], "gold");
    for (key, value) in [
        ("QUOTA", "500"),
        ("BWLIMIT", "1000"),
        ("MAXPOP", "10"),
        ("MAXFTP", "unlimited"),
        ("HASSHELL", "y"),
        ("CGI", "n"),
        ("IP", "n"),
        ("DIGESTAUTH", "n"),
        ("FEATURELIST", "default"),
        ("LANG", "en"),
        ("MAX_TEAM_USERS", "7"),
        ("_PACKAGE_EXTENSIONS", ""),
    ] {
        assert_eq!(gold[key], json!(value), "{key} is its raw string");
    }
    assert!(gold.get("MAXLISTS").is_none() && gold.get("FRONTPAGE").is_none());

    let info = server.call("getpkginfo", "api.version=1&pkg=gold").await;
    let pkg = &info["data"]["pkg"];
    assert_eq!(pkg["QUOTA"], json!(500));
    assert_eq!(pkg["BWLIMIT"], json!(1000));
    assert_eq!(pkg["MAXFTP"], Value::Null, "unlimited is null");
    assert_eq!(pkg["MAX_EMAIL_PER_HOUR"], json!("unlimited"));
    assert_eq!(pkg["MAX_TEAM_USERS"], json!(7));
    assert_eq!(
        (&pkg["CGI"], &pkg["HASSHELL"], &pkg["IP"]),
        (&json!(0), &json!(1), &json!(0))
    );
    assert_eq!(pkg["FRONTPAGE"], json!(0));
    assert_eq!(pkg["DIGESTAUTH"], json!("n"));
    let (result, reason, _) = v1(&server, "getpkginfo", "pkg=nope").await;
    assert_eq!((result, reason.as_str()), (0, "Invalid package nope"));

    // API 0: the top-level `package` list billing systems read, with FRONTPAGE.
    let old = server.call("listpkgs", "want=all").await;
    assert_eq!(old["package"][0]["name"], "gold");
    assert_eq!(old["package"][0]["FRONTPAGE"], "n");
    let added = server.call("addpkg", "name=silver").await;
    assert_eq!(
        added,
        json!({"result": [{"status": 1, "statusmsg": "OK", "pkg": "silver"}]})
    );
}

#[tokio::test]
async fn package_values_and_names_are_checked() {
    let server = Server::start().await;
    for (query, reason) in [
        (
            "name=p&quota=0",
            "Invalid value “0” for the “quota” setting.",
        ),
        (
            "name=p&bwlimit=0",
            "Invalid value “0” for the “bwlimit” setting.",
        ),
        (
            "name=p&max_team_users=8",
            "Invalid value “8” for the “max_team_users” setting.",
        ),
        (
            "name=p&maxpop=ten&maxsql=-1",
            "Invalid value “ten” for the “maxpop” setting.\nInvalid value “-1” for the “maxsql” setting.",
        ),
        (
            "name=p&cpmod=../x",
            "Invalid value “../x” for the “cpmod” setting.",
        ),
        (
            "name=p&featurelist=nope",
            "Invalid value “nope” for the “featurelist” setting.",
        ),
        (
            "",
            "No package supplied: “pkgname” or “name” is a required argument.",
        ),
    ] {
        let (result, got, _) = v1(&server, "addpkg", query).await;
        assert_eq!((result, got.as_str()), (0, reason), "{query}");
    }
    for name in [
        "a%2Fb",
        "..",
        "a%00b",
        "a%0Ab",
        "%3Cb%3E",
        "a%26b",
        "extensions",
        "x.cache",
    ] {
        let (result, reason, _) = v1(&server, "addpkg", &format!("name={name}")).await;
        assert_eq!(result, 0, "{name}");
        assert!(
            reason.starts_with("The package name") || reason.contains("NUL"),
            "{name}: {reason}"
        );
    }
    assert!(
        package_names(&server, &server.root_auth(), "all")
            .await
            .is_empty(),
        "nothing was made"
    );
    // Other values: `n` is 0, `unlimited` in any case, `default` and unknown keys ignored.
    let (result, _, _) = v1(
        &server,
        "addpkg",
        "name=ok&maxpop=n&MAXSQL=UNLIMITED&bogus=1&QUOTA=20",
    )
    .await;
    assert_eq!(result, 1);
    let info = server.call("getpkginfo", "api.version=1&pkg=ok").await;
    assert_eq!(info["data"]["pkg"]["MAXPOP"], json!(0));
    assert_eq!(info["data"]["pkg"]["MAXSQL"], Value::Null);
    assert_eq!(info["data"]["pkg"]["QUOTA"], json!(20));
    assert!(info["data"]["pkg"].get("bogus").is_none());
    let (result, reason, _) = v1(&server, "addpkg", "name=ok").await;
    assert_eq!(
        (result, reason.as_str()),
        (
            0,
            "The package “ok” already exists. If you wish to make changes, please edit the package."
        )
    );
}

#[tokio::test]
async fn accounts_take_their_package() {
    let server = Server::start().await;
    v1(
        &server,
        "addpkg",
        "name=silver&quota=300&hasshell=1&maxftp=5&bwlimit=10",
    )
    .await;
    create(&server, "onsilver", "&plan=silver").await;
    let a = account(&server, "onsilver").await;
    assert_eq!(
        (&a["plan"], &a["disklimit"], &a["maxftp"], &a["shell"]),
        (
            &json!("silver"),
            &json!("300M"),
            &json!("5"),
            &json!("/bin/bash")
        )
    );
    // Root's own arguments override the package's.
    create(&server, "custom", "&plan=silver&quota=50&maxftp=1").await;
    let c = account(&server, "custom").await;
    assert_eq!(
        (&c["disklimit"], &c["maxftp"]),
        (&json!("50M"), &json!("1"))
    );
    let (result, reason, _) = v1(
        &server,
        "createacct",
        "username=nopkg&domain=nopkg.example.com&plan=nope",
    )
    .await;
    assert_eq!(
        (result, reason.as_str()),
        (0, "The package “nope” does not exist.")
    );

    v1(&server, "addpkg", "name=gold&quota=900&maxftp=9").await;
    let (result, reason, reply) = v1(&server, "changepackage", "user=onsilver&pkg=gold").await;
    assert_eq!((result, reason.as_str()), (1, "OK"), "{reply}");
    assert!(reply.get("data").is_none());
    let raw = reply["metadata"]["output"]["raw"].as_str().expect("raw");
    assert!(raw.starts_with("Account Upgrade/Downgrade Complete for onsilver"));
    let a = account(&server, "onsilver").await;
    assert_eq!(
        (&a["plan"], &a["disklimit"], &a["maxftp"], &a["shell"]),
        (
            &json!("gold"),
            &json!("900M"),
            &json!("9"),
            &json!("/usr/local/cpanel/bin/noshell")
        )
    );
    for (query, reason) in [
        (
            "user=onsilver&pkg=nope",
            "Specified package does not exist.",
        ),
        (
            "user=ghost&pkg=gold",
            "Sorry, the user ghost does not exist",
        ),
    ] {
        let (result, got, _) = v1(&server, "changepackage", query).await;
        assert_eq!((result, got.as_str()), (0, reason), "{query}");
    }
    // modifyacct records a package by name.
    let (result, _, _) = v1(&server, "modifyacct", "user=custom&PLAN=gold").await;
    assert_eq!(result, 1);
    assert_eq!(account(&server, "custom").await["plan"], "gold");
    let (result, reason, _) = v1(&server, "modifyacct", "user=custom&PLAN=nope").await;
    assert_eq!(
        (result, reason.as_str()),
        (0, "The package “nope” does not exist.")
    );
}

#[tokio::test]
async fn editpkg_reapplies_what_changed_and_killpkg_waits_for_empty() {
    let server = Server::start().await;
    v1(&server, "addpkg", "name=gold&maxpop=10&quota=100").await;
    create(&server, "member", "&plan=gold").await;
    create(&server, "outsider", "").await;
    // A setting of the account's own, which an edit of another setting leaves alone.
    v1(&server, "modifyacct", "user=member&MAXSQL=3").await;
    let (result, reason, reply) = v1(&server, "editpkg", "name=gold&maxpop=20&quota=200").await;
    assert_eq!((result, reason.as_str()), (1, "OK"));
    assert_eq!(reply["data"], json!({"pkg": "gold"}));
    let m = account(&server, "member").await;
    assert_eq!(
        (&m["maxpop"], &m["disklimit"], &m["maxsql"]),
        (&json!("20"), &json!("200M"), &json!("3"))
    );
    assert_eq!(account(&server, "outsider").await["maxpop"], "unlimited");
    let info = server.call("getpkginfo", "api.version=1&pkg=gold").await;
    assert_eq!(info["data"]["pkg"]["MAXPOP"], json!(20));

    let (result, reason, _) = v1(&server, "killpkg", "pkgname=gold").await;
    assert_eq!(
        (result, reason.as_str()),
        (
            0,
            "You must move all accounts using the package “gold” to another package before removing it."
        )
    );
    v1(&server, "changepackage", "user=member&pkg=default").await;
    let (result, reason, reply) = v1(&server, "killpkg", "pkgname=gold").await;
    assert_eq!((result, reason.as_str()), (1, "OK"));
    assert!(reply.get("data").is_none());
    for (query, reason) in [
        ("pkgname=gold", "The package “gold” does not exist."),
        (
            "pkgname=default",
            "The package “default” cannot be removed.",
        ),
        ("", "Provide the “pkgname” parameter."),
    ] {
        let (result, got, _) = v1(&server, "killpkg", query).await;
        assert_eq!((result, got.as_str()), (0, reason), "{query}");
    }
    // A refused edit of the implicit `default` stores nothing (found by catalog_fuzz).
    let (result, reason, _) = v1(&server, "editpkg", "name=default&quota=gold").await;
    assert_eq!(
        (result, reason.as_str()),
        (0, "Invalid value “gold” for the “quota” setting.")
    );
    assert!(
        package_names(&server, &server.root_auth(), "all")
            .await
            .is_empty()
    );
    // Editing `default` stores it; its accounts get the change.
    let (result, _, _) = v1(&server, "editpkg", "name=default&maxpop=4").await;
    assert_eq!(result, 1);
    assert_eq!(account(&server, "outsider").await["maxpop"], "4");
    assert_eq!(
        package_names(&server, &server.root_auth(), "all").await,
        ["default"]
    );
}

#[tokio::test]
async fn matchpkgs_finds_packages_by_setting() {
    let server = Server::start().await;
    v1(&server, "addpkg", "name=aa&maxpop=10&cgi=1").await;
    v1(&server, "addpkg", "name=bb&maxpop=20&cgi=0").await;
    let names = |reply: &Value| -> Vec<String> {
        reply["data"]["pkg"]
            .as_array()
            .expect("list")
            .iter()
            .map(|p| p["name"].as_str().expect("name").to_owned())
            .collect()
    };
    let all = server.call("matchpkgs", "api.version=1").await;
    assert_eq!(names(&all), ["aa", "bb"]);
    let ten = server.call("matchpkgs", "api.version=1&MAXPOP=10").await;
    assert_eq!(names(&ten), ["aa"]);
    let off = server.call("matchpkgs", "api.version=1&hascgi=0").await;
    assert_eq!(names(&off), ["bb"]);
    create(&server, "onaa", "&plan=aa").await;
    let like = server
        .call("matchpkgs", "api.version=1&user=onaa&exclude=1")
        .await;
    assert!(
        names(&like).is_empty(),
        "aa is excluded and bb differs: {like}"
    );
    let same = server.call("matchpkgs", "api.version=1&user=onaa").await;
    assert_eq!(names(&same), ["aa"]);
}

const PACKAGER: &[Acl] = &[
    Acl::BASIC_WHM_FUNCTIONS,
    Acl::ADD_PKG,
    Acl::EDIT_PKG,
    Acl::LIST_PKGS,
    Acl::CREATE_ACCT,
    Acl::UPGRADE_ACCOUNT,
    Acl::LIST_ACCTS,
    Acl::EDIT_ACCOUNT,
];

#[tokio::test]
async fn reseller_packages_are_prefixed_private_and_clamped() {
    let server = Server::start().await;
    let a = server.reseller("pkra", PACKAGER).await;
    let mut b_acls = PACKAGER.to_vec();
    b_acls.push(Acl::VIEWGLOBALPACKAGES);
    let b = server.reseller("pkrb", &b_acls).await;
    v1(&server, "addpkg", "name=global").await;

    let made = server
        .call_as(
            &a,
            "addpkg",
            "api.version=1&name=gold&hasshell=1&maxpop=unlimited&quota=unlimited&maxpark=3&ip=y",
        )
        .await;
    assert_eq!(made["data"]["pkg"], "pkra_gold", "{made}");
    let info = server
        .call("getpkginfo", "api.version=1&pkg=pkra_gold")
        .await;
    let pkg = &info["data"]["pkg"];
    assert_eq!(
        (
            &pkg["HASSHELL"],
            &pkg["MAXPOP"],
            &pkg["MAXPARK"],
            &pkg["IP"]
        ),
        (&json!(0), &json!(0), &json!(0), &json!(0)),
        "the reseller's privileges clamp: {pkg}"
    );
    assert_eq!(
        pkg["QUOTA"],
        json!(10240),
        "a limited quota instead of unlimited"
    );
    let again = server
        .call_as(&a, "addpkg", "api.version=1&name=pkra_gold")
        .await;
    assert_eq!(
        outcome(&again),
        (
            0,
            "The package “pkra_gold” already exists. If you wish to make changes, please edit the package."
        )
    );

    assert_eq!(package_names(&server, &a, "all").await, ["pkra_gold"]);
    assert_eq!(
        package_names(&server, &b, "viewable").await,
        ["global"],
        "another reseller's package is invisible; root's is visible with viewglobalpackages"
    );
    assert!(package_names(&server, &b, "editable").await.is_empty());
    // The other reseller names it in every way it can, and is refused each time.
    let acct = server
        .call_as(
            &b,
            "createacct",
            "api.version=1&username=bcust&domain=bcust.example.com&password=Xx-1-abcdef",
        )
        .await;
    assert_eq!(outcome(&acct).0, 1, "{acct}");
    for (function, query, reason) in [
        (
            "createacct",
            "username=bcust2&domain=bcust2.example.com&plan=pkra_gold",
            "The package “pkra_gold” does not exist.",
        ),
        (
            "changepackage",
            "user=bcust&pkg=pkra_gold",
            "Specified package does not exist.",
        ),
        (
            "killpkg",
            "pkgname=pkra_gold",
            "You do not have access to a package named “pkra_gold”.",
        ),
        ("getpkginfo", "pkg=pkra_gold", "Invalid package pkra_gold"),
        (
            "modifyacct",
            "user=bcust&PLAN=pkra_gold",
            "The package “pkra_gold” does not exist.",
        ),
        (
            "matchpkgs",
            "user=pkra",
            "You do not have access to an account named “pkra”.",
        ),
    ] {
        let reply = server
            .call_as(&b, function, &format!("api.version=1&{query}"))
            .await;
        assert_eq!(outcome(&reply), (0, reason), "{function}?{query}");
    }
    let batch = server
        .call_as(
            &b,
            "batch",
            "api.version=1&command=killpkg%3Fpkgname%3Dpkra_gold",
        )
        .await;
    assert_eq!(batch["data"]["result"][0]["metadata"]["result"], 0);
    // An edit in its own name makes its own package; the other's is untouched.
    let edited = server
        .call_as(&b, "editpkg", "api.version=1&name=pkra_gold&maxpop=5")
        .await;
    assert_eq!(edited["data"]["pkg"], "pkrb_pkra_gold");
    let untouched = server
        .call("getpkginfo", "api.version=1&pkg=pkra_gold")
        .await;
    assert_eq!(untouched["data"]["pkg"]["MAXPOP"], json!(0));
    // Without viewglobalpackages, root's packages are not a reseller's to use.
    let refused = server
        .call_as(
            &a,
            "createacct",
            "api.version=1&username=acust&domain=acust.example.com&plan=global",
        )
        .await;
    assert_eq!(
        outcome(&refused),
        (0, "The package “global” does not exist.")
    );
    // Custom limits are for callers who may make packages.
    let plain = server
        .reseller("pkrc", &[Acl::CREATE_ACCT, Acl::LIST_PKGS])
        .await;
    let custom = server
        .call_as(
            &plain,
            "createacct",
            "api.version=1&username=ccust&domain=ccust.example.com&quota=5",
        )
        .await;
    assert_eq!(outcome(&custom).0, 0);
    assert!(
        outcome(&custom).1.contains("“add-pkg”"),
        "{}",
        outcome(&custom).1
    );
}

#[tokio::test]
async fn sizes_of_a_fossbilling_plan_are_taken_everywhere() {
    // FOSSBilling's stock plans have 1,048,576 MB of disk and bandwidth; WHM's own description
    // of addpkg gives 1048576 as bwlimit's default. Every function that takes them must too.
    let server = Server::start().await;
    let big = "1048576";
    let (result, reason, _) = v1(
        &server,
        "addpkg",
        &format!("name=fossplan&quota={big}&bwlimit={big}&max_emailacct_quota={big}"),
    )
    .await;
    assert_eq!((result, reason.as_str()), (1, "OK"));
    create(&server, "fossuser", "&plan=fossplan").await;
    let acct = account(&server, "fossuser").await;
    assert_eq!(acct["disklimit"], json!(format!("{big}M")), "{acct}");
    for (function, args) in [
        (
            "editpkg",
            format!("name=fossplan&quota={big}&bwlimit={big}"),
        ),
        (
            "modifyacct",
            format!("user=fossuser&QUOTA={big}&BWLIMIT={big}"),
        ),
        ("editquota", format!("user=fossuser&quota={big}")),
        ("limitbw", format!("user=fossuser&bwlimit={big}")),
        (
            "createacct",
            format!(
                "username=bigdisk2&domain=foss2.example.com&password=Secret-9-x&quota={big}&bwlimit={big}"
            ),
        ),
    ] {
        let (result, reason, _) = v1(&server, function, &args).await;
        assert_eq!(result, 1, "{function}: {reason}");
    }
    // Past 4 PiB is refused, and changes nothing.
    let before = account(&server, "fossuser").await;
    let (result, reason, _) = v1(&server, "editquota", "user=fossuser&quota=4294967297").await;
    assert_eq!(
        (result, reason.as_str()),
        (0, "Invalid value (4294967297) for quota supplied.")
    );
    let (result, reason, _) = v1(&server, "addpkg", "name=toobig&bwlimit=4294967297").await;
    assert_eq!(
        (result, reason.as_str()),
        (0, "Invalid value “4294967297” for the “bwlimit” setting.")
    );
    assert_eq!(account(&server, "fossuser").await, before);
}
