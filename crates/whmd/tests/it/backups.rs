//! Backups: the configuration through WHM API 1 (cPanel's keys and defaults, flags as numbers and
//! the rest as text, changes checked whole); scheduled runs driven by a clock the test moves
//! (what is due, who is left out, cPanel's layout, retention, one run per day across replicas);
//! on both stores.

use crate::accounts::{create, v1};
use crate::harness::Server;
use serde_json::json;

#[tokio::test]
async fn the_backup_configuration_reads_and_changes_as_whms() {
    let server = Server::start().await;
    // Never a directory of this machine's: the server's schedule would write there.
    let backupdir = server.dir.path().join("backup");
    let (result, reason, reply) = v1(&server, "backup_config_get", "").await;
    assert_eq!((result, reason.as_str()), (1, "OK"), "{reply}");
    let config = &reply["data"]["backup_config"];
    for (key, value) in [
        ("backupenable", json!(0)),
        ("backup_daily_enable", json!(1)),
        ("backupaccts", json!(1)),
        ("backupsuspendedaccts", json!(0)),
        ("backuptype", json!("compressed")),
        ("backupdir", json!("/backup")),
        ("backupdays", json!("0,2,4,6")),
        ("backup_daily_retention", json!("5")),
        ("backup_weekly_day", json!("0")),
        ("backup_monthly_dates", json!("1")),
        ("min_free_space_unit", json!("percent")),
        ("maximum_timeout", json!("7200")),
        ("mysqlbackup", json!("accounts")),
    ] {
        assert_eq!(config[key], value, "{key}: {config}");
    }

    let (result, reason, reply) = v1(
        &server,
        "backup_config_set",
        &format!(
            "BACKUPENABLE=yes&backupdays=1,3,5&backuptype=incremental&backupdir={}&backup_daily_retention=9&backupsuspendedaccts=1",
            backupdir.display()
        ),
    )
    .await;
    assert_eq!((result, reason.as_str()), (1, "OK"), "{reply}");
    let (_, _, changed) = v1(&server, "backup_config_get", "").await;
    let config = &changed["data"]["backup_config"];
    assert_eq!(config["backupenable"], 1);
    assert_eq!(config["backupdays"], "1,3,5");
    assert_eq!(config["backuptype"], "incremental");
    assert_eq!(config["backupdir"], backupdir.display().to_string());
    assert_eq!(config["backup_daily_retention"], "9");
    assert_eq!(config["backupsuspendedaccts"], 1);

    // Invalid changes are refused whole, with cPanel's reasons.
    for (query, expected) in [
        (
            "backupdays=8&backupdir=/etc&backup_daily_retention=2",
            "Invalid value for: backupdays and backupdir",
        ),
        ("backuptype=zip", "Invalid value for: backuptype"),
        (
            "min_free_space=150",
            "If the min_free_space_unit is “percent”, then the min_free_space parameter must be 100 or less.",
        ),
        (
            "keeplocal=0",
            "Nowhere to back up: no enabled destinations found and retaining local copies is disabled.",
        ),
    ] {
        let (result, reason, reply) = v1(&server, "backup_config_set", query).await;
        assert_eq!((result, reason.as_str()), (0, expected), "{query}: {reply}");
    }
    let (_, _, after) = v1(&server, "backup_config_get", "").await;
    assert_eq!(after["data"], changed["data"], "nothing changed");
}

/// 2026-12-06 00:00 UTC, a Sunday.
const SUNDAY: i64 = 1_796_515_200;
const HOUR: i64 = 3600;
const DAY: i64 = 86_400;

/// The server's context as a tool opens it, on the server's store and hostname.
pub async fn context(server: &Server) -> std::sync::Arc<whmd_api::Context> {
    std::fs::write(
        server.dir.path().join("whmd.toml"),
        "hostname = \"whmd.test\"\n",
    )
    .expect("config");
    whmd::tool::context(&server.store_flags(), &whmd::config::HostFlags::default())
        .await
        .expect("context")
        .0
}

fn runs_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| n.starts_with("20"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[tokio::test]
async fn scheduled_backups_follow_the_configuration_and_a_moving_clock() {
    use std::os::unix::fs::MetadataExt;
    use whmd_api::functions::backups::run::tick;
    use whmd_domain::backup::RunState;
    let server = Server::start().await;
    for user in ["bkone", "bkoff", "bksusp"] {
        create(&server, user, "").await;
    }
    let (result, _, _) = v1(&server, "toggle_user_backup_state", "user=bkoff&BACKUP=0").await;
    assert_eq!(result, 1);
    let (result, _, _) = v1(&server, "suspendacct", "user=bksusp&reason=unpaid").await;
    assert_eq!(result, 1);
    let backupdir = server.dir.path().join("backup");
    let (result, reason, _) = v1(
        &server,
        "backup_config_set",
        &format!(
            "backupdir={}&backupenable=1&backupdays=0,1,2,3,4,5,6&backup_daily_retention=2&backup_weekly_enable=1&backup_weekly_day=0&backup_monthly_enable=1&backup_monthly_dates=6&check_min_free_space=0",
            backupdir.display()
        ),
    )
    .await;
    assert_eq!(result, 1, "{reason}");
    let ctx = context(&server).await;

    // Before the hour nothing runs; from it, the day's kinds run once.
    assert!(
        tick(&ctx, "a", SUNDAY + HOUR, 2)
            .await
            .expect("tick")
            .is_none()
    );
    let report = tick(&ctx, "a", SUNDAY + 3 * HOUR, 2)
        .await
        .expect("tick")
        .expect("a run");
    assert_eq!(report.kinds, ["daily", "weekly", "monthly"]);
    assert_eq!(report.backed_up, ["bkone"]);
    let skipped: Vec<(&str, &str)> = report
        .skipped
        .iter()
        .map(|(u, w)| (u.as_str(), w.as_str()))
        .collect();
    assert_eq!(
        skipped,
        [("bkoff", "its backups are off"), ("bksusp", "suspended")]
    );
    assert!(
        report.failed.is_empty() && report.stopped.is_none(),
        "{report:?}"
    );
    let daily = backupdir.join("2026-12-06/accounts/bkone.tar.gz");
    let read =
        whmd_archive::inspect(std::fs::File::open(&daily).expect("archive")).expect("inspect");
    assert_eq!((read.top.as_str(), read.user.as_str()), ("bkone", "bkone"));
    let ino = std::fs::metadata(&daily).expect("daily").ino();
    for kind in ["weekly", "monthly"] {
        let copy = backupdir
            .join(kind)
            .join("2026-12-06/accounts/bkone.tar.gz");
        assert_eq!(std::fs::metadata(&copy).expect("copy").ino(), ino, "{kind}");
    }
    let mode = std::fs::metadata(&daily).expect("daily").mode();
    assert_eq!(mode & 0o777, 0o600);
    // Once a day, whichever replica looks.
    assert!(
        tick(&ctx, "b", SUNDAY + 5 * HOUR, 2)
            .await
            .expect("tick")
            .is_none()
    );
    let run = ctx
        .stores
        .backups
        .backup_run("whmd.test", "2026-12-06")
        .await
        .expect("read")
        .expect("recorded");
    assert_eq!((run.state, run.holder.as_str()), (RunState::Completed, "a"));
    assert!(
        run.summary.contains("1 accounts backed up, 2 skipped"),
        "{}",
        run.summary
    );

    // The next days: dailies kept two at a time; suspended accounts when configured.
    let (result, _, _) = v1(&server, "backup_config_set", "backupsuspendedaccts=1").await;
    assert_eq!(result, 1);
    for n in 1..=3 {
        let report = tick(&ctx, "a", SUNDAY + n * DAY + 3 * HOUR, 2)
            .await
            .expect("tick")
            .expect("a run");
        assert_eq!(report.kinds, ["daily"]);
        assert_eq!(report.backed_up, ["bkone", "bksusp"]);
    }
    assert_eq!(runs_in(&backupdir), ["2026-12-08", "2026-12-09"]);
    assert_eq!(runs_in(&backupdir.join("weekly")), ["2026-12-06"]);
    assert_eq!(runs_in(&backupdir.join("monthly")), ["2026-12-06"]);

    // Uncompressed and incremental runs keep cPanel's names.
    let (result, _, _) = v1(&server, "backup_config_set", "backuptype=uncompressed").await;
    assert_eq!(result, 1);
    tick(&ctx, "a", SUNDAY + 4 * DAY + 3 * HOUR, 2)
        .await
        .expect("tick")
        .expect("a run");
    assert!(backupdir.join("2026-12-10/accounts/bkone.tar").is_file());
    let (result, _, _) = v1(&server, "backup_config_set", "backuptype=incremental").await;
    assert_eq!(result, 1);
    tick(&ctx, "a", SUNDAY + 5 * DAY + 3 * HOUR, 2)
        .await
        .expect("tick")
        .expect("a run");
    let tree = backupdir.join("2026-12-11/accounts/bkone");
    assert!(tree.join("cp/bkone").is_file(), "{}", tree.display());
    assert!(tree.join("dnszones/bkone.example.com.db").is_file());

    // A run another replica holds is left to it until its lease passes.
    let monday = "2026-12-14";
    let at = SUNDAY + 8 * DAY + 3 * HOUR;
    assert!(
        ctx.stores
            .backups
            .claim_backup_run("whmd.test", monday, "gone", at, at + 600)
            .await
            .expect("claim")
    );
    assert!(tick(&ctx, "a", at + 60, 2).await.expect("tick").is_none());
    let taken = tick(&ctx, "a", at + 601, 2)
        .await
        .expect("tick")
        .expect("taken over");
    assert_eq!(taken.day, monday);
}

#[tokio::test]
async fn the_listings_read_what_the_backup_directory_holds() {
    use whmd_api::functions::backups::run::tick;
    let server = Server::start().await;
    for user in ["lsone", "lstwo"] {
        create(&server, user, "").await;
    }
    let backupdir = server.dir.path().join("backup");
    let (result, _, _) = v1(&server, "backup_date_list", "").await;
    assert_eq!(result, 1, "no backup directory yet is an empty list");
    let (result, reason, _) = v1(
        &server,
        "backup_config_set",
        &format!(
            "backupdir={}&backupenable=1&backupdays=0,1&backup_weekly_enable=1&backup_weekly_day=0&check_min_free_space=0",
            backupdir.display()
        ),
    )
    .await;
    assert_eq!(result, 1, "{reason}");
    let ctx = context(&server).await;
    tick(&ctx, "a", SUNDAY + 3 * HOUR, 2)
        .await
        .expect("tick")
        .expect("a run");
    create(&server, "lsnew", "").await;
    let (result, _, _) = v1(&server, "removeacct", "username=lstwo").await;
    assert_eq!(result, 1);
    tick(&ctx, "a", SUNDAY + DAY + 3 * HOUR, 2)
        .await
        .expect("tick")
        .expect("a run");

    let (_, _, reply) = v1(&server, "backup_date_list", "").await;
    assert_eq!(
        reply["data"]["backup_set"],
        json!(["2026-12-07", "2026-12-06"])
    );

    let (result, _, reply) = v1(&server, "backup_user_list", "restore_point=2026-12-06").await;
    assert_eq!(result, 1, "{reply}");
    assert_eq!(
        reply["data"]["user"],
        json!([
            {"username": "lsnew", "status": "no_backup"},
            {"username": "lsone", "status": "active"},
            {"username": "lstwo", "status": "inactive"},
        ])
    );
    let (result, reason, _) = v1(&server, "backup_user_list", "restore_point=2026-12-01").await;
    assert_eq!(
        (result, reason.as_str()),
        (0, "Invalid restore point: 2026-12-01")
    );
    let (result, reason, _) = v1(&server, "backup_user_list", "").await;
    assert_eq!(
        (result, reason.as_str()),
        (0, "Missing argument:  restore_point")
    );

    let (_, _, reply) = v1(&server, "backup_set_list", "").await;
    assert_eq!(
        reply["data"]["backup_set"],
        json!([
            {"user": "lsnew", "backup_date": ["2026-12-07"]},
            {"user": "lsone", "backup_date": ["2026-12-07", "2026-12-06"]},
            {"user": "lstwo", "backup_date": ["2026-12-06"]},
        ])
    );
}

/// Polls until no restore task is active and none is pending; the queue's state.
pub async fn drained(server: &Server) -> serde_json::Value {
    for _ in 0..300 {
        let (_, _, reply) = v1(server, "restore_queue_state", "").await;
        let data = reply["data"].clone();
        if data["is_active"] == 0 && data["pending"].as_array().is_some_and(Vec::is_empty) {
            return data;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the restore queue never drained");
}

#[tokio::test]
async fn the_restore_queue_restores_from_scheduled_backups() {
    use whmd_api::functions::backups::run::tick;
    let server = Server::start().await;
    for user in ["rqone", "rqtwo"] {
        create(&server, user, "&maxpop=3").await;
    }
    let backupdir = server.dir.path().join("backup");
    let (result, reason, _) = v1(
        &server,
        "backup_config_set",
        &format!(
            "backupdir={}&backupenable=1&backupdays=0&check_min_free_space=0",
            backupdir.display()
        ),
    )
    .await;
    assert_eq!(result, 1, "{reason}");
    let ctx = context(&server).await;
    tick(&ctx, "a", SUNDAY + 3 * HOUR, 2)
        .await
        .expect("tick")
        .expect("a run");
    for user in ["rqone", "rqtwo"] {
        let (result, _, _) = v1(&server, "removeacct", &format!("username={user}")).await;
        assert_eq!(result, 1);
    }

    // Bad tasks are refused and change nothing.
    for (query, expected) in [
        (
            "user=rqone&restore_point=2026-12-05",
            "There is no backup of “rqone” for “2026-12-05”.",
        ),
        (
            "user=nobody&restore_point=2026-12-06",
            "There is no backup of “nobody” for “2026-12-06”.",
        ),
        (
            "user=rqone&restore_point=../../etc",
            "There is no backup of “rqone” for “../../etc”.",
        ),
        (
            "user=rqone&restore_point=2026-12-06&destid=abc",
            "The backup destination “abc” does not exist.",
        ),
        (
            "user=rqone&restore_point=2026-12-06&mysql=2",
            "Value for argument mysql must be either 1 or 0 (2)",
        ),
    ] {
        let (result, reason, _) = v1(&server, "restore_queue_add_task", query).await;
        assert_eq!((result, reason.as_str()), (0, expected), "{query}");
    }
    let (_, _, reply) = v1(&server, "restore_queue_list_pending", "").await;
    assert_eq!(reply["data"]["restore_job"], json!([]));

    for user in ["rqone", "rqtwo"] {
        let (result, _, reply) = v1(
            &server,
            "restore_queue_add_task",
            &format!("user={user}&restore_point=2026-12-06&subdomains=1"),
        )
        .await;
        assert_eq!(result, 1, "{reply}");
        assert!(reply["data"]["queue_id"].is_string());
    }
    let (result, reason, _) = v1(
        &server,
        "restore_queue_add_task",
        "user=rqone&restore_point=2026-12-06",
    )
    .await;
    assert_eq!(
        (result, reason.as_str()),
        (0, "A restore of “rqone” is already in the queue.")
    );
    let (_, _, reply) = v1(&server, "restore_queue_list_pending", "").await;
    assert_eq!(
        reply["data"]["restore_job"][0],
        json!({"user": "rqone", "restore_point": "2026-12-06",
               "options": {"give_ip": 0, "mail_config": 0, "mysql": 0, "subdomains": 1, "destid": "local"}})
    );
    // A pending task can be taken out again.
    let (result, _, _) = v1(&server, "restore_queue_clear_pending_task", "user=rqtwo").await;
    assert_eq!(result, 1);

    let (result, reason, _) = v1(&server, "restore_queue_activate", "").await;
    assert_eq!(
        (result, reason.as_str()),
        (1, "Restore queue processing initiated")
    );
    let state = drained(&server).await;
    assert_eq!(state["active"], json!([]));
    let done = &state["completed"][0];
    assert_eq!(
        (done["user"].as_str(), done["status"].as_str()),
        (Some("rqone"), Some("completed")),
        "{state}"
    );
    assert!(
        done["result"]
            .as_str()
            .is_some_and(|r| r.contains("Restored rqone")),
        "{state}"
    );
    let (result, _, reply) = v1(&server, "accountsummary", "user=rqone").await;
    assert_eq!(result, 1, "{reply}");
    assert_eq!(reply["data"]["acct"][0]["maxpop"], "3");
    let (result, _, _) = v1(&server, "accountsummary", "user=rqtwo").await;
    assert_eq!(result, 0, "its task was cleared");
    let (_, _, reply) = v1(&server, "restore_queue_is_active", "").await;
    assert_eq!(reply["data"]["is_active"], 0);

    // A task whose restore fails (the name is taken again) ends failed, with the reason.
    create(&server, "rqtwo", "").await;
    let (result, _, _) = v1(
        &server,
        "restore_queue_add_task",
        "user=rqtwo&restore_point=2026-12-06",
    )
    .await;
    assert_eq!(result, 1);
    v1(&server, "restore_queue_activate", "").await;
    let state = drained(&server).await;
    let failed = state["completed"]
        .as_array()
        .and_then(|c| c.iter().find(|t| t["user"] == "rqtwo"))
        .expect("rqtwo's task")
        .clone();
    assert_eq!(failed["status"], "failed", "{state}");
    assert!(
        failed["result"]
            .as_str()
            .is_some_and(|r| r.contains("already has an account")),
        "{failed}"
    );

    // Finished tasks are cleared by user and start time, or all at once.
    let start = done["start_time"].as_i64().expect("a start time");
    let (result, _, _) = v1(
        &server,
        "restore_queue_clear_completed_task",
        &format!("user=rqone&start_time={start}"),
    )
    .await;
    assert_eq!(result, 1);
    let (result, _, _) = v1(&server, "restore_queue_clear_all_failed_tasks", "").await;
    assert_eq!(result, 1);
    let (_, _, reply) = v1(&server, "restore_queue_list_completed", "").await;
    assert_eq!(reply["data"]["restore_job"], json!([]));
}

#[tokio::test]
async fn every_accounts_backups_are_switched_in_the_background() {
    let server = Server::start().await;
    let (result, _, reply) = v1(&server, "backup_skip_users_all_status", "").await;
    assert_eq!(result, 1);
    assert_eq!(
        reply["data"]["reason"],
        json!({"msg": "No save_all process running.", "perc": 0, "running": 0})
    );
    for user in ["skone", "sktwo", "skthree"] {
        create(&server, user, "").await;
    }
    let (result, reason, _) = v1(&server, "backup_skip_users_all", "").await;
    assert_eq!((result, reason.as_str()), (0, "state must be specified"));

    let flags = |key: &'static str| {
        let server = &server;
        async move {
            let stores = server.store().await;
            let mut values = Vec::new();
            for user in ["skone", "sktwo", "skthree"] {
                let account = stores
                    .accounts
                    .account(user)
                    .await
                    .expect("read")
                    .expect("stored");
                values.push(account.get(key).unwrap_or("").to_owned());
            }
            values
        }
    };
    let done = || async {
        for _ in 0..300 {
            let (_, _, reply) = v1(&server, "backup_skip_users_all_status", "").await;
            if reply["data"]["reason"]["running"] == 0 {
                return reply["data"]["reason"].clone();
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("the switch never finished");
    };
    let (result, reason, _) = v1(&server, "backup_skip_users_all", "state=disable").await;
    assert_eq!(
        (result, reason.as_str()),
        (1, "Configuration update process started")
    );
    assert_eq!(
        done().await,
        json!({"msg": "Done", "perc": 100, "running": 0})
    );
    assert_eq!(flags("BACKUP").await, ["0", "0", "0"]);

    let (result, _, _) = v1(
        &server,
        "backup_skip_users_all",
        "state=enable&backupversion=legacy",
    )
    .await;
    assert_eq!(result, 1);
    done().await;
    assert_eq!(flags("LEGACY_BACKUP").await, ["1", "1", "1"]);
    assert_eq!(
        flags("BACKUP").await,
        ["0", "0", "0"],
        "the other flag stays"
    );
    let (result, _, _) = v1(&server, "backup_skip_users_all", "state=1").await;
    assert_eq!(result, 1);
    done().await;
    assert_eq!(flags("BACKUP").await, ["1", "1", "1"]);
}
