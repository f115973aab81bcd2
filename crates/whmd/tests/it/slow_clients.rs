//! Slow and greedy clients: headers that never end, bodies that trickle, and more connections
//! from one address than it may have are closed, while other clients are served.

use crate::harness::Server;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use whmd::listener::Limits;

fn tight() -> Limits {
    Limits {
        header_timeout: Duration::from_secs(1),
        body_timeout: Duration::from_secs(1),
        body_min_rate: 500,
        max_connections: 4096,
        max_per_address: 4,
    }
}

fn addr(server: &Server) -> SocketAddr {
    server.running.as_ref().and_then(|r| r.http).expect("http")
}

/// Reads until the server closes the connection (or `within` passes); what it sent.
async fn until_closed(stream: &mut TcpStream, within: Duration) -> Option<String> {
    let mut got = Vec::new();
    let read = tokio::time::timeout(within, stream.read_to_end(&mut got)).await;
    read.ok()
        .map(|_| String::from_utf8_lossy(&got).into_owned())
}

/// `version` from an address of our choice, answered with its envelope.
async fn version_from(server: &Server, source: [u8; 4]) -> String {
    let socket = TcpSocket::new_v4().expect("socket");
    socket
        .bind(SocketAddr::from((source, 0)))
        .expect("bind the source address");
    let mut stream = socket.connect(addr(server)).await.expect("connect");
    let request = format!(
        "GET /json-api/version?api.version=1 HTTP/1.1\r\nHost: x\r\nAuthorization: {}\r\nConnection: close\r\n\r\n",
        server.root_auth()
    );
    stream.write_all(request.as_bytes()).await.expect("send");
    until_closed(&mut stream, Duration::from_secs(10))
        .await
        .expect("answered")
}

#[tokio::test]
async fn headers_that_never_end_are_closed_while_others_are_served() {
    let server = Server::start_configured(|c| c.limits = tight()).await;
    let mut slow = TcpStream::connect(addr(&server)).await.expect("connect");
    slow.write_all(b"GET /json-api/version HTTP/1.1\r\nHost: x\r\n")
        .await
        .expect("send");
    // Others are served meanwhile.
    assert!(
        version_from(&server, [127, 0, 0, 1])
            .await
            .contains("\"result\":1")
    );
    let closed = until_closed(&mut slow, Duration::from_secs(10)).await;
    assert!(closed.is_some(), "the slow client was not closed");
}

#[tokio::test]
async fn a_body_that_trickles_is_refused_and_closed() {
    let server = Server::start_configured(|c| c.limits = tight()).await;
    let mut slow = TcpStream::connect(addr(&server)).await.expect("connect");
    let head = format!(
        "POST /json-api/version HTTP/1.1\r\nHost: x\r\nAuthorization: {}\r\nContent-Length: 100000\r\n\r\n",
        server.root_auth()
    );
    slow.write_all(head.as_bytes()).await.expect("send");
    // Ten bytes a quarter second: 40 bytes/s, far below 500.
    let trickle = async {
        for _ in 0..40 {
            if slow.write_all(b"a=1&b=2&c").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(4), trickle)
        .await
        .ok();
    assert!(
        version_from(&server, [127, 0, 0, 1])
            .await
            .contains("\"result\":1")
    );
    let answer = until_closed(&mut slow, Duration::from_secs(10))
        .await
        .expect("closed");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("arrived too slowly"), "{answer}");
}

#[tokio::test]
async fn one_address_over_its_cap_is_closed_while_another_is_served() {
    let server = Server::start_configured(|c| {
        c.limits = Limits {
            header_timeout: Duration::from_secs(30),
            ..tight()
        }
    })
    .await;
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(TcpStream::connect(addr(&server)).await.expect("connect"));
    }
    // Let the server count them.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut over = TcpStream::connect(addr(&server)).await.expect("connect");
    let closed = until_closed(&mut over, Duration::from_secs(5)).await;
    assert_eq!(
        closed.as_deref(),
        Some(""),
        "the fifth connection is closed at once"
    );
    // Another address is served all the same.
    assert!(
        version_from(&server, [127, 0, 0, 2])
            .await
            .contains("\"result\":1")
    );
    // A connection that ends frees its place.
    drop(held.pop());
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        version_from(&server, [127, 0, 0, 1])
            .await
            .contains("\"result\":1")
    );
}
