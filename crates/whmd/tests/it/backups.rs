//! The backup configuration through WHM API 1: cPanel's keys and defaults, flags as numbers and
//! the rest as text, changes checked whole (an invalid one changes nothing), on both stores.

use crate::accounts::v1;
use crate::harness::Server;
use serde_json::json;

#[tokio::test]
async fn the_backup_configuration_reads_and_changes_as_whms() {
    let server = Server::start().await;
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
        "BACKUPENABLE=yes&backupdays=1,3,5&backuptype=incremental&backupdir=/srv/backups&backup_daily_retention=9&backupsuspendedaccts=1",
    )
    .await;
    assert_eq!((result, reason.as_str()), (1, "OK"), "{reply}");
    let (_, _, changed) = v1(&server, "backup_config_get", "").await;
    let config = &changed["data"]["backup_config"];
    assert_eq!(config["backupenable"], 1);
    assert_eq!(config["backupdays"], "1,3,5");
    assert_eq!(config["backuptype"], "incremental");
    assert_eq!(config["backupdir"], "/srv/backups");
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
