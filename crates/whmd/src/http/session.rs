//! `/login` and `/logout` (docs/compatibility.md, "Authentication"): a password login makes a
//! session and answers with the session cookie, a `Location: /cpsessNNNNNNNNNN/` header (cPanel's
//! Perl client reads the security token from its first segment) and the JSON body browsers' scripts
//! read, all with status 200 (never a 303, which its HTTP library would follow and lose the
//! header). A `create_user_session` login URL (`/cpsessN/login/?session=…`) is redeemed once here
//! too.

use super::auth::{SessionCookie, session_cookie};
use super::{AppState, api::MAX_BODY, errors};
use crate::listener::Connection;
use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};
use std::sync::Arc;
use whmd_domain::auth::{Credentials, Denied};
use whmd_domain::session::COOKIE;
use whmd_domain::{Secret, StoreError};
use whmd_wire::Args;

pub async fn login(
    state: Arc<AppState>,
    request: Request<Body>,
    token: Option<String>,
) -> Response {
    let peer = super::peer(&request);
    let secure = request
        .extensions()
        .get::<Connection>()
        .is_some_and(|c| c.tls);
    let method = request.method().clone();
    let query = request.uri().query().unwrap_or("").to_owned();
    let body = match to_bytes(request.into_body(), MAX_BODY).await {
        Ok(b) => b,
        Err(_) => {
            return json_reply(
                StatusCode::PAYLOAD_TOO_LARGE,
                json!({"status": 0, "message": "request_too_large"}),
            );
        }
    };
    let Ok(args) = Args::from_form(query.as_bytes(), &body) else {
        return invalid_login();
    };
    // A login URL: GET /cpsessN/login/?session=…
    if let (Some(session), Some(token)) = (args.get("session"), token.as_deref()) {
        let secret = Secret::new(session);
        return match state.ctx.auth.redeem(&secret, token, peer).await {
            Ok(Some(_)) => {
                let mut response = json_reply(
                    StatusCode::FOUND,
                    json!({"status": 1, "security_token": token, "redirect": format!("{token}/")}),
                );
                started(&mut response, &secret, token, secure);
                response
            }
            Ok(None) => invalid_login(),
            Err(e) => store_failed(&state, &e),
        };
    }
    if method != Method::POST {
        return json_reply(
            StatusCode::METHOD_NOT_ALLOWED,
            json!({"status": 0, "message": "Log in with POST, giving user and pass."}),
        );
    }
    let (Some(user), Some(pass)) = (args.get("user"), args.get("pass")) else {
        return invalid_login();
    };
    let credentials = Credentials::Password {
        user: user.to_owned(),
        password: Secret::new(pass),
    };
    let auth = &state.ctx.auth;
    let principal = match auth.authenticate(credentials, peer).await {
        Ok(Ok(p)) => p,
        Ok(Err(Denied::Blocked)) => {
            return json_reply(
                StatusCode::FORBIDDEN,
                json!({"status": 0, "message": "access_denied"}),
            );
        }
        Ok(Err(Denied::Invalid)) => return invalid_login(),
        Err(e) => return store_failed(&state, &e),
    };
    match auth.start_session(&principal, peer).await {
        Ok(start) => {
            let token = start.security_token;
            let mut response = json_reply(
                StatusCode::OK,
                json!({"status": 1, "security_token": token, "redirect": format!("{token}/")}),
            );
            started(&mut response, &start.secret, &token, secure);
            response
        }
        Err(e) => store_failed(&state, &e),
    }
}

pub async fn logout(
    state: Arc<AppState>,
    request: Request<Body>,
    token: Option<String>,
) -> Response {
    let peer = super::peer(&request);
    if let SessionCookie::Present(secret) = session_cookie(request.headers())
        && let Err(e) = state
            .ctx
            .auth
            .end_session(&secret, token.as_deref(), peer)
            .await
    {
        return store_failed(&state, &e);
    }
    // Whether or not there was a session, the browser forgets its cookie.
    let mut response = json_reply(StatusCode::OK, json!({"status": 1}));
    if let Ok(value) = HeaderValue::from_str(&format!(
        "{COOKIE}=; path=/; HttpOnly; expires=Thu, 01 Jan 1970 00:00:00 GMT"
    )) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// The cookie and `Location` of a session that just started.
fn started(response: &mut Response, secret: &Secret, token: &str, secure: bool) {
    let value = utf8_percent_encode(secret.expose(), NON_ALPHANUMERIC);
    let cookie = format!(
        "{COOKIE}={value}; path=/; HttpOnly; SameSite=Strict{}",
        if secure { "; secure" } else { "" }
    );
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        headers.insert(header::SET_COOKIE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("{token}/")) {
        headers.insert(header::LOCATION, v);
    }
}

fn invalid_login() -> Response {
    json_reply(
        StatusCode::UNAUTHORIZED,
        json!({"status": 0, "message": "invalid_login"}),
    )
}

/// The store failed: 503 with `Retry-After` when it is out of reach, 500 otherwise; the
/// message names the incident's ID in the log.
fn store_failed(state: &AppState, e: &StoreError) -> Response {
    let incident = errors::store_failed(&state.ctx, "login", e);
    if let StoreError::Unavailable(_) = e {
        let message =
            format!("The service is temporarily unavailable. Try again later. (ID {incident})");
        let mut response = json_reply(
            StatusCode::SERVICE_UNAVAILABLE,
            json!({"status": 0, "message": message}),
        );
        errors::retry_later(&mut response);
        return response;
    }
    json_reply(
        StatusCode::INTERNAL_SERVER_ERROR,
        json!({"status": 0, "message": format!("Internal Error (ID {incident})")}),
    )
}

fn json_reply(status: StatusCode, body: Value) -> Response {
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=\"utf-8\""),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, no-store, must-revalidate, private"),
    );
    response
}
