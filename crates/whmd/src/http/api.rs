//! `/json-api/FUNCTION` and `/xml-api/FUNCTION`: authenticate, read the arguments, dispatch,
//! render.

use super::auth::{HeaderAuth, SessionCookie, from_headers, session_cookie};
use super::{AppState, answered, errors};
use crate::listener::Limits;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;
use futures::future::BoxFuture;
use futures::{StreamExt, TryStreamExt};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::Body as _;
use std::net::IpAddr;
use std::sync::Arc;
use tokio::time::Instant;
use whmd_api::{dispatch, idempotent};
use whmd_domain::StoreError;
use whmd_domain::auth::Credentials;
use whmd_wire::render::{chunks, content_type};
use whmd_wire::{ApiFormat, ApiVersion, Args, ArgsError, Reply, ReplyStatus, WhmError};

/// The largest request body read (docs/compatibility.md, "Requests"); more is refused with 413.
pub const MAX_BODY: usize = 1 << 20;

/// What a call asks, read from its head before anything waits: the future that answers it
/// then holds this, not the request.
struct Asked {
    format: ApiFormat,
    function: String,
    peer: IpAddr,
    /// A header that is not text is kept as an empty key, which is refused as invalid.
    idempotency_key: Option<String>,
    kind: BodyKind,
    /// The request's URI, moved from it: its query holds arguments.
    uri: Uri,
}

impl Asked {
    fn query(&self) -> &[u8] {
        self.uri.query().unwrap_or("").as_bytes()
    }
}

/// The answer to an API call: authenticated from its head, then its body read and the
/// function dispatched.
pub fn handle(
    state: Arc<AppState>,
    request: Request<Body>,
    format: ApiFormat,
    function: String,
    security_token: Option<String>,
) -> BoxFuture<'static, Response> {
    if !matches!(*request.method(), Method::GET | Method::POST | Method::HEAD) {
        return answered(errors::method_not_allowed(format));
    }
    // An `Authorization` header wins; without one, a session cookie with the path's
    // security token (docs/compatibility.md, "Authentication").
    let headers = request.headers();
    let credentials = match from_headers(headers) {
        HeaderAuth::Present(c) => c,
        HeaderAuth::Malformed => return answered(errors::access_denied(format)),
        HeaderAuth::Missing => match session_cookie(headers) {
            SessionCookie::Present(secret) => Credentials::Session {
                secret,
                security_token,
            },
            SessionCookie::Missing | SessionCookie::Malformed => {
                return answered(errors::access_denied(format));
            }
        },
    };
    let peer = super::peer(&request);
    let idempotency_key = headers
        .get(IDEMPOTENCY_KEY)
        .map(|v| v.to_str().unwrap_or_default().to_owned());
    let kind = BodyKind::of(headers);
    let (parts, body) = request.into_parts();
    let asked = Asked {
        format,
        function,
        peer,
        idempotency_key,
        kind,
        uri: parts.uri,
    };
    Box::pin(answer(state, asked, credentials, body))
}

async fn answer(
    state: Arc<AppState>,
    asked: Asked,
    credentials: Credentials,
    body: Body,
) -> Response {
    let format = asked.format;
    let principal = match state.ctx.auth.authenticate(credentials, asked.peer).await {
        Ok(Ok(p)) => p,
        Ok(Err(_)) => return errors::access_denied(format),
        // The rare paths are boxed, so that every request's future need not hold them.
        Err(e) => return Box::pin(store_failed(&state, asked, body, e)).await,
    };
    let body = match read_body(body, &state.limits).await {
        Ok(b) => b,
        Err(e) => return Box::pin(body_refused(&state, &asked, e)).await,
    };
    let query = asked.query();
    let parsed = match &asked.kind {
        BodyKind::Json => Args::from_json(query, &body),
        BodyKind::Form => Args::from_form(query, &body),
        BodyKind::Multipart(boundary) => {
            match Box::pin(multipart_fields(body.clone(), boundary.clone())).await {
                Some(fields) => Args::from_multipart(query, fields),
                None => Err(ArgsError::BadMultipart),
            }
        }
    };
    let function = asked.function.as_str();
    let (reply, replayed) = match parsed {
        Ok(args) => {
            let (ctx, peer) = (&state.ctx, Some(asked.peer));
            let key = asked.idempotency_key.as_deref();
            match idempotent::honoured(ctx, &principal, function, &args, key) {
                // Boxed: most calls carry no key, and their future need not hold its claim.
                Some(honoured) => {
                    let answer = Box::pin(idempotent::call(
                        ctx, principal, peer, function, args, honoured,
                    ))
                    .await;
                    (answer.reply, answer.replayed)
                }
                None => (
                    dispatch::call(ctx, principal, peer, function, args).await,
                    false,
                ),
            }
        }
        Err(e) => {
            tracing::info!(error = %e, "unreadable arguments");
            let form = if matches!(asked.kind, BodyKind::Json) {
                &[][..]
            } else {
                &body
            };
            let version = sniff_version(query, form);
            let reply = dispatch::reject(&state.ctx, function, &version, e.to_string());
            (reply, false)
        }
    };
    let mut response = respond(format, reply).await;
    if replayed {
        response
            .headers_mut()
            .insert(REPLAYED, HeaderValue::from_static("true"));
    }
    response
}

/// The store failed while the caller was being authenticated: the reply the function would
/// give for the failure, in the envelope the request asked for (its `api.version` read from
/// the query and a form body), so that an outage has one shape whichever step met it
/// (docs/compatibility.md, "Health"). An unknown function gets the plain 503.
async fn store_failed(state: &AppState, asked: Asked, body: Body, e: StoreError) -> Response {
    let form = !matches!(asked.kind, BodyKind::Json);
    // A body that cannot be read leaves the query to tell the version.
    let body = match read_body(body, &state.limits).await {
        Ok(body) if form => body,
        _ => Bytes::new(),
    };
    let version = sniff_version(asked.query(), &body);
    let (format, function) = (asked.format, asked.function.as_str());
    if state.ctx.registry.get(function, &version).is_none() {
        errors::store_failed(&state.ctx, "authentication", &e);
        return errors::unavailable(format);
    }
    respond(
        format,
        dispatch::failed(&state.ctx, function, &version, WhmError::from(e)),
    )
    .await
}

/// A body that could not be read: the refusal in the envelope of the `api.version` the query
/// asks for, as the function would fail, with the HTTP status of the refusal (413, 408, 400)
/// and the connection closed; an unknown function gets the plain `cpanelresult` refusal
/// (docs/compatibility.md, "Responses").
async fn body_refused(state: &AppState, asked: &Asked, e: BodyError) -> Response {
    let (format, function) = (asked.format, asked.function.as_str());
    let version = sniff_version(asked.query(), &[]);
    if state.ctx.registry.get(function, &version).is_none() {
        return match e {
            BodyError::TooLarge => errors::payload_too_large(format),
            BodyError::TooSlow => errors::request_timeout(format),
            BodyError::Unreadable => errors::unreadable_body(format),
        };
    }
    let (status, reason) = match e {
        BodyError::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, errors::BODY_TOO_LARGE),
        BodyError::TooSlow => (StatusCode::REQUEST_TIMEOUT, errors::BODY_TOO_SLOW),
        BodyError::Unreadable => (StatusCode::BAD_REQUEST, errors::BODY_UNREADABLE),
    };
    let reply = dispatch::reject(&state.ctx, function, &version, reason.to_owned());
    let mut response = respond(format, reply).await;
    *response.status_mut() = status;
    // What is left of the body is not read: the connection cannot carry another request.
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// The request header that makes a retry safe (docs/compatibility.md, "Safe retries").
const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// Set on a reply that is the kept reply of an earlier call with the same key.
const REPLAYED: &str = "idempotent-replayed";

/// How a body's arguments are read (docs/compatibility.md, "Requests"): JSON only for a
/// Content-Type of exactly `application/json`, multipart for `multipart/form-data` with a boundary
/// (TheHostingTool sends it), urlencoded whatever else it says.
enum BodyKind {
    Form,
    Json,
    Multipart(String),
}

impl BodyKind {
    fn of(headers: &HeaderMap) -> Self {
        let Some(value) = headers.get(header::CONTENT_TYPE) else {
            return Self::Form;
        };
        if value.as_bytes() == b"application/json" {
            return Self::Json;
        }
        value
            .to_str()
            .ok()
            .filter(|v| {
                v.get(..19)
                    .is_some_and(|t| t.eq_ignore_ascii_case("multipart/form-data"))
            })
            .and_then(|v| multer::parse_boundary(v).ok())
            .map_or(Self::Form, Self::Multipart)
    }
}

/// The fields of a multipart body, as name and bytes; file parts are left out, as cPanel
/// keeps them apart from the arguments. `None` when the body is not valid multipart.
async fn multipart_fields(body: Bytes, boundary: String) -> Option<Vec<(String, Vec<u8>)>> {
    let stream = futures::stream::once(async move { Ok::<_, std::convert::Infallible>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut fields = Vec::new();
    while let Some(field) = multipart.next_field().await.ok()? {
        if field.file_name().is_some() {
            continue;
        }
        let name = field.name().unwrap_or_default().to_owned();
        let value = field.bytes().await.ok()?;
        fields.push((name, value.to_vec()));
    }
    Some(fields)
}

enum BodyError {
    TooLarge,
    /// Slower than the limits allow: the grace time, then `body_min_rate` bytes a second.
    TooSlow,
    Unreadable,
}

/// The whole body, at most [`MAX_BODY`] bytes, arriving as fast as `limits` ask.
async fn read_body(body: Body, limits: &Limits) -> Result<Bytes, BodyError> {
    // Most calls are GETs, whose bodies are over before they begin.
    if body.is_end_stream() {
        return Ok(Bytes::new());
    }
    let mut body = Limited::new(body, MAX_BODY);
    let started = Instant::now();
    let mut whole = Vec::new();
    loop {
        let frame = match limits.body_deadline(started, whole.len()) {
            Some(deadline) => tokio::time::timeout_at(deadline, body.frame())
                .await
                .map_err(|_| BodyError::TooSlow)?,
            None => body.frame().await,
        };
        match frame {
            None => return Ok(Bytes::from(whole)),
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    whole.extend_from_slice(&data);
                }
            }
            Some(Err(e)) if e.is::<LengthLimitError>() => return Err(BodyError::TooLarge),
            Some(Err(_)) => return Err(BodyError::Unreadable),
        }
    }
}

/// The API version of a request whose arguments as a whole could not be read, so that the
/// refusal still comes in the envelope the client expects.
fn sniff_version(query: &[u8], body: &[u8]) -> ApiVersion {
    let value = query
        .split(|b| *b == b'&')
        .chain(body.split(|b| *b == b'&'))
        .find_map(|pair| pair.strip_prefix(b"api.version="));
    ApiVersion::from_arg(value.and_then(|v| std::str::from_utf8(v).ok()))
}

/// A reply up to this size is sent whole, with its length; a longer one (a streamed list) is
/// sent in pieces as it is written, with chunked transfer encoding.
const WHOLE_UP_TO: usize = 256 << 10;

async fn respond(format: ApiFormat, reply: Reply) -> Response {
    let status = match reply.status {
        ReplyStatus::Ok => StatusCode::OK,
        ReplyStatus::Unavailable | ReplyStatus::OutcomeUnknown => StatusCode::SERVICE_UNAVAILABLE,
        ReplyStatus::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let body = if reply.list.is_none() {
        Body::from(reply.render(format))
    } else {
        let mut pieces = Box::pin(chunks(reply, format));
        let mut head = Vec::new();
        loop {
            match pieces.try_next().await {
                Ok(Some(piece)) if head.len() + piece.len() <= WHOLE_UP_TO => {
                    head.extend_from_slice(&piece);
                }
                Ok(Some(piece)) => {
                    head.extend_from_slice(&piece);
                    let rest = pieces.inspect_err(|e| {
                        // The body is cut short; the client sees a broken reply, not a short list.
                        tracing::error!(error = %e, "a streamed reply failed part-way");
                    });
                    break Body::from_stream(futures::stream::once(async { Ok(head) }).chain(rest));
                }
                Ok(None) => break Body::from(head),
                Err(e) => {
                    tracing::error!(error = %e, "a listed reply failed before it was sent");
                    return match e {
                        WhmError::Unavailable(_) => errors::unavailable(format),
                        _ => errors::internal(format),
                    };
                }
            }
        }
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    if status == StatusCode::SERVICE_UNAVAILABLE {
        errors::retry_later(&mut response);
    }
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(format)),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, no-store, must-revalidate, private"),
    );
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_503_says_when_to_retry() {
        let reply = Reply::of(
            ReplyStatus::Unavailable,
            "result",
            serde_json::json!({"metadata": {"result": 0}}),
        );
        let response = respond(ApiFormat::Json, reply).await;
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[header::RETRY_AFTER], "5");
        let refused = errors::unavailable(ApiFormat::Xml);
        assert_eq!(refused.headers()[header::RETRY_AFTER], "5");
        let ok = Reply::unknown_app("x", &ApiVersion::V1);
        assert_eq!(ok.status, ReplyStatus::Ok);
        let response = respond(ApiFormat::Json, ok).await;
        assert!(response.headers().get(header::RETRY_AFTER).is_none());
    }

    #[test]
    fn version_sniffing() {
        assert_eq!(sniff_version(b"a=%ff&api.version=1", b""), ApiVersion::V1);
        assert_eq!(sniff_version(b"a=%ff", b"api.version=1"), ApiVersion::V1);
        assert_eq!(sniff_version(b"a=%ff", b""), ApiVersion::V0);
    }
}
