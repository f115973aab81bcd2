//! Backup destinations through WHM API 1: added, listed, read, changed, checked and removed
//! with cPanel's shapes and reasons, secrets sealed and never shown; scheduled runs copying to
//! them (on both stores); and an SFTP destination against a real OpenSSH server in a throwaway
//! namespace.

use crate::accounts::{create, v1};
use crate::harness::Server;
use serde_json::json;

/// A port nothing listens on.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a port")
        .port()
}

async fn count(server: &Server) -> usize {
    let (_, _, reply) = v1(server, "backup_destination_list", "").await;
    reply["data"]["destination_list"]
        .as_array()
        .map_or(0, Vec::len)
}

#[tokio::test]
async fn destinations_are_added_listed_changed_checked_and_removed() {
    let server = Server::start().await;
    let dest = server.dir.path().join("dest");
    std::fs::create_dir(&dest).expect("dest");

    let (result, reason, reply) = v1(
        &server,
        "backup_destination_add",
        &format!("name=Second disk&type=Local&path={}", dest.display()),
    )
    .await;
    assert_eq!((result, reason.as_str()), (1, "OK"), "{reply}");
    let local = reply["data"]["id"].as_str().expect("an id").to_owned();
    assert_eq!(local.len(), 24);
    assert!(local.chars().all(|c| c.is_ascii_alphanumeric()), "{local}");
    let (result, _, reply) = v1(&server, "backup_destination_get", &format!("id={local}")).await;
    assert_eq!(result, 1, "{reply}");
    assert_eq!(
        reply["data"],
        json!({
            "id": local,
            "name": "Second disk",
            "type": "Local",
            "disabled": 0,
            "upload_system_backup": 0,
            "only_used_for_logs": 0,
            "path": dest.display().to_string(),
            "mount": 0,
            "no_mount_fail": 0,
        })
    );

    let port = closed_port();
    let (result, reason, reply) = v1(
        &server,
        "backup_destination_add",
        &format!(
            "name=Offsite&type=SFTP&host=127.0.0.1&port={port}&username=keeper&authtype=password&password=Very-Secret-9&path=backups"
        ),
    )
    .await;
    assert_eq!((result, reason.as_str()), (1, "OK"), "{reply}");
    let sftp = reply["data"]["id"].as_str().expect("an id").to_owned();
    let (_, _, reply) = v1(&server, "backup_destination_list", "").await;
    let listed = reply["data"]["destination_list"]
        .as_array()
        .expect("a list");
    assert_eq!(listed.len(), 2, "{reply}");
    let text = reply.to_string();
    assert!(!text.contains("Very-Secret-9"), "{text}");
    let shown_local = listed.iter().find(|d| d["id"] == local).expect("listed");
    assert_eq!(
        shown_local["mount"], "",
        "cPanel's listing shows unset flags as empty"
    );
    let shown_sftp = listed.iter().find(|d| d["id"] == sftp).expect("listed");
    assert_eq!(shown_sftp["port"], port);
    assert_eq!(shown_sftp["timeout"], 30);
    assert_eq!(shown_sftp["authtype"], "password");
    assert!(shown_sftp.get("password").is_none(), "{shown_sftp}");
    // Stored sealed, never as given.
    let stored = server
        .store()
        .await
        .backups
        .backup_destination(&sftp)
        .await
        .expect("read")
        .expect("stored");
    assert!(!stored.settings.contains_key("password"));
    assert!(!stored.sealed["password"].contains("Very-Secret-9"));

    // Bad additions change nothing, each with its reason.
    for (query, expected) in [
        ("type=Local&path=/backup", "Missing arguments".to_owned()),
        ("name=x", "Missing arguments".to_owned()),
        (
            "name=x&type=Tape",
            "The backup destination type is invalid:  Tape".to_owned(),
        ),
        (
            "name=x&type=FTP&host=h&username=u&password=p",
            "The backup destination type “FTP” is not supported yet: whmd copies backups to Local and SFTP destinations.".to_owned(),
        ),
        (
            "name=x&type=SFTP&port=22",
            "The following parameters were missing:  host username authtype".to_owned(),
        ),
        (
            "name=x&type=SFTP&host=h&username=u&authtype=password",
            "The following parameters were missing:  password".to_owned(),
        ),
        (
            "name=x&type=SFTP&host=bad host&username=u&authtype=key&privatekey=/k&port=0&timeout=5",
            "The following parameters were invalid:  host port timeout".to_owned(),
        ),
        (
            "name=x&type=Local&path=relative",
            "The following parameters were invalid:  path".to_owned(),
        ),
    ] {
        let (result, reason, reply) = v1(&server, "backup_destination_add", query).await;
        assert_eq!((result, reason), (0, expected), "{query}: {reply}");
    }
    assert_eq!(count(&server).await, 2);

    // Changes keep what they do not name, and are checked whole.
    let (result, reason, reply) = v1(
        &server,
        "backup_destination_set",
        &format!("id={sftp}&name=Offsite two&timeout=60"),
    )
    .await;
    assert_eq!((result, reason.as_str()), (1, "OK"), "{reply}");
    let (_, _, reply) = v1(&server, "backup_destination_get", &format!("id={sftp}")).await;
    assert_eq!(reply["data"]["name"], "Offsite two");
    assert_eq!(reply["data"]["timeout"], 60);
    assert_eq!(reply["data"]["host"], "127.0.0.1");
    for (query, expected) in [
        ("name=x".to_owned(), "Missing argument:  id".to_owned()),
        (
            "id=nosuchdestination".to_owned(),
            "The backup destination “nosuchdestination” does not exist.".to_owned(),
        ),
        (
            format!("id={sftp}&type=Tape"),
            "The backup destination type is invalid:  Tape".to_owned(),
        ),
        (
            format!("id={sftp}&port=99999"),
            "The following parameters were invalid:  port".to_owned(),
        ),
        (
            format!("id={sftp}&authtype=key"),
            "The following parameters were missing:  privatekey".to_owned(),
        ),
    ] {
        let (result, reason, reply) = v1(&server, "backup_destination_set", &query).await;
        assert_eq!((result, reason), (0, expected), "{query}: {reply}");
    }
    let (_, _, unchanged) = v1(&server, "backup_destination_get", &format!("id={sftp}")).await;
    assert_eq!(unchanged["data"], reply["data"]);

    // Checks: the arguments first, then the destination itself.
    for (query, expected) in [
        ("disableonfail=1".to_owned(), "Missing argument:  id"),
        (format!("id={local}"), "Missing argument:  disableonfail"),
        (
            format!("id={local}&disableonfail=2"),
            "Value for argument disableonfail must be either 1 or 0 (2)",
        ),
    ] {
        let (result, reason, reply) = v1(&server, "backup_destination_validate", &query).await;
        assert_eq!((result, reason.as_str()), (0, expected), "{query}: {reply}");
    }
    let (result, reason, reply) = v1(
        &server,
        "backup_destination_validate",
        &format!("id={local}&disableonfail=1"),
    )
    .await;
    assert_eq!((result, reason.as_str()), (1, "OK"), "{reply}");
    assert_eq!(reply["data"]["id"], local.as_str());
    assert_eq!(
        std::fs::read_dir(&dest).expect("dest").count(),
        0,
        "the check left nothing"
    );
    // A server that refuses the connection: the reason says so, and with disableonfail the
    // destination is disabled with it.
    let (result, reason, reply) = v1(
        &server,
        "backup_destination_validate",
        &format!("id={sftp}&disableonfail=1"),
    )
    .await;
    assert_eq!(result, 0, "{reply}");
    assert!(reason.contains("refused"), "{reason}");
    assert_eq!(reply["data"]["id"], sftp.as_str());
    let (_, _, reply) = v1(&server, "backup_destination_get", &format!("id={sftp}")).await;
    assert_eq!(reply["data"]["disabled"], 1);
    assert_eq!(reply["data"]["disable_reason"], reason.as_str());
    // Enabling it again clears the reason.
    let (result, _, _) = v1(
        &server,
        "backup_destination_set",
        &format!("id={sftp}&disabled=0"),
    )
    .await;
    assert_eq!(result, 1);
    let (_, _, reply) = v1(&server, "backup_destination_get", &format!("id={sftp}")).await;
    assert_eq!(reply["data"]["disabled"], 0);
    assert!(reply["data"].get("disable_reason").is_none(), "{reply}");

    // With a destination, backups need not be kept locally.
    let (result, reason, _) = v1(&server, "backup_config_set", "keeplocal=0").await;
    assert_eq!((result, reason.as_str()), (1, "OK"));

    for id in [&local, &sftp] {
        let (result, reason, reply) =
            v1(&server, "backup_destination_delete", &format!("id={id}")).await;
        assert_eq!((result, reason.as_str()), (1, "OK"), "{reply}");
    }
    let (result, reason, _) =
        v1(&server, "backup_destination_delete", &format!("id={local}")).await;
    assert_eq!(
        (result, reason),
        (
            0,
            format!("The backup destination “{local}” does not exist.")
        )
    );
    let (result, reason, _) = v1(&server, "backup_destination_get", "").await;
    assert_eq!((result, reason.as_str()), (0, "Missing argument:  id"));
    assert_eq!(count(&server).await, 0);
}

/// 2026-12-06 00:00 UTC, a Sunday.
const SUNDAY: i64 = 1_796_515_200;
const HOUR: i64 = 3600;
const DAY: i64 = 86_400;

#[tokio::test]
async fn scheduled_runs_copy_each_backup_to_the_destinations() {
    use whmd_api::functions::backups::run::tick;
    let server = Server::start().await;
    create(&server, "dcopy", "").await;
    let backupdir = server.dir.path().join("backup");
    let dest = server.dir.path().join("dest");
    std::fs::create_dir(&dest).expect("dest");
    let (result, reason, _) = v1(
        &server,
        "backup_config_set",
        &format!(
            "backupdir={}&backupenable=1&backupdays=0,1,2,3,4,5,6&backup_daily_retention=1&backup_weekly_enable=1&backup_weekly_day=0&check_min_free_space=0",
            backupdir.display()
        ),
    )
    .await;
    assert_eq!(result, 1, "{reason}");
    let (result, _, reply) = v1(
        &server,
        "backup_destination_add",
        &format!("name=disk&type=Local&path={}", dest.display()),
    )
    .await;
    assert_eq!(result, 1, "{reply}");
    let (result, _, reply) = v1(
        &server,
        "backup_destination_add",
        &format!(
            "name=away&type=SFTP&host=127.0.0.1&port={}&username=u&authtype=password&password=p",
            closed_port()
        ),
    )
    .await;
    assert_eq!(result, 1, "{reply}");
    let away = reply["data"]["id"].as_str().expect("id").to_owned();
    // A destination for logs only and a disabled one are left alone.
    let unused = server.dir.path().join("unused");
    std::fs::create_dir(&unused).expect("unused");
    for extra in ["only_used_for_logs=1", "disabled=1"] {
        let (result, _, reply) = v1(
            &server,
            "backup_destination_add",
            &format!("name=x&type=Local&path={}&{extra}", unused.display()),
        )
        .await;
        assert_eq!(result, 1, "{reply}");
    }
    let (result, reason, _) = v1(&server, "backup_config_set", "keeplocal=0").await;
    assert_eq!(result, 1, "{reason}");
    let ctx = crate::backups::context(&server).await;

    // Sunday: daily and weekly; the local disk takes both, the SFTP server refuses, so the
    // local archive stays.
    let report = tick(&ctx, "a", SUNDAY + 3 * HOUR, 2)
        .await
        .expect("tick")
        .expect("a run");
    assert_eq!(report.backed_up, ["dcopy"], "{report:?}");
    for path in [
        "2026-12-06/accounts/dcopy.tar.gz",
        "weekly/2026-12-06/accounts/dcopy.tar.gz",
    ] {
        let copy = dest.join(path);
        let read = whmd_archive::inspect(std::fs::File::open(&copy).expect(path)).expect(path);
        assert_eq!(read.user, "dcopy");
    }
    assert_eq!(report.not_copied.len(), 1, "reported once: {report:?}");
    assert_eq!(report.not_copied[0].0, "dcopy");
    assert!(report.not_copied[0].1.starts_with("away: "), "{report:?}");
    assert!(report.summary().contains("not copied: dcopy: away: "));
    assert!(backupdir.join("2026-12-06/accounts/dcopy.tar.gz").is_file());
    assert_eq!(std::fs::read_dir(&unused).expect("unused").count(), 0);

    // Monday, the SFTP destination disabled: every destination has it, so without keeplocal
    // the local archive goes.
    let (result, _, _) = v1(
        &server,
        "backup_destination_set",
        &format!("id={away}&disabled=1"),
    )
    .await;
    assert_eq!(result, 1);
    let report = tick(&ctx, "a", SUNDAY + DAY + 3 * HOUR, 2)
        .await
        .expect("tick")
        .expect("a run");
    assert!(report.not_copied.is_empty(), "{report:?}");
    assert!(dest.join("2026-12-07/accounts/dcopy.tar.gz").is_file());
    assert!(!backupdir.join("2026-12-07/accounts/dcopy.tar.gz").exists());
    // The destination keeps what the retention keeps: one daily run, the weekly one.
    assert_eq!(report.pruned_remote, ["disk: 2026-12-06"], "{report:?}");
    assert!(report.prune_failed.is_empty(), "{report:?}");
    assert!(!dest.join("2026-12-06").exists());
    assert!(
        dest.join("weekly/2026-12-06/accounts/dcopy.tar.gz")
            .is_file()
    );

    // That backup is only at the destination: the restore queue fetches it from there.
    let (result, _, _) = v1(&server, "removeacct", "username=dcopy").await;
    assert_eq!(result, 1);
    let (_, _, listed) = v1(&server, "backup_destination_list", "").await;
    let disk = listed["data"]["destination_list"]
        .as_array()
        .and_then(|l| l.iter().find(|d| d["name"] == "disk"))
        .and_then(|d| d["id"].as_str())
        .expect("the disk")
        .to_owned();
    for (query, expected) in [
        (
            "user=dcopy&restore_point=2026-12-07".to_owned(),
            "There is no backup of “dcopy” for “2026-12-07”.".to_owned(),
        ),
        (
            format!("user=dcopy&restore_point=2026-12-05&destid={disk}"),
            "There is no backup of “dcopy” for “2026-12-05”.".to_owned(),
        ),
    ] {
        let (result, reason, _) = v1(&server, "restore_queue_add_task", &query).await;
        assert_eq!((result, reason), (0, expected), "{query}");
    }
    let (result, reason, _) = v1(
        &server,
        "restore_queue_add_task",
        &format!("user=dcopy&restore_point=2026-12-06&destid={away}"),
    )
    .await;
    assert_eq!(result, 0);
    assert!(
        reason.starts_with("The backup destination “away” cannot be reached: "),
        "{reason}"
    );
    let (result, _, reply) = v1(
        &server,
        "restore_queue_add_task",
        &format!("user=dcopy&restore_point=2026-12-07&destid={disk}"),
    )
    .await;
    assert_eq!(result, 1, "{reply}");
    let (result, _, _) = v1(&server, "restore_queue_activate", "").await;
    assert_eq!(result, 1);
    let state = crate::backups::drained(&server).await;
    let task = &state["completed"][0];
    assert_eq!(task["status"], "completed", "{state}");
    assert_eq!(task["options"]["destid"], disk.as_str());
    let (result, _, _) = v1(&server, "accountsummary", "user=dcopy").await;
    assert_eq!(result, 1, "restored from the destination");
    let fetched: Vec<_> = std::fs::read_dir(server.dir.path().join("imports"))
        .expect("imports")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".fetched"))
        .collect();
    assert!(
        fetched.is_empty(),
        "the fetched copy is removed: {fetched:?}"
    );
}

/// An SFTP destination on a real OpenSSH server (in a throwaway namespace, see
/// `whmd_host::sandbox`): checked, its host key trusted and then required, a run's backup
/// copied there and restored from there, a key login with a passphrase, and a wrong password
/// refused.
#[tokio::test]
async fn an_sftp_destination_takes_backups_from_a_run() {
    use whmd_api::functions::backups::run::tick;
    use whmd_host::sandbox::{Place, Sshd, enter, entry};
    if let Place::Done = enter("backup_destinations::an_sftp_destination_takes_backups_from_a_run")
    {
        return;
    }
    // SQLite: the namespace has no network to reach a PostgreSQL server.
    let server = Server::start_local(|_| {}).await;
    let sshd = Sshd::start();
    sshd.add_user("keeper", "Keep-It-Safe-42");
    let uid: u32 = entry("/etc/passwd", "keeper").expect("user")[2]
        .parse()
        .expect("uid");
    let remote = std::path::Path::new("/home/keeper/backups");
    std::fs::create_dir(remote).expect("dir");
    std::os::unix::fs::chown(remote, Some(uid), Some(uid)).expect("chown");
    create(&server, "sfcopy", "").await;
    let backupdir = server.dir.path().join("backup");
    let (result, reason, _) = v1(
        &server,
        "backup_config_set",
        &format!(
            "backupdir={}&backupenable=1&backupdays=0,1,2,3,4,5,6&check_min_free_space=0",
            backupdir.display()
        ),
    )
    .await;
    assert_eq!(result, 1, "{reason}");
    let (result, _, reply) = v1(
        &server,
        "backup_destination_add",
        &format!(
            "name=offsite&type=SFTP&host=127.0.0.1&port={}&username=keeper&authtype=password&password=Keep-It-Safe-42&path=backups",
            sshd.port
        ),
    )
    .await;
    assert_eq!(result, 1, "{reply}");
    let id = reply["data"]["id"].as_str().expect("id").to_owned();
    let validate = |disable: u8| {
        let server = &server;
        let id = id.clone();
        async move {
            v1(
                server,
                "backup_destination_validate",
                &format!("id={id}&disableonfail={disable}"),
            )
            .await
        }
    };
    let (result, reason, reply) = validate(1).await;
    assert_eq!((result, reason.as_str()), (1, "OK"), "{reply}");
    let stores = server.store().await;
    let stored = stores
        .backups
        .backup_destination(&id)
        .await
        .expect("read")
        .expect("there");
    assert_eq!(
        stored.settings["host_key"], sshd.host_key,
        "trusted on first use"
    );

    let ctx = crate::backups::context(&server).await;
    let report = tick(&ctx, "a", SUNDAY + 3 * HOUR, 2)
        .await
        .expect("tick")
        .expect("a run");
    assert!(report.not_copied.is_empty(), "{report:?}");
    let copy = remote.join("2026-12-06/accounts/sfcopy.tar.gz");
    let read = whmd_archive::inspect(std::fs::File::open(&copy).expect("copied")).expect("read");
    assert_eq!(read.user, "sfcopy");
    assert!(
        backupdir
            .join("2026-12-06/accounts/sfcopy.tar.gz")
            .is_file(),
        "kept locally too"
    );
    // Restored from the SFTP server's copy.
    let (result, _, _) = v1(&server, "removeacct", "username=sfcopy").await;
    assert_eq!(result, 1);
    let (result, _, reply) = v1(
        &server,
        "restore_queue_add_task",
        &format!("user=sfcopy&restore_point=2026-12-06&destid={id}"),
    )
    .await;
    assert_eq!(result, 1, "{reply}");
    v1(&server, "restore_queue_activate", "").await;
    let state = crate::backups::drained(&server).await;
    assert_eq!(state["completed"][0]["status"], "completed", "{state}");
    let (result, _, _) = v1(&server, "accountsummary", "user=sfcopy").await;
    assert_eq!(result, 1, "restored from the SFTP server");

    // A key login, its passphrase sealed like the password.
    let key = server.dir.path().join("id_ed25519");
    let made = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "open sesame", "-f"])
        .arg(&key)
        .status()
        .expect("ssh-keygen");
    assert!(made.success());
    sshd.authorize("keeper", &key.with_extension("pub"));
    let (result, _, reply) = v1(
        &server,
        "backup_destination_set",
        &format!(
            "id={id}&authtype=key&privatekey={}&passphrase=open sesame",
            key.display()
        ),
    )
    .await;
    assert_eq!(result, 1, "{reply}");
    let (result, reason, reply) = validate(0).await;
    assert_eq!((result, reason.as_str()), (1, "OK"), "{reply}");
    let (_, _, shown) = v1(&server, "backup_destination_get", &format!("id={id}")).await;
    assert!(!shown.to_string().contains("open sesame"), "{shown}");

    // A server showing another key than the trusted one is refused.
    let mut tampered = stores
        .backups
        .backup_destination(&id)
        .await
        .expect("read")
        .expect("there");
    tampered.settings.insert(
        "host_key".into(),
        "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into(),
    );
    stores
        .backups
        .save_backup_destination(&tampered)
        .await
        .expect("saved");
    let (result, reason, _) = validate(0).await;
    assert_eq!(result, 0);
    assert!(
        reason.contains("host key") && reason.contains("changed"),
        "{reason}"
    );

    // Saving it again trusts the server anew; a wrong password is refused, and disables it.
    let (result, _, _) = v1(
        &server,
        "backup_destination_set",
        &format!("id={id}&authtype=password&password=guess"),
    )
    .await;
    assert_eq!(result, 1);
    let (result, reason, _) = validate(1).await;
    assert_eq!(result, 0);
    assert!(reason.contains("was refused"), "{reason}");
    let (_, _, shown) = v1(&server, "backup_destination_get", &format!("id={id}")).await;
    assert_eq!(shown["data"]["disabled"], 1);
}
