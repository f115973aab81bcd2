//! One account as `listaccts` and `accountsummary` report it (cPanel's listaccts
//! documentation: <https://api.docs.cpanel.net/openapi/whm/operation/listaccts/>). Numbers WHM
//! sends as strings stay strings; flags are 0/1 numbers.
//!
//! Records are made as their accounts are read ([`super::source`]), one batch at a time.

use super::source::RecordOf;
use crate::function::list_data;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;
use whmd_domain::account::Account;
use whmd_domain::store::Usage;
use whmd_domain::time::short_date;

/// The server setting WHM reports with every account.
const MIN_DEFER_FAIL_TO_TRIGGER_PROTECTION: &str = "5";

list_data!(
    /// The data of listaccts and accountsummary: `{acct: [record, …]}`.
    AccountList = "Accounts" { "acct": [Record] }
);

/// How listaccts and accountsummary write an account.
pub struct AccountRecord {
    /// The record fields to send (listaccts' `want`); all when `None`.
    pub want: Option<Vec<String>>,
    /// Whether records carry `has_backup` (listaccts' do, accountsummary's do not).
    pub has_backup: bool,
}

impl RecordOf for AccountRecord {
    fn record(&self, account: &Account, usage: Option<&Usage>) -> Option<Value> {
        let record = Record::of(account, usage, self.has_backup);
        let mut value = serde_json::to_value(&record).ok()?;
        if let (Some(want), Some(fields)) = (&self.want, value.as_object_mut()) {
            fields.retain(|k, _| want.iter().any(|w| w == k));
        }
        Some(value)
    }

    fn uses_usage(&self) -> bool {
        true
    }
}

/// One account's record, in WHM's field order. With `want`, only the fields it names.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "AccountRecord")]
struct Record<'a> {
    user: &'a str,
    domain: &'a str,
    ip: &'a str,
    ipv6: [&'a str; 0],
    owner: &'a str,
    /// The contact addresses, or `*unknown*`.
    email: String,
    /// The package, or `undefined`.
    plan: &'a str,
    theme: &'a str,
    shell: &'a str,
    uid: u32,
    partition: &'a str,
    mailbox_format: &'a str,
    startdate: String,
    unix_startdate: i64,
    suspended: u8,
    suspendreason: &'a str,
    suspendtime: i64,
    is_locked: u8,
    outgoing_mail_suspended: u8,
    outgoing_mail_hold: u8,
    /// `NM` (megabytes) or `unlimited`.
    disklimit: String,
    /// Whole megabytes, rounded down, as `NM`.
    diskused: String,
    inodeslimit: &'static str,
    inodesused: u64,
    maxaddons: &'a str,
    maxparked: &'a str,
    maxftp: &'a str,
    maxlst: &'a str,
    maxpop: &'a str,
    maxsql: &'a str,
    maxsub: &'a str,
    max_emailacct_quota: &'a str,
    max_email_per_hour: &'a str,
    max_defer_fail_percentage: &'a str,
    min_defer_fail_to_trigger_protection: &'static str,
    backup: u8,
    legacy_backup: u8,
    temporary: u8,
    child_nodes: [&'a str; 0],
    /// listaccts only.
    #[serde(skip_serializing_if = "Option::is_none")]
    has_backup: Option<u8>,
}

impl<'a> Record<'a> {
    fn of(a: &'a Account, usage: Option<&Usage>, with_has_backup: bool) -> Self {
        let cp = |key: &str| a.get(key).unwrap_or("*unknown*");
        let email = match (
            a.get("CONTACTEMAIL").filter(|e| !e.is_empty()),
            a.get("CONTACTEMAIL2").filter(|e| !e.is_empty()),
        ) {
            (Some(one), Some(two)) => format!("{one}, {two}"),
            (Some(one), None) => one.to_owned(),
            (None, Some(two)) => two.to_owned(),
            (None, None) => "*unknown*".to_owned(),
        };
        let flag = |key: &str| u8::from(a.get(key) == Some("1"));
        let (suspended, suspendreason, suspendtime, is_locked) = match &a.suspension {
            Some(s) => (1, s.reason.as_str(), s.time, u8::from(s.locked)),
            None => (0, "not suspended", 0, 0),
        };
        let (disk_mb, inodes) = usage.map_or((0, 0), |u| (u.disk_bytes / (1024 * 1024), u.inodes));
        Self {
            user: &a.user,
            domain: &a.domain,
            ip: &a.ip,
            ipv6: [],
            owner: &a.owner,
            email,
            plan: if a.plan.is_empty() {
                "undefined"
            } else {
                &a.plan
            },
            theme: a.get_or_default("RS"),
            shell: &a.shell,
            uid: a.uid,
            partition: partition(&a.homedir),
            mailbox_format: a.get_or_default("MAILBOX_FORMAT"),
            startdate: short_date(a.start_date()),
            unix_startdate: a.start_date(),
            suspended,
            suspendreason,
            suspendtime,
            is_locked,
            outgoing_mail_suspended: flag("OUTGOING_MAIL_SUSPENDED"),
            outgoing_mail_hold: flag("OUTGOING_MAIL_HOLD"),
            disklimit: a
                .quota_mb
                .map_or_else(|| "unlimited".to_owned(), |q| format!("{q}M")),
            diskused: format!("{disk_mb}M"),
            inodeslimit: "unlimited",
            inodesused: inodes,
            maxaddons: cp("MAXADDON"),
            maxparked: cp("MAXPARK"),
            maxftp: cp("MAXFTP"),
            maxlst: cp("MAXLST"),
            maxpop: cp("MAXPOP"),
            maxsql: cp("MAXSQL"),
            maxsub: cp("MAXSUB"),
            max_emailacct_quota: cp("MAX_EMAILACCT_QUOTA"),
            max_email_per_hour: cp("MAX_EMAIL_PER_HOUR"),
            max_defer_fail_percentage: cp("MAX_DEFER_FAIL_PERCENTAGE"),
            min_defer_fail_to_trigger_protection: MIN_DEFER_FAIL_TO_TRIGGER_PROTECTION,
            backup: flag("BACKUP"),
            legacy_backup: flag("LEGACY_BACKUP"),
            temporary: u8::from(a.plan.contains("cPanel Ticket System")),
            child_nodes: [],
            has_backup: with_has_backup.then_some(0),
        }
    }
}

/// The first component of the home directory (`/home/bob` → `home`).
fn partition(homedir: &str) -> &str {
    homedir
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or("")
}
