//! Several whmd processes on one PostgreSQL database, and PostgreSQL going away under a
//! running server. These need a PostgreSQL server (`WHMD_TEST_POSTGRES_URL`, as `.ci/run`
//! provides); without one they say so and pass.

use reqwest::Client;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use whmd::Config;

pub(crate) fn postgres() -> Option<String> {
    let url = std::env::var("WHMD_TEST_POSTGRES_URL").ok();
    if url.is_none() {
        eprintln!("WHMD_TEST_POSTGRES_URL is not set; replica checks skipped");
    }
    url
}

async fn scratch(admin: &str, prefix: &str) -> String {
    let name = format!("{prefix}_{:016x}", rand::random::<u64>());
    whmd_store_postgres::scratch::create_database(admin, &name)
        .await
        .expect("a scratch database")
}

/// A `whmd serve` process on plain HTTP, on a free port.
pub(crate) struct Replica {
    _child: Child,
    pub(crate) base: String,
    /// What it logged after it started listening, but the access log.
    pub(crate) log: Arc<Mutex<Vec<String>>>,
}

pub(crate) async fn replica(data_dir: &Path, database_url: &str) -> Replica {
    replica_within(data_dir, database_url, Duration::from_secs(30)).await
}

/// A replica that must be listening within `wait` (its store may be out of reach at first).
pub(crate) async fn replica_within(data_dir: &Path, database_url: &str, wait: Duration) -> Replica {
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
        .arg(data_dir)
        .arg("--database-url")
        .arg(database_url)
        .env("WHMD_LOG", "info")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("whmd serve starts");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let addr = tokio::time::timeout(wait, async {
        let mut before = Vec::new();
        while let Some(line) = lines.next_line().await.expect("stderr is readable") {
            before.push(line.clone());
            if line.contains("listening for http")
                && let Some(addr) = line.split("addr=").nth(1)
            {
                return addr
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_owned();
            }
        }
        panic!("whmd serve exited before listening: {}", before.join("\n"));
    })
    .await
    .expect("whmd serve listens in time");
    // Keep draining the log so the process never blocks on a full pipe.
    let log = Arc::new(Mutex::new(Vec::new()));
    let kept = Arc::clone(&log);
    tokio::spawn(async move {
        while let Ok(Some(line)) = lines.next_line().await {
            if !line.contains("request done") {
                kept.lock().expect("log").push(line);
            }
        }
    });
    Replica {
        _child: child,
        base: format!("http://{addr}"),
        log,
    }
}

pub(crate) async fn call(
    client: &Client,
    base: &str,
    token: &str,
    function: &str,
    query: &str,
) -> Value {
    client
        .get(format!("{base}/json-api/{function}?api.version=1&{query}"))
        .header("Authorization", format!("whm root:{token}"))
        .send()
        .await
        .expect("answered")
        .json()
        .await
        .expect("JSON")
}

pub(crate) fn ok(reply: &Value) -> bool {
    reply["metadata"]["result"] == 1
}

async fn users(client: &Client, base: &str, token: &str) -> BTreeSet<String> {
    let listed = call(client, base, token, "listaccts", "want=user").await;
    listed["data"]["acct"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|r| r["user"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn two_replicas_on_one_database_agree() {
    let Some(admin) = postgres() else { return };
    let url = scratch(&admin, "whmd_replicas").await;
    let (dir_a, dir_b) = (
        tempfile::tempdir().expect("tempdir"),
        tempfile::tempdir().expect("tempdir"),
    );
    let a = replica(dir_a.path(), &url).await;
    let token = std::fs::read_to_string(dir_a.path().join("root.token"))
        .expect("root.token")
        .trim()
        .to_owned();
    let b = replica(dir_b.path(), &url).await;
    assert!(
        !dir_b.path().join("root.token").exists(),
        "the second replica makes no second root token"
    );
    let client = Client::new();
    let bases = [a.base.as_str(), b.base.as_str()];

    // Every name is created at both replicas at once: each exists exactly once. The last
    // account, r{n}, races r00 for one new name later.
    let n = 24;
    let creates: Vec<_> = (0..=n)
        .flat_map(|i| {
            bases.map(|base| {
                (
                    base,
                    format!("username=r{i:02}&domain=r{i:02}.example.com&password=Pw-{i}-x1"),
                )
            })
        })
        .collect();
    let replies = futures::future::join_all(
        creates
            .iter()
            .map(|(base, q)| call(&client, base, &token, "createacct", q)),
    )
    .await;
    for i in 0..=n {
        let won = replies[2 * i..2 * i + 2].iter().filter(|r| ok(r)).count();
        assert_eq!(won, 1, "r{i:02}: {:?}", &replies[2 * i..2 * i + 2]);
    }

    // Then, at both replicas at once: renames, password changes, removals, and two renames
    // racing for one new name.
    let mut work = Vec::new();
    for i in 0..n {
        let base = bases[i % 2];
        let (function, query) = match i % 3 {
            0 if i < 2 => ("modifyacct", format!("user=r{i:02}&newuser=contested")),
            0 => ("modifyacct", format!("user=r{i:02}&newuser=m{i:02}")),
            1 => ("passwd", format!("user=r{i:02}&password=New-{i}-pass")),
            _ => ("removeacct", format!("user=r{i:02}")),
        };
        work.push((base, function, query));
    }
    work.push((
        bases[1],
        "modifyacct",
        format!("user=r{n:02}&newuser=contested"),
    ));
    let replies = futures::future::join_all(
        work.iter()
            .map(|(base, f, q)| call(&client, base, &token, f, q)),
    )
    .await;

    let mut expected = BTreeSet::new();
    for (i, reply) in replies.iter().enumerate().take(n) {
        let acked = ok(reply);
        let name = match (i % 3, acked) {
            (0, true) if i < 2 => Some("contested".to_owned()),
            (0, true) => Some(format!("m{i:02}")),
            (2, true) => None,
            _ => Some(format!("r{i:02}")),
        };
        expected.extend(name);
        if i % 3 == 1 {
            assert!(acked, "passwd r{i:02}: {reply}");
        }
    }
    let contested_by_last = ok(&replies[n]);
    let contested_by_r00 = ok(&replies[0]);
    assert!(
        contested_by_r00 != contested_by_last,
        "one name, two renames: exactly one wins"
    );
    expected.insert(if contested_by_last {
        "contested".to_owned()
    } else {
        format!("r{n:02}")
    });

    let (seen_a, seen_b) = (
        users(&client, &a.base, &token).await,
        users(&client, &b.base, &token).await,
    );
    assert_eq!(seen_a, seen_b, "both replicas list the same accounts");
    assert_eq!(
        seen_a, expected,
        "every acknowledged change, and only those"
    );
}

/// A reseller suspended through one replica loses its API token there at once, and at the
/// other replica once that one's memory of the token has lapsed.
#[tokio::test]
async fn a_suspension_reaches_the_other_replicas_token_checks() {
    let Some(admin) = postgres() else { return };
    let url = scratch(&admin, "whmd_replica_auth").await;
    let (dir_a, dir_b) = (
        tempfile::tempdir().expect("tempdir"),
        tempfile::tempdir().expect("tempdir"),
    );
    let a = replica(dir_a.path(), &url).await;
    let root = std::fs::read_to_string(dir_a.path().join("root.token"))
        .expect("root.token")
        .trim()
        .to_owned();
    let b = replica(dir_b.path(), &url).await;
    let client = Client::new();
    let created = call(
        &client,
        &a.base,
        &root,
        "createacct",
        "username=seller&domain=seller.example.com&password=Pw-seller-1&reseller=1",
    )
    .await;
    assert!(ok(&created), "{created}");
    let secret = whmd_domain::secret::generate_api_token();
    let store = whmd::store::open(&url).await.expect("store");
    store
        .credentials
        .insert_api_token(
            &whmd_domain::store::ApiTokenRecord {
                user: "seller".into(),
                name: "billing".into(),
                digest: whmd_domain::secret::token_digest(secret.expose()),
                create_time: 0,
                expires_at: None,
                acls: None,
                whitelist: None,
            },
            &[],
        )
        .await
        .expect("token");
    let as_seller = |base: &str| {
        client
            .get(format!("{base}/json-api/myprivs?api.version=1"))
            .header("Authorization", format!("whm seller:{}", secret.expose()))
            .send()
    };
    for base in [&a.base, &b.base] {
        assert_eq!(as_seller(base).await.expect("answered").status(), 200);
    }
    let suspended = call(&client, &a.base, &root, "suspendacct", "user=seller").await;
    assert!(ok(&suspended), "{suspended}");
    assert_eq!(as_seller(&a.base).await.expect("answered").status(), 403);
    tokio::time::sleep(whmd_domain::auth::TOKEN_CACHE_TTL + Duration::from_millis(100)).await;
    assert_eq!(as_seller(&b.base).await.expect("answered").status(), 403);
}

/// Creates numbered accounts `oNN` on one server.
#[derive(Clone)]
struct Creator {
    client: Client,
    http: String,
    token: String,
}

impl Creator {
    async fn create(self, i: usize) -> reqwest::Response {
        self.client
            .get(format!(
                "{}/json-api/createacct?api.version=1&username=o{i:02}&domain=o{i:02}.example.com&password=Pw-{i}-x1",
                self.http
            ))
            .header("Authorization", format!("whm root:{}", self.token))
            .send()
            .await
            .expect("answered")
    }
}

/// The cluster script, for a test that needs a PostgreSQL of its own to stop.
pub(crate) fn cluster(command: &str, dir: &Path) -> String {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/pg-cluster");
    let out = std::process::Command::new(script)
        .arg(command)
        .arg(dir)
        .output()
        .expect("pg-cluster runs");
    assert!(
        out.status.success(),
        "pg-cluster {command}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[tokio::test]
async fn postgres_going_away_and_coming_back() {
    if postgres().is_none() {
        return;
    }
    let base = tempfile::Builder::new()
        .prefix("whmd-outage")
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
    let creator = Creator {
        client: client.clone(),
        http: http.clone(),
        token: token.expose().to_owned(),
    };
    let create = |i: usize| creator.clone().create(i);
    let mut acknowledged = BTreeSet::new();
    for i in 0..5 {
        let reply: Value = create(i).await.json().await.expect("JSON");
        assert!(ok(&reply), "{reply}");
        acknowledged.insert(format!("o{i:02}"));
    }

    // A writer keeps creating accounts while PostgreSQL stops and starts again.
    let writer = {
        let creator = creator.clone();
        tokio::spawn(async move {
            let (mut acked, mut refused) = (BTreeSet::new(), 0);
            for i in 100..200 {
                let reply = creator.clone().create(i).await;
                let status = reply.status();
                let body: Value = reply.json().await.unwrap_or_default();
                if status == 200 && ok(&body) {
                    acked.insert(format!("o{i:02}"));
                } else {
                    assert!(
                        status == 503 || status == 200,
                        "a clear error while down, not {status}"
                    );
                    refused += 1;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            (acked, refused)
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    cluster("stop", &pg);
    let down = create(10).await;
    assert_eq!(down.status(), 503, "an unreachable store is a 503");
    assert_eq!(
        down.headers().get("retry-after").map(|v| v.as_bytes()),
        Some(&b"5"[..]),
        "a 503 says when to try again"
    );
    let body: Value = down.json().await.expect("JSON");
    // The API 1 envelope the request asked for, whichever step met the outage.
    assert_eq!(body["metadata"]["result"], 0, "{body}");
    assert_eq!(body["metadata"]["command"], "createacct", "{body}");
    let reason = body["metadata"]["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("temporarily unavailable"), "{body}");
    let health = |path: &'static str| {
        let (client, http) = (client.clone(), http.clone());
        async move {
            let reply = client
                .get(format!("{http}/health/{path}"))
                .send()
                .await
                .expect("answered");
            let retry = reply.headers().get("retry-after").cloned();
            (reply.status().as_u16(), retry)
        }
    };
    assert_eq!(health("live").await.0, 200, "the process is live");
    let (status, retry) = health("ready").await;
    assert_eq!(status, 503, "not ready while the store is down");
    assert_eq!(retry.as_ref().map(|v| v.as_bytes()), Some(&b"5"[..]));
    // A replica started now waits for the store instead of exiting.
    let late_data = tempfile::tempdir().expect("tempdir");
    let mut late_config = Config::ephemeral(late_data.path());
    late_config.database_url = url.clone();
    late_config.store_wait = Duration::from_secs(60);
    let late = tokio::spawn(whmd::start(late_config));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !late.is_finished(),
        "a replica started during the outage waits"
    );
    cluster("start", &pg);
    let (acked, refused) = writer.await.expect("the writer finishes");
    assert!(
        refused > 0,
        "some writes were refused while PostgreSQL was down"
    );
    acknowledged.extend(acked);
    let mut back = None;
    for attempt in 0..60 {
        let reply = create(20 + attempt).await;
        if reply.status() == 200 {
            let reply: Value = reply.json().await.expect("JSON");
            if ok(&reply) {
                back = Some(format!("o{:02}", 20 + attempt));
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    acknowledged
        .insert(back.expect("whmd serves again once PostgreSQL is back, without a restart"));
    let mut ready = 0;
    for _ in 0..40 {
        ready = health("ready").await.0;
        if ready == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(ready, 200, "ready again once the store is back");
    let late = late
        .await
        .expect("the late replica's start finishes")
        .expect("the late replica starts once PostgreSQL is back");
    let late_http = format!("http://{}", late.http.expect("http"));
    let listed_late = users(&client, &late_http, token.expose()).await;
    assert!(
        acknowledged.is_subset(&listed_late),
        "the late replica serves the same store"
    );
    late.shutdown().await;
    let listed = users(&client, &http, token.expose()).await;
    assert!(
        acknowledged.is_subset(&listed),
        "nothing acknowledged is lost: {acknowledged:?} in {listed:?}"
    );
    assert!(
        !listed.contains("o10"),
        "the create refused while down left nothing"
    );
    running.shutdown().await;
    cluster("stop", &pg);
}

#[tokio::test]
async fn an_idempotency_key_holds_across_replicas() {
    let Some(admin) = postgres() else { return };
    let url = scratch(&admin, "whmd_idem").await;
    let (dir_a, dir_b) = (
        tempfile::tempdir().expect("tempdir"),
        tempfile::tempdir().expect("tempdir"),
    );
    let a = replica(dir_a.path(), &url).await;
    let token = std::fs::read_to_string(dir_a.path().join("root.token"))
        .expect("root.token")
        .trim()
        .to_owned();
    let b = replica(dir_b.path(), &url).await;
    let client = Client::new();
    let create = |base: &str| {
        client
            .get(format!(
                "{base}/json-api/createacct?api.version=1&username=idem&domain=idem.example.com&password=Pw-123456-x"
            ))
            .header("Authorization", format!("whm root:{token}"))
            .header("Idempotency-Key", "order-9")
            .send()
    };
    // The same retry at both replicas at once: one runs, both answer the first reply.
    let (one, two) = tokio::join!(create(&a.base), create(&b.base));
    let answers = [one.expect("answered"), two.expect("answered")];
    let replayed = answers
        .iter()
        .filter(|r| r.headers().get("idempotent-replayed").is_some())
        .count();
    assert_eq!(replayed, 1);
    for answer in answers {
        let reply: Value = answer.json().await.expect("JSON");
        assert!(ok(&reply), "{reply}");
    }
    assert_eq!(users(&client, &a.base, &token).await.len(), 1);
}
