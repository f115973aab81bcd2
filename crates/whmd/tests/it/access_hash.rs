//! Legacy access hashes: refused unless configured, then accepted with their whitespace
//! stripped, for root and resellers only.

use crate::accounts::create;
use crate::harness::Server;
use reqwest::{Method, StatusCode};
use whmd_wire::Acl;

/// The status and result of `version` with `WHM user:secret`.
async fn version_with(server: &Server, user: &str, secret: &str) -> (StatusCode, Option<i64>) {
    let answer = server
        .send(
            Method::GET,
            server.http("/json-api/version?api.version=1"),
            Some(&format!("WHM {user}:{secret}")),
            None,
            None,
        )
        .await;
    let result = serde_json::from_str::<serde_json::Value>(&answer.text)
        .ok()
        .and_then(|v| v["metadata"]["result"].as_i64());
    (answer.status, result)
}

#[tokio::test]
async fn refused_unless_configured() {
    let server = Server::start().await;
    let hash = whmd::access_hash::run("root", &server.store_flags())
        .await
        .expect("a hash");
    let compact: String = hash.expose().split_whitespace().collect();
    assert_eq!(
        version_with(&server, "root", &compact).await.0,
        StatusCode::FORBIDDEN
    );
    let audit = server.audit_log();
    assert!(audit.contains("access hashes are not enabled"));
    assert!(!audit.contains(&compact[..32]), "the hash is never written");
}

#[tokio::test]
async fn accepted_when_configured() {
    let server = Server::start_configured(|c| c.access_hash = true).await;
    let hash = whmd::access_hash::run("root", &server.store_flags())
        .await
        .expect("a hash");
    // Clients strip the line breaks, not always all the spaces.
    let spaced = hash.expose().replace('\n', " ");
    assert_eq!(
        version_with(&server, "root", &spaced).await,
        (StatusCode::OK, Some(1))
    );
    let mut wrong: String = hash.expose().split_whitespace().collect();
    let last = if wrong.ends_with('0') { "1" } else { "0" };
    wrong.replace_range(959.., last);
    assert_eq!(
        version_with(&server, "root", &wrong).await.0,
        StatusCode::FORBIDDEN
    );
    // Another user's hash is not root's.
    server.reseller("hashres", &[Acl::BASIC_SYSTEM_INFO]).await;
    let theirs = whmd::access_hash::run("hashres", &server.store_flags())
        .await
        .expect("a reseller's hash");
    let theirs: String = theirs.expose().split_whitespace().collect();
    assert_eq!(
        version_with(&server, "hashres", &theirs).await,
        (StatusCode::OK, Some(1))
    );
    assert_eq!(
        version_with(&server, "root", &theirs).await.0,
        StatusCode::FORBIDDEN
    );
    create(&server, "hashplain", "").await;
    assert!(
        whmd::access_hash::run("hashplain", &server.store_flags())
            .await
            .is_err()
    );
    // Secrets of the wrong shape are refused like any other.
    for bad in [
        "ABC",
        &"A".repeat(31),
        &"a".repeat(32),
        &"0".repeat(961),
        "!!!!",
    ] {
        assert_eq!(
            version_with(&server, "root", bad).await.0,
            StatusCode::FORBIDDEN,
            "{bad}"
        );
    }
}
