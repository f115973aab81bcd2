//! Long list replies are written as they are read. A client that stops reading part-way
//! holds the server to what the connection has in flight: whmd's memory does not grow with
//! the rest of the reply, and the reply is whole once the client reads on.

use std::path::Path;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};
use whmd_domain::account::Account;
use whmd_domain::store::snapshot::Snapshot;
use whmd_store_sqlite::SqliteStore;

const ACCOUNTS: u32 = 40_000;

/// An account with a full cpuser file, as createacct writes one.
fn account(i: u32) -> Account {
    let user = format!("s{i:06}");
    let cpuser = [
        ("BACKUP", "1"),
        ("BWLIMIT", "unlimited"),
        ("CONTACTEMAIL", "owner@example.net"),
        ("DEMO", "0"),
        ("DNS", "example.com"),
        ("FEATURELIST", "default"),
        ("HASCGI", "1"),
        ("LANG", "en"),
        ("LOCALE", "en"),
        ("MAXADDON", "unlimited"),
        ("MAXFTP", "unlimited"),
        ("MAXLST", "unlimited"),
        ("MAXPARK", "unlimited"),
        ("MAXPOP", "unlimited"),
        ("MAXSQL", "unlimited"),
        ("MAXSUB", "unlimited"),
        ("MAX_EMAIL_PER_HOUR", "unlimited"),
        ("MAX_DEFER_FAIL_PERCENTAGE", "unlimited"),
        ("MAX_EMAILACCT_QUOTA", "unlimited"),
        ("MAILBOX_FORMAT", "maildir"),
        ("RS", "jupiter"),
        ("STARTDATE", "1700000000"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    Account {
        domain: format!("{user}.example.com"),
        owner: "root".to_owned(),
        plan: "default".to_owned(),
        ip: "192.0.2.1".to_owned(),
        uid: 10_000 + i,
        homedir: format!("/home/{user}"),
        shell: "/bin/bash".to_owned(),
        quota_mb: None,
        suspension: None,
        reseller: None,
        cpuser,
        domains: vec![],
        dead_domains: vec![],
        homedir_links: vec![],
        host: String::new(),
        mtime: 1_700_000_000,
        revision: 0,
        user,
    }
}

async fn seed(data_dir: &Path) {
    let url = format!("sqlite://{}", data_dir.join("whmd.db").display());
    let store = SqliteStore::open(&url).await.expect("the store");
    let snapshot = Snapshot {
        accounts: (0..ACCOUNTS).map(account).collect(),
        ..Snapshot::default()
    };
    store
        .stores()
        .snapshot
        .import(&snapshot)
        .await
        .expect("seeded");
    store.close().await;
}

/// `whmd serve` on plain HTTP on a free port: the process and its address.
async fn serve(data_dir: &Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_whmd"))
        .args([
            "serve",
            "--https",
            "off",
            "--http",
            "127.0.0.1:0",
            "--hostname",
            "whmd.test",
        ])
        .arg("--data-dir")
        .arg(data_dir)
        .env("WHMD_LOG", "info")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("whmd serve starts");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let addr = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.expect("stderr") {
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
        panic!("whmd serve exited before listening");
    })
    .await
    .expect("whmd serve listens within 30 s");
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, addr)
}

/// The resident memory of a process, in bytes.
fn rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .expect("VmRSS")
        * 1024
}

async fn request(addr: &str, token: &str, query: &str) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "GET /json-api/listaccts?{query} HTTP/1.1\r\nHost: x\r\nAuthorization: whm root:{token}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.expect("send");
    stream
}

#[tokio::test]
async fn a_reader_that_stops_does_not_make_the_server_hold_the_reply() {
    let dir = tempfile::tempdir().expect("tempdir");
    seed(dir.path()).await;
    let (child, addr) = serve(dir.path()).await;
    let pid = child.id().expect("a pid");
    let token = std::fs::read_to_string(dir.path().join("root.token")).expect("root.token");
    let token = token.trim();
    // Warm up with one whole listing read at once: the store's page caches and the
    // allocator's pools are then as large as a listing makes them.
    let mut first = request(&addr, token, "api.version=1").await;
    let mut answer = Vec::new();
    first.read_to_end(&mut answer).await.expect("read");
    assert!(String::from_utf8_lossy(&answer).contains("s000001.example.com"));
    let before = rss(pid);

    let mut slow = request(&addr, token, "api.version=1").await;
    let mut got = vec![0; 16 * 1024];
    slow.read_exact(&mut got)
        .await
        .expect("the start of the reply");
    let mut peak = 0;
    for _ in 0..20 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        peak = peak.max(rss(pid));
    }
    let grown = peak.saturating_sub(before);

    slow.read_to_end(&mut got)
        .await
        .expect("the rest, once read");
    let text = String::from_utf8_lossy(&got);
    let body = &text[text.find("\r\n\r\n").expect("a head") + 4..];
    assert!(text.starts_with("HTTP/1.1 200"), "{}", &text[..200]);
    assert!(
        text.to_ascii_lowercase()
            .contains("transfer-encoding: chunked")
    );
    let whole = dechunk(body);
    let reply: serde_json::Value = serde_json::from_slice(&whole).expect("a whole JSON reply");
    let records = reply["data"]["acct"].as_array().expect("records");
    assert_eq!(records.len(), ACCOUNTS as usize);
    assert_eq!(records[12_345]["user"], "s012345");
    // The reply is tens of megabytes; the server held a few pieces of it at most.
    let size = whole.len() as u64;
    assert!(size > 30 << 20, "the reply is {size} bytes");
    eprintln!("whmd grew by {grown} bytes while a {size}-byte reply waited");
    assert!(
        grown < size / 4,
        "whmd grew by {grown} bytes while a {size}-byte reply waited for its reader"
    );
}

/// The body of a chunked reply.
fn dechunk(mut body: &str) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let (size, rest) = body.split_once("\r\n").expect("a chunk size");
        let size = usize::from_str_radix(size.trim(), 16).expect("hex");
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&rest.as_bytes()[..size]);
        body = &rest[size + 2..];
    }
}
