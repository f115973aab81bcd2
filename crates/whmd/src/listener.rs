//! The accept loops. Both listeners serve the same router; the HTTPS one first completes a
//! TLS handshake. Each connection learns its peer address and whether it came over TLS. HTTP/1
//! bytes pass through the lenient reader (`crate::lenient`) on their way to hyper.

use crate::lenient::Lenient;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

/// How long a client may take to send its request headers or finish a TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(60);

/// What a handler knows about the connection a request came on.
#[derive(Debug, Clone, Copy)]
pub struct Connection {
    pub peer: SocketAddr,
    pub tls: bool,
}

/// Serves `app` on `listener` until `shutdown` changes.
pub async fn serve(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    app: Router,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors and the like: pause rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            // Any change of the flag (or its sender going away) means stop.
            _ = shutdown.changed() => return,
        };
        let app = app.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            let connection = Connection {
                peer,
                tls: tls.is_some(),
            };
            match tls {
                Some(acceptor) => {
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                        Ok(Ok(stream)) if stream.get_ref().1.alpn_protocol() == Some(b"h2") => {
                            serve_connection(TokioIo::new(stream), app, connection).await
                        }
                        Ok(Ok(stream)) => {
                            serve_connection(TokioIo::new(Lenient::new(stream)), app, connection)
                                .await
                        }
                        Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                    }
                }
                None => serve_connection(TokioIo::new(Lenient::new(stream)), app, connection).await,
            }
        });
    }
}

async fn serve_connection<I>(io: TokioIo<I>, app: Router, connection: Connection)
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = app.map_request(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(connection);
        request
    });
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(HANDSHAKE_TIMEOUT)
        // A request is answered even when the client closes its side after sending it, and the
        // lenient reader ends a connection this way after a request that must be its last.
        .half_close(true);
    if let Err(e) = builder
        .serve_connection(io, TowerToHyperService::new(service))
        .await
    {
        tracing::debug!(peer = %connection.peer, error = %e, "connection ended with an error");
    }
}

/// Binds a listener, reporting the address in the error when it fails.
pub async fn bind(addr: SocketAddr) -> anyhow::Result<TcpListener> {
    TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))
}
