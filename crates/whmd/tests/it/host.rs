//! Provisioning through the HTTP API: a server with `--provision linux` on a throwaway host
//! (see `whmd_host::sandbox`), whose functions make, change and remove real system users and
//! homes and report what they did.

use crate::accounts::{create, v1};
use crate::harness::{Server, basic};
use std::os::unix::fs::MetadataExt as _;
use std::path::Path;
use whmd::config::Provision;
use whmd_host::sandbox::{Place, count, enter, entry};

async fn provisioned() -> Server {
    Server::start_local(|c| {
        c.host.provision = Provision::Linux;
        c.host.state = c.data_dir.join("host");
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
            "hostname = \"whmd.test\"\nprovision = \"linux\"\nhost_state = \"{}\"\n",
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
    })
    .await;
    let reply = create(&server, "slowpoke", "").await;
    let log = raw(&reply);
    assert!(log.contains("on the host...pending"), "{log}");
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
