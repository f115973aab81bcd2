//! Two whmd replicas on a Patroni cluster (scripts/ha-cluster: etcd, two PostgreSQL nodes in
//! synchronous mode, HAProxy to the primary) under concurrent creates, modifies and removes,
//! through one fault after another: the primary killed with SIGKILL, its rejoin with
//! pg_rewind, a planned switchover, the primary cut off with SIGSTOP and let go again, the
//! standby cut off (it lags, then catches up), and etcd down (Patroni demotes the primary). Each change is sent as a billing system would: with an
//! Idempotency-Key, retried with the same key after a 503. Every acknowledged change must be
//! on both replicas, none made twice, no answer a 500; the 503 windows are printed. A replica
//! started while there is no primary must serve once there is one; one whose URL names a node
//! directly answers 503 while that node is a standby, and writes again once it is the primary.
//!
//! Runs when `WHMD_TEST_HA=1` (`.ci/run` sets it for this test, with the cluster's packages
//! installed); otherwise it says so and passes.

use crate::replicas::{Replica, call, ok, replica, replica_within};
use reqwest::Client;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Workers sending changes at once.
const WORKERS: usize = 4;
/// How long a change is retried after 503s before the test gives up on the cluster.
const GIVE_UP: Duration = Duration::from_secs(120);

fn ha_cluster(command: &str, dir: &Path, which: Option<&str>) -> String {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/ha-cluster");
    let out = std::process::Command::new(script)
        .arg(command)
        .arg(dir)
        .args(which)
        .output()
        .expect("ha-cluster runs");
    assert!(
        out.status.success(),
        "ha-cluster {command}: {}{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        logs(dir)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// The end of each node's Patroni log (PostgreSQL's own lines among it), to tell why a
/// cluster command failed: the timestamped lines, without the tracebacks Patroni logs when a
/// health check hangs up on its REST API.
fn logs(dir: &Path) -> String {
    ["node1", "node2"]
        .iter()
        .map(|node| {
            let text =
                std::fs::read_to_string(dir.join(node).join("patroni.log")).unwrap_or_default();
            let lines: Vec<&str> = text
                .lines()
                .filter(|l| {
                    l.starts_with("20")
                        && !l.contains("Exception happened")
                        && !l.contains("Traceback")
                })
                .collect();
            let tail = lines[lines.len().saturating_sub(40)..].join("\n");
            format!("--- {node}'s Patroni log, last lines:\n{tail}")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Stops the cluster when the test ends, whether it passed or not.
struct Cluster(PathBuf);

impl Drop for Cluster {
    fn drop(&mut self) {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/ha-cluster");
        let _ = std::process::Command::new(script)
            .arg("stop")
            .arg(&self.0)
            .output();
    }
}

/// What the final answer to one change was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    Made,
    /// Its commit was lost: it may or may not have been made.
    Unknown,
}

/// What the workers saw.
#[derive(Debug, Default)]
struct Seen {
    /// Each account's acknowledged history: created, the MAXPOP values set, removed.
    accounts: BTreeMap<String, Account>,
    /// When each 503 came, from the start.
    unavailable: Vec<Duration>,
    /// Final answers that were neither a success nor an unknown outcome.
    refused: Vec<String>,
}

#[derive(Debug, Default, Clone)]
struct Account {
    created: Option<Answer>,
    maxpop: Option<(String, Answer)>,
    removed: Option<Answer>,
}

impl Account {
    /// Whether its final state is known: every change it was sent has a definite answer.
    fn certain(&self) -> bool {
        [
            self.created,
            self.maxpop.as_ref().map(|m| m.1),
            self.removed,
        ]
        .iter()
        .all(|a| *a != Some(Answer::Unknown))
    }
}

struct Sender {
    client: Client,
    bases: [String; 2],
    token: String,
    started: Instant,
    seen: Arc<Mutex<Seen>>,
}

impl Sender {
    /// Sends one change with its key until an answer that is not a 503; `None` when refused.
    async fn change(&self, at: usize, key: &str, function: &str, query: &str) -> Option<Answer> {
        let first = Instant::now();
        let mut attempt = 0;
        loop {
            let base = &self.bases[(at + attempt) % 2];
            attempt += 1;
            let reply = self
                .client
                .get(format!("{base}/json-api/{function}?api.version=1&{query}"))
                .header("Authorization", format!("whm root:{}", self.token))
                .header("Idempotency-Key", key)
                .timeout(Duration::from_secs(60))
                .send()
                .await;
            // Only a 503 goes on: its reason, for the message when they go on too long.
            let unavailable = match reply {
                Ok(reply) if reply.status() == 503 => {
                    let body: Value = reply.json().await.unwrap_or_default();
                    let reason = reason(&body);
                    if reason.contains("whether it was made is unknown") {
                        return Some(Answer::Unknown);
                    }
                    reason
                }
                Ok(reply) => {
                    let status = reply.status();
                    let body: Value = reply.json().await.unwrap_or_default();
                    if status != 200 {
                        self.seen.lock().expect("seen").refused.push(format!(
                            "{function} {query}: HTTP {status}, not a 503 or a 200: {body}"
                        ));
                        return None;
                    }
                    if ok(&body) {
                        return Some(Answer::Made);
                    }
                    if reason(&body).contains("whether it was made is unknown") {
                        return Some(Answer::Unknown);
                    }
                    self.seen
                        .lock()
                        .expect("seen")
                        .refused
                        .push(format!("{function} {query}: {}", reason(&body)));
                    return None;
                }
                Err(e) => panic!("{function}: no answer from a replica: {e}"),
            };
            let now = self.started.elapsed();
            self.seen.lock().expect("seen").unavailable.push(now);
            assert!(
                first.elapsed() < GIVE_UP,
                "{function} {query}: 503s from {:.1} s to {:.1} s, the last: {unavailable}",
                (first - self.started).as_secs_f64(),
                self.started.elapsed().as_secs_f64()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn note(&self, user: &str, update: impl FnOnce(&mut Account)) {
        let mut seen = self.seen.lock().expect("seen");
        update(seen.accounts.entry(user.to_owned()).or_default());
    }

    /// Creates, modifies and (one in three) removes accounts until told to stop.
    async fn work(self: Arc<Self>, worker: usize, stop: Arc<AtomicBool>) {
        let mut i = 0;
        while !stop.load(Ordering::SeqCst) {
            let user = format!("f{worker}x{i:04}");
            let query = format!("username={user}&domain={user}.example.com&password=Pw-{user}-1");
            let created = self
                .change(i, &format!("c-{user}"), "createacct", &query)
                .await;
            self.note(&user, |a| a.created = created);
            if created == Some(Answer::Made) {
                let maxpop = (i % 50 + 1).to_string();
                let query = format!("user={user}&MAXPOP={maxpop}");
                let modified = self
                    .change(i + 1, &format!("m-{user}"), "modifyacct", &query)
                    .await;
                if let Some(answer) = modified {
                    self.note(&user, |a| a.maxpop = Some((maxpop, answer)));
                }
                if i % 3 == 0 {
                    let query = format!("user={user}");
                    let removed = self
                        .change(i, &format!("r-{user}"), "removeacct", &query)
                        .await;
                    self.note(&user, |a| a.removed = removed);
                }
            }
            i += 1;
        }
    }
}

fn reason(body: &Value) -> String {
    body["metadata"]["reason"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Every account a replica lists, with its MAXPOP.
async fn listed(client: &Client, base: &str, token: &str) -> BTreeMap<String, String> {
    let reply = call(client, base, token, "listaccts", "want=user,maxpop").await;
    reply["data"]["acct"]
        .as_array()
        .map(|accounts| {
            accounts
                .iter()
                .filter_map(|a| {
                    Some((
                        a["user"].as_str()?.to_owned(),
                        a["maxpop"].as_str().unwrap_or_default().to_owned(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The span of the 503s seen between two moments, if any.
fn window(times: &[Duration], from: Duration, to: Duration) -> Option<(Duration, Duration)> {
    let inside: Vec<Duration> = times
        .iter()
        .copied()
        .filter(|t| *t >= from && *t < to)
        .collect();
    Some((*inside.first()?, *inside.last()?))
}

/// The URL of one node of the cluster, past the proxy.
fn node_url(cluster: &Path, node: &str) -> String {
    let ports = std::fs::read_to_string(cluster.join("ports")).expect("ports");
    let port = ports
        .lines()
        .find_map(|l| l.strip_prefix(&format!("pg_{node}=")))
        .expect("the node's port");
    format!("postgres://postgres@127.0.0.1:{port}/postgres")
}

/// A createacct at one replica: its status and `Retry-After`. A 200 must be a success.
async fn direct_create(
    client: &Client,
    base: &str,
    token: &str,
    user: &str,
) -> (u16, Option<String>) {
    let reply = client
        .get(format!(
            "{base}/json-api/createacct?api.version=1&username={user}&domain={user}.example.com&password=Pw-{user}-1"
        ))
        .header("Authorization", format!("whm root:{token}"))
        .send()
        .await
        .expect("answered");
    let status = reply.status().as_u16();
    let retry = reply
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body: Value = reply.json().await.unwrap_or_default();
    if status == 200 {
        assert!(ok(&body), "{body}");
    }
    (status, retry)
}

fn logged(replica: &Replica, text: &str) -> usize {
    let log = replica.log.lock().expect("log");
    log.iter().filter(|l| l.contains(text)).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_changes_survive_every_fault() {
    if std::env::var("WHMD_TEST_HA").as_deref() != Ok("1") {
        eprintln!("WHMD_TEST_HA is not 1; the Patroni failover test is skipped");
        return;
    }
    let base = tempfile::Builder::new()
        .prefix("whmd-ha")
        .tempdir_in("/tmp")
        .expect("tempdir");
    std::fs::set_permissions(
        base.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .expect("chmod");
    let cluster = base.path().join("cluster");
    let url = ha_cluster("start", &cluster, None);
    let _stop = Cluster(cluster.clone());
    let dirs = [(); 4].map(|()| tempfile::tempdir().expect("tempdir"));
    let a = replica(dirs[0].path(), &url).await;
    let token = std::fs::read_to_string(dirs[0].path().join("root.token"))
        .expect("root.token")
        .trim()
        .to_owned();
    let b = replica(dirs[1].path(), &url).await;
    let client = Client::new();
    let sender = Arc::new(Sender {
        client: client.clone(),
        bases: [a.base.clone(), b.base.clone()],
        token: token.clone(),
        started: Instant::now(),
        seen: Arc::default(),
    });
    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..WORKERS)
        .map(|w| tokio::spawn(Arc::clone(&sender).work(w, Arc::clone(&stop))))
        .collect();
    let pause = || tokio::time::sleep(Duration::from_secs(2));
    let in_blocking = |command: &'static str| {
        let cluster = cluster.clone();
        tokio::task::spawn_blocking(move || ha_cluster(command, &cluster, None))
    };
    let in_blocking_with = |command: &'static str, which: &'static str| {
        let cluster = cluster.clone();
        tokio::task::spawn_blocking(move || ha_cluster(command, &cluster, Some(which)))
    };

    // Each fault in turn, its start noted for the 503 windows printed at the end.
    let mut phases: Vec<(String, Duration)> = Vec::new();
    let mut mark = |name: String| phases.push((name, sender.started.elapsed()));
    pause().await;
    mark("failover: the primary's Patroni and PostgreSQL SIGKILLed".to_owned());
    let failover = in_blocking("failover");
    // A replica started while there is no primary waits for one, then serves.
    let late = {
        let (dir, url) = (dirs[2].path().to_owned(), url.clone());
        tokio::spawn(async move { replica_within(&dir, &url, Duration::from_secs(120)).await })
    };
    let took_over = failover.await.expect("failover");
    // A replica whose URL names the new primary itself, not the proxy: after the switchover
    // that node is a standby.
    let node = took_over
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned();
    let direct = replica(dirs[3].path(), &node_url(&cluster, &node)).await;
    pause().await;
    mark(format!(
        "rejoin of the killed node with pg_rewind (after {took_over})"
    ));
    in_blocking("rejoin").await.expect("rejoin");
    pause().await;
    mark("planned switchover".to_owned());
    let switched_to = in_blocking("switchover").await.expect("switchover");
    assert_ne!(
        switched_to, node,
        "the node the direct replica names is now a standby"
    );
    let (status, retry) = direct_create(&client, &direct.base, &token, "direct1").await;
    assert_eq!(status, 503, "a write on a standby is a 503, never a 500");
    assert_eq!(retry.as_deref(), Some("5"));
    let ready = client
        .get(format!("{}/health/ready", direct.base))
        .send()
        .await
        .expect("answered");
    assert_eq!(ready.status(), 503, "a replica on a standby is not ready");
    pause().await;
    mark(format!("partition: the primary ({switched_to}) SIGSTOPped"));
    let other = in_blocking("partition").await.expect("partition");
    pause().await;
    mark(format!(
        "heal: SIGCONT, the old primary rejoins ({other} took over)"
    ));
    in_blocking("heal").await.expect("heal");
    // The direct replica's node is the primary again: it takes writes without a restart.
    assert_eq!(other, node);
    let mut taken = 0;
    for attempt in 0..60 {
        let name = format!("direct{}", attempt + 2);
        if direct_create(&client, &direct.base, &token, &name).await.0 == 200 {
            taken = attempt + 1;
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(
        taken > 0,
        "the direct replica writes again once its node is the primary"
    );
    pause().await;
    mark("standby SIGSTOPped for 10 s: it lags, the primary goes on alone".to_owned());
    in_blocking_with("partition", "standby")
        .await
        .expect("partition");
    tokio::time::sleep(Duration::from_secs(10)).await;
    mark("standby SIGCONTed: it catches up".to_owned());
    in_blocking("heal").await.expect("heal");
    pause().await;
    mark("etcd down for 10 s: Patroni demotes the primary".to_owned());
    in_blocking("etcd-stop").await.expect("etcd-stop");
    tokio::time::sleep(Duration::from_secs(10)).await;
    mark("etcd back".to_owned());
    in_blocking("etcd-start").await.expect("etcd-start");
    pause().await;
    stop.store(true, Ordering::SeqCst);
    let warnings = |r: &Replica| -> Vec<String> {
        let log = r.log.lock().expect("log");
        log.iter()
            .filter(|l| l.contains("WARN") || l.contains("ERROR"))
            .cloned()
            .collect()
    };
    for worker in workers {
        if let Err(e) = worker.await {
            panic!(
                "a worker failed: {e:?}\nreplica a: {:#?}\nreplica b: {:#?}",
                warnings(&a),
                warnings(&b)
            );
        }
    }
    let late = late.await.expect("the late replica's start");

    let seen = std::mem::take(&mut *sender.seen.lock().expect("seen"));
    let on_a = listed(&client, &a.base, &token).await;
    let on_b = listed(&client, &b.base, &token).await;
    let on_late = listed(&client, &late.base, &token).await;
    assert_eq!(on_a, on_b, "both replicas see one store");
    assert_eq!(
        on_a, on_late,
        "the replica started during the outage serves the same store"
    );
    assert!(
        seen.refused.is_empty(),
        "no change was refused (a retried create that found its own account would be): {:?}\nerrors logged: {:?} {:?}",
        seen.refused,
        warnings(&a),
        warnings(&b)
    );
    let (mut made, mut unknown) = (0, 0);
    for (user, account) in &seen.accounts {
        if !account.certain() {
            unknown += 1;
            continue;
        }
        made += 1;
        let expected = match (account.created, account.removed) {
            (Some(Answer::Made), None) => account.maxpop.as_ref().map(|m| m.0.as_str()),
            _ => None,
        };
        match expected {
            Some(maxpop) => assert_eq!(
                on_a.get(user).map(String::as_str),
                Some(maxpop),
                "{user}: acknowledged as made with MAXPOP {maxpop}"
            ),
            None if account.created == Some(Answer::Made) && account.maxpop.is_none() => {
                assert!(on_a.contains_key(user), "{user}: acknowledged as made");
            }
            None => assert!(!on_a.contains_key(user), "{user}: acknowledged as removed"),
        }
    }
    assert!(made > 0, "changes were made");
    assert!(
        logged(&a, "the store is available again") + logged(&b, "the store is available again") > 0,
        "the end of the outage is logged"
    );
    let show = |w: Option<(Duration, Duration)>| match w {
        Some((first, last)) => format!(
            "503s from {:.1} s to {:.1} s: {:.1} s",
            first.as_secs_f64(),
            last.as_secs_f64(),
            (last - first).as_secs_f64()
        ),
        None => "no 503".to_owned(),
    };
    eprintln!(
        "failover test: {made} accounts with every change acknowledged and checked, {unknown} with an outcome reported unknown, {} 503s retried",
        seen.unavailable.len()
    );
    mark("end".to_owned());
    for pair in phases.windows(2) {
        let ((name, from), (_, to)) = (&pair[0], &pair[1]);
        eprintln!(
            "at {:.1} s, {name}: {}",
            from.as_secs_f64(),
            show(window(&seen.unavailable, *from, *to))
        );
    }
    // An outage is logged when it starts and ends, not per refused call: a few starts per
    // fault (the store can answer the probe between two refusals), against hundreds of 503s.
    let faults = phases.len() - 1;
    for (name, r) in [("a", &a), ("b", &b)] {
        let began = logged(r, "the store is unavailable");
        eprintln!("replica {name} logged {began} outage starts for {faults} faults");
        assert!(
            began <= 3 * faults && began < seen.unavailable.len(),
            "replica {name} logged {began} outage starts: an outage is logged once, not per call"
        );
    }
}
