//! Wall-clock time as WHM reports it: whole seconds since the Unix epoch.

use std::time::{SystemTime, UNIX_EPOCH};

pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
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

/// `2014-11-20T00:00:00.000Z`: ISO 8601 in UTC, as cPHulk's records give times.
pub fn iso8601(time: i64) -> String {
    let (y, mo, d, h, mi, s, _) = civil(time);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.000Z")
}

/// `13 May 22 16:03` (two-digit year, month, day, time) as `listaccts` reports a start date.
pub fn short_date(time: i64) -> String {
    let (y, mo, d, h, mi, _, _) = civil(time);
    format!(
        "{:02} {} {d:02} {h:02}:{mi:02}",
        y.rem_euclid(100),
        MONTHS[mo - 1]
    )
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

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
    fn iso_dates() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(1_416_441_600), "2014-11-20T00:00:00.000Z");
    }

    #[test]
    fn short_dates() {
        assert_eq!(short_date(1_369_239_780), "13 May 22 16:23");
        assert_eq!(short_date(0), "70 Jan 01 00:00");
    }
}
