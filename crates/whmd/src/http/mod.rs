//! The HTTP front end. One service takes every request, because WHM's path rules
//! (docs/compatibility.md, "Requests") are not a router's: the path is normalised first, then
//! dispatched.

mod api;
mod auth;
mod errors;
mod health;
mod session;

use crate::access_log;
use crate::listener::{Connection, Limits};
use axum::BoxError;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use futures::FutureExt;
use futures::future::BoxFuture;
use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::task::Poll;
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
pub fn app(state: AppState) -> App {
    App(Arc::new(state))
}

/// The service that answers every request. No router: there is one handler, and the layers a
/// router puts around it would cost every request for nothing.
#[derive(Debug, Clone)]
pub struct App(Arc<AppState>);

impl<B> tower::Service<Request<B>> for App
where
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Response, Infallible>>;

    fn poll_ready(&mut self, _: &mut std::task::Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        Box::pin(handle(Arc::clone(&self.0), request.map(Body::new)).map(Ok))
    }
}

/// The response to `request`, with its line in the access log. Not an `async fn`: the future
/// holds what the log line needs, not the request.
fn handle(state: Arc<AppState>, request: Request<Body>) -> impl Future<Output = Response> {
    let started = Instant::now();
    let peer = request.extensions().get::<Connection>().map(|c| c.peer);
    let method = request.method().clone();
    // The query string is never logged: it may carry passwords.
    let uri = request.uri().clone();
    let routed = access::noting(route(state, request));
    async move {
        let (response, facts) = routed.await;
        access_log::write(&access_log::Entry {
            method: &method,
            path: uri.path(),
            peer,
            function: known(&facts.function),
            api_version: facts.api_version.as_ref().map(ApiVersion::as_str),
            user: known(&facts.user),
            result: facts.result.map(u8::from),
            status: response.status().as_u16(),
            micros: u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
        });
        response
    }
}

/// A fact the request got as far as, or nothing.
fn known(fact: &str) -> Option<&str> {
    (!fact.is_empty()).then_some(fact)
}

/// The request's handling, by the document its path names. Boxed here, once: the future is
/// then not copied again by each layer around it.
fn route(state: Arc<AppState>, request: Request<Body>) -> BoxFuture<'static, Response> {
    let document = match Document::parse(request.uri().path()) {
        Ok(d) => d,
        Err(e) => return answered(errors::bad_request(&e.to_string())),
    };
    let token = document.security_token.map(|t| format!("/{t}"));
    match document.target {
        Target::Api { format, function } => api::handle(state, request, format, function, token),
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
