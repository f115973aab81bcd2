//! Login sessions: `/login` as cPanel's Perl client drives it, the cookie and the security
//! token together, logout and expiry, and create_user_session's one-time login URL.

use crate::accounts::v1;
use crate::harness::{Server, outcome};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use whmd_domain::secret::token_digest;
use whmd_domain::session::Session;
use whmd_wire::Acl;

const PASSWORD: &str = "a long enough passphrase";

/// What a login answered: status, `Location`, the cookie pair (`name=value`) and the body.
struct Login {
    status: StatusCode,
    location: Option<String>,
    cookie: Option<String>,
    body: Value,
}

/// POSTs a login form the way cPanel's Perl client does (HTTP::Tiny sends
/// `application/octet-stream`).
async fn login(server: &Server, path: &str, body: &str) -> Login {
    let response = server
        .client
        .post(server.http(path))
        .header("Content-Type", "application/octet-stream")
        .body(body.to_owned())
        .send()
        .await
        .expect("answered");
    read_login(response).await
}

async fn read_login(response: reqwest::Response) -> Login {
    let status = response.status();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let location = header("location");
    let cookie = header("set-cookie").map(|c| c.split(';').next().unwrap_or("").to_owned());
    let text = response.text().await.expect("body");
    Login {
        status,
        location,
        cookie,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
    }
}

/// A call with a cookie and no `Authorization` header.
async fn with_cookie(server: &Server, path: &str, cookie: &str) -> (StatusCode, Value) {
    let response = server
        .client
        .post(server.http(path))
        .header("Cookie", cookie)
        .body("api.version=1")
        .send()
        .await
        .expect("answered");
    let status = response.status();
    let text = response.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_password_login_as_cpanels_perl_client_does_it() {
    let server = Server::start().await;
    server.set_root_password(PASSWORD).await;
    let done = login(
        &server,
        "/login",
        &format!("pass={}&user=root", PASSWORD.replace(' ', "%20")),
    )
    .await;
    assert_eq!(
        done.status,
        StatusCode::OK,
        "never a redirect the client follows"
    );
    let location = done.location.expect("a Location header");
    // The client takes the first path segment of Location as the security token.
    let token = format!("/{}", location.split('/').nth(1).expect("a segment"));
    assert!(token.starts_with("/cpsess") && token.len() == 17, "{token}");
    assert_eq!(
        done.body,
        json!({"status": 1, "security_token": token, "redirect": format!("{token}/")})
    );
    let cookie = done.cookie.expect("a session cookie");
    assert!(cookie.starts_with("whostmgrsession="));
    let (status, reply) = with_cookie(&server, &format!("{token}/json-api/version"), &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(reply["metadata"]["result"], 1);
    // The same login with ?login_only=1, as browsers' scripts send it.
    let again = login(
        &server,
        "/login/?login_only=1",
        &format!("user=root&pass={}", PASSWORD.replace(' ', "+")),
    )
    .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_ne!(again.cookie, Some(cookie.clone()), "a session of its own");

    // The cookie alone, or with another session's token, is refused.
    for path in [
        "/json-api/version".to_owned(),
        "/cpsess0000000000/json-api/version".to_owned(),
        format!(
            "{}/json-api/version",
            again.body["security_token"].as_str().expect("t")
        ),
    ] {
        let (status, _) = with_cookie(&server, &path, &cookie).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
    let forged = "whostmgrsession=root%3AAAAAAAAAAAAAAAAA%3Alogin%2C00";
    let (status, _) = with_cookie(&server, &format!("{token}/json-api/version"), forged).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let long = format!("whostmgrsession={}", "A".repeat(4000));
    let (status, _) = with_cookie(&server, &format!("{token}/json-api/version"), &long).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Logging out ends it; the cookie replayed is refused.
    let (status, body) = with_cookie(&server, &format!("{token}/logout"), &cookie).await;
    assert_eq!((status, body), (StatusCode::OK, json!({"status": 1})));
    let (status, _) = with_cookie(&server, &format!("{token}/json-api/version"), &cookie).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let audit = server.audit_log();
    assert!(audit.contains("session_started") && audit.contains("session_ended"));
    let secret = cookie.trim_start_matches("whostmgrsession=");
    assert!(!audit.contains(secret) && !audit.contains(PASSWORD));
}

#[tokio::test]
async fn refused_logins() {
    let server = Server::start().await;
    server.set_root_password(PASSWORD).await;
    let wrong = login(&server, "/login", "user=root&pass=wrong").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.body, json!({"status": 0, "message": "invalid_login"}));
    assert!(wrong.cookie.is_none() && wrong.location.is_none());
    for body in [
        "user=root",
        "pass=x",
        "",
        "user=nobody&pass=x",
        "user=ROOT&pass=x",
    ] {
        assert_eq!(
            login(&server, "/login", body).await.status,
            StatusCode::UNAUTHORIZED,
            "{body:?}"
        );
    }
    let get = server
        .client
        .get(server.http("/login"))
        .send()
        .await
        .expect("answered");
    assert_eq!(get.status(), StatusCode::METHOD_NOT_ALLOWED);
    // Enough failures and the address is blocked: even the right password is refused.
    for _ in 0..3 {
        login(&server, "/login", "user=root&pass=wrong").await;
    }
    let blocked = login(
        &server,
        "/login",
        &format!("user=root&pass={}", PASSWORD.replace(' ', "+")),
    )
    .await;
    assert_eq!(blocked.status, StatusCode::FORBIDDEN);
    assert_eq!(
        blocked.body,
        json!({"status": 0, "message": "access_denied"})
    );
}

#[tokio::test]
async fn a_reseller_logs_in_and_makes_a_token_with_the_cookie_only() {
    let server = Server::start().await;
    server
        .reseller("sessres", &[Acl::MANAGE_API_TOKENS, Acl::LIST_ACCTS])
        .await;
    let done = login(&server, "/login", "user=sessres&pass=Secret-sessres-1").await;
    assert_eq!(done.status, StatusCode::OK);
    let token = done.body["security_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let cookie = done.cookie.expect("cookie");
    let (status, reply) = with_cookie(
        &server,
        &format!("{token}/json-api/api_token_create?token_name=fromsession"),
        &cookie,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(outcome(&reply), (1, "OK"));
    // A suspended reseller's session stops working.
    v1(&server, "suspendacct", "user=sessres").await;
    let (status, _) = with_cookie(&server, &format!("{token}/json-api/listaccts"), &cookie).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn sessions_expire() {
    let server = Server::start().await;
    let secret = whmd_domain::session::new_secret("root", "login");
    let now = whmd_domain::time::unix_now();
    let old = Session::new("root", &secret, now - 7200, now - 1, false);
    server
        .store()
        .await
        .sessions
        .create_session(&old)
        .await
        .expect("session");
    let cookie = format!(
        "whostmgrsession={}",
        percent_encoding::utf8_percent_encode(secret.expose(), percent_encoding::NON_ALPHANUMERIC)
    );
    let (status, _) = with_cookie(
        &server,
        &format!("{}/json-api/version", old.security_token),
        &cookie,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        server
            .store()
            .await
            .sessions
            .session(&token_digest(secret.expose()))
            .await
            .expect("read")
            .is_some()
    );
}

#[tokio::test]
async fn create_user_session_gives_a_login_url_that_works_once() {
    let server = Server::start().await;
    server
        .reseller("cusres", &[Acl::CREATE_USER_SESSION, Acl::LIST_ACCTS])
        .await;
    let (result, reason, reply) = v1(
        &server,
        "create_user_session",
        "user=cusres&service=whostmgrd&locale=de",
    )
    .await;
    assert_eq!((result, reason.as_str()), (1, "Created session"));
    let data = &reply["data"];
    let token = data["cp_security_token"]
        .as_str()
        .expect("token")
        .to_owned();
    assert!(token.starts_with("/cpsess"));
    assert_eq!(data["service"], "whostmgrd");
    assert_eq!(data["locale"], "de");
    let session = data["session"].as_str().expect("session");
    assert!(session.starts_with("cusres:") && session.contains(":create_user_session,"));
    let expires = data["expires"].as_i64().expect("expires");
    assert!((expires - whmd_domain::time::unix_now() - 300).abs() <= 2);
    let url = data["url"].as_str().expect("url");
    let port = server
        .running
        .as_ref()
        .expect("running")
        .https
        .expect("https")
        .port();
    let prefix = format!("https://whmd.test:{port}{token}/login/?session=");
    assert!(
        url.starts_with(&prefix) && url.ends_with("&locale=de"),
        "{url}"
    );
    // Opened once, the URL sets the session cookie; opened again, it is refused.
    let path = url.trim_start_matches(&format!("https://whmd.test:{port}"));
    // A browser would follow the redirect; here its answer is what is checked.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let open = || async {
        let response = client
            .get(server.http(path))
            .send()
            .await
            .expect("answered");
        read_login(response).await
    };
    let first = open().await;
    assert_eq!(first.status, StatusCode::FOUND);
    assert_eq!(
        first.location.as_deref(),
        Some(format!("{token}/").as_str())
    );
    let cookie = first.cookie.expect("cookie");
    let (status, reply) =
        with_cookie(&server, &format!("{token}/json-api/listaccts"), &cookie).await;
    assert_eq!(
        (status, reply["metadata"]["result"].as_i64()),
        (StatusCode::OK, Some(1))
    );
    assert_eq!(open().await.status, StatusCode::UNAUTHORIZED, "once only");

    // whambampy's use: the security token as a prefix beside the token header.
    let (result, _, reply) = v1(
        &server,
        "create_user_session",
        "user=root&service=whostmgrd",
    )
    .await;
    assert_eq!(result, 1);
    let prefix = reply["data"]["cp_security_token"].as_str().expect("token");
    let answer = server
        .send(
            Method::GET,
            server.http(&format!("{prefix}/json-api/version?api.version=1")),
            Some(&server.root_auth()),
            None,
            None,
        )
        .await;
    assert_eq!(answer.json()["metadata"]["result"], 1);

    crate::accounts::create(&server, "cusplain", "").await;
    for (query, reason) in [
        (
            "user=cusres&service=cpaneld",
            "The service “cpaneld” is not available on this server: it serves WHM (whostmgrd) only.",
        ),
        ("user=cusres&service=ftp", "Invalid service: “ftp”"),
        (
            "user=cusplain&service=whostmgrd",
            "The user “cusplain” cannot log in to WHM.",
        ),
        (
            "user=ghost&service=whostmgrd",
            "You do not have a user named “ghost”.",
        ),
        ("user=cusres", "Provide the “service” parameter."),
    ] {
        let (result, got, _) = v1(&server, "create_user_session", query).await;
        assert_eq!((result, got.as_str()), (0, reason), "{query}");
    }
    let reseller = server.token_auth("cusres").await;
    let refused = server
        .call_as(
            &reseller,
            "create_user_session",
            "api.version=1&user=root&service=whostmgrd",
        )
        .await;
    assert_eq!(
        outcome(&refused),
        (0, "You do not have access to an account named “root”.")
    );
    v1(&server, "suspendacct", "user=cusres").await;
    let (result, reason, _) = v1(
        &server,
        "create_user_session",
        "user=cusres&service=whostmgrd",
    )
    .await;
    assert_eq!(
        (result, reason.as_str()),
        (0, "The user “cusres” is suspended.")
    );
}

#[tokio::test]
async fn fossbillings_login_link_with_api_version_2_in_the_body() {
    // FOSSBilling posts `api.version=2` in a form body and reads `data.url`.
    let server = Server::start().await;
    let answer = server
        .send(
            Method::POST,
            server.http("/json-api/create_user_session"),
            Some(&server.root_auth()),
            Some("application/x-www-form-urlencoded"),
            Some(b"api.version=2&user=root&service=whostmgrd".to_vec()),
        )
        .await;
    let reply = answer.json();
    assert_eq!(reply["metadata"]["result"], json!(1), "{reply}");
    let url = reply["data"]["url"].as_str().expect("data.url");
    assert!(url.starts_with("https://"), "{url}");
}
