//! Fuzzing the zone functions' arguments in-process: whatever keys and values arrive, the
//! answer is a well-formed envelope, a call that fails changes nothing, and the zone stays
//! one BIND loads (held to named-checkzone where BIND is installed).

use crate::http_fuzz::state;
use axum::body::Body;
use axum::http::Request;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use proptest::prelude::*;
use serde_json::Value;
use tower::ServiceExt;
use whmd::http::{AppState, app};

const TOKEN: &str = crate::http_fuzz::TOKEN;
const ZONE: &str = "fz.example.com";

const FUNCTIONS: &[&str] = &[
    "addzonerecord",
    "editzonerecord",
    "removezonerecord",
    "getzonerecord",
    "savemxs",
    "listmxs",
    "adddns",
    "resetzone",
    "killdns",
    "dumpzone",
];

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "name",
            "type",
            "class",
            "ttl",
            "line",
            "Line",
            "serialnum",
            "address",
            "cname",
            "exchange",
            "preference",
            "txtdata",
            "nsdname",
            "ptrdname",
            "priority",
            "weight",
            "port",
            "target",
            "flag",
            "tag",
            "value",
            "ip",
            "ipv6",
            "template",
            "trueowner",
            "exchange-1",
            "preference-1",
            "name-1",
            "mname",
            "rname",
            "refresh",
            "minimum",
            "zone",
        ])
        .prop_map(str::to_owned),
        "[a-zA-Z_-]{1,12}",
    ]
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "A",
            "AAAA",
            "CNAME",
            "MX",
            "NS",
            "TXT",
            "SRV",
            "CAA",
            "PTR",
            "SOA",
            "HINFO",
            "@",
            "www",
            "mail",
            "ns1",
            "*",
            "x.fz.example.com.",
            "other.net.",
            "fz.example.com",
            "192.0.2.1",
            "2001:db8::1",
            "300",
            "0",
            "-1",
            "4",
            "12",
            "21",
            "99999",
            "issue",
            ".",
            "$INCLUDE /etc/passwd",
            "$ORIGIN evil.",
            "a\nb",
            "a\r\nb",
            "\"",
            "\\",
            ";",
            "( )",
            "a b",
            "",
            "ünï",
            "IN",
            "CH",
            "standard",
            "root",
        ])
        .prop_map(str::to_owned),
        "\\PC{0,24}",
        "[a-z0-9.-]{1,40}",
    ]
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

/// Has BIND's checker load the zone, where it is installed.
fn check_with_bind(dir: &std::path::Path, text: &str) -> Result<(), String> {
    let checker = ["/usr/bin/named-checkzone", "/usr/sbin/named-checkzone"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    let Some(checker) = checker else {
        return Ok(());
    };
    let file = dir.join("check.db");
    std::fs::write(&file, text).map_err(|e| e.to_string())?;
    let out = std::process::Command::new(checker)
        .args(["-q", "-k", "fail", "-n", "fail", ZONE])
        .arg(&file)
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn zone_arguments_never_break_the_server_the_store_or_the_zone(
        function in prop::sample::select(FUNCTIONS),
        pairs in proptest::collection::vec((key(), value()), 0..7),
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        let dir = tempfile::tempdir().expect("tempdir");
        let (status, reply, changed, zone) = rt.block_on(async {
            let state = state(dir.path()).await;
            let (_, made) = send(&state, "adddns", format!("domain={ZONE}&ip=192.0.2.10").into_bytes()).await;
            assert_eq!(made["metadata"]["result"], 1, "{made}");
            let before = state.ctx.stores.snapshot.export().await.expect("export");
            let body = std::iter::once(format!("domain={ZONE}"))
                .chain(pairs.iter().map(|(k, v)| {
                    format!("{}={}", utf8_percent_encode(k, NON_ALPHANUMERIC), utf8_percent_encode(v, NON_ALPHANUMERIC))
                }))
                .collect::<Vec<_>>()
                .join("&");
            let (status, reply) = send(&state, function, body.into_bytes()).await;
            let after = state.ctx.stores.snapshot.export().await.expect("export");
            let zone = state.ctx.stores.zones.zone(ZONE).await.expect("read");
            (status, reply, before != after, zone)
        });
        prop_assert_eq!(status, 200, "{}: {}", function, reply);
        let result = reply["metadata"]["result"].as_i64();
        prop_assert!(matches!(result, Some(0 | 1)), "{}: {}", function, reply);
        prop_assert!(reply["metadata"]["reason"].is_string());
        if result == Some(0) {
            prop_assert!(!changed, "{} failed and changed the store: {}", function, reply);
        }
        if let Some(zone) = zone {
            let parsed = whmd_dns::parse(&zone.name, &zone.text);
            prop_assert!(parsed.is_ok(), "{}: the stored zone does not parse: {:?}", function, parsed);
            let checked = check_with_bind(dir.path(), &zone.text);
            prop_assert!(checked.is_ok(), "{} left a zone BIND refuses: {:?}\n{}", function, checked, zone.text);
        }
    }
}
