//! Brute-force protection over HTTP: lockouts per address and per user, blocked callers
//! refused before their credentials are checked, the white and black lists, and the cPHulk
//! functions' shapes. An attacker is played by a client bound to another loopback address.

use crate::accounts::v1;
use crate::harness::{Server, outcome};
use reqwest::StatusCode;
use serde_json::{Value, json};
use whmd_wire::Acl;

const ATTACKER: &str = "127.0.0.9";
const ADMIN: &str = "127.0.0.1";
const WRONG: &str = "whm root:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

/// Whether root's real token gets through from `source`.
async fn root_gets_in(server: &Server, source: &str) -> bool {
    let (status, reply) = server
        .call_from(source, &server.root_auth(), "version", "")
        .await;
    status == StatusCode::OK && reply["metadata"]["result"] == 1
}

async fn fail(server: &Server, times: usize, auth: &str) {
    for _ in 0..times {
        let (status, _) = server.call_from(ATTACKER, auth, "version", "").await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn an_address_is_locked_out_and_let_in_again() {
    let server = Server::start().await;
    let (result, _, _) = v1(&server, "save_cphulk_config", "max_failures_byip=3").await;
    assert_eq!(result, 1);
    fail(&server, 2, WRONG).await;
    assert!(root_gets_in(&server, ATTACKER).await, "under the limit");
    fail(&server, 1, WRONG).await;
    assert!(
        !root_gets_in(&server, ATTACKER).await,
        "blocked: even good credentials are refused"
    );
    assert!(
        root_gets_in(&server, ADMIN).await,
        "other addresses are not"
    );
    let brutes = server.call("get_cphulk_brutes", "api.version=1").await;
    let brute = &brutes["data"]["brutes"][0];
    assert_eq!(brute["ip"], ATTACKER);
    assert_eq!(brute["timeleft"], 15);
    assert!(
        brute["exptime"]
            .as_str()
            .is_some_and(|t| t.ends_with(".000Z"))
    );
    let failed = server
        .call("get_cphulk_failed_logins", "api.version=1")
        .await;
    let first = &failed["data"]["failed_logins"][0];
    assert_eq!(
        (&first["user"], &first["ip"], &first["authservice"]),
        (&json!("root"), &json!(ATTACKER), &json!("api_token"))
    );
    let (result, _, reply) = v1(
        &server,
        "flush_cphulk_login_history_for_ips",
        &format!("ip={ATTACKER}"),
    )
    .await;
    assert_eq!(result, 1);
    assert_eq!(
        reply["data"],
        json!({"records_removed": 4, "iptable_bans_removed": 0})
    );
    assert!(root_gets_in(&server, ATTACKER).await, "unblocked at once");
    let audit = server.audit_log();
    assert!(
        audit.contains("\"event\":\"lockout\"") && audit.contains("\"event\":\"login_blocked\"")
    );
    assert!(!audit.contains(&server.token));
}

#[tokio::test]
async fn whitelisted_addresses_are_never_locked() {
    let server = Server::start().await;
    let (result, _, reply) = v1(
        &server,
        "create_cphulk_record",
        &format!("list_name=white&ip={ATTACKER}&ip-1=nonsense&comment=office"),
    )
    .await;
    assert_eq!(result, 1);
    assert_eq!(reply["data"]["ips_added"], json!([ATTACKER]));
    assert_eq!(
        reply["data"]["ips_failed"],
        json!({"nonsense": "Invalid IP address or range: \"nonsense\""})
    );
    assert_eq!(reply["data"]["list_name"], "white");
    assert_eq!(reply["data"]["requester_ip"], ADMIN);
    assert_eq!(reply["data"]["requester_ip_is_whitelisted"], 0);
    fail(&server, 12, WRONG).await;
    assert!(root_gets_in(&server, ATTACKER).await);
    let failed = server
        .call("get_cphulk_failed_logins", "api.version=1")
        .await;
    assert_eq!(
        failed["data"]["failed_logins"],
        json!([]),
        "not even counted"
    );
    let read = server
        .call("read_cphulk_records", "api.version=1&list_name=white")
        .await;
    assert_eq!(read["data"]["ips_in_list"], json!({ATTACKER: "office"}));
    assert_eq!(
        read["data"]["warning_ip"],
        "Your IP address is not on the whitelist."
    );
}

#[tokio::test]
async fn blacklisted_addresses_are_always_refused() {
    let server = Server::start().await;
    v1(
        &server,
        "create_cphulk_record",
        &format!("list_name=black&ip={ATTACKER}"),
    )
    .await;
    assert!(!root_gets_in(&server, ATTACKER).await);
    assert!(root_gets_in(&server, ADMIN).await);
    let (result, _, reply) = v1(
        &server,
        "delete_cphulk_record",
        &format!("list_name=black&ip={ATTACKER}&ip-1=192.0.2.1"),
    )
    .await;
    assert_eq!(result, 1);
    assert_eq!(reply["data"]["ips_removed"], json!([ATTACKER]));
    assert_eq!(
        reply["data"]["ips_failed"],
        json!({"192.0.2.1": "“192.0.2.1” is not on the black list."})
    );
    assert!(root_gets_in(&server, ATTACKER).await);
}

#[tokio::test]
async fn a_user_is_locked_out_from_everywhere() {
    let server = Server::start().await;
    let bob = server.reseller("hulkbob", &[Acl::BASIC_SYSTEM_INFO]).await;
    v1(
        &server,
        "save_cphulk_config",
        "username_based_protection=1&max_failures=2&max_failures_byip=0&mark_as_brute=0",
    )
    .await;
    let wrong_bob = "whm hulkbob:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    fail(&server, 2, wrong_bob).await;
    let (status, _) = server.call_from(ADMIN, &bob, "version", "").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "locked from any address");
    assert!(
        root_gets_in(&server, ATTACKER).await,
        "the address is not blocked"
    );
    v1(&server, "flush_cphulk_login_history", "").await;
    let (status, _) = server.call_from(ADMIN, &bob, "version", "").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn switched_off_it_counts_and_blocks_nothing() {
    let server = Server::start().await;
    let status = server.call("cphulk_status", "api.version=1").await;
    assert_eq!(
        status["data"],
        json!({"is_enabled": 1, "service": "cPHulk"})
    );
    let (result, reason, reply) = v1(&server, "disable_cphulk", "").await;
    assert_eq!((result, reason.as_str()), (1, "OK"));
    assert!(reply.get("data").is_none());
    fail(&server, 8, WRONG).await;
    assert!(root_gets_in(&server, ATTACKER).await);
    let failed = server
        .call("get_cphulk_failed_logins", "api.version=1")
        .await;
    assert_eq!(failed["data"]["failed_logins"], json!([]));
    let (result, reason, _) = v1(&server, "read_cphulk_records", "list_name=white").await;
    assert_eq!(
        (result, reason.as_str()),
        (0, "cPHulk is disabled on the server.")
    );
    let (result, _, _) = v1(
        &server,
        "read_cphulk_records",
        "list_name=white&skip_enabled_check=1",
    )
    .await;
    assert_eq!(result, 1);
    v1(&server, "enable_cphulk", "").await;
    let status = server.call("cphulk_status", "api.version=1").await;
    assert_eq!(status["data"]["is_enabled"], 1);
}

#[tokio::test]
async fn configuration_shapes_and_refusals() {
    let server = Server::start().await;
    let loaded = server.call("load_cphulk_config", "api.version=1").await;
    let config = &loaded["data"]["cphulk_config"];
    for (key, value) in [
        ("is_enabled", json!(1)),
        ("max_failures_byip", json!(5)),
        ("ip_brute_force_period_mins", json!(15)),
        ("ip_brute_force_period_sec", json!(900)),
        ("max_failures", json!(15)),
        ("brute_force_period_mins", json!(5)),
        ("mark_as_brute", json!(30)),
        ("lookback_period_min", json!(360)),
        ("lookback_time", json!(21_600)),
        ("username_based_protection", json!(0)),
        ("username_based_protection_local_origin", json!(1)),
        ("command_to_run_on_brute_force", json!("")),
    ] {
        assert_eq!(config[key], value, "{key}");
    }
    let (result, _, saved) = v1(
        &server,
        "save_cphulk_config",
        "max_failures=9&notify_on_brute=1",
    )
    .await;
    assert_eq!(result, 1);
    assert_eq!(saved["data"]["cphulk_config"]["max_failures"], 9);
    assert_eq!(saved["data"]["cphulk_config"]["notify_on_brute"], 1);
    assert_eq!(saved["data"]["restart_ssh"], 0);
    assert_eq!(saved["data"]["warning"], Value::Null);
    let (result, reason, _) = v1(
        &server,
        "save_cphulk_config",
        "max_failures=1&ip_based_protection=yes&ip_brute_force_period_mins=0",
    )
    .await;
    assert_eq!(
        (result, reason.as_str()),
        (
            0,
            "Invalid value “yes” for “ip_based_protection”.\nInvalid value “0” for “ip_brute_force_period_mins”."
        )
    );
    let again = server.call("load_cphulk_config", "api.version=1").await;
    assert_eq!(
        again["data"]["cphulk_config"]["max_failures"], 9,
        "nothing saved"
    );
    for (function, query, reason) in [
        (
            "create_cphulk_record",
            "list_name=grey&ip=192.0.2.1",
            "The list “grey” does not exist: use “white” or “black”.",
        ),
        (
            "create_cphulk_record",
            "list_name=white",
            "Provide the “ip” parameter.",
        ),
        (
            "flush_cphulk_login_history_for_ips",
            "ip=nope",
            "Invalid IP address: “nope”",
        ),
    ] {
        let (result, got, _) = v1(&server, function, query).await;
        assert_eq!((result, got.as_str()), (0, reason), "{function}?{query}");
    }
    let reseller = server
        .reseller("hulkres", &[Acl::BASIC_WHM_FUNCTIONS])
        .await;
    let refused = server
        .call_as(&reseller, "cphulk_status", "api.version=1")
        .await;
    assert_eq!(
        outcome(&refused),
        (0, "Permission Denied: You do not have the “all” privilege.")
    );
}
