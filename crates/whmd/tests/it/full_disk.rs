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
    let (mut acknowledged, mut refused) = (Vec::new(), None);
    for i in 0..400 {
        let body = format!(
            "api.version=1&username=f{i:03}&domain=f{i:03}.example.com&password=Pw-{i}-x1&note={padding}"
        );
        let created = server
            .send(
                reqwest::Method::POST,
                server.http("/json-api/createacct"),
                Some(&server.root_auth()),
                None,
                Some(body.into_bytes()),
            )
            .await;
        if created.status == 200 && created.json()["metadata"]["result"] == 1 {
            acknowledged.push(format!("f{i:03}"));
            // The padding lands in cpuser via modifyacct, which makes each account big.
            let user = format!("f{i:03}");
            let modify = format!("api.version=1&user={user}&note={padding}");
            let _ = server
                .send(
                    reqwest::Method::POST,
                    server.http("/json-api/modifyacct"),
                    Some(&server.root_auth()),
                    None,
                    Some(modify.into_bytes()),
                )
                .await;
            continue;
        }
        refused = Some((created.status, created.text));
        break;
    }
    let (status, text) = refused.expect("the disk fills up");
    assert!(
        status == 503 || status == 200,
        "a clear error, not {status}: {text}"
    );
    let body: Value = serde_json::from_str(&text).expect("a WHM envelope");
    assert_eq!(body["metadata"]["result"], 0, "{body}");

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
    let listed = server.call("listaccts", "api.version=1&want=user").await;
    let users: Vec<&str> = listed["data"]["acct"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|a| a["user"].as_str())
        .collect();
    for user in &acknowledged {
        assert!(
            users.contains(&user.as_str()),
            "{user} was acknowledged and is kept"
        );
    }
    assert_eq!(
        users.len(),
        acknowledged.len() + 1,
        "the refused create left nothing: {users:?}"
    );
}
