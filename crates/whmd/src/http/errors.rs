//! HTTP-level refusals, decided before any function runs. On an API document they carry the body
//! WHM sends with its 403 (docs/compatibility.md, "Authentication"), in the document's format, as
//! `text/plain`; elsewhere plain text.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use hyper::ext::ReasonPhrase;
use serde_json::json;
use whmd_api::Context;
use whmd_api::outage::chain;
use whmd_domain::StoreError;
use whmd_wire::ApiFormat;
use whmd_wire::render::render;

const TEXT_PLAIN: &str = "text/plain; charset=\"utf-8\"";

/// Bad or missing credentials: `403 Forbidden Access denied`, as cpsrvd words it.
pub fn access_denied(format: ApiFormat) -> Response {
    let mut response = api_error(format, StatusCode::FORBIDDEN, "Access denied");
    response
        .extensions_mut()
        .insert(ReasonPhrase::from_static(b"Forbidden Access denied"));
    response
}

pub const BODY_TOO_LARGE: &str = "The request body exceeds 1 MiB.";
pub const BODY_UNREADABLE: &str = "The request body could not be read.";
pub const BODY_TOO_SLOW: &str = "The request body arrived too slowly.";

pub fn payload_too_large(format: ApiFormat) -> Response {
    api_error(format, StatusCode::PAYLOAD_TOO_LARGE, BODY_TOO_LARGE)
}

/// A body that ended before its length, or whose chunked framing is broken.
pub fn unreadable_body(format: ApiFormat) -> Response {
    api_error(format, StatusCode::BAD_REQUEST, BODY_UNREADABLE)
}

/// A body slower than the limits allow: `408 Request Timeout`, and the connection is closed.
pub fn request_timeout(format: ApiFormat) -> Response {
    let mut response = api_error(format, StatusCode::REQUEST_TIMEOUT, BODY_TOO_SLOW);
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

pub fn method_not_allowed(format: ApiFormat) -> Response {
    let mut response = api_error(format, StatusCode::METHOD_NOT_ALLOWED, "Use GET or POST.");
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD, POST"));
    response
}

pub fn unavailable(format: ApiFormat) -> Response {
    let mut response = api_error(
        format,
        StatusCode::SERVICE_UNAVAILABLE,
        "The service is temporarily unavailable. Try again later.",
    );
    retry_later(&mut response);
    response
}

/// Every 503 says when to try again (docs/compatibility.md, "Responses"): a store that went
/// away is usually back, or failed over, within seconds.
pub fn retry_later(response: &mut Response) {
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
}

/// Logs a store failure met outside a function (an outage once, through its [`Outage`]
/// tracker; anything else as an error of its own) and gives the incident ID the reply names.
///
/// [`Outage`]: whmd_api::outage::Outage
pub fn store_failed(ctx: &Context, what: &str, e: &StoreError) -> u32 {
    let incident: u32 = rand::random();
    match e {
        StoreError::Unavailable(_) => ctx.outage.failed(what, incident, e),
        _ => tracing::error!(what, incident, error = %chain(e), "the store failed"),
    }
    incident
}

/// A failure after the function ran, while its reply was being written.
pub fn internal(format: ApiFormat) -> Response {
    api_error(
        format,
        StatusCode::INTERNAL_SERVER_ERROR,
        "The reply could not be written.",
    )
}

pub fn bad_request(text: &str) -> Response {
    plain(StatusCode::BAD_REQUEST, text)
}

pub fn not_found() -> Response {
    plain(
        StatusCode::NOT_FOUND,
        "The requested document does not exist.",
    )
}

fn api_error(format: ApiFormat, status: StatusCode, text: &str) -> Response {
    let body = json!({
        "apiversion": "2",
        "error": text,
        "data": {"reason": text, "result": "0"},
        "type": "text",
    });
    let body = match format {
        ApiFormat::Json => render(format, "", &json!({ "cpanelresult": body })),
        ApiFormat::Xml => render(format, "cpanelresult", &body),
    };
    respond(status, body)
}

fn plain(status: StatusCode, text: &str) -> Response {
    respond(status, format!("{text}\n").into_bytes())
}

fn respond(status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(TEXT_PLAIN));
    headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}
