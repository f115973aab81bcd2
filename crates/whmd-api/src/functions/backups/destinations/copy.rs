//! A scheduled run's copies: each account's backup goes, once written, to every enabled
//! destination that is not for logs only, at the path it has under the backup directory
//! (`YYYY-MM-DD/accounts/USER.tar.gz`, `weekly/…`, `monthly/…`). A destination is connected
//! to once per run; one that cannot be reached is reported once and not tried again in the
//! same run. At the end of the run each destination reached is pruned by the same retention
//! as the backup directory.

use super::open::connect;
use crate::Context;
use crate::functions::backups::schedule::is_run_name;
use std::path::Path;
use whmd_domain::destination::Destination;
use whmd_transport::Connection;

enum State {
    Waiting,
    Open(Connection),
    Failed,
}

pub struct Copies {
    destinations: Vec<(Destination, State)>,
}

impl std::fmt::Debug for Copies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.destinations.iter().map(|(d, _)| &d.name))
            .finish()
    }
}

impl Copies {
    /// The destinations a run copies to.
    pub async fn start(ctx: &Context) -> Result<Self, String> {
        let all = ctx
            .stores
            .backups
            .backup_destinations()
            .await
            .map_err(|e| e.to_string())?;
        Ok(Self {
            destinations: all
                .into_iter()
                .filter(|d| {
                    !d.disabled
                        && d.settings
                            .get("only_used_for_logs")
                            .is_none_or(|v| v != "1")
                })
                .map(|d| (d, State::Waiting))
                .collect(),
        })
    }

    /// How many destinations there are to copy to.
    pub fn count(&self) -> usize {
        self.destinations.len()
    }

    /// Copies `file` to each destination at each of `paths`; returns what failed, as
    /// `DESTINATION: why` (a destination that could not be reached only the first time).
    pub async fn copy(&mut self, ctx: &Context, file: &Path, paths: &[String]) -> Vec<String> {
        let mut failed = Vec::new();
        for (destination, state) in &mut self.destinations {
            if let State::Waiting = state {
                *state = match connect(ctx, destination).await {
                    Ok(connection) => State::Open(connection),
                    Err(why) => {
                        failed.push(format!("{}: {why}", destination.name));
                        State::Failed
                    }
                };
            }
            for path in paths {
                let State::Open(connection) = state else {
                    break;
                };
                let Err(e) = connection.put(file, path).await else {
                    continue;
                };
                // The connection may have been lost while the archive was written: once more,
                // on a new one.
                let again = match connect(ctx, destination).await {
                    Ok(fresh) => {
                        let put = fresh.put(file, path).await.map(drop);
                        if let State::Open(old) = std::mem::replace(state, State::Open(fresh)) {
                            old.close().await;
                        }
                        put
                    }
                    Err(_) => Err(e),
                };
                if let Err(e) = again {
                    failed.push(format!("{}: {e}", destination.name));
                }
            }
        }
        failed
    }

    /// Prunes the destinations this run reached as the backup directory is pruned: under
    /// each of `roots` (a kind's directory, relative: empty for daily), only the newest `keep`
    /// dated runs stay. Returns what went and what failed, as `DESTINATION: …`.
    pub async fn prune(&self, roots: &[(String, usize)]) -> (Vec<String>, Vec<String>) {
        let (mut pruned, mut failed) = (Vec::new(), Vec::new());
        for (destination, state) in &self.destinations {
            let State::Open(connection) = state else {
                continue;
            };
            for (root, keep) in roots {
                let mut runs: Vec<String> = match connection.list(root).await {
                    Ok(names) => names.into_iter().filter(|n| is_run_name(n)).collect(),
                    Err(e) => {
                        failed.push(format!("{}: {e}", destination.name));
                        continue;
                    }
                };
                runs.sort_unstable_by(|a, b| b.cmp(a));
                for old in runs.iter().skip(*keep) {
                    let path = Path::new(root).join(old).to_string_lossy().into_owned();
                    match connection.remove_all(&path).await {
                        Ok(()) => pruned.push(format!("{}: {path}", destination.name)),
                        Err(e) => failed.push(format!("{}: {e}", destination.name)),
                    }
                }
            }
        }
        (pruned, failed)
    }

    /// Ends the connections.
    pub async fn finish(self) {
        for (_, state) in self.destinations {
            if let State::Open(connection) = state {
                connection.close().await;
            }
        }
    }
}
