//! What failover looks like from one PostgreSQL server, each test on a cluster of its own:
//! a commit lost while it waits for a synchronous standby that is being promoted, and a node
//! that takes no writes (a URL naming a node that became a standby).
//!
//! A change whose commit is lost was made locally; the reply must say its outcome is unknown
//! (not "try again", which would make it twice), and a retry with the same Idempotency-Key
//! gets that reply back instead of running again.

use crate::replicas::{cluster, postgres};
use reqwest::Client;
use serde_json::Value;
use std::time::Duration;
use whmd::Config;

/// Runs SQL on the test's own cluster with psql, one statement per `-c`; the output, trimmed.
fn psql(url: &str, statements: &[&str]) -> String {
    let mut command = std::process::Command::new("psql");
    command.arg(url).arg("-Atq");
    for statement in statements {
        command.arg("-c").arg(statement);
    }
    let out = command.output().expect("psql runs");
    assert!(
        out.status.success(),
        "psql: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Every commit from now on waits for a standby that does not exist.
fn wait_for_a_standby(url: &str, on: bool) {
    let names = if on { "'nobody'" } else { "''" };
    psql(
        url,
        &[
            &format!("ALTER SYSTEM SET synchronous_standby_names = {names}"),
            "SELECT pg_reload_conf()",
        ],
    );
}

/// Every transaction from now on is read-only, as on a standby.
fn read_only(url: &str, on: bool) {
    let setting = if on { "on" } else { "off" };
    psql(
        url,
        &[
            &format!("ALTER SYSTEM SET default_transaction_read_only = {setting}"),
            "SELECT pg_reload_conf()",
        ],
    );
}

/// Waits for the next commit that waits for the standby, and lets it go: `end` ends its
/// connection (its outcome is lost to the client); otherwise its wait is cancelled, which
/// PostgreSQL answers as a commit made locally.
async fn next_waiting_commit(url: &str, end: bool) {
    for _ in 0..400 {
        let pid = psql(
            url,
            &["SELECT pid FROM pg_stat_activity WHERE wait_event = 'SyncRep' ORDER BY pid LIMIT 1"],
        );
        if !pid.is_empty() {
            let how = if end {
                "pg_terminate_backend"
            } else {
                "pg_cancel_backend"
            };
            psql(url, &[&format!("SELECT {how}({pid})")]);
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("no commit waited for the standby");
}

#[tokio::test]
async fn a_commit_lost_in_a_failover_is_reported_as_unknown() {
    if postgres().is_none() {
        return;
    }
    let base = tempfile::Builder::new()
        .prefix("whmd-lost-commit")
        .tempdir_in("/tmp")
        .expect("tempdir");
    std::fs::set_permissions(
        base.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .expect("chmod");
    let pg = base.path().join("cluster");
    let url = cluster("start", &pg);
    let data = tempfile::tempdir().expect("tempdir");
    let mut config = Config::ephemeral(data.path());
    config.database_url = url.clone();
    let running = whmd::start(config).await.expect("whmd starts");
    let token = running.new_root_token.clone().expect("token");
    let http = format!("http://{}", running.http.expect("http"));
    let client = Client::new();
    let create = {
        let (client, http) = (client.clone(), http.clone());
        let token = token.expose().to_owned();
        move || {
            client
                .get(format!(
                    "{http}/json-api/createacct?api.version=1&username=lost&domain=lost.example.com&password=Pw-lost-x1"
                ))
                .header("Authorization", format!("whm root:{token}"))
                .header("Idempotency-Key", "order-lost")
                .send()
        }
    };

    wait_for_a_standby(&url, true);
    let first = tokio::spawn(create());
    // The key's claim commits (its wait cancelled), the account's commit is lost, and the
    // kept reply commits.
    next_waiting_commit(&url, false).await;
    next_waiting_commit(&url, true).await;
    next_waiting_commit(&url, false).await;
    let first = first.await.expect("joined").expect("answered");
    assert_eq!(first.status(), 503);
    assert_eq!(first.headers()["retry-after"], "5");
    let body: Value = first.json().await.expect("JSON");
    let reason = body["metadata"]["reason"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(body["metadata"]["result"], 0, "{body}");
    assert!(reason.contains("whether it was made is unknown"), "{body}");
    wait_for_a_standby(&url, false);

    // The change was made; the retry is told what the first call was told, and runs nothing.
    let again = create().await.expect("answered");
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let body: Value = again.json().await.expect("JSON");
    assert_eq!(body["metadata"]["reason"].as_str(), Some(reason.as_str()));
    let listed: Value = client
        .get(format!("{http}/json-api/listaccts?api.version=1&want=user"))
        .header("Authorization", format!("whm root:{}", token.expose()))
        .send()
        .await
        .expect("answered")
        .json()
        .await
        .expect("JSON");
    assert_eq!(listed["data"]["acct"][0]["user"], "lost", "{listed}");
    running.shutdown().await;
    cluster("stop", &pg);
}

/// The key's own claim is lost (its commit's connection ends) and the store then takes no
/// writes, so the claim cannot be let go at once: the call did not run and says "try again
/// later", and the claim is let go in the background once the store takes writes, so the
/// retry runs instead of finding the claim running for ten minutes.
#[tokio::test]
async fn a_lost_claim_is_let_go_once_the_store_takes_writes() {
    if postgres().is_none() {
        return;
    }
    let base = tempfile::Builder::new()
        .prefix("whmd-lost-claim")
        .tempdir_in("/tmp")
        .expect("tempdir");
    std::fs::set_permissions(
        base.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .expect("chmod");
    let pg = base.path().join("cluster");
    let url = cluster("start", &pg);
    let data = tempfile::tempdir().expect("tempdir");
    let mut config = Config::ephemeral(data.path());
    config.database_url = url.clone();
    let running = whmd::start(config).await.expect("whmd starts");
    let token = running.new_root_token.clone().expect("token");
    let http = format!("http://{}", running.http.expect("http"));
    let client = Client::new();
    let create = {
        let (client, http) = (client.clone(), http.clone());
        let token = token.expose().to_owned();
        move || {
            client
                .get(format!(
                    "{http}/json-api/createacct?api.version=1&username=claim&domain=claim.example.com&password=Pw-claim-x1"
                ))
                .header("Authorization", format!("whm root:{token}"))
                .header("Idempotency-Key", "order-claim")
                .send()
        }
    };

    wait_for_a_standby(&url, true);
    let first = tokio::spawn(create());
    // The claim's commit waits for the standby; the store stops taking writes, then the
    // commit's connection ends: the claim was made, but the call cannot know it.
    for _ in 0..400 {
        let waiting = psql(
            &url,
            &["SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'"],
        );
        if waiting != "0" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    read_only(&url, true);
    next_waiting_commit(&url, true).await;
    let first = first.await.expect("joined").expect("answered");
    assert_eq!(first.status(), 503);
    let body: Value = first.json().await.expect("JSON");
    let reason = body["metadata"]["reason"].as_str().unwrap_or_default();
    assert!(
        !reason.contains("whether it was made is unknown"),
        "the call did not run: {body}"
    );
    assert_eq!(
        psql(
            &url,
            &["SELECT count(*) FROM idempotency WHERE key = 'order-claim'"]
        ),
        "1",
        "the claim was made"
    );
    wait_for_a_standby(&url, false);
    read_only(&url, false);

    // A retry runs once the outage is over and the claim let go (a retry that finds the
    // claim running waits up to 30 s for it, then answers 503).
    let deadline = std::time::Instant::now() + Duration::from_secs(45);
    let made = loop {
        let reply = create().await.expect("answered");
        if reply.status() == 200 {
            break reply.json::<Value>().await.expect("JSON");
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the retry still gets {}: {}",
            reply.status(),
            reply.text().await.unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert_eq!(made["metadata"]["result"], 1, "{made}");
    running.shutdown().await;
    cluster("stop", &pg);
}

/// A URL that names a node which became a standby: every transaction is read-only there.
/// Writes answer 503 with `Retry-After` (SQLSTATE 25006), never a 500; reads still answer;
/// `/health/ready` says not ready; all of it ends when the node takes writes again.
#[tokio::test]
async fn a_database_that_takes_no_writes_is_a_503_and_not_ready() {
    if postgres().is_none() {
        return;
    }
    let base = tempfile::Builder::new()
        .prefix("whmd-read-only")
        .tempdir_in("/tmp")
        .expect("tempdir");
    std::fs::set_permissions(
        base.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .expect("chmod");
    let pg = base.path().join("cluster");
    let url = cluster("start", &pg);
    let data = tempfile::tempdir().expect("tempdir");
    let mut config = Config::ephemeral(data.path());
    config.database_url = url.clone();
    let running = whmd::start(config).await.expect("whmd starts");
    let token = running.new_root_token.clone().expect("token");
    let http = format!("http://{}", running.http.expect("http"));
    let client = Client::new();
    let get = |path: String| {
        let (client, http) = (client.clone(), http.clone());
        let token = token.expose().to_owned();
        async move {
            client
                .get(format!("{http}{path}"))
                .header("Authorization", format!("whm root:{token}"))
                .send()
                .await
                .expect("answered")
        }
    };
    read_only(&url, true);
    let refused = get(
        "/json-api/createacct?api.version=1&username=ro&domain=ro.example.com&password=Pw-ro-x1"
            .into(),
    )
    .await;
    assert_eq!(
        refused.status(),
        503,
        "a write to a standby is a 503, not a 500"
    );
    assert_eq!(refused.headers()["retry-after"], "5");
    let body: Value = refused.json().await.expect("JSON");
    assert_eq!(body["metadata"]["result"], 0, "{body}");
    let listed = get("/json-api/listaccts?api.version=1".into()).await;
    assert_eq!(listed.status(), 200, "reads still answer");
    let ready = reqwest::get(format!("{http}/health/ready"))
        .await
        .expect("answered");
    assert_eq!(
        ready.status(),
        503,
        "not ready while the store takes no writes"
    );
    read_only(&url, false);
    let mut made = None;
    for _ in 0..40 {
        let reply = get("/json-api/createacct?api.version=1&username=ro&domain=ro.example.com&password=Pw-ro-x1".into()).await;
        if reply.status() == 200 {
            made = Some(reply.json::<Value>().await.expect("JSON"));
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let made = made.expect("writes are taken again");
    assert_eq!(made["metadata"]["result"], 1, "{made}");
    running.shutdown().await;
    cluster("stop", &pg);
}
