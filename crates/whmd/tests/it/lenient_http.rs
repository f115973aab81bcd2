//! The request bytes billing systems really send, over a raw TCP connection: each gets its
//! function's reply; broken framing gets a clear refusal; the server goes on serving.

use crate::harness::Server;
use rustls::pki_types::pem::PemObject;
use serde_json::{Value, json};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// One HTTP response as read off the wire.
#[derive(Debug)]
struct Reply {
    status: u16,
    head: String,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {self:?}"))
    }
}

/// Sends `bytes`, closes the sending side when `half_close`, and reads until the server
/// closes the connection: every response it sent, in order.
async fn exchange(server: &Server, bytes: &[u8], half_close: bool) -> Vec<Reply> {
    let addr = server.running.as_ref().and_then(|r| r.http).expect("http");
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.write_all(bytes).await.expect("write");
    if half_close {
        stream.shutdown().await.expect("shutdown");
    }
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut answer))
        .await
        .expect("the server closes the connection")
        .expect("read");
    split(&answer)
}

fn split(mut bytes: &[u8]) -> Vec<Reply> {
    let mut replies = Vec::new();
    while !bytes.is_empty() {
        let end = bytes
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a response head");
        let head = String::from_utf8_lossy(&bytes[..end]).into_owned();
        let length = head
            .lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse::<usize>().ok())?
            })
            .unwrap_or(0);
        let body = &bytes[end + 4..end + 4 + length];
        replies.push(Reply {
            status: head[9..12].parse().expect("status"),
            body: String::from_utf8_lossy(body).into_owned(),
            head,
        });
        bytes = &bytes[end + 4 + length..];
    }
    replies
}

fn host(server: &Server) -> String {
    server
        .running
        .as_ref()
        .and_then(|r| r.http)
        .expect("http")
        .to_string()
}

async fn still_serving(server: &Server) {
    let v = server.call("version", "api.version=1").await;
    assert_eq!(v["metadata"]["result"], json!(1), "{v}");
}

#[tokio::test]
async fn a_header_ended_by_lf_and_a_stray_cr_authenticates() {
    let server = Server::start().await;
    // WiseCP, cPanel Extended and Aurora end their Authorization header with "\n\r"; curl
    // then adds its own CRLF, and its Accept line follows.
    let sent = format!(
        "GET /json-api/listaccts?api.version=1 HTTP/1.1\r\nHost: {}\r\nAuthorization: whm root:{}\n\r\r\nAccept: */*\r\n\r\n",
        host(&server),
        server.token
    );
    let replies = exchange(&server, sent.as_bytes(), true).await;
    assert_eq!(replies.len(), 1, "{replies:?}");
    assert_eq!(replies[0].status, 200, "{replies:?}");
    assert_eq!(replies[0].json()["metadata"]["command"], json!("listaccts"));
    assert_eq!(replies[0].json()["metadata"]["result"], json!(1));
    // And with HTTP Basic, as those modules send it, as the last header.
    let password = "correct horse battery";
    server.set_root_password(password).await;
    let basic = crate::harness::basic("root", password);
    let sent = format!(
        "GET /json-api/version HTTP/1.1\r\nHost: {}\r\nAuthorization: {basic}\n\r\r\n\r\n",
        host(&server)
    );
    let replies = exchange(&server, sent.as_bytes(), true).await;
    assert_eq!(replies[0].status, 200, "{replies:?}");
    assert!(replies[0].json()["version"].is_string());
    still_serving(&server).await;
}

#[tokio::test]
async fn the_https_listener_reads_leniently_too() {
    // Billing modules call port 2087: the same bytes over TLS (HTTP/1.1 by ALPN).
    let server = Server::start().await;
    let running = server.running.as_ref().expect("running");
    let pem = std::fs::read(&running.certificate).expect("certificate");
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls::pki_types::CertificateDer::pem_slice_iter(&pem) {
        roots.add(cert.expect("PEM")).expect("root");
    }
    let mut config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(running.https.expect("https"))
        .await
        .expect("connect");
    let name = rustls::pki_types::ServerName::try_from("localhost").expect("name");
    let mut tls = connector.connect(name, tcp).await.expect("handshake");
    let sent = format!(
        "GET /json-api/version?api.version=1 HTTP/1.1\r\nHost: localhost\r\nAuthorization: whm root:{}\n\r\r\nConnection: close\r\n\r\n",
        server.token
    );
    tls.write_all(sent.as_bytes()).await.expect("write");
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), tls.read_to_end(&mut answer))
        .await
        .expect("answered")
        .ok();
    let replies = split(&answer);
    assert_eq!(replies.len(), 1, "{replies:?}");
    assert_eq!(replies[0].status, 200, "{replies:?}");
    assert_eq!(replies[0].json()["metadata"]["result"], json!(1));
}

#[tokio::test]
async fn xmlapi_php_body_inside_the_headers_is_read_by_its_length() {
    let server = Server::start().await;
    // xmlapi-php passes "Authorization…\r\nContent-Type…\r\nContent-Length: N\r\n\r\nBODY" as one
    // header: curl's head already says chunked, and curl's later header lines and its empty
    // chunked body follow the real body.
    let body = "api.version=1&want=user";
    let sent = format!(
        "POST /json-api/listaccts HTTP/1.1\r\nHost: {}\r\nAccept: */*\r\nTransfer-Encoding: chunked\r\nAuthorization: WHM root:{}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}\r\nExpect: 100-continue\r\n\r\n0\r\n\r\n",
        host(&server),
        server.token,
        body.len()
    );
    // The client keeps its side open: the server must close the connection itself.
    let replies = exchange(&server, sent.as_bytes(), false).await;
    assert_eq!(replies.len(), 1, "{replies:?}");
    assert_eq!(replies[0].status, 200, "{replies:?}");
    let reply = replies[0].json();
    assert_eq!(reply["metadata"]["result"], json!(1), "{reply}");
    assert_eq!(reply["metadata"]["command"], json!("listaccts"));
    assert!(
        replies[0]
            .head
            .to_ascii_lowercase()
            .contains("connection: close"),
        "{replies:?}"
    );
    still_serving(&server).await;
}

#[tokio::test]
async fn boxbilling_header_lines_after_the_body_end_the_connection_after_the_answer() {
    let server = Server::start().await;
    let body = "api.version=1";
    let sent = format!(
        "POST /json-api/version HTTP/1.1\r\nHost: {}\r\nAuthorization: WHM root:{}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}\r\nUser-Agent: curl\r\nAccept: */*\r\n\r\n",
        host(&server),
        server.token,
        body.len()
    );
    let replies = exchange(&server, sent.as_bytes(), false).await;
    assert_eq!(replies.len(), 1, "no second answer (a 400): {replies:?}");
    assert_eq!(replies[0].status, 200);
    assert_eq!(replies[0].json()["metadata"]["command"], json!("version"));
    still_serving(&server).await;
}

#[tokio::test]
async fn pipelined_well_formed_requests_are_all_answered() {
    let server = Server::start().await;
    let one = format!(
        "GET /json-api/version?api.version=1 HTTP/1.1\r\nHost: {}\r\nAuthorization: whm root:{}\r\n\r\n",
        host(&server),
        server.token
    );
    let body = "api.version=1";
    let two = format!(
        "POST /json-api/gethostname HTTP/1.1\r\nHost: h\r\nAuthorization: whm root:{}\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{body}\r\n0\r\n\r\n",
        server.token,
        body.len()
    );
    let replies = exchange(&server, format!("{one}{two}{one}").as_bytes(), true).await;
    let commands: Vec<Value> = replies
        .iter()
        .map(|r| r.json()["metadata"]["command"].clone())
        .collect();
    assert_eq!(
        commands,
        vec![json!("version"), json!("gethostname"), json!("version")]
    );
}

#[tokio::test]
async fn broken_framing_and_headers_are_refused_and_the_server_goes_on() {
    let server = Server::start().await;
    let auth = format!("Authorization: whm root:{}\r\n", server.token);
    // A body shorter than its Content-Length, the client then closing.
    let sent = format!(
        "POST /json-api/version HTTP/1.1\r\nHost: h\r\n{auth}Content-Length: 100\r\n\r\napi.version=1"
    );
    let replies = exchange(&server, sent.as_bytes(), true).await;
    assert_eq!(replies.len(), 1, "{replies:?}");
    assert_eq!(replies[0].status, 400, "{replies:?}");
    // No api.version in the query: the function's API 0 failure.
    assert_eq!(
        replies[0].json(),
        json!({"status": 0, "statusmsg": "The request body could not be read."})
    );
    // A chunk size that is not hexadecimal.
    let sent = format!(
        "POST /json-api/version HTTP/1.1\r\nHost: h\r\n{auth}Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"
    );
    let replies = exchange(&server, sent.as_bytes(), true).await;
    assert_eq!(replies.len(), 1, "{replies:?}");
    assert_eq!(replies[0].status, 400, "{replies:?}");
    // NUL or CR inside a header value, a head over hyper's limit.
    let huge = "a".repeat(512 * 1024);
    for sent in [
        format!("GET /json-api/version HTTP/1.1\r\nHost: h\r\n{auth}X-Bad: a\0b\r\n\r\n"),
        format!("GET /json-api/version HTTP/1.1\r\nHost: h\r\n{auth}X-Bad: a\rb\r\n\r\n"),
        format!("GET /json-api/version HTTP/1.1\r\nHost: h\r\n{auth}X-Big: {huge}\r\n\r\n"),
    ] {
        let replies = exchange(&server, sent.as_bytes(), true).await;
        assert_eq!(replies.len(), 1, "{replies:?}");
        assert!(
            matches!(replies[0].status, 400 | 431),
            "{:?}",
            replies[0].head
        );
    }
    still_serving(&server).await;
}
