//! Authentication on both listeners: tokens, Basic, refusals (docs/compatibility.md,
//! "Authentication").

use crate::harness::{Server, basic};
use reqwest::{Method, StatusCode};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use whmd::config::StoreFlags;
use whmd_domain::secret::{generate_api_token, token_digest};
use whmd_domain::store::ApiTokenRecord;
use whmd_domain::time::unix_now;
use whmd_wire::{Acl, AclSet};

const DENIED: &str = r#"{"cpanelresult":{"apiversion":"2","error":"Access denied","data":{"reason":"Access denied","result":"0"},"type":"text"}}"#;

#[tokio::test]
async fn token_auth_on_both_listeners_in_any_case() {
    let server = Server::start().await;
    for url in [
        server.http("/json-api/version"),
        server.https("/json-api/version"),
    ] {
        for scheme in ["whm", "WHM", "Whm"] {
            let auth = format!("{scheme} root:{}", server.token);
            let answer = server
                .send(Method::GET, url.clone(), Some(&auth), None, None)
                .await;
            assert_eq!(answer.status, StatusCode::OK, "{url} {scheme}");
        }
    }
}

#[tokio::test]
async fn bad_credentials_get_403_with_whms_body() {
    let server = Server::start().await;
    let wrong = generate_api_token();
    let cases = [
        None,
        Some(format!("whm root:{}", wrong.expose())),
        Some(format!("whm bob:{}", server.token)),
        Some(format!("whm ROOT:{}", server.token)),
        // Whitespace inside the user name or a token: only an access hash loses it.
        Some(format!("whm ro ot:{}", server.token)),
        Some(format!(
            "whm root:{} {}",
            &server.token[..16],
            &server.token[16..]
        )),
        Some("whm root:".to_owned()),
        Some("whm root".to_owned()),
        Some(format!("cpanel root:{}", server.token)),
        Some(format!("Bearer {}", server.token)),
        Some(basic("root", "no password is set")),
        Some("Basic %%%".to_owned()),
    ];
    for auth in &cases {
        let answer = server
            .send(
                Method::GET,
                server.http("/json-api/version?api.version=1"),
                auth.as_deref(),
                None,
                None,
            )
            .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{auth:?}");
        assert_eq!(
            answer.content_type, "text/plain; charset=\"utf-8\"",
            "{auth:?}"
        );
        assert_eq!(answer.text, DENIED, "{auth:?}");
    }
    let xml = server
        .send(
            Method::GET,
            server.http("/xml-api/version"),
            None,
            None,
            None,
        )
        .await;
    assert_eq!(xml.status, StatusCode::FORBIDDEN);
    assert_eq!(
        xml.text,
        "<cpanelresult><apiversion>2</apiversion><error>Access denied</error>\
         <data><reason>Access denied</reason><result>0</result></data><type>text</type></cpanelresult>"
    );
}

#[tokio::test]
async fn refusal_status_line_reads_forbidden_access_denied() {
    let server = Server::start().await;
    let addr = server.running.as_ref().and_then(|r| r.http).expect("http");
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream
        .write_all(b"GET /json-api/version HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .expect("write");
    let mut raw = String::new();
    stream.read_to_string(&mut raw).await.expect("read");
    assert!(
        raw.starts_with("HTTP/1.1 403 Forbidden Access denied\r\n"),
        "{raw}"
    );
    assert!(
        raw.to_ascii_lowercase().contains("connection: close"),
        "{raw}"
    );
}

#[tokio::test]
async fn basic_auth_with_a_password_set_while_running() {
    let server = Server::start().await;
    server.set_root_password("correct horse battery").await;
    for url in [
        server.http("/json-api/version"),
        server.https("/json-api/version"),
    ] {
        let ok = server
            .send(
                Method::GET,
                url.clone(),
                Some(&basic("root", "correct horse battery")),
                None,
                None,
            )
            .await;
        assert_eq!(ok.status, StatusCode::OK, "{url}");
        let bad = server
            .send(
                Method::GET,
                url.clone(),
                Some(&basic("root", "wrong")),
                None,
                None,
            )
            .await;
        assert_eq!(bad.status, StatusCode::FORBIDDEN, "{url}");
    }
    // Changing it again takes effect at once.
    server.set_root_password("another one").await;
    let old = server
        .send(
            Method::GET,
            server.http("/json-api/version"),
            Some(&basic("root", "correct horse battery")),
            None,
            None,
        )
        .await;
    assert_eq!(old.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_passwd_command_works_against_a_running_server() {
    let server = Server::start().await;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_whmd"))
        .args(["passwd", "root", "--data-dir"])
        .arg(server.dir.path())
        .arg("--database-url")
        .arg(&server.database_url)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn whmd passwd");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin
        .write_all(b"from the command line\n")
        .await
        .expect("write");
    drop(stdin);
    let output = child.wait_with_output().await.expect("whmd passwd runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let ok = server
        .send(
            Method::GET,
            server.http("/json-api/version"),
            Some(&basic("root", "from the command line")),
            None,
            None,
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK);
}

#[tokio::test]
async fn passwd_refuses_users_without_a_login() {
    let dir = tempfile::tempdir().expect("tempdir");
    let flags = StoreFlags {
        data_dir: Some(dir.path().to_owned()),
        ..StoreFlags::default()
    };
    assert!(
        whmd::passwd::run("bob", &flags, &b"pw\n"[..])
            .await
            .is_err()
    );
    assert!(whmd::passwd::run("root", &flags, &b"\n"[..]).await.is_err());
}

async fn add_token(
    server: &Server,
    name: &str,
    acls: Option<AclSet>,
    expires_at: Option<i64>,
) -> String {
    let token = generate_api_token();
    server
        .store()
        .await
        .credentials
        .insert_api_token(
            &ApiTokenRecord {
                user: "root".into(),
                name: name.into(),
                digest: token_digest(token.expose()),
                create_time: unix_now(),
                expires_at,
                acls,
                whitelist: None,
            },
            &[],
        )
        .await
        .expect("insert token");
    format!("whm root:{}", token.expose())
}

#[tokio::test]
async fn a_tokens_acls_narrow_what_it_may_call() {
    let server = Server::start().await;
    let auth = add_token(
        &server,
        "narrow",
        Some([Acl::BASIC_WHM_FUNCTIONS].into_iter().collect()),
        None,
    )
    .await;
    let get =
        |path: &'static str| server.send(Method::GET, server.http(path), Some(&auth), None, None);
    let denied = get("/json-api/version?api.version=1").await.json();
    assert_eq!(denied["metadata"]["result"], json!(0));
    assert_eq!(
        denied["metadata"]["reason"],
        json!("Permission Denied: You do not have the “basic-system-info” privilege.")
    );
    assert!(denied.get("data").is_none());
    assert_eq!(
        get("/json-api/version").await.json(),
        json!({"status": 0, "statusmsg": "Permission Denied"})
    );
    let apps = get("/json-api/applist?api.version=1").await.json();
    assert_eq!(
        apps["data"]["app"],
        json!(["applist", "batch", "loadavg", "myprivs"])
    );
    let privs = get("/json-api/myprivs?api.version=1").await.json();
    assert_eq!(
        privs["data"]["privileges"][0]["basic-whm-functions"],
        json!(1)
    );
    assert_eq!(privs["data"]["privileges"][0]["all"], json!(0));
    // loadavg has no ACL check.
    assert_eq!(get("/json-api/loadavg").await.status, StatusCode::OK);
}

#[tokio::test]
async fn expired_tokens_are_refused() {
    let server = Server::start().await;
    let auth = add_token(&server, "old", None, Some(unix_now() - 1)).await;
    let answer = server
        .send(
            Method::GET,
            server.http("/json-api/version"),
            Some(&auth),
            None,
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    let auth = add_token(&server, "fresh", None, Some(unix_now() + 3600)).await;
    let answer = server
        .send(
            Method::GET,
            server.http("/json-api/version"),
            Some(&auth),
            None,
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
}
