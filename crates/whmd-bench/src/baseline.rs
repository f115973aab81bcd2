//! The baseline: whmd's own accept loops, TLS and HTTP stack around one handler that returns a
//! fixed small JSON body. Whatever whmd does beyond this is what its throughput pays for.

use axum::Router;
use axum::http::header::CONTENT_TYPE;
use axum::routing::get;
use std::net::SocketAddr;
use std::path::Path;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;
use whmd::{listener, tls};

const BODY: &str = r#"{"metadata":{"result":1,"reason":"OK","version":1,"command":"version"},"data":{"version":"11.130.0.5"}}"#;

/// Serves the fixed body on both addresses until the process is killed.
pub async fn serve(
    http: SocketAddr,
    https: SocketAddr,
    cert: &Path,
    key: &Path,
) -> anyhow::Result<()> {
    let app = Router::new().fallback(get(|| async {
        ([(CONTENT_TYPE, "application/json")], BODY)
    }));
    let acceptor = TlsAcceptor::from(tls::server_config(cert, key)?);
    // The sender lives as long as the process, so the loops never see a stop.
    let (_stop, stopped) = watch::channel(false);
    // whmd's own limits, as whmd serves with them by default.
    let gate = listener::Gate::new(listener::Limits::default());
    let plain = listener::serve(
        listener::bind(http).await?,
        None,
        app.clone(),
        gate.clone(),
        stopped.clone(),
    );
    let secure = listener::serve(
        listener::bind(https).await?,
        Some(acceptor),
        app,
        gate,
        stopped,
    );
    tokio::join!(plain, secure);
    Ok(())
}
