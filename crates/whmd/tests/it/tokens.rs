//! The API token functions, and how the tokens they make are checked when used.

use crate::accounts::{create, v1};
use crate::harness::{Server, outcome};
use reqwest::StatusCode;
use serde_json::{Value, json};
use whmd_wire::Acl;

/// The `Authorization` value for a token `create` returned.
fn auth_of(user: &str, created: &Value) -> String {
    format!(
        "whm {user}:{}",
        created["data"]["token"].as_str().expect("a token")
    )
}

/// Whether `auth` is accepted for `function` (HTTP 200 and result 1).
async fn works(server: &Server, auth: &str, function: &str) -> bool {
    let url = server.http(&format!("/json-api/{function}?api.version=1"));
    let answer = server
        .send(reqwest::Method::GET, url, Some(auth), None, None)
        .await;
    answer.status == StatusCode::OK && answer.json()["metadata"]["result"] == 1
}

#[tokio::test]
async fn create_list_and_use() {
    let server = Server::start().await;
    let (result, reason, made) = v1(&server, "api_token_create", "token_name=billing").await;
    assert_eq!((result, reason.as_str()), (1, "OK"));
    let token = made["data"]["token"].as_str().expect("token");
    assert_eq!(token.len(), 32);
    assert!(
        token
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
    );
    assert_eq!(made["data"]["name"], "billing");
    assert!(made["data"]["create_time"].as_i64().is_some());
    for absent in ["acls", "expires_at", "whitelist_ips"] {
        assert!(
            made["data"].get(absent).is_none(),
            "{absent} only when given"
        );
    }
    assert!(works(&server, &auth_of("root", &made), "version").await);

    let expiry = whmd_domain::time::unix_now() + 86_400;
    let (result, _, limited) = v1(
        &server,
        "api_token_create",
        &format!(
            "token_name=lim-1&acl=list-accts&acl-1=basic-system-info&expires_at={expiry}\
             &whitelist_ip=127.0.0.0/8&whitelist_ip-1=fc00:abcd::f&whitelist_ip-2=10.1.1.9/29"
        ),
    )
    .await;
    assert_eq!(result, 1, "{limited}");
    assert_eq!(
        limited["data"]["acls"],
        json!(["basic-system-info", "list-accts"])
    );
    assert_eq!(limited["data"]["expires_at"], json!(expiry));
    assert_eq!(
        limited["data"]["whitelist_ips"],
        json!([
            "127.0.0.0/8",
            "fc00:abcd:0000:0000:0000:0000:0000:000f",
            "10.1.1.8/29"
        ])
    );
    let auth = auth_of("root", &limited);
    assert!(works(&server, &auth, "version").await);
    assert!(works(&server, &auth, "listaccts").await);
    assert!(
        !works(&server, &auth, "listpkgs").await,
        "a privilege the token lacks"
    );

    let listed = server.call("api_token_list", "api.version=1").await;
    let tokens = listed["data"]["tokens"].as_object().expect("keyed by name");
    assert!(tokens.contains_key("billing") && tokens.contains_key("whmd-root"));
    let lim = &tokens["lim-1"];
    assert_eq!(lim["name"], "lim-1");
    assert_eq!(lim["expires_at"], json!(expiry));
    assert_eq!(lim["acls"]["list-accts"], 1);
    assert_eq!(lim["acls"]["list-pkgs"], 0);
    assert_eq!(lim["acls"]["all"], 0);
    assert_eq!(
        tokens["billing"]["acls"]["all"], 1,
        "a full token: root's own map"
    );
    assert_eq!(tokens["billing"]["whitelist_ips"], Value::Null);
    assert_eq!(tokens["billing"]["expires_at"], Value::Null);
    assert!(
        !listed.to_string().contains(token),
        "the token itself is never shown again"
    );

    let details = server
        .call(
            "api_token_get_details",
            &format!(
                "api.version=1&token={}",
                limited["data"]["token"].as_str().expect("t")
            ),
        )
        .await;
    assert_eq!(details["data"]["name"], "lim-1");
    assert_eq!(
        details["data"]["acls"],
        json!(["basic-system-info", "list-accts"])
    );
    let (result, reason, _) = v1(&server, "api_token_get_details", "token=NOTATOKEN").await;
    assert_eq!(
        (result, reason.as_str()),
        (0, "The API token you specified does not exist.")
    );
}

#[tokio::test]
async fn creation_refusals() {
    let server = Server::start().await;
    v1(&server, "api_token_create", "token_name=taken").await;
    let failed = "The system failed to create the API token: ";
    for (query, why) in [
        (
            "token_name=taken",
            "A conflicting API token with the name “taken” already exists.",
        ),
        (
            "token_name=bad%20name",
            "The name “bad name” is not valid: use 1 to 50 letters, digits, hyphens (-) and underscores (_).",
        ),
        (
            "token_name=x&acl=list-accts&acl-1=nonsense",
            "Invalid or unauthorized ACL(s) specified: nonsense",
        ),
        (
            "token_name=x&expires_at=1000",
            "The expiration time must be in the future.",
        ),
        (
            "token_name=x&expires_at=soon",
            "“soon” is not a valid expiration time.",
        ),
        (
            "token_name=x&whitelist_ip=10.0.0.0/8&whitelist_ip-1=300.1.1.1",
            "“300.1.1.1” is not a valid IP address or CIDR range.",
        ),
        (
            "token_name=x&whitelist_ip=1.2.3.4/40",
            "“1.2.3.4/40” is not a valid IP address or CIDR range.",
        ),
    ] {
        let (result, reason, _) = v1(&server, "api_token_create", query).await;
        assert_eq!((result, reason), (0, format!("{failed}{why}")), "{query}");
    }
    let long = "n".repeat(51);
    let (result, _, _) = v1(&server, "api_token_create", &format!("token_name={long}")).await;
    assert_eq!(result, 0);
    let (_, reason, _) = v1(&server, "api_token_create", "").await;
    assert_eq!(reason, "Provide the “token_name” parameter.");
    let listed = server.call("api_token_list", "api.version=1").await;
    let names: Vec<&String> = listed["data"]["tokens"]
        .as_object()
        .expect("tokens")
        .keys()
        .collect();
    assert_eq!(names, ["taken", "whmd-root"], "nothing else was made");
}

#[tokio::test]
async fn a_reseller_grants_only_what_it_holds_and_sees_only_its_own() {
    let server = Server::start().await;
    let a = server
        .reseller(
            "toka",
            &[Acl::MANAGE_API_TOKENS, Acl::LIST_ACCTS, Acl::ACCT_SUMMARY],
        )
        .await;
    let b = server.reseller("tokb", &[Acl::MANAGE_API_TOKENS]).await;
    let refused = server
        .call_as(
            &a,
            "api_token_create",
            "api.version=1&token_name=x&acl=kill-acct",
        )
        .await;
    assert_eq!(
        outcome(&refused),
        (
            0,
            "The system failed to create the API token: Invalid or unauthorized ACL(s) specified: kill-acct"
        )
    );
    let root_acl = server
        .call_as(&a, "api_token_create", "api.version=1&token_name=x&acl=all")
        .await;
    assert_eq!(outcome(&root_acl).0, 0, "no reseller grants `all`");
    let narrow = server
        .call_as(
            &a,
            "api_token_create",
            "api.version=1&token_name=narrow&acl=list-accts",
        )
        .await;
    assert_eq!(outcome(&narrow).0, 1);
    // A token made with a limited token is no wider than it.
    let child = server
        .call_as(
            &auth_of("toka", &narrow),
            "api_token_create",
            "api.version=1&token_name=child",
        )
        .await;
    assert_eq!(
        outcome(&child).0,
        0,
        "the narrow token lacks manage-api-tokens"
    );
    let managing = server
        .call_as(
            &a,
            "api_token_create",
            "api.version=1&token_name=managing&acl=manage-api-tokens&acl-1=list-accts",
        )
        .await;
    let child = server
        .call_as(
            &auth_of("toka", &managing),
            "api_token_create",
            "api.version=1&token_name=child",
        )
        .await;
    assert_eq!(outcome(&child).0, 1);
    let child_auth = auth_of("toka", &child);
    assert!(works(&server, &child_auth, "listaccts").await);
    assert!(
        !works(&server, &child_auth, "accountsummary").await,
        "not wider than the token that made it"
    );

    // B names A's tokens in every way it can; A's tokens are untouched.
    let b_list = server.call_as(&b, "api_token_list", "api.version=1").await;
    assert!(!b_list.to_string().contains("narrow"), "{b_list}");
    let update = server
        .call_as(
            &b,
            "api_token_update",
            "api.version=1&token_name=narrow&new_name=stolen",
        )
        .await;
    assert_eq!(
        outcome(&update),
        (
            0,
            "The system failed to update the API token: The API token “narrow” does not exist."
        )
    );
    let revoke = server
        .call_as(&b, "api_token_revoke", "api.version=1&token_name=narrow")
        .await;
    assert_eq!(
        outcome(&revoke).0,
        1,
        "names it does not have are passed over"
    );
    let details = server
        .call_as(
            &b,
            "api_token_get_details",
            &format!(
                "api.version=1&token={}",
                narrow["data"]["token"].as_str().expect("t")
            ),
        )
        .await;
    assert_eq!(outcome(&details).0, 0);
    assert!(works(&server, &auth_of("toka", &narrow), "listaccts").await);
}

#[tokio::test]
async fn update_and_revoke() {
    let server = Server::start().await;
    let (_, _, made) = v1(&server, "api_token_create", "token_name=one&acl=list-accts").await;
    let auth = auth_of("root", &made);
    assert!(!works(&server, &auth, "version").await);
    let (result, reason, updated) = v1(
        &server,
        "api_token_update",
        "token_name=one&new_name=two&acl=basic-system-info",
    )
    .await;
    assert_eq!((result, reason.as_str()), (1, "OK"));
    assert_eq!(updated["data"]["name"], "two");
    assert_eq!(updated["data"]["old_name"], "one");
    assert_eq!(updated["data"]["acls"], json!(["basic-system-info"]));
    assert!(works(&server, &auth, "version").await, "applies at once");
    assert!(!works(&server, &auth, "listaccts").await);
    // Limited to addresses this client is not at, it is refused; `any` lifts that.
    v1(
        &server,
        "api_token_update",
        "token_name=two&whitelist_ip=192.0.2.0/24",
    )
    .await;
    let url = server.http("/json-api/version?api.version=1");
    let answer = server
        .send(reqwest::Method::GET, url.clone(), Some(&auth), None, None)
        .await;
    assert_eq!(answer.status, 403);
    v1(
        &server,
        "api_token_update",
        "token_name=two&whitelist_ip=127.0.0.1",
    )
    .await;
    assert!(works(&server, &auth, "version").await);
    v1(
        &server,
        "api_token_update",
        "token_name=two&whitelist_ip=any",
    )
    .await;
    let listed = server.call("api_token_list", "api.version=1").await;
    assert_eq!(
        listed["data"]["tokens"]["two"]["whitelist_ips"],
        Value::Null
    );
    // A rename only keeps the privileges it had.
    v1(&server, "api_token_update", "token_name=two&new_name=three").await;
    assert!(!works(&server, &auth, "listaccts").await);
    v1(&server, "api_token_create", "token_name=other").await;
    let (result, reason, _) = v1(
        &server,
        "api_token_update",
        "token_name=three&new_name=other",
    )
    .await;
    assert_eq!(
        (result, reason.as_str()),
        (
            0,
            "The system failed to update the API token: A conflicting API token with the name “other” already exists."
        )
    );
    let (result, reason, _) = v1(
        &server,
        "api_token_update",
        "token_name=three&whitelist_ip=nonsense",
    )
    .await;
    assert_eq!(
        (result, reason.as_str()),
        (
            0,
            "The system failed to update the API token: “nonsense” is not a valid IP address or CIDR range."
        )
    );
    assert!(
        works(&server, &auth, "version").await,
        "a refused update changes nothing"
    );

    let (result, _, reply) = v1(
        &server,
        "api_token_revoke",
        "token_name=three&token_name-1=nope&token_name-2=other",
    )
    .await;
    assert_eq!(result, 1);
    assert_eq!(reply["data"], json!({}));
    assert!(!works(&server, &auth, "version").await, "revoked at once");
    let listed = server.call("api_token_list", "api.version=1").await;
    let names: Vec<&String> = listed["data"]["tokens"]
        .as_object()
        .expect("tokens")
        .keys()
        .collect();
    assert_eq!(names, ["whmd-root"]);
    let (_, reason, _) = v1(&server, "api_token_revoke", "").await;
    assert_eq!(reason, "Provide the “token_name” parameter.");
    let log = server
        .store()
        .await
        .accounts
        .accounting_log(50)
        .await
        .expect("log");
    let actions: Vec<(&str, &str)> = log
        .iter()
        .filter(|e| e.action.ends_with("APITOKEN"))
        .map(|e| (e.action.as_str(), e.fields[1].as_str()))
        .collect();
    assert_eq!(
        actions,
        [
            ("CREATEAPITOKEN", "one"),
            ("UPDATEAPITOKEN", "two"),
            ("UPDATEAPITOKEN", "two"),
            ("UPDATEAPITOKEN", "two"),
            ("UPDATEAPITOKEN", "two"),
            ("UPDATEAPITOKEN", "three"),
            ("CREATEAPITOKEN", "other"),
            ("REVOKEAPITOKEN", "three"),
            ("REVOKEAPITOKEN", "other"),
        ]
    );
}

#[tokio::test]
async fn removed_and_suspended_accounts_tokens_are_refused() {
    let server = Server::start().await;
    let gone = server.reseller("tokgone", &[Acl::LIST_ACCTS]).await;
    let held = server.reseller("tokheld", &[Acl::LIST_ACCTS]).await;
    assert!(works(&server, &gone, "listaccts").await);
    v1(&server, "removeacct", "user=tokgone").await;
    assert!(!works(&server, &gone, "listaccts").await);
    create(&server, "tokgone", "").await;
    assert!(
        !works(&server, &gone, "listaccts").await,
        "a new account of the same name does not get the old tokens"
    );
    v1(&server, "suspendacct", "user=tokheld").await;
    assert!(!works(&server, &held, "listaccts").await);
}

#[tokio::test]
async fn the_audit_log_records_without_secrets() {
    let server = Server::start().await;
    let (_, _, made) = v1(&server, "api_token_create", "token_name=audited").await;
    let secret = made["data"]["token"].as_str().expect("token").to_owned();
    let bad = "whm root:WRONGWRONGWRONGWRONGWRONGWRONG12";
    let url = server.http("/json-api/version?api.version=1");
    server
        .send(reqwest::Method::GET, url, Some(bad), None, None)
        .await;
    v1(&server, "api_token_revoke", "token_name=audited").await;
    let text = server.audit_log();
    assert!(!text.contains(&secret) && !text.contains(&server.token));
    assert!(!text.contains("WRONGWRONG"));
    let events: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON lines"))
        .collect();
    let kinds: Vec<&str> = events.iter().filter_map(|e| e["event"].as_str()).collect();
    for kind in [
        "login_succeeded",
        "token_created",
        "login_failed",
        "token_revoked",
    ] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    let failed = events
        .iter()
        .find(|e| e["event"] == "login_failed")
        .expect("a failure");
    assert_eq!(
        (
            &failed["user"],
            &failed["ip"],
            &failed["method"],
            &failed["reason"]
        ),
        (
            &json!("root"),
            &json!("127.0.0.1"),
            &json!("api_token"),
            &json!("unknown token")
        )
    );
}
