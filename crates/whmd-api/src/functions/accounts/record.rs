//! One account as `listaccts` and `accountsummary` report it (FUNCTIONS.md §2, listaccts).
//! Numbers WHM sends as strings stay strings; flags are 0/1 numbers.

use serde_json::{Map, Value, json};
use whmd_domain::account::Account;
use whmd_domain::store::Usage;
use whmd_domain::time::short_date;

/// The server setting WHM reports with every account.
const MIN_DEFER_FAIL_TO_TRIGGER_PROTECTION: &str = "5";

/// The record; `usage` is what the host last measured of the home (none: not measured).
pub fn acct_record(
    a: &Account,
    usage: Option<&Usage>,
    with_has_backup: bool,
) -> Map<String, Value> {
    let cp = |key: &str| a.get(key).unwrap_or("*unknown*").to_owned();
    let email = match (
        a.get("CONTACTEMAIL").filter(|e| !e.is_empty()),
        a.get("CONTACTEMAIL2").filter(|e| !e.is_empty()),
    ) {
        (Some(one), Some(two)) => format!("{one}, {two}"),
        (Some(one), None) => one.to_owned(),
        (None, Some(two)) => two.to_owned(),
        (None, None) => "*unknown*".to_owned(),
    };
    let flag = |key: &str| json!(u8::from(a.get(key) == Some("1")));
    let mut m = Map::new();
    m.insert("user".into(), json!(a.user));
    m.insert("domain".into(), json!(a.domain));
    m.insert("ip".into(), json!(a.ip));
    m.insert("ipv6".into(), json!([]));
    m.insert("owner".into(), json!(a.owner));
    m.insert("email".into(), json!(email));
    m.insert(
        "plan".into(),
        json!(if a.plan.is_empty() {
            "undefined"
        } else {
            &a.plan
        }),
    );
    m.insert("theme".into(), json!(a.get_or_default("RS")));
    m.insert("shell".into(), json!(a.shell));
    m.insert("uid".into(), json!(a.uid));
    m.insert("partition".into(), json!(partition(&a.homedir)));
    m.insert(
        "mailbox_format".into(),
        json!(a.get_or_default("MAILBOX_FORMAT")),
    );
    m.insert("startdate".into(), json!(short_date(a.start_date())));
    m.insert("unix_startdate".into(), json!(a.start_date()));
    let (suspended, reason, time, locked) = match &a.suspension {
        Some(s) => (1, s.reason.as_str(), s.time, u8::from(s.locked)),
        None => (0, "not suspended", 0, 0),
    };
    m.insert("suspended".into(), json!(suspended));
    m.insert("suspendreason".into(), json!(reason));
    m.insert("suspendtime".into(), json!(time));
    m.insert("is_locked".into(), json!(locked));
    m.insert(
        "outgoing_mail_suspended".into(),
        flag("OUTGOING_MAIL_SUSPENDED"),
    );
    m.insert("outgoing_mail_hold".into(), flag("OUTGOING_MAIL_HOLD"));
    m.insert(
        "disklimit".into(),
        json!(
            a.quota_mb
                .map_or_else(|| "unlimited".to_owned(), |q| format!("{q}M"))
        ),
    );
    // Whole megabytes, rounded down, as WHM reports them.
    let (disk_mb, inodes) = usage.map_or((0, 0), |u| (u.disk_bytes / (1024 * 1024), u.inodes));
    m.insert("diskused".into(), json!(format!("{disk_mb}M")));
    m.insert("inodeslimit".into(), json!("unlimited"));
    m.insert("inodesused".into(), json!(inodes));
    for (field, key) in [
        ("maxaddons", "MAXADDON"),
        ("maxparked", "MAXPARK"),
        ("maxftp", "MAXFTP"),
        ("maxlst", "MAXLST"),
        ("maxpop", "MAXPOP"),
        ("maxsql", "MAXSQL"),
        ("maxsub", "MAXSUB"),
        ("max_emailacct_quota", "MAX_EMAILACCT_QUOTA"),
        ("max_email_per_hour", "MAX_EMAIL_PER_HOUR"),
        ("max_defer_fail_percentage", "MAX_DEFER_FAIL_PERCENTAGE"),
    ] {
        m.insert(field.into(), json!(cp(key)));
    }
    m.insert(
        "min_defer_fail_to_trigger_protection".into(),
        json!(MIN_DEFER_FAIL_TO_TRIGGER_PROTECTION),
    );
    m.insert("backup".into(), flag("BACKUP"));
    m.insert("legacy_backup".into(), flag("LEGACY_BACKUP"));
    m.insert(
        "temporary".into(),
        json!(u8::from(a.plan.contains("cPanel Ticket System"))),
    );
    m.insert("child_nodes".into(), json!([]));
    if with_has_backup {
        m.insert("has_backup".into(), json!(0));
    }
    m
}

/// The first component of the home directory (`/home/bob` → `home`).
fn partition(homedir: &str) -> &str {
    homedir
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or("")
}
