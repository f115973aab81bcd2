//! SFTP destinations against a real OpenSSH server (Debian's openssh-server) on a loopback
//! port inside a throwaway namespace (`whmd_host::sandbox`): password and key logins, files
//! copied in, the host key trusted on first use and then required, and the refusals.

use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::Duration;
use whmd_domain::Secret;
use whmd_host::sandbox::{Place, Sshd, enter, entry};
use whmd_transport::{Auth, Error, Sftp, Target};

fn sftp(port: u16, path: &str, auth: Auth) -> Sftp {
    Sftp {
        host: "127.0.0.1".into(),
        port,
        path: path.into(),
        username: "keeper".into(),
        auth,
        timeout: Duration::from_secs(10),
        host_key: None,
    }
}

fn password(text: &str) -> Auth {
    Auth::Password(Secret::new(text))
}

#[tokio::test]
async fn files_reach_an_sftp_server_and_bad_logins_are_refused() {
    if let Place::Done = enter("files_reach_an_sftp_server_and_bad_logins_are_refused") {
        return;
    }
    let server = Sshd::start();
    server.add_user("keeper", "Keep-It-Safe-42");
    let home = Path::new("/home/keeper");
    std::fs::create_dir(home.join("backups")).expect("dir");
    let uid: u32 = entry("/etc/passwd", "keeper").expect("user")[2]
        .parse()
        .expect("uid");
    std::os::unix::fs::chown(home.join("backups"), Some(uid), Some(uid)).expect("chown");
    let work = tempfile::tempdir().expect("tempdir");
    let archive = work.path().join("user.tar.gz");
    let body: Vec<u8> = (0..700_000u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&archive, &body).expect("archive");

    // A password login: the host key is seen, the directory checked, a file copied in.
    let target = Target::Sftp(sftp(server.port, "backups", password("Keep-It-Safe-42")));
    let connection = target.connect().await.expect("connected");
    assert_eq!(connection.host_key(), Some(server.host_key.as_str()));
    connection.check().await.expect("usable");
    let copied = connection
        .put(&archive, "2026-12-07/accounts/user.tar.gz")
        .await
        .expect("copied");
    assert_eq!(copied, body.len() as u64);
    // Again: the earlier copy is replaced.
    connection
        .put(&archive, "2026-12-07/accounts/user.tar.gz")
        .await
        .expect("copied again");
    // And back, as a restore reads it.
    let path = "2026-12-07/accounts/user.tar.gz";
    assert_eq!(
        connection.size(path).await.expect("size"),
        Some(body.len() as u64)
    );
    assert_eq!(
        connection.size("2026-12-07/none").await.expect("size"),
        None
    );
    let back = work.path().join("back.tar.gz");
    connection.get(path, &back).await.expect("got");
    assert_eq!(std::fs::read(&back).expect("read"), body);
    assert!(
        connection
            .get("missing.tar.gz", &work.path().join("m"))
            .await
            .is_err()
    );
    assert!(
        !work.path().join("m").exists(),
        "nothing is left of a failed copy"
    );
    connection.close().await;
    let there = home.join("backups/2026-12-07/accounts/user.tar.gz");
    assert_eq!(std::fs::read(&there).expect("read"), body);
    assert_eq!(std::fs::metadata(&there).expect("meta").uid(), uid);
    let names: Vec<_> = std::fs::read_dir(home.join("backups/2026-12-07/accounts"))
        .expect("dir")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names.len(), 1, "no scratch file is left: {names:?}");

    // A key login, the key protected by a passphrase; an absolute path.
    let key = work.path().join("id_ed25519");
    let made = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "open sesame", "-f"])
        .arg(&key)
        .status()
        .expect("ssh-keygen");
    assert!(made.success());
    server.authorize("keeper", &key.with_extension("pub"));
    let with_key = |passphrase: &str| Auth::Key {
        file: key.clone(),
        passphrase: Some(Secret::new(passphrase)),
    };
    let target = Target::Sftp(Sftp {
        host_key: Some(server.host_key.clone()),
        ..sftp(server.port, "/home/keeper/backups", with_key("open sesame"))
    });
    let connection = target.connect().await.expect("connected with the key");
    connection.check().await.expect("usable");
    connection
        .put(&archive, "weekly/2026-12-07/accounts/user.tar.gz")
        .await
        .expect("copied");
    connection.close().await;
    assert!(
        home.join("backups/weekly/2026-12-07/accounts/user.tar.gz")
            .is_file()
    );

    // Refusals, each with its own reason.
    let refused = |auth: Auth| Target::Sftp(sftp(server.port, "backups", auth));
    let wrong = refused(password("guess"))
        .connect()
        .await
        .expect_err("refused");
    assert!(matches!(wrong, Error::Login { .. }), "{wrong}");
    let bad_phrase = refused(with_key("wrong"))
        .connect()
        .await
        .expect_err("refused");
    assert!(matches!(bad_phrase, Error::Key(..)), "{bad_phrase}");
    let no_file = refused(Auth::Key {
        file: work.path().join("missing"),
        passphrase: None,
    })
    .connect()
    .await
    .expect_err("refused");
    assert!(matches!(no_file, Error::Key(..)), "{no_file}");
    let other_key = Target::Sftp(Sftp {
        host_key: Some("SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into()),
        ..sftp(server.port, "backups", password("Keep-It-Safe-42"))
    });
    let changed = other_key.connect().await.expect_err("refused");
    match &changed {
        Error::HostKey { seen, .. } => assert_eq!(seen, &server.host_key),
        other => panic!("{other}"),
    }
    let missing = Target::Sftp(sftp(server.port, "nowhere", password("Keep-It-Safe-42")));
    let connection = missing.connect().await.expect("connected");
    let place = connection.check().await.expect_err("refused");
    assert!(matches!(place, Error::Place(..)), "{place}");
    let not_writable = Target::Sftp(sftp(server.port, "/", password("Keep-It-Safe-42")));
    let connection = not_writable.connect().await.expect("connected");
    let write = connection.check().await.expect_err("refused");
    assert!(matches!(write, Error::Write(..)), "{write}");
    let escaping = connection
        .put(&archive, "../escape")
        .await
        .expect_err("refused");
    assert!(matches!(escaping, Error::Write(..)), "{escaping}");
}

/// No server at all, and one that accepts and never answers: clear reasons, in bounded time.
#[tokio::test]
async fn a_refused_or_silent_server_is_reported() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    let refused = Target::Sftp(sftp(port, "", password("x")))
        .connect()
        .await
        .expect_err("refused");
    assert!(matches!(refused, Error::Connect(..)), "{refused}");
    assert!(refused.to_string().contains("refused"), "{refused}");

    let silent = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = silent.local_addr().expect("addr").port();
    let held = tokio::spawn(async move {
        let (socket, _) = silent.accept().await.expect("accept");
        tokio::time::sleep(Duration::from_secs(30)).await;
        drop(socket);
    });
    let quiet = Target::Sftp(Sftp {
        timeout: Duration::from_secs(1),
        ..sftp(port, "", password("x"))
    })
    .connect()
    .await
    .expect_err("timed out");
    assert!(matches!(quiet, Error::Timeout(..)), "{quiet}");
    held.abort();
}
