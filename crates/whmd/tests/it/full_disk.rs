//! A full disk under the embedded store: clear errors, no partial writes, and recovery once
//! there is room again. It mounts a small tmpfs, so it runs only where the tests may mount
//! (as root, as in CI); elsewhere it says so and passes.

use crate::harness::Server;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A tmpfs mounted for one test, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(size: &str) -> Option<Self> {
        let dir = tempfile::Builder::new()
            .prefix("whmd-full")
            .tempdir_in("/tmp")
            .ok()?
            .keep();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&dir)
            .output()
            .is_ok_and(|o| o.status.success());
        ok.then(|| Self(dir))
    }

    fn resize(&self, size: &str) {
        let out = Command::new("mount")
            .args(["-o", &format!("remount,size={size}")])
            .arg(&self.0)
            .output();
        assert!(out.is_ok_and(|o| o.status.success()), "remount");
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).output();
        let _ = std::fs::remove_dir(&self.0);
    }
}

#[tokio::test]
async fn a_full_disk_refuses_writes_cleanly_and_recovers() {
    if std::env::var("WHMD_TEST_STORE").as_deref() == Ok("postgres") {
        return; // the store is not on this disk then
    }
    let Some(fs) = Tmpfs::mount("3m") else {
        eprintln!("cannot mount a tmpfs here; full-disk check skipped");
        return;
    };
    let data = tempfile::tempdir_in(fs.path()).expect("a data dir on the small disk");
    let server = Server::start_in_dir(data).await;
    let padding = "p".repeat(60_000);
    let auth = server.root_auth();
    let post = |function: &str, body: String| {
        server.send(
            reqwest::Method::POST,
            server.http(&format!("/json-api/{function}")),
            Some(&auth),
            None,
            Some(body.into_bytes()),
        )
    };
    // Small accounts, each made big by a modifyacct that puts the padding in its cpuser,
    // until one of the two writes is refused.
    let (mut acknowledged, mut refused) = (Vec::new(), None);
    for i in 0..400 {
        let user = format!("f{i:03}");
        let created = post(
            "createacct",
            format!("api.version=1&username={user}&domain={user}.example.com&password=Pw-{i}-x1"),
        )
        .await;
        if created.status != 200 || created.json()["metadata"]["result"] != 1 {
            refused = Some((created.status, created.text, None));
            break;
        }
        acknowledged.push(user.clone());
        let modified = post(
            "modifyacct",
            format!("api.version=1&user={user}&note={padding}"),
        )
        .await;
        if modified.status != 200 || modified.json()["metadata"]["result"] != 1 {
            refused = Some((modified.status, modified.text, Some(user)));
            break;
        }
    }
    let (status, text, unmodified) = refused.expect("the disk fills up");
    assert!(
        status == 503 || status == 200,
        "a clear error, not {status}: {text}"
    );
    let body: Value = serde_json::from_str(&text).expect("a WHM envelope");
    assert_eq!(body["metadata"]["result"], 0, "{body}");
    if let Some(user) = unmodified {
        let summary = server
            .call("accountsummary", &format!("api.version=1&user={user}"))
            .await;
        assert_eq!(summary["metadata"]["result"], 1, "{summary}");
        let listed = server
            .call(
                "listaccts",
                &format!("api.version=1&search={user}&searchtype=user&searchmethod=exact"),
            )
            .await;
        assert!(
            !listed.to_string().contains(&padding),
            "the refused modifyacct changed nothing"
        );
    }

    fs.resize("64m");
    let mut back = false;
    for _ in 0..20 {
        let again = server
            .call(
                "createacct",
                "api.version=1&username=afterfull&domain=afterfull.example.com&password=Pw-after-1",
            )
            .await;
        if again["metadata"]["result"] == 1 {
            back = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(back, "writes succeed again once there is room");
    let users = server.users().await;
    for user in &acknowledged {
        assert!(users.contains(user), "{user} was acknowledged and is kept");
    }
    assert_eq!(
        users.len(),
        acknowledged.len() + 1,
        "a refused create left nothing: {users:?}"
    );
}
