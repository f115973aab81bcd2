//! Feature lists: shapes, reasons, the built-in lists, and resellers' own lists.

use crate::accounts::{create, v1};
use crate::harness::{Server, outcome};
use serde_json::{Value, json};
use whmd_wire::Acl;

/// The `(value, is_disabled)` of one feature in get_featurelist_data.
fn feature<'a>(reply: &'a Value, id: &str) -> (&'a str, &'a str) {
    let f = reply["data"]["features"]
        .as_array()
        .expect("features")
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("{id} listed"));
    (
        f["value"].as_str().expect("a string value"),
        f["is_disabled"].as_str().expect("a string flag"),
    )
}

#[tokio::test]
async fn lists_their_data_and_the_builtin_ones() {
    let server = Server::start().await;
    let lists = server.call("get_featurelists", "api.version=1").await;
    assert_eq!(
        lists["data"],
        json!({"featurelists": ["default", "disabled"]})
    );
    let names = server.call("get_feature_names", "api.version=1").await;
    let all = names["data"]["feature"].as_array().expect("features");
    assert!(all.len() > 100);
    assert!(all.contains(&json!({"id": "webmail", "name": "Webmail"})));

    let (result, reason, reply) = v1(
        &server,
        "create_featurelist",
        "featurelist=Mail%20Only&webmail=1&popaccts=1",
    )
    .await;
    assert_eq!((result, reason.as_str()), (1, "OK"));
    assert_eq!(reply["data"], json!({"featurelist": "Mail Only"}));
    let data = server
        .call(
            "get_featurelist_data",
            "api.version=1&featurelist=Mail%20Only",
        )
        .await;
    assert_eq!(data["data"]["featurelist"], "Mail Only");
    assert_eq!(feature(&data, "webmail"), ("1", "0"));
    assert_eq!(
        feature(&data, "ssh"),
        ("0", "0"),
        "features a new list does not name are off"
    );
    let default = server
        .call("get_featurelist_data", "api.version=1&featurelist=default")
        .await;
    assert_eq!(feature(&default, "ssh"), ("1", "0"), "absent is on");

    // Off in `disabled` is off everywhere, which every other list reports.
    let (result, _, reply) = v1(
        &server,
        "update_featurelist",
        "featurelist=disabled&webmail=0&nosuchthing=1",
    )
    .await;
    assert_eq!(result, 1);
    assert_eq!(
        reply["data"],
        json!({"featurelist": "disabled", "updated_features": {"webmail": "0"}, "invalid_features": ["nosuchthing"]})
    );
    let data = server
        .call(
            "get_featurelist_data",
            "api.version=1&featurelist=Mail%20Only",
        )
        .await;
    assert_eq!(feature(&data, "webmail"), ("1", "1"));
    let disabled = server
        .call("get_featurelist_data", "api.version=1&featurelist=disabled")
        .await;
    assert_eq!(
        feature(&disabled, "webmail"),
        ("0", "0"),
        "the built-in lists report nothing as disabled"
    );

    // update_featurelist makes a list that does not exist.
    let (result, _, _) = v1(&server, "update_featurelist", "featurelist=fresh&ssh=0").await;
    assert_eq!(result, 1);
    let lists = server.call("get_featurelists", "api.version=1").await;
    assert_eq!(
        lists["data"]["featurelists"],
        json!(["default", "disabled", "Mail Only", "fresh"])
    );
    let (result, _, reply) = v1(&server, "delete_featurelist", "featurelist=fresh").await;
    assert_eq!(result, 1);
    assert_eq!(reply["data"], json!({"deleted_featurelist": "fresh"}));
}

#[tokio::test]
async fn feature_list_refusals() {
    let server = Server::start().await;
    v1(&server, "create_featurelist", "featurelist=kept").await;
    for (function, query, reason) in [
        ("get_featurelist_data", "", "No featurelist name specified."),
        (
            "get_featurelist_data",
            "featurelist=nope",
            "Specified featurelist does not exist: \"nope\"",
        ),
        (
            "create_featurelist",
            "featurelist=kept",
            "Featurelist by that name already exists: \"kept\"",
        ),
        (
            "create_featurelist",
            "featurelist=default",
            "Featurelist by that name already exists: \"default\"",
        ),
        (
            "delete_featurelist",
            "featurelist=default",
            "The feature list “default” cannot be deleted.",
        ),
        (
            "delete_featurelist",
            "featurelist=nope",
            "Specified featurelist does not exist: \"nope\"",
        ),
    ] {
        let (result, got, _) = v1(&server, function, query).await;
        assert_eq!((result, got.as_str()), (0, reason), "{function}?{query}");
    }
    for name in ["a%2Fb", "..", "a%0Ab", "%3Cscript%3E", "a%22b"] {
        let (result, reason, _) = v1(
            &server,
            "create_featurelist",
            &format!("featurelist={name}"),
        )
        .await;
        assert_eq!(result, 0, "{name}");
        assert!(
            reason.starts_with("Invalid featurelist name provided"),
            "{name}: {reason}"
        );
    }
    let lists = server.call("get_featurelists", "api.version=1").await;
    assert_eq!(
        lists["data"]["featurelists"],
        json!(["default", "disabled", "kept"]),
        "nothing else was made"
    );
    // With overwrite, a list is replaced.
    let (result, _, _) = v1(
        &server,
        "create_featurelist",
        "featurelist=kept&overwrite=1&ssh=1",
    )
    .await;
    assert_eq!(result, 1);
    // Accounts and packages may name only lists that exist.
    let (result, reason, _) = v1(
        &server,
        "createacct",
        "username=flacct&domain=flacct.example.com&featurelist=nope",
    )
    .await;
    assert_eq!(
        (result, reason.as_str()),
        (0, "The feature list “nope” does not exist.")
    );
    create(&server, "flacct", "&featurelist=kept").await;
    let (result, _, _) = v1(&server, "addpkg", "name=p&featurelist=kept").await;
    assert_eq!(result, 1);
    let (result, reason, _) = v1(&server, "modifyacct", "user=flacct&FEATURELIST=nope").await;
    assert_eq!(
        (result, reason.as_str()),
        (0, "The feature list “nope” does not exist.")
    );
}

#[tokio::test]
async fn resellers_have_their_own_lists_only() {
    let server = Server::start().await;
    let acls = [Acl::ADD_PKG, Acl::EDIT_PKG, Acl::LIST_PKGS];
    let a = server.reseller("flra", &acls).await;
    let b = server.reseller("flrb", &acls).await;
    let made = server
        .call_as(
            &a,
            "create_featurelist",
            "api.version=1&featurelist=flra_mail&webmail=1",
        )
        .await;
    assert_eq!(outcome(&made), (1, "OK"));
    let bad = server
        .call_as(&a, "create_featurelist", "api.version=1&featurelist=mail")
        .await;
    assert_eq!(
        outcome(&bad),
        (
            0,
            "Invalid featurelist name provided: \"mail\" is invalid for reseller \"flra\"."
        )
    );
    let own = server
        .call_as(&a, "get_featurelists", "api.version=1")
        .await;
    assert_eq!(own["data"]["featurelists"], json!(["flra_mail"]));
    let other = server
        .call_as(&b, "get_featurelists", "api.version=1")
        .await;
    assert_eq!(other["data"]["featurelists"], json!([]));
    let refusal = "Unable to access featurelist specified: \"flra_mail\"";
    for (function, query) in [
        ("get_featurelist_data", "featurelist=flra_mail"),
        ("update_featurelist", "featurelist=flra_mail&ssh=1"),
        ("delete_featurelist", "featurelist=flra_mail"),
    ] {
        let reply = server
            .call_as(&b, function, &format!("api.version=1&{query}"))
            .await;
        assert_eq!(outcome(&reply), (0, refusal), "{function}");
    }
    let untouched = server
        .call(
            "get_featurelist_data",
            "api.version=1&featurelist=flra_mail",
        )
        .await;
    assert_eq!(feature(&untouched, "ssh"), ("0", "0"));
    assert_eq!(feature(&untouched, "webmail"), ("1", "0"));
    // A reseller's packages may use its own lists and the built-in ones, not another's.
    let pkg = server
        .call_as(&b, "addpkg", "api.version=1&name=p&featurelist=flra_mail")
        .await;
    assert_eq!(
        outcome(&pkg),
        (
            0,
            "Invalid value “flra_mail” for the “featurelist” setting."
        )
    );
    let pkg = server
        .call_as(&a, "addpkg", "api.version=1&name=p&featurelist=flra_mail")
        .await;
    assert_eq!(outcome(&pkg).0, 1);
    let removed = server
        .call_as(
            &a,
            "delete_featurelist",
            "api.version=1&featurelist=flra_mail",
        )
        .await;
    assert_eq!(outcome(&removed), (1, "OK"));
}
