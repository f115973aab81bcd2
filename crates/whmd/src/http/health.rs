//! `/health/live` and `/health/ready`, without credentials, for a load balancer or an
//! orchestrator in front of several replicas (docs/compatibility.md, "Health"): live while the
//! process answers; ready while the store takes writes, so traffic can be routed around a
//! replica that cannot reach the database. Neither says anything about accounts.

use super::AppState;
use super::errors;
use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use std::time::Duration;

/// How long the store may take to answer before the replica counts as not ready.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

pub fn live() -> Response {
    text(StatusCode::OK, "live")
}

pub async fn ready(state: &AppState) -> Response {
    // During an outage its own probe asks the store; checks do not add to the load.
    if state.ctx.outage.ongoing() {
        return not_ready();
    }
    match tokio::time::timeout(READY_TIMEOUT, state.ctx.stores.health.ready()).await {
        Ok(Ok(())) => text(StatusCode::OK, "ready"),
        Ok(Err(e)) => {
            tracing::debug!(error = %whmd_api::outage::chain(&e), "not ready");
            not_ready()
        }
        Err(_) => not_ready(),
    }
}

fn not_ready() -> Response {
    let mut response = text(
        StatusCode::SERVICE_UNAVAILABLE,
        "not ready: the store takes no writes",
    );
    errors::retry_later(&mut response);
    response
}

fn text(status: StatusCode, text: &str) -> Response {
    let mut response = Response::new(Body::from(format!("{text}\n")));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=\"utf-8\""),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
