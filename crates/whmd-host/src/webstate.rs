//! What the web steps keep on disk so that a crash between them is repaired at the next
//! start: the journal of a write not yet tested (the files as they were before it, put back
//! at start, so an untested configuration never stays), and the reloads a tested change
//! still owes (done by the next batch, though the files are already right by then).

use serde::{Deserialize, Serialize};
use std::fs;
use std::io::Write as _;
use std::os::unix::fs::{DirBuilderExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

/// A file as it was before a write: its bytes, or `None` when it did not exist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Before {
    pub path: PathBuf,
    pub bytes: Option<Vec<u8>>,
}

/// Which reload a change needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reload {
    Web,
    Php,
}

impl Reload {
    fn marker(self) -> &'static str {
        match self {
            Self::Web => "reload-web",
            Self::Php => "reload-php",
        }
    }
}

/// `<state>/web/`: `journal.json` while a write is untested, `reload-web` and `reload-php`
/// while a reload is owed.
#[derive(Debug, Clone)]
pub struct WebState {
    dir: PathBuf,
}

impl WebState {
    /// The directory under `state` (made 0700 when missing).
    pub fn open(state: &Path) -> Result<Self, String> {
        let dir = state.join("web");
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?;
        Ok(Self { dir })
    }

    fn journal(&self) -> PathBuf {
        self.dir.join("journal.json")
    }

    /// Records, durably, what a write is about to replace.
    pub fn begin(&self, before: &[Before]) -> Result<(), String> {
        let json = serde_json::to_vec(before).map_err(|e| e.to_string())?;
        self.put(&self.journal(), &json)
    }

    /// The write was tested (or put back): nothing to undo any more.
    pub fn end(&self) -> Result<(), String> {
        remove(&self.journal())
    }

    /// What an interrupted write replaced, when one was interrupted.
    pub fn interrupted(&self) -> Result<Option<Vec<Before>>, String> {
        let path = self.journal();
        match fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }

    /// Notes, durably, that a tested change waits for this reload.
    pub fn owe(&self, reload: Reload) -> Result<(), String> {
        let path = self.dir.join(reload.marker());
        if path.exists() {
            return Ok(());
        }
        self.put(&path, b"")
    }

    pub fn owed(&self, reload: Reload) -> bool {
        self.dir.join(reload.marker()).exists()
    }

    pub fn paid(&self, reload: Reload) -> Result<(), String> {
        remove(&self.dir.join(reload.marker()))
    }

    fn put(&self, path: &Path, bytes: &[u8]) -> Result<(), String> {
        let fail = |e: std::io::Error| format!("{}: {e}", path.display());
        let mut file = tempfile::NamedTempFile::new_in(&self.dir).map_err(fail)?;
        file.as_file()
            .set_permissions(fs::Permissions::from_mode(0o600))
            .map_err(fail)?;
        file.write_all(bytes).map_err(fail)?;
        file.as_file().sync_all().map_err(fail)?;
        file.persist(path).map_err(|e| fail(e.error))?;
        fs::File::open(&self.dir)
            .and_then(|d| d.sync_all())
            .map_err(fail)
    }
}

fn remove(path: &Path) -> Result<(), String> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_journal_lives_until_ended_and_reloads_until_paid() {
        let dir = tempfile::tempdir().expect("tempdir");
        let state = WebState::open(dir.path()).expect("open");
        assert_eq!(state.interrupted().expect("read"), None);
        let before = vec![
            Before {
                path: "/etc/x.conf".into(),
                bytes: Some(b"old\n".to_vec()),
            },
            Before {
                path: "/etc/y.conf".into(),
                bytes: None,
            },
        ];
        state.begin(&before).expect("begin");
        let again = WebState::open(dir.path()).expect("reopen");
        assert_eq!(again.interrupted().expect("read"), Some(before));
        again.end().expect("end");
        assert_eq!(again.interrupted().expect("read"), None);
        assert!(!state.owed(Reload::Web));
        state.owe(Reload::Web).expect("owe");
        state.owe(Reload::Web).expect("owe twice");
        assert!(again.owed(Reload::Web) && !again.owed(Reload::Php));
        again.paid(Reload::Web).expect("paid");
        assert!(!state.owed(Reload::Web));
    }
}
