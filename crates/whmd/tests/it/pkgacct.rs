//! `whmd pkgacct`: an account as whmd stores it becomes the archive cPanel's pkgacct writes,
//! which GNU tar opens and whmd's reader takes back.

use crate::accounts::{create, v1};
use crate::harness::Server;
use std::os::unix::fs::PermissionsExt;
use whmd_archive::{Home, inspect};

#[tokio::test]
async fn an_account_is_packed_in_cpanels_layout() {
    let server = Server::start().await;
    create(
        &server,
        "packer",
        "&plan=default&contactemail=p@example.net",
    )
    .await;
    let (result, _, reply) = v1(&server, "suspendacct", "user=packer&reason=unpaid").await;
    assert_eq!(result, 1, "{reply}");
    let dir = tempfile::tempdir().expect("tempdir");
    let flags = server.store_flags();
    let packed = whmd::pkgacct::run("packer", dir.path(), false, &flags)
        .await
        .expect("packed");
    assert_eq!(packed.path, dir.path().join("cpmove-packer.tar.gz"));
    let mode = std::fs::metadata(&packed.path)
        .expect("archive")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "the archive holds a password hash");
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names.len(), 1, "no partial file is left: {names:?}");

    let read = inspect(std::fs::File::open(&packed.path).expect("open")).expect("inspect");
    assert_eq!(read.top, "cpmove-packer");
    assert_eq!(read.version, Some(4));
    assert_eq!(read.user, "packer");
    for (key, value) in [
        ("USER", "packer"),
        ("DNS", "packer.example.com"),
        ("PLAN", "default"),
        ("OWNER", "root"),
        ("CONTACTEMAIL", "p@example.net"),
        ("SUSPENDED", "1"),
    ] {
        assert_eq!(
            read.cpuser.get(key).map(String::as_str),
            Some(value),
            "{key}"
        );
    }
    assert!(
        read.shadow.as_deref().is_some_and(|s| s.starts_with("$6$")),
        "{read:?}"
    );
    assert!(read.zones["packer.example.com"].contains("SOA"));
    // No provisioning here: the account's home is not on this host.
    assert_eq!((packed.home, read.home), (false, Home::Missing));
    let listing = std::process::Command::new("tar")
        .arg("-tzf")
        .arg(&packed.path)
        .output()
        .expect("tar");
    assert!(listing.status.success());
    assert!(String::from_utf8_lossy(&listing.stdout).contains("cpmove-packer/cp/packer"));

    let missing = whmd::pkgacct::run("nobody", dir.path(), false, &flags).await;
    assert!(
        missing
            .expect_err("no such account")
            .to_string()
            .contains("no account")
    );
    let nowhere = whmd::pkgacct::run("packer", &dir.path().join("absent"), false, &flags).await;
    assert!(nowhere.is_err());
    let names = std::fs::read_dir(dir.path()).expect("dir").count();
    assert_eq!(names, 1, "a failed run leaves nothing behind");
}
