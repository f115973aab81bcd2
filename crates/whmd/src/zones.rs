//! Publishing zones for BIND: every stored zone is written to `<zone-dir>/<zone>.db`, and
//! `<zone-dir>/whmd-zones.conf` holds a `zone` statement for each, for named.conf to include.
//! After a change only the zones it touched are read back from the store and written (or
//! removed); a full run, at start and every [`RESYNC`], compares every zone's serial with the
//! one last written, which also catches up with what other replicas changed. The reload
//! command runs after any run that changed a file.

use async_trait::async_trait;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;
use whmd_domain::dns::{Published, StoreOnly, ZonePublisher};
use whmd_domain::host::HostError;
use whmd_domain::store::ZoneStore;

/// The file of zone statements, in the zone directory.
pub const INCLUDE_FILE: &str = "whmd-zones.conf";
/// How often a server publishes without a change of its own, to pick up other replicas'.
pub const RESYNC: Duration = Duration::from_secs(30);
/// How long the reload command may take.
const RELOAD_TIMEOUT: Duration = Duration::from_secs(30);

/// The publisher a configuration asks for: BIND's files when a zone directory is set, else
/// none (zones are only stored).
pub fn publisher(
    zone_dir: Option<&Path>,
    reload: Option<&[String]>,
    zones: Arc<dyn ZoneStore>,
) -> anyhow::Result<Arc<dyn ZonePublisher>> {
    let Some(dir) = zone_dir else {
        return Ok(Arc::new(StoreOnly));
    };
    std::fs::create_dir_all(dir)?;
    Ok(Arc::new(BindFiles {
        dir: dir.canonicalize()?,
        reload: reload.map(<[String]>::to_vec).filter(|r| !r.is_empty()),
        zones,
        written: Mutex::new(None),
    }))
}

#[derive(Debug)]
struct BindFiles {
    /// Absolute, as named needs in `file` clauses.
    dir: PathBuf,
    /// The program and its arguments.
    reload: Option<Vec<String>>,
    zones: Arc<dyn ZoneStore>,
    /// The serial of each zone file written, `None` before the first run (which also clears
    /// out zone files of zones the store no longer has).
    written: Mutex<Option<BTreeMap<String, u32>>>,
}

fn failed(what: &str, e: impl std::fmt::Display) -> HostError {
    HostError(format!("{what}: {e}"))
}

impl BindFiles {
    /// Brings the whole directory in line with the store; `true` when anything changed. The
    /// first run also removes zone files of zones the store does not have.
    async fn sync_all(
        &self,
        written: &mut Option<BTreeMap<String, u32>>,
    ) -> Result<bool, HostError> {
        let first = written.is_none();
        let written = written.get_or_insert_with(BTreeMap::new);
        let stored = self
            .zones
            .zones(None)
            .await
            .map_err(|e| failed("reading the zones", e))?;
        let mut changed = first;
        for summary in &stored {
            if written.get(&summary.name) != Some(&summary.serial) {
                changed |= self.write_zone(written, &summary.name).await?;
            }
        }
        let wanted: BTreeSet<&str> = stored.iter().map(|z| z.name.as_str()).collect();
        let mut stale: Vec<String> = written
            .keys()
            .filter(|name| !wanted.contains(name.as_str()))
            .cloned()
            .collect();
        if first {
            stale.extend(
                self.files_on_disk()
                    .await?
                    .into_iter()
                    .filter(|n| !wanted.contains(n.as_str())),
            );
        }
        for name in stale {
            self.remove_zone(written, &name).await?;
            changed = true;
        }
        if changed {
            self.write_include(written).await?;
        }
        Ok(changed)
    }

    /// Brings the named zones up to date: written when stored with another serial, removed
    /// when gone; `true` when anything changed.
    async fn sync_some(
        &self,
        written: &mut BTreeMap<String, u32>,
        names: &[String],
    ) -> Result<bool, HostError> {
        let before = written.len();
        let mut changed = false;
        for name in names {
            changed |= self.write_zone(written, name).await?;
        }
        if changed || written.len() != before {
            self.write_include(written).await?;
        }
        Ok(changed)
    }

    /// Writes `name`'s file if the store's serial differs from the one written, or removes
    /// it if the store has no such zone; `true` when it did either.
    async fn write_zone(
        &self,
        written: &mut BTreeMap<String, u32>,
        name: &str,
    ) -> Result<bool, HostError> {
        let stored = self
            .zones
            .zone(name)
            .await
            .map_err(|e| failed("reading a zone", e))?;
        match stored {
            Some(zone) if written.get(name) == Some(&zone.serial) => Ok(false),
            Some(zone) => {
                write_atomically(&self.zone_file(&zone.name), &zone.text).await?;
                written.insert(zone.name, zone.serial);
                Ok(true)
            }
            None if written.contains_key(name) => {
                self.remove_zone(written, name).await?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn remove_zone(
        &self,
        written: &mut BTreeMap<String, u32>,
        name: &str,
    ) -> Result<(), HostError> {
        match tokio::fs::remove_file(self.zone_file(name)).await {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(failed("removing a zone file", e)),
        }
        written.remove(name);
        Ok(())
    }

    async fn write_include(&self, written: &BTreeMap<String, u32>) -> Result<(), HostError> {
        let mut include = String::from("// Written by whmd; changes here are overwritten.\n");
        for name in written.keys() {
            let _ = writeln!(
                include,
                "zone \"{name}\" {{ type master; file \"{}\"; }};",
                self.zone_file(name).display()
            );
        }
        write_atomically(&self.dir.join(INCLUDE_FILE), &include).await
    }

    /// Zone names are checked host names before they are stored; this keeps a name that is
    /// not one (a corrupt row) from naming a path outside the directory.
    fn zone_file(&self, name: &str) -> PathBuf {
        let safe = name.replace(['/', '\\', '\0'], "_");
        self.dir.join(format!("{safe}.db"))
    }

    /// The zones whose files are in the directory.
    async fn files_on_disk(&self) -> Result<Vec<String>, HostError> {
        let mut names = Vec::new();
        let mut dir = tokio::fs::read_dir(&self.dir)
            .await
            .map_err(|e| failed("reading the zone directory", e))?;
        while let Some(entry) = dir
            .next_entry()
            .await
            .map_err(|e| failed("reading the zone directory", e))?
        {
            if let Some(name) = entry
                .file_name()
                .to_str()
                .and_then(|n| n.strip_suffix(".db"))
            {
                names.push(name.to_owned());
            }
        }
        Ok(names)
    }

    async fn reload_if(&self, changed: bool) -> Result<Published, HostError> {
        match &self.reload {
            Some(program) if changed => {
                self.run_reload(program).await?;
                Ok(Published::Reloaded)
            }
            Some(_) => Ok(Published::Reloaded),
            None => Ok(Published::Written),
        }
    }

    async fn run_reload(&self, program: &[String]) -> Result<(), HostError> {
        let (command, args) = program
            .split_first()
            .ok_or_else(|| HostError("no reload command".into()))?;
        let run = tokio::process::Command::new(command)
            .args(args)
            .kill_on_drop(true)
            .output();
        let output = tokio::time::timeout(RELOAD_TIMEOUT, run)
            .await
            .map_err(|_| HostError(format!("{command} did not finish in time")))?
            .map_err(|e| failed(command, e))?;
        if output.status.success() {
            return Ok(());
        }
        let said = String::from_utf8_lossy(&output.stderr);
        let said = if said.trim().is_empty() {
            String::from_utf8_lossy(&output.stdout)
        } else {
            said
        };
        Err(HostError(format!(
            "{command} failed ({}): {}",
            output.status,
            said.trim()
        )))
    }
}

#[async_trait]
impl ZonePublisher for BindFiles {
    async fn publish(&self, zones: &[String]) -> Result<Published, HostError> {
        let mut written = self.written.lock().await;
        let changed = match written.as_mut() {
            Some(known) => self.sync_some(known, zones).await?,
            None => self.sync_all(&mut written).await?,
        };
        self.reload_if(changed).await
    }

    async fn sync(&self) -> Result<Published, HostError> {
        let mut written = self.written.lock().await;
        let changed = self.sync_all(&mut written).await?;
        self.reload_if(changed).await
    }
}

/// Writes `path` through a temporary file and a rename, so that named never reads half a
/// file.
async fn write_atomically(path: &Path, text: &str) -> Result<(), HostError> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    let temporary = PathBuf::from(temporary);
    tokio::fs::write(&temporary, text)
        .await
        .map_err(|e| failed("writing a zone file", e))?;
    tokio::fs::rename(&temporary, path)
        .await
        .map_err(|e| failed("writing a zone file", e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use whmd_domain::store::StoredZone;
    use whmd_store_sqlite::SqliteStore;

    fn zone(name: &str, serial: u32) -> StoredZone {
        StoredZone {
            name: name.to_owned(),
            owner: "root".to_owned(),
            serial,
            text: format!("; {name} at {serial}\n"),
        }
    }

    #[tokio::test]
    async fn the_directory_follows_the_store() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SqliteStore::open(&format!("sqlite://{}", dir.path().join("z.db").display()))
            .await
            .expect("store");
        let zones = store.stores().zones;
        let out = dir.path().join("zones");
        std::fs::create_dir_all(&out).expect("dir");
        std::fs::write(out.join("stray.example.com.db"), "; left over\n").expect("stray");
        zones
            .put_zone(&zone("a.example.com", 1), false)
            .await
            .expect("put");

        let dns = publisher(Some(&out), None, zones.clone()).expect("publisher");
        assert_eq!(dns.sync().await.expect("publish"), Published::Written);
        let read = |name: &str| std::fs::read_to_string(out.join(name)).ok();
        assert_eq!(
            read("a.example.com.db").as_deref(),
            Some("; a.example.com at 1\n")
        );
        assert_eq!(
            read("stray.example.com.db"),
            None,
            "files of unknown zones go at the first run"
        );
        let include = read(INCLUDE_FILE).expect("include");
        assert!(
            include.contains("zone \"a.example.com\" { type master; file \""),
            "{include}"
        );

        zones
            .update_zone(&zone("a.example.com", 2), 1)
            .await
            .expect("update");
        zones
            .put_zone(&zone("b.example.com", 1), false)
            .await
            .expect("put");
        // After a change only the zones it names are written; the full run does the rest.
        dns.publish(&["a.example.com".to_owned()])
            .await
            .expect("publish");
        assert_eq!(
            read("a.example.com.db").as_deref(),
            Some("; a.example.com at 2\n")
        );
        assert_eq!(read("b.example.com.db"), None);
        dns.sync().await.expect("publish");
        assert!(read("b.example.com.db").is_some());
        assert!(
            read(INCLUDE_FILE)
                .expect("include")
                .contains("b.example.com")
        );

        assert!(zones.remove_zone("a.example.com").await.expect("remove"));
        dns.publish(&["a.example.com".to_owned()])
            .await
            .expect("publish");
        assert_eq!(read("a.example.com.db"), None);
        assert!(
            !read(INCLUDE_FILE)
                .expect("include")
                .contains("a.example.com")
        );
    }

    #[tokio::test]
    async fn the_reload_command_runs_after_a_change_and_its_failure_is_reported() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SqliteStore::open(&format!("sqlite://{}", dir.path().join("z.db").display()))
            .await
            .expect("store");
        let zones = store.stores().zones;
        let out = dir.path().join("zones");
        let reload = ["true".to_owned()];
        let dns = publisher(Some(&out), Some(&reload), zones.clone()).expect("publisher");
        assert_eq!(dns.sync().await.expect("publish"), Published::Reloaded);
        let failing = ["false".to_owned()];
        let dns = publisher(Some(&out), Some(&failing), zones.clone()).expect("publisher");
        zones
            .put_zone(&zone("c.example.com", 1), false)
            .await
            .expect("put");
        let failed = dns
            .publish(&["c.example.com".to_owned()])
            .await
            .expect_err("false fails");
        assert!(failed.0.starts_with("false failed"), "{failed}");
    }
}
