//! `/health/live` and `/health/ready` answer without credentials and tell nothing else.

use crate::harness::Server;
use reqwest::StatusCode;

#[tokio::test]
async fn a_serving_replica_is_live_and_ready_without_credentials() {
    let server = Server::start().await;
    for (path, text) in [("/health/live", "live\n"), ("/health/ready", "ready\n")] {
        let answer = reqwest::get(server.http(path)).await.expect("get");
        assert_eq!(answer.status(), StatusCode::OK, "{path}");
        assert_eq!(answer.headers()["cache-control"], "no-store", "{path}");
        assert!(answer.headers().get("retry-after").is_none(), "{path}");
        assert_eq!(answer.text().await.expect("text"), text, "{path}");
    }
    // Not an API document and not behind a session's security token; nothing else is there.
    for path in [
        "/cpsess0123456789/health/ready",
        "/health",
        "/health/other",
        "/json-api/health",
    ] {
        let answer = reqwest::get(server.http(path)).await.expect("get");
        assert_ne!(answer.status(), StatusCode::OK, "{path}");
    }
}
