//! The access log of a running `whmd serve`: one line per request on standard error, without
//! the query string or the credentials.

use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

#[tokio::test]
async fn a_request_leaves_one_line_without_its_query_or_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_whmd"))
        .args([
            "serve",
            "--https",
            "off",
            "--http",
            "127.0.0.1:0",
            "--hostname",
            "whmd.test",
            "--data-dir",
        ])
        .arg(dir.path())
        .env("WHMD_LOG", "info")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("whmd serve starts");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let mut next = async || {
        tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .expect("a log line in time")
            .expect("standard error is readable")
            .expect("whmd serve is still running")
    };
    let addr = loop {
        let line = next().await;
        if line.contains("listening for http")
            && let Some(addr) = line.split("addr=").nth(1)
        {
            break addr.trim().to_owned();
        }
    };
    let token = std::fs::read_to_string(dir.path().join("root.token")).expect("root token");
    let token = token.trim();
    let answer = reqwest::Client::new()
        .get(format!(
            "http://{addr}/json-api/version?api.version=1&password=hunter2"
        ))
        .header("Authorization", format!("whm root:{token}"))
        .send()
        .await
        .expect("the request is answered");
    assert_eq!(answer.status(), 200);
    let line = loop {
        let line = next().await;
        if line.contains("request done") {
            break line;
        }
    };
    let (_time, rest) = line.split_once("Z ").expect("a timestamp");
    assert_eq!(
        rest.split(" peer=").next(),
        Some(" INFO whmd::http: request done method=GET path=\"/json-api/version\""),
        "{line}"
    );
    assert!(
        rest.contains(
            " function=\"version\" api_version=\"1\" user=\"root\" result=1 status=200 micros="
        ),
        "{line}"
    );
    assert!(!line.contains("hunter2") && !line.contains(token), "{line}");
}
