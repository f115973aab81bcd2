//! What whmd applied on this host, per uid: the record that makes it touch only what it
//! created. One JSON file per uid under `<state>/accounts/`, root-only (it holds password
//! hashes, as /etc/shadow does), each replaced atomically, so a crash leaves the old record or
//! the new, never half of one.

use crate::desired::Quota;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs;
use std::io::Write as _;
use std::os::unix::fs::{DirBuilderExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

/// One account as whmd last applied it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applied {
    pub uid: u32,
    pub user: String,
    pub home: PathBuf,
    pub shell: String,
    pub password: String,
    pub suspended: bool,
    /// The quota last set (records from before quotas were enforced have none).
    #[serde(default)]
    pub quota: Quota,
}

/// The records, as read at start and kept in step with the files.
#[derive(Debug)]
pub struct AppliedRecords {
    dir: PathBuf,
    records: BTreeMap<u32, Applied>,
}

impl AppliedRecords {
    /// Reads the records under `state` (creating the directory, 0700, when missing).
    pub fn open(state: &Path) -> std::io::Result<Self> {
        let dir = state.join("accounts");
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&dir)?;
        let mut records = BTreeMap::new();
        for entry in fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let record: Applied = serde_json::from_slice(&fs::read(&path)?)
                .map_err(|e| std::io::Error::other(format!("{}: {e}", path.display())))?;
            records.insert(record.uid, record);
        }
        Ok(Self { dir, records })
    }

    pub fn get(&self, uid: u32) -> Option<&Applied> {
        self.records.get(&uid)
    }

    pub fn uids(&self) -> impl Iterator<Item = u32> + '_ {
        self.records.keys().copied()
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Records `applied`, durably, before it is believed.
    pub fn put(&mut self, applied: Applied) -> std::io::Result<()> {
        if self.records.get(&applied.uid) == Some(&applied) {
            return Ok(());
        }
        let json = serde_json::to_vec_pretty(&applied).map_err(std::io::Error::other)?;
        let mut file = tempfile::NamedTempFile::new_in(&self.dir)?;
        file.as_file()
            .set_permissions(fs::Permissions::from_mode(0o600))?;
        file.write_all(&json)?;
        file.as_file().sync_all()?;
        file.persist(self.path(applied.uid)).map_err(|e| e.error)?;
        fs::File::open(&self.dir)?.sync_all()?;
        self.records.insert(applied.uid, applied);
        Ok(())
    }

    /// Forgets the uid once nothing of it is left on the host.
    pub fn remove(&mut self, uid: u32) -> std::io::Result<()> {
        match fs::remove_file(self.path(uid)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        fs::File::open(&self.dir)?.sync_all()?;
        self.records.remove(&uid);
        Ok(())
    }

    fn path(&self, uid: u32) -> PathBuf {
        self.dir.join(format!("{uid}.json"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(uid: u32) -> Applied {
        Applied {
            uid,
            user: format!("u{uid}"),
            home: format!("/home/u{uid}").into(),
            shell: "/usr/sbin/nologin".into(),
            password: "!".into(),
            suspended: false,
            quota: Quota::Unenforced,
        }
    }

    #[test]
    fn records_survive_a_reopen_and_are_root_only() {
        let state = tempfile::tempdir().expect("tempdir");
        let mut records = AppliedRecords::open(state.path()).expect("open");
        records.put(sample(1001)).expect("put");
        records.put(sample(1002)).expect("put");
        records.remove(1002).expect("remove");
        records.remove(1003).expect("removing nothing is fine");
        let mode = fs::metadata(state.path().join("accounts/1001.json"))
            .expect("file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let again = AppliedRecords::open(state.path()).expect("reopen");
        assert_eq!(again.uids().collect::<Vec<_>>(), vec![1001]);
        assert_eq!(again.get(1001), Some(&sample(1001)));
    }

    #[test]
    fn a_corrupt_record_stops_the_start() {
        let state = tempfile::tempdir().expect("tempdir");
        AppliedRecords::open(state.path()).expect("open");
        fs::write(state.path().join("accounts/7.json"), "{").expect("write");
        let err = AppliedRecords::open(state.path()).expect_err("refused");
        assert!(err.to_string().contains("7.json"), "{err}");
    }
}
