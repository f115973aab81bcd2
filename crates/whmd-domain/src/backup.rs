//! The backup configuration, as `backup_config_get` and `backup_config_set` show and change it
//! (<https://api.docs.cpanel.net/openapi/whm/operation/backup_config_set/>): cPanel's keys,
//! lower-cased, with cPanel's defaults; flags kept as `1`/`0`, everything else as the text it
//! was given. Only the keys that were set are stored; the rest read as their defaults.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a setting's value may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// 1 or 0; `yes`/`no`, `on`/`off` are taken too.
    Flag,
    /// A whole number in a range.
    Number(u32, u32),
    /// Days of the week, 0 (Sunday) to 6, comma-separated.
    WeekDays,
    /// One day of the week.
    WeekDay,
    /// Days of the month, 1 to 31, comma-separated.
    MonthDays,
    Choice(&'static [&'static str]),
    /// An absolute directory that is not one of the system's own.
    Directory,
    /// Free text on one line.
    Text,
}

/// Every setting: its key, what it may be, and its default.
pub const SETTINGS: &[(&str, Kind, &str)] = &[
    ("backupenable", Kind::Flag, "0"),
    (
        "backuptype",
        Kind::Choice(&["compressed", "uncompressed", "incremental"]),
        "compressed",
    ),
    ("backupdir", Kind::Directory, "/backup"),
    ("backup_daily_enable", Kind::Flag, "1"),
    ("backupdays", Kind::WeekDays, "0,2,4,6"),
    ("backup_daily_retention", Kind::Number(1, 9999), "5"),
    ("backup_weekly_enable", Kind::Flag, "0"),
    ("backup_weekly_day", Kind::WeekDay, "0"),
    ("backup_weekly_retention", Kind::Number(1, 9999), "4"),
    ("backup_monthly_enable", Kind::Flag, "0"),
    ("backup_monthly_dates", Kind::MonthDays, "1"),
    ("backup_monthly_retention", Kind::Number(1, 9999), "1"),
    ("backupaccts", Kind::Flag, "1"),
    ("backupsuspendedaccts", Kind::Flag, "0"),
    ("backupfiles", Kind::Flag, "1"),
    ("backupbwdata", Kind::Flag, "1"),
    ("backuplogs", Kind::Flag, "0"),
    ("backupmount", Kind::Flag, "0"),
    ("keeplocal", Kind::Flag, "1"),
    (
        "mysqlbackup",
        Kind::Choice(&["accounts", "dir", "both"]),
        "accounts",
    ),
    ("psqlbackup", Kind::Flag, "0"),
    ("localzonesonly", Kind::Flag, "0"),
    ("disable_metadata", Kind::Flag, "0"),
    ("check_min_free_space", Kind::Flag, "1"),
    ("min_free_space", Kind::Number(0, u32::MAX), "5"),
    (
        "min_free_space_unit",
        Kind::Choice(&["percent", "MB"]),
        "percent",
    ),
    ("maximum_timeout", Kind::Number(300, 50_000), "7200"),
    (
        "maximum_restore_timeout",
        Kind::Number(600, 86_400),
        "21600",
    ),
    ("errorthreshhold", Kind::Number(0, 9999), "3"),
    ("linkdest", Kind::Flag, "0"),
    ("gziprsyncopts", Kind::Text, ""),
    ("prebackup", Kind::Choice(&["-1", "0", "1"]), "-1"),
    ("postbackup", Kind::Flag, "0"),
    ("force_prune_daily", Kind::Flag, "0"),
    ("force_prune_weekly", Kind::Flag, "0"),
    ("force_prune_monthly", Kind::Flag, "0"),
    ("remote_restore_staging_dir", Kind::Directory, "/backup"),
];

/// The name cPanel's documentation example gives `backupsuspendedaccts`; taken as it.
const ALIASES: &[(&str, &str)] = &[("backupsuspendedaccounts", "backupsuspendedaccts")];

/// Directories a backup may not be written to or staged in.
const SYSTEM_DIRS: &[&str] = &[
    "/", "/bin", "/boot", "/dev", "/etc", "/lib", "/lib64", "/proc", "/root", "/run", "/sbin",
    "/sys", "/usr", "/var",
];

/// The settings that differ from nothing: the ones that were set, by key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BackupConfig(BTreeMap<String, String>);

impl BackupConfig {
    /// The setting's value, or its default.
    pub fn get(&self, key: &str) -> &str {
        self.0.get(key).map_or_else(
            || {
                SETTINGS
                    .iter()
                    .find(|(k, ..)| *k == key)
                    .map_or("", |(.., default)| default)
            },
            String::as_str,
        )
    }

    pub fn flag(&self, key: &str) -> bool {
        self.get(key) == "1"
    }

    /// A number setting (its default if it does not read).
    pub fn number(&self, key: &str) -> u32 {
        self.get(key).parse().unwrap_or(0)
    }

    /// Every setting with its value, in the order of [`SETTINGS`].
    pub fn all(&self) -> impl Iterator<Item = (&'static str, Kind, &str)> {
        SETTINGS
            .iter()
            .map(|(key, kind, _)| (*key, *kind, self.get(key)))
    }

    /// The configuration with `changes` (keys in any case) applied; unknown keys are left
    /// alone. Every value is checked first: the reason names each one that is not valid, and
    /// then the rules between them.
    pub fn changed(&self, changes: &[(String, String)]) -> Result<Self, String> {
        let mut next = self.clone();
        let mut invalid = Vec::new();
        for (raw_key, value) in changes {
            let lower = raw_key.to_ascii_lowercase();
            let key = ALIASES
                .iter()
                .find(|(alias, _)| *alias == lower)
                .map_or(lower.as_str(), |(_, key)| *key);
            let Some((key, kind, _)) = SETTINGS.iter().find(|(k, ..)| *k == key) else {
                continue;
            };
            match normalise(*kind, value.trim()) {
                Some(v) => {
                    next.0.insert((*key).to_owned(), v);
                }
                None => invalid.push(*key),
            }
        }
        if !invalid.is_empty() {
            invalid.dedup();
            return Err(format!("Invalid value for: {}", and_list(&invalid)));
        }
        if next.get("min_free_space_unit") == "percent" && next.number("min_free_space") > 100 {
            return Err("If the min_free_space_unit is “percent”, then the min_free_space parameter must be 100 or less.".into());
        }
        Ok(next)
    }

    /// cPanel's refusal of a configuration that keeps no local copies when `destinations`
    /// (the enabled ones that take backups) is none.
    pub fn check_somewhere(&self, destinations: usize) -> Result<(), String> {
        if !self.flag("keeplocal") && destinations == 0 {
            return Err(
                "Nowhere to back up: no enabled destinations found and retaining local copies is disabled."
                    .into(),
            );
        }
        Ok(())
    }
}

/// Where a scheduled run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunState {
    Running,
    Completed,
    Failed,
}

impl RunState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Completed => "completed",
            Self::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Running, Self::Completed, Self::Failed]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// One server's scheduled backups of one day, as the store keeps them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupRun {
    /// The server that writes it (its hostname).
    pub host: String,
    /// `YYYY-MM-DD`.
    pub day: String,
    /// The replica running or that ran it.
    pub holder: String,
    pub state: RunState,
    pub started: i64,
    /// Until when the holder has it; a running run whose lease passed may be taken over.
    pub lease_until: i64,
    pub finished: Option<i64>,
    pub summary: String,
}

/// Where a task of the restore queue stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskState {
    Pending,
    Active,
    /// Restored.
    Completed,
    /// Ended without restoring.
    Failed,
}

impl TaskState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Active => "active",
            Self::Completed => "completed",
            Self::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Pending, Self::Active, Self::Completed, Self::Failed]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// The options of a restore task, as `restore_queue_add_task` takes them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskOptions {
    pub give_ip: bool,
    pub mail_config: bool,
    pub mysql: bool,
    pub subdomains: bool,
    pub destid: String,
}

/// A task of the restore queue: an account to restore from a day's backup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreTask {
    pub id: String,
    pub user: String,
    /// `YYYY-MM-DD`.
    pub restore_point: String,
    pub options: TaskOptions,
    pub state: TaskState,
    pub added: i64,
    pub start_time: Option<i64>,
    pub end_time: Option<i64>,
    /// The background job restoring it, once it started.
    pub session: Option<String>,
    /// What came of it, for people.
    pub result: String,
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The value as it is kept, or `None` when it is not one `kind` takes.
fn normalise(kind: Kind, value: &str) -> Option<String> {
    let number = |v: &str, min: u32, max: u32| {
        (!v.is_empty() && v.len() <= 10 && v.bytes().all(|b| b.is_ascii_digit()))
            .then(|| v.parse::<u32>().ok())
            .flatten()
            .filter(|n| (min..=max).contains(n))
    };
    let list = |v: &str, min: u32, max: u32| -> Option<String> {
        let mut days: Vec<u32> = v
            .split(',')
            .map(|d| number(d.trim(), min, max))
            .collect::<Option<_>>()?;
        days.sort_unstable();
        days.dedup();
        Some(
            days.iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(","),
        )
    };
    match kind {
        Kind::Flag => match value.to_ascii_lowercase().as_str() {
            "1" | "yes" | "on" | "y" => Some("1".into()),
            "0" | "no" | "off" | "n" => Some("0".into()),
            _ => None,
        },
        Kind::Number(min, max) => number(value, min, max).map(|n| n.to_string()),
        Kind::WeekDays => list(value, 0, 6),
        Kind::WeekDay => number(value, 0, 6).map(|n| n.to_string()),
        Kind::MonthDays => list(value, 1, 31),
        Kind::Choice(choices) => choices
            .iter()
            .find(|c| c.eq_ignore_ascii_case(value))
            .map(|c| (*c).to_owned()),
        Kind::Directory => {
            let dir = value.trim_end_matches('/');
            let dir = if dir.is_empty() { "/" } else { dir };
            let fit = value.starts_with('/')
                && value.len() <= 1024
                && !value.split('/').any(|part| part == "..")
                && !value.chars().any(char::is_control)
                && !SYSTEM_DIRS.contains(&dir);
            fit.then(|| dir.to_owned())
        }
        Kind::Text => {
            (value.len() <= 1024 && !value.chars().any(char::is_control)).then(|| value.to_owned())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(config: &BackupConfig, pairs: &[(&str, &str)]) -> Result<BackupConfig, String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        config.changed(&pairs)
    }

    #[test]
    fn defaults_until_set() {
        let config = BackupConfig::default();
        assert_eq!(config.get("backupdir"), "/backup");
        assert_eq!(config.get("backupdays"), "0,2,4,6");
        assert!(!config.flag("backupenable"));
        assert_eq!(config.all().count(), SETTINGS.len());
    }

    #[test]
    fn values_are_checked_and_kept_as_cpanel_keeps_them() {
        let config = set(
            &BackupConfig::default(),
            &[
                ("BACKUPENABLE", "yes"),
                ("backupdays", "6, 1,1"),
                ("backuptype", "Incremental"),
                ("backupdir", "/srv/backup/"),
                ("backupsuspendedaccounts", "on"),
                ("not_a_setting", "x"),
            ],
        )
        .expect("valid");
        assert!(config.flag("backupenable"));
        assert_eq!(config.get("backupdays"), "1,6");
        assert_eq!(config.get("backuptype"), "incremental");
        assert_eq!(config.get("backupdir"), "/srv/backup");
        assert!(config.flag("backupsuspendedaccts"));
        assert_eq!(config.get("not_a_setting"), "");

        let refused = set(
            &config,
            &[
                ("backupdays", "7"),
                ("backupdir", "/etc"),
                ("maximum_timeout", "10"),
            ],
        )
        .expect_err("invalid");
        assert_eq!(
            refused,
            "Invalid value for: backupdays, backupdir and maximum_timeout"
        );
        for (key, value) in [
            ("backupdir", "relative"),
            ("backupdir", "/home/../etc"),
            ("backupdir", "/"),
            ("backup_daily_retention", "0"),
            ("backup_monthly_dates", "0"),
            ("backupenable", "maybe"),
            ("gziprsyncopts", "a\nb"),
        ] {
            assert!(set(&config, &[(key, value)]).is_err(), "{key}={value}");
        }
        let percent = set(&config, &[("min_free_space", "101")]).expect_err("percent");
        assert!(percent.contains("100 or less"), "{percent}");
        assert!(
            set(
                &config,
                &[("min_free_space", "101"), ("min_free_space_unit", "MB")]
            )
            .is_ok()
        );
        let remote_only = set(&config, &[("keeplocal", "0")]).expect("valid alone");
        let nowhere = remote_only.check_somewhere(0).expect_err("nowhere");
        assert!(nowhere.starts_with("Nowhere to back up"), "{nowhere}");
        assert!(remote_only.check_somewhere(1).is_ok());
    }
}
