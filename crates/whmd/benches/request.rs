//! One request through whmd's whole HTTP application in-process (no socket), against the
//! baseline's handler that returns a fixed body: what whmd's own request path costs, apart
//! from the network. Run with `cargo bench -p whmd --bench request`.

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use axum::http::header::CONTENT_TYPE;
use axum::response::Response;
use criterion::{Criterion, criterion_group, criterion_main};
use std::convert::Infallible;
use std::sync::Arc;
use tower::{Service, ServiceExt};
use whmd::http::{App, AppState, app};
use whmd_api::{Context, ServerInfo};
use whmd_domain::audit::MemoryAudit;
use whmd_domain::host::Unmanaged;
use whmd_domain::secret::token_digest;
use whmd_domain::store::ApiTokenRecord;
use whmd_store_sqlite::SqliteStore;

// As the whmd binary allocates.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const TOKEN: &str = "BENCHBENCHBENCHBENCHBENCHBENCH12";

async fn whmd_app(dir: &std::path::Path) -> App {
    let store = SqliteStore::open(&format!("sqlite://{}", dir.join("whmd.db").display()))
        .await
        .expect("store");
    let stores = store.stores();
    stores
        .credentials
        .insert_api_token(
            &ApiTokenRecord {
                user: "root".into(),
                name: "bench".into(),
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
        hostname: "bench.test".into(),
        whm_version: "11.130.0.5".into(),
        main_ip: "192.0.2.1".into(),
        nameservers: vec!["ns1.bench.test".into()],
        db_prefix_length: 8,
        https_port: None,
        home_roots: None,
        data_dir: dir.to_owned(),
        secrets: Arc::new(whmd_domain::sealed::SecretsKey::new(
            &whmd_domain::sealed::SecretsKey::generate(),
        )),
        auth: whmd_domain::auth::AuthPolicy::default(),
    };
    app(AppState::new(
        Context::new(
            info,
            stores,
            Arc::new(Unmanaged),
            Arc::new(MemoryAudit::default()),
        ),
        whmd::listener::Limits::default(),
    ))
}

fn baseline_app() -> Router {
    const BODY: &str = r#"{"metadata":{"result":1,"reason":"OK","version":1,"command":"version"},"data":{"version":"11.130.0.5"}}"#;
    Router::new().fallback(axum::routing::get(|| async {
        ([(CONTENT_TYPE, "application/json")], BODY)
    }))
}

fn version_request() -> Request<Body> {
    Request::builder()
        .uri("/json-api/version?api.version=1")
        .header("Authorization", format!("whm root:{TOKEN}"))
        .body(Body::empty())
        .expect("request")
}

async fn call<S>(app: &S) -> usize
where
    S: Service<Request<Body>, Response = Response, Error = Infallible> + Clone,
{
    let response = app
        .clone()
        .oneshot(version_request())
        .await
        .expect("infallible");
    axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body")
        .len()
}

fn requests(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let whmd = rt.block_on(whmd_app(dir.path()));
    let baseline = baseline_app();
    assert!(rt.block_on(call(&whmd)) > 0);
    let mut group = c.benchmark_group("version");
    group.bench_function("baseline handler", |b| {
        b.iter(|| rt.block_on(call(&baseline)))
    });
    group.bench_function("whmd, no log", |b| b.iter(|| rt.block_on(call(&whmd))));
    let (writer, _flush) = whmd::log_writer::start(std::io::sink()).expect("log writer");
    whmd::access_log::install(writer.clone(), false);
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("info"))
        .with_writer(writer)
        .event_format(whmd::log_format::Lines { ansi: false })
        .fmt_fields(whmd::log_format::Fields)
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        group.bench_function("whmd, access log", |b| b.iter(|| rt.block_on(call(&whmd))));
        let entry = whmd::access_log::Entry {
            method: &axum::http::Method::GET,
            path: "/json-api/version",
            peer: Some("127.0.0.1:50000".parse().expect("address")),
            function: Some("version"),
            api_version: Some("1"),
            user: Some("root"),
            result: Some(1),
            status: 200,
            micros: 1127,
        };
        group.bench_function("access-log line alone", |b| {
            b.iter(|| whmd::access_log::write(&entry))
        });
    });
    group.finish();
}

criterion_group!(benches, requests);
criterion_main!(benches);
