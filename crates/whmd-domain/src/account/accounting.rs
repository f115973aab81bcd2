//! The accounting log: one entry per change to an account, written in the same transaction as
//! the change, and rendered as cPanel's accounting.log lines (FUNCTIONS.md §8).

/// One logged change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountingEntry {
    pub time: i64,
    /// `CREATE`, `REMOVE`, `SUSPEND`, `UNSUSPEND`, `MODIFY`, `CHANGEOWNER`, `PASSWD`, …
    pub action: String,
    /// Who made the change.
    pub remote_user: String,
    /// The fields after the remote user, in cPanel's order for the action.
    pub fields: Vec<String>,
}

impl AccountingEntry {
    pub fn new(time: i64, action: &str, remote_user: &str, fields: Vec<String>) -> Self {
        Self {
            time,
            action: action.to_owned(),
            remote_user: remote_user.to_owned(),
            fields,
        }
    }

    /// The cpanel line: `TIME:ACTION:REMOTE_USER:FIELD:FIELD…`, with `:` in fields escaped as
    /// `\:`. TIME is UTC in Perl's `localtime` form (`Thu Nov 18 10:34:34 2014`).
    pub fn line(&self) -> String {
        let mut line = format!("{}:{}:{}", ctime(self.time), self.action, self.remote_user);
        for field in &self.fields {
            line.push(':');
            line.push_str(
                &field
                    .replace('\\', "\\\\")
                    .replace(':', "\\:")
                    .replace('\n', " "),
            );
        }
        line
    }
}

/// `Thu Nov 18 10:34:34 2014` for a Unix time, in UTC.
pub fn ctime(time: i64) -> String {
    let (y, mo, d, h, mi, s, wd) = civil(time);
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{} {} {d:2} {h:02}:{mi:02}:{s:02} {y}",
        DAYS[wd],
        MONTHS[mo - 1]
    )
}

/// Year, month (1–12), day, hour, minute, second and weekday (0 = Thursday) of a Unix time.
pub fn civil(time: i64) -> (i64, usize, u32, u32, u32, u32, usize) {
    let days = time.div_euclid(86_400);
    let secs = time.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as usize;
    let y = yoe + era * 400 + i64::from(m <= 2);
    let wd = days.rem_euclid(7) as usize;
    (
        y,
        m,
        d,
        (secs / 3600) as u32,
        (secs % 3600 / 60) as u32,
        (secs % 60) as u32,
        wd,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ctime_like_perls_localtime_in_utc() {
        assert_eq!(ctime(0), "Thu Jan  1 00:00:00 1970");
        assert_eq!(ctime(1_416_307_274), "Tue Nov 18 10:41:14 2014");
        assert_eq!(ctime(951_782_400), "Tue Feb 29 00:00:00 2000");
    }

    #[test]
    fn lines_escape_colons() {
        let e = AccountingEntry::new(
            0,
            "SUSPEND",
            "root",
            vec!["bob".into(), "bob.com".into(), "unpaid: late".into()],
        );
        assert_eq!(
            e.line(),
            "Thu Jan  1 00:00:00 1970:SUSPEND:root:bob:bob.com:unpaid\\: late"
        );
    }
}
