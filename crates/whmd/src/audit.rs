//! The audit log file: one JSON object per line, `DATA_DIR/audit.log` (mode 0600), appended
//! to by the server and by `whmapi1` alike. Each line is written whole with one `write`, so
//! lines from several processes do not interleave.

use serde::Serialize;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use whmd_domain::audit::{AuditEvent, AuditSink};
use whmd_domain::time::unix_now;

/// The audit log's place in the data directory.
pub fn path(data_dir: &Path) -> PathBuf {
    data_dir.join("audit.log")
}

#[derive(Debug)]
pub struct FileAudit {
    file: Mutex<File>,
}

impl FileAudit {
    pub fn open(path: &Path) -> std::io::Result<Self> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(path)?;
        Ok(Self {
            file: Mutex::new(file),
        })
    }
}

#[derive(Serialize)]
struct Line<'a> {
    time: i64,
    #[serde(flatten)]
    event: &'a AuditEvent,
}

impl AuditSink for FileAudit {
    fn record(&self, event: AuditEvent) {
        let line = Line {
            time: unix_now(),
            event: &event,
        };
        let Ok(mut text) = serde_json::to_string(&line) else {
            return;
        };
        text.push('\n');
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        if let Err(e) = file.write_all(text.as_bytes()) {
            tracing::error!(error = %e, "the audit log cannot be written");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_appended_with_the_time() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = path(dir.path());
        let audit = FileAudit::open(&path).expect("open");
        audit.record(AuditEvent::TokenRevoked {
            user: "root".into(),
            name: "old".into(),
            by: "root".into(),
        });
        drop(audit);
        FileAudit::open(&path)
            .expect("reopen")
            .record(AuditEvent::TokenRevoked {
                user: "root".into(),
                name: "older".into(),
                by: "root".into(),
            });
        let text = std::fs::read_to_string(&path).expect("read");
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1]["event"], "token_revoked");
        assert_eq!(lines[1]["name"], "older");
        assert!(lines[0]["time"].as_i64().is_some());
        let mode = std::fs::metadata(&path).expect("meta");
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(mode.permissions().mode() & 0o777, 0o600);
    }
}
