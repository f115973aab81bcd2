//! When scheduled backups are due, by the backup configuration: daily on the week days of
//! `backupdays`, weekly on `backup_weekly_day`, monthly on the dates of `backup_monthly_dates`,
//! each on the day (in UTC) from the hour the server runs backups at; and where each kind is
//! laid out, as cPanel lays it out: `BACKUPDIR/YYYY-MM-DD/`, `BACKUPDIR/weekly/YYYY-MM-DD/`,
//! `BACKUPDIR/monthly/YYYY-MM-DD/`, each with `accounts/`.

use std::path::{Path, PathBuf};
use whmd_domain::backup::BackupConfig;
use whmd_domain::time::civil;

/// A kind of scheduled backup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Daily,
    Weekly,
    Monthly,
}

impl Kind {
    pub const ALL: [Self; 3] = [Self::Daily, Self::Weekly, Self::Monthly];

    /// The directory this kind's dated runs are in.
    pub fn root(self, backupdir: &Path) -> PathBuf {
        match self {
            Self::Daily => backupdir.to_owned(),
            Self::Weekly => backupdir.join("weekly"),
            Self::Monthly => backupdir.join("monthly"),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Daily => "daily",
            Self::Weekly => "weekly",
            Self::Monthly => "monthly",
        }
    }

    /// The key of its retention count.
    pub fn retention_key(self) -> &'static str {
        match self {
            Self::Daily => "backup_daily_retention",
            Self::Weekly => "backup_weekly_retention",
            Self::Monthly => "backup_monthly_retention",
        }
    }

    /// The key that prunes beyond the count even when a run failed.
    pub fn force_prune_key(self) -> &'static str {
        match self {
            Self::Daily => "force_prune_daily",
            Self::Weekly => "force_prune_weekly",
            Self::Monthly => "force_prune_monthly",
        }
    }
}

/// What is due on one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// The kinds due, daily first.
    pub kinds: Vec<Kind>,
}

/// What is due at `now` when backups run from `hour` (UTC) on: nothing when backups are off,
/// before the hour, or on a day none is scheduled.
pub fn due(config: &BackupConfig, now: i64, hour: u32) -> Option<Due> {
    if !config.flag("backupenable") {
        return None;
    }
    let (year, month, day, h, ..) = civil(now);
    if h < hour {
        return None;
    }
    let weekday = week_day(now);
    let listed = |key: &str, n: u32| {
        config
            .get(key)
            .split(',')
            .any(|d| d.trim().parse() == Ok(n))
    };
    let mut kinds = Vec::new();
    if config.flag("backup_daily_enable") && listed("backupdays", weekday) {
        kinds.push(Kind::Daily);
    }
    if config.flag("backup_weekly_enable") && config.number("backup_weekly_day") == weekday {
        kinds.push(Kind::Weekly);
    }
    if config.flag("backup_monthly_enable") && listed("backup_monthly_dates", day) {
        kinds.push(Kind::Monthly);
    }
    (!kinds.is_empty()).then(|| Due {
        day: format!("{year:04}-{month:02}-{day:02}"),
        kinds,
    })
}

/// The day of the week, 0 for Sunday, as `backupdays` counts.
fn week_day(time: i64) -> u32 {
    // `civil` counts from Thursday.
    let (.., thursday_based) = civil(time);
    u32::try_from((thursday_based + 4) % 7).unwrap_or(0)
}

/// Whether a directory's name is a run's (`YYYY-MM-DD`).
pub fn is_run_name(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-06 12:00 UTC, a Sunday.
    const SUNDAY_NOON: i64 = 1_796_558_400;
    const DAY: i64 = 86_400;

    fn config(pairs: &[(&str, &str)]) -> BackupConfig {
        let mut all = vec![("backupenable", "1")];
        all.extend_from_slice(pairs);
        let pairs: Vec<(String, String)> = all
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        BackupConfig::default().changed(&pairs).expect("valid")
    }

    #[test]
    fn days_follow_the_configuration() {
        assert_eq!(week_day(SUNDAY_NOON), 0);
        assert_eq!(week_day(SUNDAY_NOON + DAY), 1);
        let c = config(&[
            ("backupdays", "0,2"),
            ("backup_weekly_enable", "1"),
            ("backup_weekly_day", "1"),
            ("backup_monthly_enable", "1"),
            ("backup_monthly_dates", "6,8"),
        ]);
        let on = |t| due(&c, t, 2).map(|d| (d.day, d.kinds));
        assert_eq!(
            on(SUNDAY_NOON),
            Some(("2026-12-06".into(), vec![Kind::Daily, Kind::Monthly]))
        );
        assert_eq!(
            on(SUNDAY_NOON + DAY),
            Some(("2026-12-07".into(), vec![Kind::Weekly]))
        );
        assert_eq!(
            on(SUNDAY_NOON + 2 * DAY),
            Some(("2026-12-08".into(), vec![Kind::Daily, Kind::Monthly]))
        );
        assert_eq!(on(SUNDAY_NOON + 3 * DAY), None);
        // Before the hour, and with backups off, nothing.
        assert_eq!(due(&c, SUNDAY_NOON, 13), None);
        let off = c
            .changed(&[("backupenable".into(), "0".into())])
            .expect("valid");
        assert_eq!(due(&off, SUNDAY_NOON, 2), None);
    }

    #[test]
    fn run_names_are_dates() {
        assert!(is_run_name("2026-12-06"));
        for name in [
            "weekly",
            "2026-12-6",
            "2026_12_06",
            "2026-12-06x",
            "accounts",
        ] {
            assert!(!is_run_name(name), "{name}");
        }
    }
}
