//! The audit log file: one JSON object per line, `DATA_DIR/audit.log` (mode 0600), appended
//! to by the server and by `whmapi1` alike. Lines are buffered and written in whole lines at
//! least every [`FLUSH_EVERY`] (and when the log is dropped), so a request does not pay for a
//! write of its own; the file is opened for appending, so lines from several processes do not
//! interleave.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;
use whmd_domain::audit::{AuditEvent, AuditSink};
use whmd_domain::time::unix_now;

/// The audit log's place in the data directory.
pub fn path(data_dir: &Path) -> PathBuf {
    data_dir.join("audit.log")
}

/// How long a recorded line may wait in the buffer.
pub const FLUSH_EVERY: Duration = Duration::from_millis(200);

/// Lines buffered beyond this are written at once.
const BUFFER: usize = 64 * 1024;

#[derive(Debug)]
pub struct FileAudit {
    file: Mutex<BufWriter<File>>,
}

impl FileAudit {
    pub fn open(path: &Path) -> std::io::Result<Self> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(path)?;
        Ok(Self {
            file: Mutex::new(BufWriter::with_capacity(BUFFER, file)),
        })
    }

    /// Writes what is buffered, every [`FLUSH_EVERY`], for as long as the log lives. Needs a
    /// Tokio runtime.
    pub fn flush_regularly(self: &Arc<Self>) {
        let log: Weak<Self> = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(FLUSH_EVERY);
            loop {
                tick.tick().await;
                let Some(log) = log.upgrade() else { return };
                log.flush();
            }
        });
    }

    pub fn flush(&self) {
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        if let Err(e) = file.flush() {
            tracing::error!(error = %e, "the audit log cannot be written");
        }
    }
}

impl AuditSink for FileAudit {
    fn record(&self, event: AuditEvent) {
        // The event's own object with the time put first (cheaper than serde's flatten).
        let Ok(object) = serde_json::to_string(&event) else {
            return;
        };
        let Some(fields) = object.strip_prefix('{') else {
            return;
        };
        let text = format!("{{\"time\":{},{fields}\n", unix_now());
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        // BufWriter writes the buffer out first when a line would not fit, so lines stay whole.
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
