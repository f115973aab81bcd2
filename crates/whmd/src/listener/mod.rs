//! The accept loops. Both listeners serve the same application; the HTTPS one first completes a
//! TLS handshake. Each connection learns its peer address and whether it came over TLS. HTTP/1
//! bytes pass through the lenient reader (`crate::lenient`) on their way to hyper. A connection
//! over a cap of [`Limits`] is closed as soon as it is accepted.

mod limits;

pub use limits::{Gate, Limits};

use crate::lenient::Lenient;
use axum::response::Response;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;
use tower::{Service, ServiceExt};

/// What a handler knows about the connection a request came on.
#[derive(Debug, Clone, Copy)]
pub struct Connection {
    pub peer: SocketAddr,
    pub tls: bool,
}

/// What a listener serves: whmd's application, or any other that answers every request.
pub trait App:
    Service<hyper::Request<Incoming>, Response = Response, Error = Infallible, Future: Send>
    + Clone
    + Send
    + 'static
{
}

impl<S> App for S where
    S: Service<hyper::Request<Incoming>, Response = Response, Error = Infallible, Future: Send>
        + Clone
        + Send
        + 'static
{
}

/// Serves `app` on `listener` until `shutdown` changes, admitting connections through `gate`
/// (shared by both listeners).
pub async fn serve(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    app: impl App,
    gate: Gate,
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
        let Some(pass) = gate.admit(peer.ip()) else {
            tracing::debug!(%peer, "connection refused: over the connection cap");
            drop(stream);
            continue;
        };
        let header_timeout = gate.limits().header_timeout;
        let app = app.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            let _pass = pass;
            let connection = Connection {
                peer,
                tls: tls.is_some(),
            };
            match tls {
                Some(acceptor) => {
                    match tokio::time::timeout(header_timeout, acceptor.accept(stream)).await {
                        Ok(Ok(stream)) if stream.get_ref().1.alpn_protocol() == Some(b"h2") => {
                            let io = TokioIo::new(stream);
                            serve_connection(io, app, connection, header_timeout).await
                        }
                        Ok(Ok(stream)) => {
                            let io = TokioIo::new(Lenient::new(stream, Some(header_timeout)));
                            serve_connection(io, app, connection, header_timeout).await
                        }
                        Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                    }
                }
                None => {
                    let io = TokioIo::new(Lenient::new(stream, Some(header_timeout)));
                    serve_connection(io, app, connection, header_timeout).await
                }
            }
        });
    }
}

async fn serve_connection<I>(
    io: TokioIo<I>,
    app: impl App,
    connection: Connection,
    header_timeout: Duration,
) where
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
        // Also the longest a kept-alive connection waits idle for its next request.
        .header_read_timeout(header_timeout)
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
