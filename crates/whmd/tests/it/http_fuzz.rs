//! Fuzzing the whole request path in-process (no port): arbitrary paths, query strings,
//! content types and bodies always get a well-formed answer, never a panic.

use axum::body::Body;
use axum::http::Request;
use proptest::prelude::*;
use serde_json::Value;
use std::sync::Arc;
use tower::ServiceExt;
use whmd::http::{AppState, app};
use whmd_api::{Context, ServerInfo};
use whmd_domain::audit::MemoryAudit;
use whmd_domain::host::Unmanaged;
use whmd_domain::secret::token_digest;
use whmd_domain::store::ApiTokenRecord;
use whmd_store_sqlite::SqliteStore;

pub const TOKEN: &str = "FUZZFUZZFUZZFUZZFUZZFUZZFUZZFUZZ";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

pub async fn state(dir: &std::path::Path) -> AppState {
    let store = SqliteStore::open(&format!("sqlite://{}", dir.join("whmd.db").display()))
        .await
        .expect("store");
    let stores = store.stores();
    stores
        .credentials
        .insert_api_token(
            &ApiTokenRecord {
                user: "root".into(),
                name: "fuzz".into(),
                digest: token_digest(TOKEN),
                create_time: 0,
                expires_at: None,
                acls: None,
                whitelist: None,
            },
            &[],
        )
        .await
        .expect("token");
    let info = ServerInfo {
        hostname: "fuzz.test".into(),
        whm_version: "11.120.0.16".into(),
        main_ip: "192.0.2.1".into(),
        nameservers: vec!["ns1.fuzz.test".into()],
        db_prefix_length: 8,
        https_port: None,
        home_roots: None,
        data_dir: "/nonexistent".into(),
        secrets: Arc::new(whmd_domain::sealed::SecretsKey::new(
            &whmd_domain::sealed::SecretsKey::generate(),
        )),
        auth: whmd_domain::auth::AuthPolicy::default(),
    };
    AppState::new(
        Context::new(
            info,
            stores,
            Arc::new(Unmanaged),
            Arc::new(MemoryAudit::default()),
        ),
        whmd::listener::Limits::default(),
    )
}

fn function() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("version".to_owned()),
        Just("applist".to_owned()),
        Just("myprivs".to_owned()),
        Just("loadavg".to_owned()),
        "[a-z_%.+/]{0,12}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn any_request_gets_a_well_formed_answer(
        api in prop_oneof![Just("json-api"), Just("xml-api")],
        function in function(),
        query in "[a-z.0-9=&%+_\\-]{0,64}",
        content_type in prop_oneof![Just(None), Just(Some("application/json")), Just(Some("application/octet-stream"))],
        body in proptest::collection::vec(any::<u8>(), 0..256),
    ) {
        let rt = runtime();
        let dir = tempfile::tempdir().expect("tempdir");
        let state = rt.block_on(state(dir.path()));
        let uri = format!("/{api}/{function}?{query}");
        let Ok(mut request) = Request::builder()
            .method("POST")
            .uri(&uri)
            .header("Authorization", format!("whm root:{TOKEN}"))
            .body(Body::from(body))
        else {
            return Ok(());
        };
        if let Some(ct) = content_type {
            request.headers_mut().insert("content-type", ct.parse().expect("header"));
        }
        let response = rt.block_on(app(state).oneshot(request)).expect("infallible");
        let status = response.status().as_u16();
        prop_assert!(matches!(status, 200 | 400 | 404), "{uri}: {status}");
        let bytes = rt.block_on(axum::body::to_bytes(response.into_body(), usize::MAX)).expect("body");
        if status == 200 && api == "json-api" {
            let v: Value = serde_json::from_slice(&bytes).expect("a JSON answer");
            prop_assert!(v.is_object());
        }
        if status == 200 && api == "xml-api" {
            prop_assert!(bytes.starts_with(b"<"));
        }
    }
}
