//! The accounting log: one entry per change to an account, written in the same transaction as
//! the change, and rendered as cPanel's accounting.log lines.

use crate::time::ctime;

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

#[cfg(test)]
mod tests {
    use super::*;

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
