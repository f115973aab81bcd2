//! The HTTP front end. One fallback handler takes every request, because WHM's path rules
//! (docs/compatibility.md, "Requests") are not a router's: the path is normalised first, then
//! dispatched.

mod api;
mod auth;
mod errors;
mod health;
mod session;

use crate::listener::{Connection, Limits};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use futures::future::BoxFuture;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;
use whmd_api::{Context, access};
use whmd_wire::{ApiVersion, Document, Target};

/// What every request handler shares.
#[derive(Debug, Clone)]
pub struct AppState {
    pub ctx: Arc<Context>,
    /// How slowly a body may arrive (the rest of the limits are the listener's).
    pub limits: Limits,
    /// The OpenAPI document, made once from the registry.
    openapi: Bytes,
}

impl AppState {
    pub fn new(ctx: Context, limits: Limits) -> Self {
        let openapi = whmd_api::openapi::document(&ctx.registry, &ctx.info.whm_version);
        Self {
            ctx: Arc::new(ctx),
            limits,
            openapi: Bytes::from(openapi.to_string()),
        }
    }
}

/// The whole HTTP application.
pub fn app(state: AppState) -> Router {
    Router::new().fallback(handle).with_state(state)
}

async fn handle(State(state): State<AppState>, request: Request<Body>) -> Response {
    let started = Instant::now();
    let peer = request.extensions().get::<Connection>().map(|c| c.peer);
    let method = request.method().clone();
    // The query string is never logged: it may carry passwords.
    let uri = request.uri().clone();
    let (response, facts) = access::noting(route(state, request)).await;
    tracing::info!(
        %method,
        path = uri.path(),
        peer = peer.map(|p| tracing::field::display(Peer(p))),
        function = known(&facts.function),
        api_version = facts.api_version.as_ref().map(ApiVersion::as_str),
        user = known(&facts.user),
        result = facts.result.map(u8::from),
        status = response.status().as_u16(),
        micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
        "request done"
    );
    response
}

/// A peer's address as `SocketAddr` displays it, written in one piece: through `Display` an
/// IPv4 address and port are six formatting calls, which cost a fifth of the access-log line.
struct Peer(SocketAddr);

impl std::fmt::Display for Peer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let SocketAddr::V4(v4) = self.0 else {
            return self.0.fmt(f);
        };
        // "255.255.255.255:65535"
        let mut text = [0_u8; 21];
        let mut len = 0;
        let mut put = |value: u16, after: u8| {
            let digits = [value / 10_000, value / 1000, value / 100, value / 10, value];
            let first = digits.iter().position(|d| *d != 0).unwrap_or(4);
            for d in &digits[first..] {
                text[len] = b'0' + u8::try_from(d % 10).unwrap_or(0);
                len += 1;
            }
            if after != 0 {
                text[len] = after;
                len += 1;
            }
        };
        let [a, b, c, d] = v4.ip().octets();
        put(a.into(), b'.');
        put(b.into(), b'.');
        put(c.into(), b'.');
        put(d.into(), b':');
        put(v4.port(), 0);
        f.write_str(std::str::from_utf8(&text[..len]).map_err(|_| std::fmt::Error)?)
    }
}

/// A fact the request got as far as, or nothing.
fn known(fact: &str) -> Option<&str> {
    (!fact.is_empty()).then_some(fact)
}

/// The request's handling, by the document its path names. Boxed here, once: the future is
/// then not copied again by each layer around it.
fn route(state: AppState, request: Request<Body>) -> BoxFuture<'static, Response> {
    let document = match Document::parse(request.uri().path()) {
        Ok(d) => d,
        Err(e) => return answered(errors::bad_request(&e.to_string())),
    };
    let token = document.security_token.map(|t| format!("/{t}"));
    match document.target {
        Target::Api { format, function } => {
            Box::pin(api::handle(state, request, format, function, token))
        }
        Target::Other(path) if path == "login" => Box::pin(session::login(state, request, token)),
        Target::Other(path) if path == "logout" => Box::pin(session::logout(state, request, token)),
        // The document describes the API, not this server's accounts: no credentials needed.
        Target::Other(path) if path == "openapi.json" && token.is_none() => {
            answered(openapi(&state))
        }
        Target::Other(path) if path == "health/live" && token.is_none() => answered(health::live()),
        Target::Other(path) if path == "health/ready" && token.is_none() => {
            Box::pin(async move { health::ready(&state).await })
        }
        Target::Other(_) => answered(errors::not_found()),
    }
}

/// A response known without waiting for anything.
fn answered(response: Response) -> BoxFuture<'static, Response> {
    Box::pin(std::future::ready(response))
}

fn openapi(state: &AppState) -> Response {
    let mut response = Response::new(Body::from(state.openapi.clone()));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// The address a request came from (unspecified when served without a listener, in tests).
fn peer(request: &Request<Body>) -> IpAddr {
    request
        .extensions()
        .get::<Connection>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.peer.ip())
}

#[cfg(test)]
mod tests {
    use super::Peer;

    #[test]
    fn peers_read_as_socket_addresses_display_them() {
        for addr in [
            "0.0.0.0:0",
            "127.0.0.1:5555",
            "10.0.20.3:80",
            "255.255.255.255:65535",
            "192.0.2.100:1009",
            "[::1]:2087",
            "[2001:db8::7]:65535",
        ] {
            let addr: std::net::SocketAddr = addr.parse().expect("address");
            assert_eq!(Peer(addr).to_string(), addr.to_string());
        }
    }
}
