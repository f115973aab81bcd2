//! Restores through WHM API 1: start_local_cpmove_restore runs in the background and its
//! session's state and logs are read back (from the store, so any replica answers); a session
//! whose server stopped is failed by the next server; bad arguments change nothing.

use crate::accounts::{create, v1};
use crate::harness::Server;
use crate::import_cpanel::{cpanel_tree, tarball};
use serde_json::Value;
use std::time::Duration;

/// Polls the session until it is no longer running; its state.
async fn finished(server: &Server, id: &str) -> String {
    for _ in 0..300 {
        let (result, _, reply) = v1(
            server,
            "get_transfer_session_state",
            &format!("transfer_session_id={id}"),
        )
        .await;
        assert_eq!(result, 1, "{reply}");
        let state = reply["data"]["state_name"]
            .as_str()
            .expect("a state")
            .to_owned();
        if state != "RUNNING" {
            return state;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the session {id} never finished");
}

async fn log(server: &Server, id: &str, file: &str) -> String {
    let (result, _, reply) = v1(
        server,
        "fetch_transfer_session_log",
        &format!("transfer_session_id={id}&logfile={file}"),
    )
    .await;
    assert_eq!(result, 1, "{reply}");
    reply["data"]["log"].as_str().expect("a log").to_owned()
}

fn session(reply: &Value) -> String {
    reply["data"]["transfer_session_id"]
        .as_str()
        .expect("a session id")
        .to_owned()
}

#[tokio::test]
async fn an_archive_restores_in_the_background() {
    let server = Server::start().await;
    let work = tempfile::tempdir().expect("tempdir");
    let archive = tarball(&cpanel_tree(work.path(), "xfone", 4));
    let (result, reason, reply) = v1(
        &server,
        "start_local_cpmove_restore",
        &format!("cpmovepath={}", archive.display()),
    )
    .await;
    assert_eq!((result, reason.as_str()), (1, "OK"), "{reply}");
    let id = session(&reply);
    assert!(id.starts_with("root"), "{id}");
    assert_eq!(finished(&server, &id).await, "COMPLETED");
    let text = log(&server, &id, "master.log").await;
    assert!(text.contains("Restored the account xfone"), "{text}");
    assert!(text.contains("ZoneFile"), "{text}");
    assert_eq!(log(&server, &id, "master.error_log").await, "");
    let (result, _, reply) = v1(&server, "accountsummary", "user=xfone").await;
    assert_eq!(result, 1, "{reply}");
    assert!(archive.exists(), "the archive stays unless asked");

    // From an unpacked directory, under another name, the directory removed afterwards.
    let tree = cpanel_tree(&work.path().join("two"), "xftwo", 4);
    let (result, _, reply) = v1(
        &server,
        "start_local_cpmove_restore",
        &format!(
            "cpmovepath={}&username=xfrenamed&delete_archive=1",
            tree.display()
        ),
    )
    .await;
    assert_eq!(result, 1, "{reply}");
    let id = session(&reply);
    assert_eq!(
        finished(&server, &id).await,
        "COMPLETED",
        "{}",
        log(&server, &id, "master.log").await
    );
    let (result, _, reply) = v1(&server, "accountsummary", "user=xfrenamed").await;
    assert_eq!(result, 1, "{reply}");
    assert_eq!(reply["data"]["acct"][0]["domain"], "xftwo.example.com");
    assert!(!tree.exists(), "delete_archive removes it");

    // A restore that fails in the background says why, in both logs.
    let (result, _, _) = v1(&server, "removeacct", "username=xfone").await;
    assert_eq!(result, 1);
    create(&server, "xfthief", "").await;
    let tree = cpanel_tree(&work.path().join("three"), "xfthree", 4);
    let cp = tree.join("cp/xfthree");
    let text = std::fs::read_to_string(&cp)
        .expect("cp")
        .replace("DNS=xfthree.example.com", "DNS=xfthief.example.com");
    std::fs::write(&cp, text).expect("cp");
    let (result, _, reply) = v1(
        &server,
        "start_local_cpmove_restore",
        &format!("cpmovepath={}", tree.display()),
    )
    .await;
    assert_eq!(result, 1, "{reply}");
    let id = session(&reply);
    assert_eq!(finished(&server, &id).await, "FAILED");
    let errors = log(&server, &id, "master.error_log").await;
    assert!(errors.contains("xfthief.example.com"), "{errors}");
    let (result, _, _) = v1(&server, "accountsummary", "user=xfthree").await;
    assert_eq!(result, 0, "nothing was restored");
}

#[tokio::test]
async fn bad_arguments_are_refused_and_unknown_sessions_named() {
    let server = Server::start().await;
    let work = tempfile::tempdir().expect("tempdir");
    let archive = tarball(&cpanel_tree(work.path(), "xfbad", 4));
    create(&server, "xftaken", "").await;
    let path = archive.display().to_string();
    for (query, expected) in [
        (
            "cpmovepath=/nowhere/cpmove-x.tar.gz".to_owned(),
            "The path “/nowhere/cpmove-x.tar.gz” does not exist.".to_owned(),
        ),
        (
            "cpmovepath=relative.tar.gz".to_owned(),
            "The path “relative.tar.gz” does not exist.".to_owned(),
        ),
        (
            format!("cpmovepath={path}&overwrite=2"),
            "Value for argument overwrite must be either 1 or 0 (2)".to_owned(),
        ),
        (
            format!("cpmovepath={path}&delete_archive=yes"),
            "Value for argument delete_archive must be either 1 or 0 (yes)".to_owned(),
        ),
        (
            format!("cpmovepath={path}&update_a_records=some"),
            "The “update_a_records” argument must be “all” or “basic”, not “some”.".to_owned(),
        ),
        (
            format!("cpmovepath={path}&dedicated_ip=1"),
            "whmd cannot give a restored account an address of its own yet.".to_owned(),
        ),
        (
            format!("cpmovepath={path}&username=xftaken"),
            "This system already has an account named “xftaken”.".to_owned(),
        ),
    ] {
        let (result, reason, reply) = v1(&server, "start_local_cpmove_restore", &query).await;
        assert_eq!(
            (result, reason.as_str()),
            (0, expected.as_str()),
            "{query}: {reply}"
        );
    }
    let (result, reason, _) = v1(&server, "start_local_cpmove_restore", "").await;
    assert_eq!(result, 0);
    assert!(reason.contains("cpmovepath"), "{reason}");
    let (result, _, _) = v1(&server, "accountsummary", "user=xfbad").await;
    assert_eq!(result, 0, "nothing was restored");

    // Told to overwrite, the archive replaces the account of that name.
    let (_, _, before) = v1(&server, "accountsummary", "user=xftaken").await;
    assert!(before["data"]["acct"][0]["uid"].is_number(), "{before}");
    let (result, _, reply) = v1(
        &server,
        "start_local_cpmove_restore",
        &format!("cpmovepath={path}&username=xftaken&overwrite=1"),
    )
    .await;
    assert_eq!(result, 1, "{reply}");
    let id = session(&reply);
    assert_eq!(finished(&server, &id).await, "COMPLETED");
    assert!(
        log(&server, &id, "master.log")
            .await
            .contains("is replaced")
    );
    let (_, _, after) = v1(&server, "accountsummary", "user=xftaken").await;
    assert_eq!(after["data"]["acct"][0]["domain"], "xfbad.example.com");
    assert_eq!(
        after["data"]["acct"][0]["uid"], before["data"]["acct"][0]["uid"],
        "{after}"
    );

    let (result, reason, _) = v1(
        &server,
        "get_transfer_session_state",
        "transfer_session_id=nosuch",
    )
    .await;
    assert_eq!(
        (result, reason.as_str()),
        (0, "The transfer session “nosuch” does not exist.")
    );
    let (result, reason, _) = v1(
        &server,
        "fetch_transfer_session_log",
        "transfer_session_id=nosuch&logfile=master.log",
    )
    .await;
    assert_eq!(
        (result, reason.as_str()),
        (0, "The transfer session “nosuch” does not exist.")
    );

    let (result, _, reply) = v1(&server, "restore_modules_summary", "").await;
    assert_eq!(result, 1);
    let modules = reply["data"]["modules"].as_array().expect("modules");
    let names: Vec<&str> = modules
        .iter()
        .filter_map(|m| m["module"].as_str())
        .collect();
    for name in ["Account", "Homedir", "ZoneFile", "Mysql", "Mail"] {
        assert!(names.contains(&name), "{names:?}");
    }
    assert!(
        modules
            .iter()
            .all(|m| m["restricted_available"] == 1 && m["summary"].is_array())
    );
}

#[tokio::test]
async fn a_session_whose_server_stopped_is_failed() {
    let server = Server::start().await;
    let stores = server.store().await;
    stores
        .jobs
        .create_job(&whmd_domain::job::Job {
            id: "orphaned".into(),
            kind: "transfer".into(),
            state: whmd_domain::job::JobState::Running,
            holder: "a stopped server".into(),
            lease_until: 1,
            created: 0,
            finished: None,
            log: "Restoring\n".into(),
            error_log: String::new(),
        })
        .await
        .expect("a session");
    // The next server to start sweeps it.
    let server = server.restart().await;
    assert_eq!(finished(&server, "orphaned").await, "FAILED");
    let errors = log(&server, "orphaned", "master.error_log").await;
    assert!(errors.contains("stopped before it finished"), "{errors}");
}

/// Polls a pkgacct session until it is no longer running; its state.
async fn packed(server: &Server, id: &str) -> String {
    for _ in 0..300 {
        let (result, _, reply) = v1(
            server,
            "get_pkgacct_session_state",
            &format!("session_id={id}"),
        )
        .await;
        assert_eq!(result, 1, "{reply}");
        let state = reply["data"]["state"].as_str().expect("a state").to_owned();
        if state != "RUNNING" {
            return state;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the pkgacct session {id} never finished");
}

#[tokio::test]
async fn an_account_packed_in_the_background_restores_through_the_api() {
    let server = Server::start().await;
    create(&server, "pkbg", "&maxpop=4").await;
    let (result, _, reply) = v1(&server, "start_background_pkgacct", "user=pkbg").await;
    assert_eq!(result, 1, "{reply}");
    assert_eq!(reply["data"]["complete_master_log"], "master.log");
    assert_eq!(
        reply["data"]["complete_master_error_log"],
        "master.error_log"
    );
    let id = reply["data"]["session_id"]
        .as_str()
        .expect("an id")
        .to_owned();
    assert_eq!(packed(&server, &id).await, "COMPLETED");
    let (_, _, reply) = v1(
        &server,
        "fetch_pkgacct_master_log",
        &format!("session_id={id}"),
    )
    .await;
    let log = reply["data"]["log"].as_str().expect("a log");
    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is a JSON object"))
        .collect();
    assert_eq!(lines[0]["contents"], "pkgacct started.\n");
    assert!(
        lines
            .iter()
            .all(|l| l["type"] == "out" && l["partial"] == 0 && l["timestamp"].is_string())
    );
    assert_eq!(
        lines.last().expect("a last line")["contents"],
        "pkgacct completed\n"
    );
    let archive = server.dir.path().join("pkgacct/cpmove-pkbg.tar.gz");
    let read =
        whmd_archive::inspect(std::fs::File::open(&archive).expect("archive")).expect("inspect");
    assert_eq!(read.user, "pkbg");

    // Uncompressed, into a directory of the caller's choice.
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let (result, _, reply) = v1(
        &server,
        "start_background_pkgacct",
        &format!(
            "user=pkbg&compressionsetting=none&tarroot={}",
            elsewhere.path().display()
        ),
    )
    .await;
    assert_eq!(result, 1, "{reply}");
    let id = reply["data"]["session_id"]
        .as_str()
        .expect("an id")
        .to_owned();
    assert_eq!(packed(&server, &id).await, "COMPLETED");
    assert!(elsewhere.path().join("cpmove-pkbg.tar").is_file());

    // Removed, then restored from the archive through the API alone.
    let (result, _, _) = v1(&server, "removeacct", "username=pkbg").await;
    assert_eq!(result, 1);
    let (result, _, reply) = v1(
        &server,
        "start_local_cpmove_restore",
        &format!("cpmovepath={}", archive.display()),
    )
    .await;
    assert_eq!(result, 1, "{reply}");
    assert_eq!(finished(&server, &session(&reply)).await, "COMPLETED");
    let (result, _, reply) = v1(&server, "accountsummary", "user=pkbg").await;
    assert_eq!(result, 1, "{reply}");
    assert_eq!(reply["data"]["acct"][0]["maxpop"], "4");

    for (query, expected) in [
        ("user=nobodyhere", "The user “nobodyhere” does not exist."),
        (
            "user=pkbg&split=1",
            "whmd cannot write an archive in parts yet.",
        ),
        (
            "user=pkbg&skiphomedir=2",
            "Value for argument skiphomedir must be either 1 or 0 (2)",
        ),
        (
            "user=pkbg&tarroot=/nowhere",
            "The directory “/nowhere” does not exist.",
        ),
    ] {
        let (result, reason, _) = v1(&server, "start_background_pkgacct", query).await;
        assert_eq!((result, reason.as_str()), (0, expected), "{query}");
    }
    let (result, reason, _) = v1(&server, "get_pkgacct_session_state", "session_id=nosuch").await;
    assert_eq!(
        (result, reason.as_str()),
        (0, "The pkgacct session “nosuch” does not exist.")
    );
    // A restore session is not a pkgacct session.
    let (result, _, _) = v1(
        &server,
        "fetch_pkgacct_master_log",
        &format!("session_id={}", session(&reply_of_restore(&server).await)),
    )
    .await;
    assert_eq!(result, 0);
}

/// Starts a restore that fails (no such archive contents) and returns its reply.
async fn reply_of_restore(server: &Server) -> Value {
    let broken = server.dir.path().join("broken.tar.gz");
    std::fs::write(&broken, "not an archive").expect("broken");
    let (result, _, reply) = v1(
        server,
        "start_local_cpmove_restore",
        &format!("cpmovepath={}", broken.display()),
    )
    .await;
    assert_eq!(result, 1, "{reply}");
    reply
}

#[tokio::test]
async fn restoreaccount_restores_from_the_legacy_backups() {
    let server = Server::start().await;
    let backupdir = server.dir.path().join("backup");
    let (result, _, _) = v1(
        &server,
        "backup_config_set",
        &format!("backupdir={}", backupdir.display()),
    )
    .await;
    assert_eq!(result, 1);
    let legacy = backupdir.join("cpbackup/daily");
    std::fs::create_dir_all(&legacy).expect("legacy dir");
    let archive = tarball(&cpanel_tree(&legacy, "rslegacy", 3));
    std::fs::rename(&archive, legacy.join("rslegacy.tar.gz")).expect("named as legacy backups are");
    let (result, reason, reply) = v1(&server, "restoreaccount", "user=rslegacy&type=daily").await;
    assert_eq!(
        (result, reason.as_str()),
        (1, "Account Restoring in background"),
        "{reply}"
    );
    assert!(reply["data"]["pid"].is_u64());
    let id = reply["data"]["transfer_session_id"]
        .as_str()
        .expect("an id")
        .to_owned();
    assert_eq!(
        finished(&server, &id).await,
        "COMPLETED",
        "{}",
        log(&server, &id, "master.log").await
    );
    let (result, _, _) = v1(&server, "accountsummary", "user=rslegacy").await;
    assert_eq!(result, 1);

    std::fs::write(legacy.join("rsbz.tar.bz2"), "BZh").expect("bzip2");
    for (query, expected) in [
        (
            "user=rslegacy&type=daily",
            "This system already has an account named “rslegacy”.",
        ),
        (
            "user=rsnone&type=weekly",
            "There is no weekly backup of “rsnone”.",
        ),
        (
            "user=rslegacy&type=yearly",
            "The backup type must be “daily”, “weekly” or “monthly”, not “yearly”.",
        ),
        (
            "user=rslegacy&type=daily&mail=x",
            "Value for argument mail must be either 1 or 0 (x)",
        ),
        (
            "user=../etc&type=daily",
            "“../etc” is not a valid username.",
        ),
    ] {
        let (result, reason, _) = v1(&server, "restoreaccount", query).await;
        assert_eq!((result, reason.as_str()), (0, expected), "{query}");
    }
    let (result, reason, _) = v1(&server, "restoreaccount", "user=rsbz&type=daily").await;
    assert_eq!(result, 0);
    assert!(reason.contains("bzip2"), "{reason}");
    let (result, reason, _) = v1(&server, "restoreaccount", "type=daily").await;
    assert_eq!(result, 0);
    assert!(reason.contains("user"), "{reason}");
}
