//! Fuzzing the package, feature-list and reseller functions' arguments in-process: whatever
//! keys and values arrive, the answer is a well-formed envelope, never a server error, and a
//! call that fails changes nothing in the store.

use crate::http_fuzz::state;
use axum::body::Body;
use axum::http::Request;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use proptest::prelude::*;
use serde_json::Value;
use tower::ServiceExt;
use whmd::http::{AppState, app};

const TOKEN: &str = crate::http_fuzz::TOKEN;

const FUNCTIONS: &[&str] = &[
    "addpkg",
    "editpkg",
    "killpkg",
    "getpkginfo",
    "matchpkgs",
    "changepackage",
    "create_featurelist",
    "update_featurelist",
    "delete_featurelist",
    "get_featurelist_data",
    "setupreseller",
    "setacls",
    "saveacllist",
    "setresellerlimits",
    "setresellerpackagelimit",
    "acctcounts",
];

/// Keys the functions read, and some they do not.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "name",
            "pkgname",
            "pkg",
            "user",
            "reseller",
            "featurelist",
            "acllist",
            "package",
            "quota",
            "QUOTA",
            "bwlimit",
            "maxpop",
            "MAXSQL",
            "hasshell",
            "ip",
            "cgi",
            "cpmod",
            "language",
            "max_team_users",
            "_PACKAGE_EXTENSIONS",
            "overwrite",
            "webmail",
            "ssh",
            "acl-list-accts",
            "acl-all",
            "acl-nope",
            "account_limit",
            "enable_account_limit",
            "number",
            "allowed",
            "no_limit",
            "want",
            "exclude",
        ])
        .prop_map(str::to_owned),
        "[a-zA-Z_-]{1,12}",
    ]
}

/// Values, ordinary and hostile.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "gold",
            "res",
            "acct",
            "res_gold",
            "default",
            "disabled",
            "0",
            "1",
            "-1",
            "unlimited",
            "n",
            "y",
            "1,000",
            "99999999999999999999",
            "..",
            "a/b",
            "<b>",
            "a\nb",
            "a\r\nb",
            " x ",
            "",
            "a\"b",
            "ünï",
            "a&b",
            "extensions",
        ])
        .prop_map(str::to_owned),
        "\\PC{0,16}",
    ]
}

async fn seeded(dir: &std::path::Path) -> AppState {
    let state = state(dir).await;
    for (function, query) in [
        ("createacct", "username=acct&domain=acct.example.com"),
        ("createacct", "username=res&domain=res.example.com"),
        ("setupreseller", "user=res"),
        ("addpkg", "name=gold"),
        ("create_featurelist", "featurelist=mail"),
        ("saveacllist", "acllist=support&acl-passwd=1"),
    ] {
        let (_, reply) = send(&state, function, query.as_bytes().to_vec()).await;
        assert_eq!(reply["metadata"]["result"], 1, "{function}: {reply}");
    }
    state
}

async fn send(state: &AppState, function: &str, body: Vec<u8>) -> (u16, Value) {
    let request = Request::builder()
        .method("POST")
        .uri(format!("/json-api/{function}?api.version=1"))
        .header("Authorization", format!("whm root:{TOKEN}"))
        .body(Body::from(body))
        .expect("request");
    let response = app(state.clone())
        .oneshot(request)
        .await
        .expect("infallible");
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    (
        status,
        serde_json::from_slice(&bytes).expect("a JSON answer"),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(120))]

    #[test]
    fn catalog_arguments_never_break_the_server_or_half_write(
        function in prop::sample::select(FUNCTIONS),
        pairs in proptest::collection::vec((key(), value()), 0..8),
    ) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let dir = tempfile::tempdir().expect("tempdir");
        let (status, reply, changed) = rt.block_on(async {
            let state = seeded(dir.path()).await;
            let before = state.ctx.stores.snapshot.export().await.expect("export");
            let body = pairs
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{}={}",
                        utf8_percent_encode(k, NON_ALPHANUMERIC),
                        utf8_percent_encode(v, NON_ALPHANUMERIC)
                    )
                })
                .collect::<Vec<_>>()
                .join("&");
            let (status, reply) = send(&state, function, body.into_bytes()).await;
            let after = state.ctx.stores.snapshot.export().await.expect("export");
            (status, reply, before != after)
        });
        prop_assert_eq!(status, 200, "{}: {}", function, reply);
        let result = reply["metadata"]["result"].as_i64();
        prop_assert!(matches!(result, Some(0 | 1)), "{}: {}", function, reply);
        prop_assert!(reply["metadata"]["reason"].is_string());
        if result == Some(0) {
            prop_assert!(!changed, "{} failed and changed the store: {}", function, reply);
        }
    }
}
