//! The converger: reads what the store says this host's accounts are, plans, carries the
//! plan out, and records what it applied. One per host (a lock on its state directory);
//! account by account, so one account's failure never stops another's.

use crate::applied::{Applied, AppliedRecords};
use crate::desired::{Desired, Policy};
use crate::plan::{self, Step};
use crate::system;
use nix::fcntl::{Flock, FlockArg};
use std::collections::BTreeSet;
use std::fs::File;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use whmd_domain::host::{AccountReport, Outcome, StepReport};
use whmd_domain::store::{HostStore, HostedAccount, Removal};

/// What a whole pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PassReport {
    pub accounts: Vec<AccountReport>,
    /// Set when the pass held back removals: more were due than the limit allows.
    pub removals_held: Option<String>,
}

/// Settings of a converger.
#[derive(Debug, Clone)]
pub struct Settings {
    pub policy: Policy,
    /// Where the applied records and the lock live (root-only).
    pub state: PathBuf,
    /// This host's name, as accounts record it.
    pub hostname: String,
    /// A full pass that would remove more accounts than this removes none and reports.
    pub max_removals: usize,
}

#[derive(Debug)]
pub struct Converger {
    settings: Settings,
    store: Arc<dyn HostStore>,
    inner: Arc<Mutex<Inner>>,
}

#[derive(Debug)]
struct Inner {
    records: AppliedRecords,
    web_gid: u32,
    _lock: Flock<File>,
}

impl Converger {
    /// Takes this host's lock (refusing when another converger holds it) and reads the
    /// applied records.
    pub fn open(settings: Settings, store: Arc<dyn HostStore>) -> Result<Self, String> {
        let records = AppliedRecords::open(&settings.state)
            .map_err(|e| format!("{}: {e}", settings.state.display()))?;
        let lock_path = settings.state.join("host.lock");
        let file = File::create(&lock_path).map_err(|e| format!("{}: {e}", lock_path.display()))?;
        let lock = Flock::lock(file, FlockArg::LockExclusiveNonblock).map_err(|_| {
            format!(
                "another whmd converges this host (it holds {})",
                lock_path.display()
            )
        })?;
        Ok(Self {
            store,
            inner: Arc::new(Mutex::new(Inner {
                records,
                web_gid: system::web_gid().unwrap_or(0),
                _lock: lock,
            })),
            settings,
        })
    }

    /// Converges every account this host serves, carries out its tombstones (unless more
    /// are due than the limit), and reports orphans.
    pub async fn pass(&self) -> Result<PassReport, String> {
        let host = &self.settings.hostname;
        let accounts = self
            .store
            .hosted_accounts(host)
            .await
            .map_err(|e| format!("reading the accounts: {e}"))?;
        let removals = self
            .store
            .removals(host)
            .await
            .map_err(|e| format!("reading the removals: {e}"))?;
        let mut report = PassReport::default();
        let stored: BTreeSet<u32> = accounts.iter().map(|a| a.account.uid).collect();
        for hosted in accounts {
            report.accounts.push(self.converge_account(hosted).await);
        }
        let applied: BTreeSet<u32> = self.with_inner(|inner| inner.records.uids().collect());
        let due: Vec<&Removal> = removals
            .iter()
            .filter(|r| applied.contains(&r.uid) && !stored.contains(&r.uid))
            .collect();
        if due.len() > self.settings.max_removals {
            let held = format!(
                "{} removals are due, more than the {} one pass may carry out: none was; \
                 remove the accounts one at a time or raise the limit",
                due.len(),
                self.settings.max_removals
            );
            tracing::error!("{held}");
            report.removals_held = Some(held);
        } else {
            for removal in removals.iter().filter(|r| !stored.contains(&r.uid)) {
                report.accounts.push(self.remove_account(removal).await);
            }
        }
        let tombstoned: BTreeSet<u32> = removals.iter().map(|r| r.uid).collect();
        for uid in applied {
            if !stored.contains(&uid) && !tombstoned.contains(&uid) {
                let user = self.with_inner(|inner| {
                    inner
                        .records
                        .get(uid)
                        .map(|a| a.user.clone())
                        .unwrap_or_default()
                });
                tracing::warn!(
                    uid,
                    user,
                    "applied account missing from the store, no removal recorded: left alone"
                );
                report.accounts.push(AccountReport {
                    uid,
                    user,
                    steps: Vec::new(),
                    outcome: Outcome::Orphan,
                });
            }
        }
        Ok(report)
    }

    /// Converges the account with this uid now: as stored, or removed when its tombstone
    /// is there.
    pub async fn converge_uid(&self, uid: u32) -> AccountReport {
        let failed = |e: String| AccountReport {
            uid,
            user: String::new(),
            steps: Vec::new(),
            outcome: Outcome::Failed(e),
        };
        match self.store.hosted_account(uid).await {
            Ok(Some(hosted)) => return self.converge_account(hosted).await,
            Ok(None) => {}
            Err(e) => return failed(format!("reading the account: {e}")),
        }
        match self.store.removals(&self.settings.hostname).await {
            Ok(removals) => match removals.iter().find(|r| r.uid == uid) {
                Some(removal) => self.remove_account(removal).await,
                None => AccountReport {
                    uid,
                    user: String::new(),
                    steps: Vec::new(),
                    outcome: Outcome::Unknown,
                },
            },
            Err(e) => failed(format!("reading the removals: {e}")),
        }
    }

    async fn converge_account(&self, hosted: HostedAccount) -> AccountReport {
        let account = &hosted.account;
        let (uid, user) = (account.uid, account.user.clone());
        let report = |steps, outcome| AccountReport {
            uid,
            user: user.clone(),
            steps,
            outcome,
        };
        if !account.host.is_empty() && account.host != self.settings.hostname {
            return report(Vec::new(), Outcome::Elsewhere(account.host.clone()));
        }
        let desired = match Desired::of(&hosted, &self.settings.policy) {
            Ok(d) => d,
            Err(e) => return report(Vec::new(), Outcome::Refused(e.to_string())),
        };
        let inner = Arc::clone(&self.inner);
        let run = tokio::task::spawn_blocking(move || {
            let mut inner = inner
                .lock()
                .map_err(|_| "the converger failed earlier".to_owned())?;
            inner.converge(&desired)
        })
        .await;
        match run {
            Ok(Ok((steps, outcome))) => report(steps, outcome),
            Ok(Err(e)) => report(Vec::new(), Outcome::Failed(e)),
            Err(e) => report(Vec::new(), Outcome::Failed(e.to_string())),
        }
    }

    async fn remove_account(&self, removal: &Removal) -> AccountReport {
        let inner = Arc::clone(&self.inner);
        let uid = removal.uid;
        let run = tokio::task::spawn_blocking(move || {
            let mut inner = inner
                .lock()
                .map_err(|_| "the converger failed earlier".to_owned())?;
            inner.remove(uid)
        })
        .await;
        let (steps, outcome) = match run {
            Ok(Ok(done)) => done,
            Ok(Err(e)) => (Vec::new(), Outcome::Failed(e)),
            Err(e) => (Vec::new(), Outcome::Failed(e.to_string())),
        };
        if outcome == Outcome::Removed
            && let Err(e) = self.store.forget_removal(uid, removal.removed_at).await
        {
            // The next pass finds nothing left and forgets it then.
            tracing::warn!(uid, error = %e, "could not forget a carried-out removal");
        }
        AccountReport {
            uid,
            user: removal.user.clone(),
            steps,
            outcome,
        }
    }

    fn with_inner<T>(&self, f: impl FnOnce(&Inner) -> T) -> T
    where
        T: Default,
    {
        self.inner.lock().map(|inner| f(&inner)).unwrap_or_default()
    }
}

impl Inner {
    fn converge(&mut self, desired: &Desired) -> Result<(Vec<StepReport>, Outcome), String> {
        let observed = system::observe(desired.uid, &desired.user)?;
        let applied = self.records.get(desired.uid).cloned();
        let steps = match plan::converge(desired, applied.as_ref(), &observed) {
            Ok(steps) => steps,
            Err(refused) => return Ok((Vec::new(), Outcome::Refused(refused.to_string()))),
        };
        if applied.is_none() {
            // The claim comes first: whatever a crash leaves behind is then known as whmd's.
            self.records
                .put(Applied {
                    password: String::new(),
                    suspended: false,
                    ..applied_from(desired)
                })
                .map_err(|e| format!("recording the uid: {e}"))?;
        }
        let (reports, failure) = self.run_steps(&steps);
        if let Some(e) = failure {
            return Ok((reports, Outcome::Failed(e)));
        }
        self.records
            .put(applied_from(desired))
            .map_err(|e| format!("recording what was applied: {e}"))?;
        Ok((reports, Outcome::Converged))
    }

    fn remove(&mut self, uid: u32) -> Result<(Vec<StepReport>, Outcome), String> {
        let Some(applied) = self.records.get(uid).cloned() else {
            // Never applied here, or removed already: nothing of it is whmd's to take away.
            return Ok((Vec::new(), Outcome::Removed));
        };
        let observed = system::observe(uid, &applied.user)?;
        // Only the uid whmd applied: a user now holding the name with another uid is not it.
        let observed = plan::Observed {
            by_uid: observed.by_uid.filter(|u| u.uid == uid),
            ..observed
        };
        let steps = plan::remove(&applied, &observed);
        let (reports, failure) = self.run_steps(&steps);
        if let Some(e) = failure {
            return Ok((reports, Outcome::Failed(e)));
        }
        self.records
            .remove(uid)
            .map_err(|e| format!("forgetting the record: {e}"))?;
        Ok((reports, Outcome::Removed))
    }

    /// Runs steps in order, stopping at the first failure.
    fn run_steps(&self, steps: &[Step]) -> (Vec<StepReport>, Option<String>) {
        let mut reports = Vec::new();
        for step in steps {
            crate::failpoint::hit(step);
            match system::run(step, self.web_gid) {
                Ok(true) => reports.push(StepReport {
                    step: step.to_string(),
                    result: Ok(()),
                }),
                Ok(false) => {}
                Err(e) => {
                    tracing::warn!(%step, error = %e, "host step failed");
                    reports.push(StepReport {
                        step: step.to_string(),
                        result: Err(e.clone()),
                    });
                    return (reports, Some(format!("{step}: {e}")));
                }
            }
        }
        (reports, None)
    }
}

fn applied_from(desired: &Desired) -> Applied {
    Applied {
        uid: desired.uid,
        user: desired.user.clone(),
        home: desired.home.clone(),
        shell: desired.shell.clone(),
        password: desired.password.clone(),
        suspended: desired.suspended,
    }
}
