//! A live BIND serving what whmd writes: named runs on free loopback ports with a config that
//! includes whmd's zone statements, whmd reloads it with rndc after each change, and dig asks
//! it what it serves. `.ci/run` installs BIND (bind9, bind9-utils, bind9-dnsutils) and sets
//! `WHMD_REQUIRE_BIND`; elsewhere the test says it is skipped when BIND is missing.

use crate::accounts::{create, v1};
use crate::harness::Server;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// BIND's programs, where they are installed.
struct Bind {
    named: PathBuf,
    rndc: PathBuf,
    keygen: PathBuf,
    dig: PathBuf,
    checkzone: PathBuf,
}

fn find(name: &str) -> Option<PathBuf> {
    ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"]
        .iter()
        .map(|dir| Path::new(dir).join(name))
        .find(|path| path.exists())
}

fn bind() -> Option<Bind> {
    let found = (|| {
        Some(Bind {
            named: find("named")?,
            rndc: find("rndc")?,
            keygen: find("tsig-keygen")?,
            dig: find("dig")?,
            checkzone: find("named-checkzone")?,
        })
    })();
    if found.is_none() {
        assert!(
            std::env::var_os("WHMD_REQUIRE_BIND").is_none(),
            "WHMD_REQUIRE_BIND is set but BIND is not installed"
        );
        eprintln!("BIND is not installed; the live DNS test is skipped");
    }
    found
}

/// A loopback port free for TCP and for UDP alike: named listens on both for DNS, and rndc's
/// control channel is TCP (a port free for UDP alone may be a TCP listener's).
fn free_port() -> u16 {
    loop {
        let tcp = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        let port = tcp.local_addr().expect("address").port();
        if std::net::UdpSocket::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// A named process on loopback, stopped when dropped.
struct Named {
    child: Child,
    port: u16,
    _dir: TempDir,
}

impl Drop for Named {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn named_serves_exactly_the_zones_whmd_keeps() {
    let Some(bind) = bind() else { return };
    let dir = TempDir::new().expect("temporary directory");
    let zones = dir.path().join("zones");
    let key = dir.path().join("rndc.key");
    let made = Command::new(&bind.keygen)
        .args(["-a", "hmac-sha256", "rndc-key"])
        .output()
        .expect("tsig-keygen runs");
    std::fs::write(&key, &made.stdout).expect("key written");
    let control = free_port();
    let reload = format!(
        "{} -s 127.0.0.1 -p {control} -k {} reload",
        bind.rndc.display(),
        key.display()
    );
    let server = Server::start_configured(|config| {
        config.zone_dir = Some(zones.clone());
        config.dns_reload = Some(reload.split(' ').map(str::to_owned).collect());
    })
    .await;
    let include = zones.join("whmd-zones.conf");
    wait_until("whmd writes its zone statements", || include.exists()).await;
    let named = start_named(&bind, dir, &key, control, &include).await;

    create(&server, "bindacct", "").await;
    let zone = "bindacct.example.com";
    answers(&bind, &named, zone, "A", "127.0.0.1").await;
    answers(
        &bind,
        &named,
        &format!("www.{zone}"),
        "CNAME",
        "bindacct.example.com.",
    )
    .await;
    answers(
        &bind,
        &named,
        &format!("mail.{zone}"),
        "CNAME",
        "bindacct.example.com.",
    )
    .await;
    answers(&bind, &named, zone, "MX", "0 bindacct.example.com.").await;

    let (result, _, reply) = v1(&server, "addzonerecord", &format!("domain={zone}&name=txt&type=TXT&txtdata=say%20%22hi%22%3B%20%24INCLUDE%20%2Fetc%2Fpasswd")).await;
    assert_eq!(result, 1, "{reply}");
    assert!(
        reply["metadata"]["reason"]
            .as_str()
            .expect("reason")
            .starts_with("Bind reloading on"),
        "{reply}"
    );
    answers(
        &bind,
        &named,
        &format!("txt.{zone}"),
        "TXT",
        r#""say \"hi\"; $INCLUDE /etc/passwd""#,
    )
    .await;
    let (result, _, reply) = v1(
        &server,
        "addzonerecord",
        &format!("domain={zone}&name=ip6&type=AAAA&address=2001:db8::1"),
    )
    .await;
    assert_eq!(result, 1, "{reply}");
    answers(&bind, &named, &format!("ip6.{zone}"), "AAAA", "2001:db8::1").await;
    let (result, _, reply) = v1(
        &server,
        "addzonerecord",
        &format!("domain={zone}&name=%40&type=CAA&flag=0&tag=issue&value=letsencrypt.org"),
    )
    .await;
    assert_eq!(result, 1, "{reply}");
    answers(&bind, &named, zone, "CAA", r#"0 issue "letsencrypt.org""#).await;

    for file in std::fs::read_dir(&zones).expect("zone directory") {
        let path = file.expect("entry").path();
        let Some(name) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".db"))
        else {
            continue;
        };
        let checked = Command::new(&bind.checkzone)
            .args(["-q", "-k", "fail", "-n", "fail", name])
            .arg(&path)
            .status()
            .expect("named-checkzone runs");
        assert!(
            checked.success(),
            "{} fails named-checkzone",
            path.display()
        );
    }

    let (result, _, _) = v1(&server, "removeacct", "user=bindacct").await;
    assert_eq!(result, 1);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let out = dig(&bind, &named, zone, "SOA", false);
        if out.contains("status: REFUSED") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "named still serves {zone}: {out}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn start_named(bind: &Bind, dir: TempDir, key: &Path, control: u16, include: &Path) -> Named {
    let port = free_port();
    let root = dir.path();
    let config = root.join("named.conf");
    std::fs::write(
        &config,
        format!(
            r#"options {{
    directory "{root}";
    pid-file "{root}/named.pid";
    session-keyfile "{root}/session.key";
    listen-on port {port} {{ 127.0.0.1; }};
    listen-on-v6 {{ none; }};
    recursion no;
    dnssec-validation no;
}};
include "{key}";
controls {{ inet 127.0.0.1 port {control} allow {{ 127.0.0.1; }} keys {{ "rndc-key"; }}; }};
include "{include}";
"#,
            root = root.display(),
            key = key.display(),
            include = include.display(),
        ),
    )
    .expect("named.conf written");
    let log = std::fs::File::create(root.join("named.log")).expect("log");
    let child = Command::new(&bind.named)
        .args(["-g", "-n", "1", "-c"])
        .arg(&config)
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("named starts");
    let named = Named {
        child,
        port,
        _dir: dir,
    };
    let status = |bind: &Bind| {
        Command::new(&bind.rndc)
            .args(["-s", "127.0.0.1", "-p", &control.to_string(), "-k"])
            .arg(key)
            .arg("status")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while !status(bind) {
        if Instant::now() > deadline {
            let log =
                std::fs::read_to_string(named._dir.path().join("named.log")).unwrap_or_default();
            panic!("named did not start:\n{log}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    named
}

fn dig(bind: &Bind, named: &Named, name: &str, kind: &str, short: bool) -> String {
    let mut command = Command::new(&bind.dig);
    command.args([
        "@127.0.0.1",
        "-p",
        &named.port.to_string(),
        "+norecurse",
        "+time=2",
        "+tries=1",
        name,
        kind,
    ]);
    if short {
        command.arg("+short");
    }
    let out = command.output().expect("dig runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Waits until named answers `name`/`kind` with exactly `expected` (reloads take a moment).
async fn answers(bind: &Bind, named: &Named, name: &str, kind: &str, expected: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let out = dig(bind, named, name, kind, true);
        if out.trim() == expected {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{name} {kind}: wanted {expected}, named says {out:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn wait_until(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
