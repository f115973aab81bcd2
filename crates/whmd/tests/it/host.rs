//! Provisioning through the HTTP API: a server with `--provision linux` on a throwaway host
//! (see `whmd_host::sandbox`), whose functions make, change and remove real system users and
//! homes and report what they did.

use crate::accounts::{create, v1};
use crate::harness::{Server, basic};
use std::os::unix::fs::MetadataExt as _;
use std::path::Path;
use whmd::config::Provision;
use whmd_host::sandbox::{Place, btrfs_home, count, enter, entry, have, unmount};

async fn provisioned() -> Server {
    Server::start_local(|c| {
        c.host.provision = Provision::Linux;
        c.host.state = c.data_dir.join("host");
        c.host.web = None;
    })
    .await
}

fn raw(reply: &serde_json::Value) -> String {
    reply["metadata"]["output"]["raw"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// What `whmd host status` prints for the server's data directory.
fn host_status(server: &Server) -> String {
    let dir = server.dir.path();
    std::fs::write(
        dir.join("whmd.toml"),
        format!(
            "hostname = \"whmd.test\"\nprovision = \"linux\"\nweb = \"none\"\nhost_state = \"{}\"\n",
            dir.join("host").display()
        ),
    )
    .expect("config");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_whmd"))
        .args(["host", "status", "--data-dir"])
        .arg(dir)
        .output()
        .expect("whmd runs");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn owner_and_mode(path: &str) -> (u32, u32, u32) {
    let m = std::fs::symlink_metadata(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    (m.uid(), m.gid(), m.mode() & 0o7777)
}

#[tokio::test]
async fn accounts_become_system_users_through_the_api() {
    if let Place::Done = enter("host::accounts_become_system_users_through_the_api") {
        return;
    }
    let server = provisioned().await;
    // A reseller, so that its password also opens WHM.
    let reply = create(&server, "webby", "&reseller=1").await;
    let log = raw(&reply);
    for step in [
        "Adding the group webby...Done",
        "Adding User webby...Done",
        "Setting up /home/webby...Done",
        "Setting the password of webby...Done",
    ] {
        assert!(log.contains(step), "{step} in {log}");
    }
    let numeric = server
        .store()
        .await
        .accounts
        .account("webby")
        .await
        .expect("read")
        .expect("stored")
        .uid;
    let uid = numeric.to_string();
    assert_eq!(
        entry("/etc/passwd", "webby").expect("a system user")[2],
        uid
    );
    assert_eq!(owner_and_mode("/home/webby"), (numeric, numeric, 0o711));
    let stored = || async {
        server
            .store()
            .await
            .credentials
            .password_hash("webby")
            .await
            .expect("read")
            .expect("a hash")
    };
    assert_eq!(
        entry("/etc/shadow", "webby").expect("shadow")[1],
        stored().await
    );

    // `whmd host status` reads the same; a user deleted behind whmd's back shows as pending,
    // and the next change (or pass) makes it again.
    assert_eq!(
        host_status(&server),
        format!("webby (uid {uid}): converged\n")
    );
    let deleted = std::process::Command::new("userdel")
        .arg("webby")
        .status()
        .expect("userdel");
    assert!(deleted.success());
    let pending = host_status(&server);
    assert!(
        pending.starts_with(&format!("webby (uid {uid}): pending: "))
            && pending.contains("Adding User webby"),
        "{pending}"
    );

    // passwd: the new hash reaches /etc/shadow, and it verifies at login.
    let (result, _, reply) = v1(&server, "passwd", "user=webby&password=Other-pass-42").await;
    assert_eq!(result, 1, "{reply}");
    assert!(
        raw(&reply).contains("Setting the password of webby...Done"),
        "{reply}"
    );
    assert_eq!(
        entry("/etc/shadow", "webby").expect("shadow")[1],
        stored().await
    );
    assert_eq!(
        server.login_status(&basic("webby", "Other-pass-42")).await,
        200
    );

    // Suspension locks the system user; unsuspension opens it again.
    let (result, _, reply) = v1(&server, "suspendacct", "user=webby&reason=unpaid").await;
    assert_eq!(result, 1, "{reply}");
    assert!(
        raw(&reply).contains("Locking the password of webby...Done"),
        "{reply}"
    );
    assert!(entry("/etc/shadow", "webby").expect("shadow")[1].starts_with('!'));
    v1(&server, "unsuspendacct", "user=webby").await;
    assert_eq!(
        entry("/etc/shadow", "webby").expect("shadow")[1],
        stored().await
    );

    // A rename keeps the uid; the home follows.
    let (result, _, reply) = v1(&server, "modifyacct", "user=webby&newuser=webber").await;
    assert_eq!(result, 1, "{reply}");
    assert!(
        raw(&reply).contains("Renaming User webby to webber...Done"),
        "{reply}"
    );
    assert_eq!(entry("/etc/passwd", "webber").expect("renamed")[2], uid);
    assert!(entry("/etc/passwd", "webby").is_none());
    assert!(Path::new("/home/webber/public_html").is_dir() && !Path::new("/home/webby").exists());

    // Names the host holds are taken; homes must lie below a home root.
    let made = std::process::Command::new("useradd")
        .args(["-M", "localone"])
        .status()
        .expect("useradd");
    assert!(made.success());
    let checked = server
        .call("validate_system_user", "api.version=1&user=localone")
        .await;
    assert_eq!(checked["data"]["exists"], 1, "{checked}");
    let (result, reason, _) = v1(&server, "verify_new_username", "user=localone").await;
    assert_eq!(result, 0, "{reason}");
    let (result, reason, _) = v1(
        &server,
        "createacct",
        "username=elsewhere&domain=elsewhere.example.com&password=Secret-else-1&homedir=/srv/elsewhere",
    )
    .await;
    assert_eq!(result, 0);
    assert!(reason.contains("home roots (/home)"), "{reason}");
    assert!(entry("/etc/passwd", "elsewhere").is_none());

    // Removal takes user, group and home.
    let (result, _, reply) = v1(&server, "removeacct", "user=webber").await;
    assert_eq!(result, 1, "{reply}");
    assert!(
        raw(&reply).contains("Removing User webber...Done"),
        "{reply}"
    );
    assert_eq!(
        count("/etc/passwd", "webber") + count("/etc/group", "webber"),
        0
    );
    assert!(!Path::new("/home/webber").exists());
}

#[tokio::test]
async fn an_answer_that_cannot_wait_says_pending_and_the_host_catches_up() {
    if let Place::Done =
        enter("host::an_answer_that_cannot_wait_says_pending_and_the_host_catches_up")
    {
        return;
    }
    let server = Server::start_local(|c| {
        c.host.provision = Provision::Linux;
        c.host.state = c.data_dir.join("host");
        c.host.wait = std::time::Duration::ZERO;
        c.host.web = None;
    })
    .await;
    let reply = create(&server, "slowpoke", "").await;
    let log = raw(&reply);
    assert!(
        log.contains("Converging slowpoke on the host...pending"),
        "{log}"
    );
    assert!(
        !log.contains("Adding User"),
        "never Done while pending: {log}"
    );
    let warnings = reply["metadata"]["output"]["warnings"].to_string();
    assert!(warnings.contains("still converging"), "{warnings}");
    // The work goes on after the answer.
    for _ in 0..200 {
        if entry("/etc/passwd", "slowpoke").is_some() && Path::new("/home/slowpoke/www").exists() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the host never converged slowpoke");
}

async fn uid_of(server: &Server, user: &str) -> u32 {
    server
        .store()
        .await
        .accounts
        .account(user)
        .await
        .expect("read")
        .expect("stored")
        .uid
}

/// Debian's Apache and PHP-FPM, started inside the sandbox with whmd's include line and
/// `proxy_fcgi` enabled, as the README's set-up does.
fn start_web_servers() -> whmd_host::Web {
    let run = |cmd: &str| {
        let status = std::process::Command::new("sh")
            .args(["-c", cmd])
            .status()
            .expect("sh");
        assert!(status.success(), "{cmd}");
    };
    run("a2enmod -q proxy_fcgi >/dev/null");
    run(
        "echo 'IncludeOptional /etc/apache2/whmd/sites/*.conf' > /etc/apache2/conf-enabled/whmd.conf",
    );
    run("php-fpm8.2 -D");
    run("apache2ctl start 2>/dev/null");
    whmd_host::Web {
        web_reload: vec!["apache2ctl".into(), "graceful".into()],
        php_reload: vec![
            "sh".into(),
            "-c".into(),
            "kill -USR2 $(cat /run/php/php8.2-fpm.pid)".into(),
        ],
        ..whmd_host::Web::debian()
    }
}

/// GETs `path` from Apache on 127.0.0.1:80 as `host`, until `done` holds (a reload takes a
/// moment to reach every worker) or five seconds pass; the last answer.
async fn page(host: &str, path: &str, done: impl Fn(u16, &str) -> bool) -> (u16, String) {
    let client = reqwest::Client::new();
    let mut last = (0, String::new());
    for _ in 0..100 {
        if let Ok(r) = client
            .get(format!("http://127.0.0.1{path}"))
            .header("Host", host)
            .send()
            .await
        {
            let status = r.status().as_u16();
            last = (status, r.text().await.unwrap_or_default());
            if done(last.0, &last.1) {
                break;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    last
}

fn put_page(user: &str, name: &str, text: &str) {
    let path = format!("/home/{user}/public_html/{name}");
    std::fs::write(&path, text).expect("a page");
    let status = std::process::Command::new("chown")
        .args([&format!("{user}:{user}"), &path])
        .status()
        .expect("chown");
    assert!(status.success());
}

#[tokio::test]
async fn sites_are_served_with_php_as_their_account() {
    let installed = ["/usr/sbin/apache2", "/usr/sbin/php-fpm8.2"]
        .iter()
        .all(|p| Path::new(p).exists());
    if !installed {
        assert!(
            std::env::var_os("WHMD_REQUIRE_HOST_TESTS").is_none(),
            "the site tests need Debian's apache2 and php8.2-fpm"
        );
        eprintln!("skipped: apache2 or php8.2-fpm is not installed");
        return;
    }
    if let Place::Done = enter("host::sites_are_served_with_php_as_their_account") {
        return;
    }
    let web = start_web_servers();
    let server = Server::start_local(|c| {
        c.host.provision = Provision::Linux;
        c.host.state = c.data_dir.join("host");
        c.host.web = Some(web);
    })
    .await;
    let log = raw(&create(&server, "alice", "").await);
    for step in [
        "Writing the web server entries for alice.example.com...Done",
        "Testing the web server and PHP-FPM configuration...Done",
        "Reloading PHP-FPM...Done",
        "Reloading the web server...Done",
    ] {
        assert!(log.contains(step), "{step} in {log}");
    }
    create(&server, "bob", "").await;
    put_page("alice", "index.html", "alice's page\n");
    put_page(
        "alice",
        "id.php",
        "<?php echo 'php as ', posix_getpwuid(posix_geteuid())['name'];",
    );
    put_page(
        "bob",
        "peek.php",
        "<?php echo @file_get_contents('/home/alice/public_html/index.html') === false ? 'denied' : 'read';",
    );
    put_page("bob", "index.html", "bob's page\n");
    let served =
        |status: u16, body: &str| status == 200 && !body.contains("Apache2 Debian Default Page");
    for host in ["alice.example.com", "www.alice.example.com"] {
        assert_eq!(
            page(host, "/", served).await,
            (200, "alice's page\n".into()),
            "{host}"
        );
    }
    assert_eq!(
        page("alice.example.com", "/id.php", served).await.1,
        "php as alice"
    );
    assert_eq!(
        page("bob.example.com", "/peek.php", served).await.1,
        "denied",
        "bob cannot read alice's files"
    );

    // Suspension: 503 and no PHP pool; unsuspension brings both back.
    let (result, _, reply) = v1(&server, "suspendacct", "user=alice").await;
    assert_eq!(result, 1, "{reply}");
    assert!(raw(&reply).contains("Reloading PHP-FPM...Done"), "{reply}");
    assert_eq!(page("alice.example.com", "/", |s, _| s == 503).await.0, 503);
    assert_eq!(
        page("alice.example.com", "/id.php", |s, _| s == 503)
            .await
            .0,
        503
    );
    // No PHP of the account's runs: its pool (and socket) go once PHP-FPM has reloaded.
    let mut gone = false;
    for _ in 0..100 {
        gone = !Path::new("/run/php/whmd-alice.sock").exists();
        if gone {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(gone, "the suspended account's PHP-FPM pool is gone");
    let pool = format!(
        "/etc/php/8.2/fpm/pool.d/whmd-{}.conf",
        uid_of(&server, "alice").await
    );
    assert!(!Path::new(&pool).exists(), "{pool}");
    v1(&server, "unsuspendacct", "user=alice").await;
    assert_eq!(
        page("alice.example.com", "/id.php", served).await,
        (200, "php as alice".into())
    );

    // A change whose configuration fails the test is undone, and every site keeps serving.
    let mine = "/etc/apache2/whmd/userdata/alice/alice.example.org";
    std::fs::create_dir_all(mine).expect("userdata");
    std::fs::write(format!("{mine}/broken.conf"), "ThisIsNotADirective on\n").expect("broken");
    let (_, _, reply) = v1(&server, "modifyacct", "user=alice&domain=alice.example.org").await;
    let log = raw(&reply);
    assert!(
        log.contains("Testing the web server and PHP-FPM configuration...Failed")
            && log.contains("the previous files are back"),
        "{log}"
    );
    assert!(
        reply["metadata"]["output"]["warnings"]
            .to_string()
            .contains("could not converge alice"),
        "{reply}"
    );
    assert_eq!(
        page("alice.example.com", "/", served).await,
        (200, "alice's page\n".into())
    );
    assert_eq!(
        page("bob.example.com", "/", served).await,
        (200, "bob's page\n".into())
    );
    // Once the administrator's file is fixed, the next change (or pass) moves the site.
    std::fs::remove_file(format!("{mine}/broken.conf")).expect("fixed");
    let (_, _, reply) = v1(&server, "passwd", "user=alice&password=Another-pass-9").await;
    assert!(
        raw(&reply).contains("Writing the web server entries for alice.example.org...Done"),
        "{reply}"
    );
    assert_eq!(
        page("alice.example.org", "/", served).await,
        (200, "alice's page\n".into())
    );
    assert_ne!(
        page("alice.example.com", "/", |_, b| !b.contains("alice's"))
            .await
            .1,
        "alice's page\n"
    );

    // Removal takes the site away; the other stays.
    let (_, _, reply) = v1(&server, "removeacct", "user=bob").await;
    assert!(
        raw(&reply).contains("Removing the web server entries and PHP-FPM pool of bob...Done"),
        "{reply}"
    );
    assert_ne!(
        page("bob.example.com", "/", |_, b| !b.contains("bob's"))
            .await
            .1,
        "bob's page\n"
    );
    assert_eq!(
        page("www.alice.example.org", "/", served).await,
        (200, "alice's page\n".into())
    );
}

#[tokio::test]
async fn listaccts_reports_what_the_host_measured() {
    let server = Server::start().await;
    create(&server, "measured", "").await;
    create(&server, "unmeasured", "").await;
    let uid = uid_of(&server, "measured").await;
    server
        .store()
        .await
        .host
        .record_usage(
            &[whmd_domain::store::Usage {
                uid,
                disk_bytes: (5 << 20) + 12_345,
                inodes: 42,
            }],
            1,
        )
        .await
        .expect("record");
    let listed = server.call("listaccts", "api.version=1").await;
    let field = |user: &str, key: &str| {
        listed["data"]["acct"]
            .as_array()
            .and_then(|a| a.iter().find(|r| r["user"] == user))
            .map(|r| r[key].clone())
            .unwrap_or_default()
    };
    assert_eq!(field("measured", "diskused"), "5M");
    assert_eq!(field("measured", "inodesused"), 42);
    assert_eq!(field("unmeasured", "diskused"), "0M");
    assert_eq!(field("unmeasured", "inodesused"), 0);
    let summary = server
        .call("accountsummary", "api.version=1&user=measured")
        .await;
    assert_eq!(summary["data"]["acct"][0]["diskused"], "5M", "{summary}");
}

#[tokio::test]
async fn a_reload_that_fails_is_reported_and_tried_again() {
    if !Path::new("/usr/sbin/apache2").exists() || !Path::new("/usr/sbin/php-fpm8.2").exists() {
        assert!(std::env::var_os("WHMD_REQUIRE_HOST_TESTS").is_none());
        eprintln!("skipped: apache2 or php8.2-fpm is not installed");
        return;
    }
    if let Place::Done = enter("host::a_reload_that_fails_is_reported_and_tried_again") {
        return;
    }
    let flag = "/run/whmd-test-reload-fails";
    std::fs::write(flag, "").expect("flag");
    let reload = format!("test ! -e {flag}");
    let server = Server::start_local(|c| {
        c.host.provision = Provision::Linux;
        c.host.state = c.data_dir.join("host");
        c.host.web = Some(whmd_host::Web {
            web_reload: vec!["sh".into(), "-c".into(), reload.clone()],
            php_reload: vec!["sh".into(), "-c".into(), reload],
            ..whmd_host::Web::debian()
        });
    })
    .await;
    let reply = create(&server, "reloader", "").await;
    let log = raw(&reply);
    assert!(
        log.contains("Testing the web server and PHP-FPM configuration...Done"),
        "{log}"
    );
    assert!(log.contains("Reloading PHP-FPM...Failed"), "{log}");
    assert!(
        reply["metadata"]["output"]["warnings"]
            .to_string()
            .contains("could not converge reloader"),
        "{reply}"
    );
    // The tested files stay; the reload is due until it succeeds.
    let uid = uid_of(&server, "reloader").await;
    assert!(Path::new(&format!("/etc/apache2/whmd/sites/{uid}.conf")).exists());
    std::fs::remove_file(flag).expect("unflag");
    let (_, _, reply) = v1(&server, "passwd", "user=reloader&password=Fresh-pass-77").await;
    let log = raw(&reply);
    assert!(
        log.contains("Reloading PHP-FPM...Done") && log.contains("Reloading the web server...Done"),
        "{log}"
    );
}

/// On a btrfs /home with quotas on, createacct and editquota set the home's limit and say so.
#[tokio::test]
async fn quotas_are_set_through_the_api_on_btrfs() {
    if !have("mkfs.btrfs") {
        assert!(
            std::env::var_os("WHMD_REQUIRE_HOST_TESTS").is_none(),
            "the quota test needs btrfs-progs"
        );
        eprintln!("skipped: the quota test needs btrfs-progs");
        return;
    }
    if let Place::Done = enter("host::quotas_are_set_through_the_api_on_btrfs") {
        return;
    }
    let images = tempfile::tempdir().expect("tempdir");
    btrfs_home(&images.path().join("home.img"));
    let server = provisioned().await;
    let reply = create(&server, "quotaed", "&quota=10").await;
    assert!(
        raw(&reply).contains("Setting the disk quota of /home/quotaed to 10 MB...Done"),
        "{reply}"
    );
    let (result, _, reply) = v1(&server, "editquota", "user=quotaed&quota=20").await;
    assert_eq!(result, 1, "{reply}");
    assert!(
        raw(&reply).contains("Setting the disk quota of /home/quotaed to 20 MB...Done"),
        "{reply}"
    );
    let (result, _, reply) = v1(&server, "removeacct", "user=quotaed").await;
    assert_eq!(result, 1, "{reply}");
    assert!(!Path::new("/home/quotaed").exists());
    drop(server);
    unmount(Path::new("/home"));
}
