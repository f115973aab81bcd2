//! Malformed requests: each gets a WHM envelope or the documented HTTP error, and the server
//! goes on answering.

use crate::harness::Server;
use reqwest::{Method, StatusCode};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn raw(server: &Server, request: &[u8]) -> String {
    let addr = server.running.as_ref().and_then(|r| r.http).expect("http");
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.write_all(request).await.expect("write");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.expect("read");
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn bad_percent_encoding_stays_literal() {
    let server = Server::start().await;
    let v = server.call("version", "x=%zz&y=100%&api.version=1").await;
    assert_eq!(v["metadata"]["result"], json!(1));
}

#[tokio::test]
async fn bad_utf8_and_nul_bytes_in_arguments_are_whm_failures() {
    let server = Server::start().await;
    let v = server.call("version", "api.version=1&user=%ff%fe").await;
    assert_eq!(
        v["metadata"],
        json!({"version": 1, "command": "version", "result": 0, "reason": "The parameter “user” is not valid UTF-8."})
    );
    let v = server.call("version", "api.version=1&user=a%00b").await;
    assert_eq!(
        v["metadata"]["reason"],
        json!("The parameter “user” contains a NUL byte.")
    );
    // In API 0 the refusal takes the function's own failure shape.
    let v = server.call("version", "user=%ff").await;
    assert_eq!(
        v,
        json!({"status": 0, "statusmsg": "The parameter “user” is not valid UTF-8."})
    );
    // An unknown function with unreadable arguments is still unknown.
    let v = server.call("nope", "api.version=1&x=%ff").await;
    assert_eq!(
        v["metadata"]["reason"],
        json!("Unknown app (nope) requested for this version (1) of the API.")
    );
}

#[tokio::test]
async fn huge_and_repeated_keys() {
    let server = Server::start().await;
    let long_key = "k".repeat(100_000);
    let body = format!("api.version=1&{long_key}=1");
    let answer = server
        .send(
            Method::POST,
            server.http("/json-api/version"),
            Some(&server.root_auth()),
            None,
            Some(body.into_bytes()),
        )
        .await;
    assert_eq!(answer.json()["metadata"]["result"], json!(1));
    let repeated = format!("api.version=1{}", "&a=1".repeat(5_000));
    let answer = server
        .send(
            Method::POST,
            server.http("/json-api/version"),
            Some(&server.root_auth()),
            None,
            Some(repeated.into_bytes()),
        )
        .await;
    assert_eq!(answer.json()["metadata"]["result"], json!(1));
    let too_many = format!("api.version=1{}", "&a".repeat(30_000));
    let answer = server
        .send(
            Method::POST,
            server.http("/json-api/version"),
            Some(&server.root_auth()),
            None,
            Some(too_many.into_bytes()),
        )
        .await;
    assert_eq!(
        answer.json()["metadata"]["reason"],
        json!("The request has more than 20000 parameters.")
    );
}

#[tokio::test]
async fn bodies_over_one_mebibyte_get_413() {
    let server = Server::start().await;
    let body = vec![b'a'; (1 << 20) + 1];
    let answer = server
        .send(
            Method::POST,
            server.http("/json-api/version"),
            Some(&server.root_auth()),
            None,
            Some(body),
        )
        .await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    // The refusal comes in the envelope the query asks for: API 0's here, API 1's below.
    assert_eq!(
        answer.json(),
        json!({"status": 0, "statusmsg": "The request body exceeds 1 MiB."})
    );
    let answer = server
        .send(
            Method::POST,
            server.http("/json-api/version?api.version=1"),
            Some(&server.root_auth()),
            None,
            Some(vec![b'a'; (1 << 20) + 1]),
        )
        .await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    let refused = answer.json();
    assert_eq!(refused["metadata"]["result"], json!(0), "{refused}");
    assert_eq!(refused["metadata"]["command"], json!("version"));
    assert_eq!(
        refused["metadata"]["reason"],
        json!("The request body exceeds 1 MiB.")
    );
    let exactly = vec![b'a'; 1 << 20];
    let answer = server
        .send(
            Method::POST,
            server.http("/json-api/version"),
            Some(&server.root_auth()),
            None,
            Some(exactly),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
}

#[tokio::test]
async fn path_tricks() {
    let server = Server::start().await;
    let auth = format!("Authorization: {}\r\n", server.root_auth());
    let request =
        |path: &str| format!("GET {path} HTTP/1.1\r\nHost: x\r\n{auth}Connection: close\r\n\r\n");
    let climbed = raw(&server, request("/json-api/../x").as_bytes()).await;
    assert!(climbed.starts_with("HTTP/1.1 404"), "{climbed}");
    let folded = raw(&server, request("/x/../json-api/./version").as_bytes()).await;
    assert!(
        folded.starts_with("HTTP/1.1 200") && folded.contains(r#"{"version":"11.120.0.16"}"#),
        "{folded}"
    );
    let above_root = raw(&server, request("/../../../json-api/version").as_bytes()).await;
    assert!(above_root.starts_with("HTTP/1.1 200"), "{above_root}");
    let nul = raw(&server, request("/json-api/version%00").as_bytes()).await;
    assert!(nul.starts_with("HTTP/1.1 400"), "{nul}");
    let crlf = raw(
        &server,
        request("/json-api/a%0d%0aSet-Cookie:%20x").as_bytes(),
    )
    .await;
    assert!(
        crlf.starts_with("HTTP/1.1 400") && !crlf.contains("Set-Cookie: x"),
        "{crlf}"
    );
    let bad_utf8 = raw(&server, request("/json-api/%c3%28").as_bytes()).await;
    assert!(bad_utf8.starts_with("HTTP/1.1 400"), "{bad_utf8}");
    let elsewhere = raw(&server, request("/scripts/whatever").as_bytes()).await;
    assert!(elsewhere.starts_with("HTTP/1.1 404"), "{elsewhere}");
}

#[tokio::test]
async fn garbage_on_the_wire_does_not_stop_the_server() {
    let server = Server::start().await;
    let answer = raw(&server, b"\x00\x01\x02 not http at all\r\n\r\n").await;
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 400"),
        "{answer}"
    );
    let answer = raw(
        &server,
        b"GET /json-api/version HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n",
    )
    .await;
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 400"),
        "{answer}"
    );
    assert_eq!(
        server.call("version", "").await,
        json!({"version": "11.120.0.16"})
    );
}

#[tokio::test]
async fn plain_http_on_the_tls_port_fails_cleanly() {
    let server = Server::start().await;
    let addr = server
        .running
        .as_ref()
        .and_then(|r| r.https)
        .expect("https");
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream
        .write_all(b"GET /json-api/version HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("write");
    let mut buf = Vec::new();
    let _ = stream.read_to_end(&mut buf).await;
    assert_eq!(
        server.call("version", "").await,
        json!({"version": "11.120.0.16"})
    );
}
