//! The converger: reads what the store says this host's accounts are, plans, carries the
//! plan out, and records what it applied. One per host (a lock on its state directory);
//! account by account, so one account's failure never stops another's.

use crate::applied::{Applied, AppliedRecords};
use crate::desired::{Desired, Policy, Quota};
use crate::plan::{self, Step};
use crate::system;
use crate::web::{self, Web};
use crate::webstate::{Reload, WebState};
use nix::fcntl::{Flock, FlockArg};
use std::collections::BTreeSet;
use std::fs::File;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;
use whmd_domain::host::{AccountReport, Outcome, StepReport};
use whmd_domain::store::{HostStore, HostedAccount, Removal, Usage};

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
    /// The web server and PHP-FPM, when whmd makes sites.
    pub web: Option<Web>,
    /// cron's per-user crontabs.
    pub crontabs: PathBuf,
}

/// How many accounts a pass converges together.
const PASS_BATCH: usize = 64;

/// Debian's crontab directory.
pub const CRONTABS: &str = "/var/spool/cron/crontabs";

#[derive(Debug)]
pub struct Converger {
    settings: Settings,
    store: Arc<dyn HostStore>,
    inner: Arc<Mutex<Inner>>,
    /// Uids waiting for the next batch, with where their reports go.
    queue: Mutex<Vec<(u32, oneshot::Sender<AccountReport>)>>,
    /// Held while a batch runs.
    turn: tokio::sync::Mutex<()>,
}

#[derive(Debug)]
struct Inner {
    records: AppliedRecords,
    env: system::Env,
    /// The web server's files and what their steps keep on disk: the journal of an untested
    /// write, the reloads owed.
    web: Option<(Web, WebState)>,
    _lock: Flock<File>,
}

impl Converger {
    /// Takes this host's lock (refusing when another converger holds it) and reads the
    /// applied records.
    pub fn open(mut settings: Settings, store: Arc<dyn HostStore>) -> Result<Self, String> {
        settings.policy.quota_roots = crate::quota::enforced_roots(&settings.policy.home_roots);
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
        let web = match &settings.web {
            Some(web) => {
                let state = WebState::open(&settings.state)?;
                if Web::recover(&state)? {
                    tracing::warn!(
                        "a web configuration written but not tested before whmd stopped was put back"
                    );
                }
                Some((web.clone(), state))
            }
            None => None,
        };
        Ok(Self {
            store,
            queue: Mutex::new(Vec::new()),
            turn: tokio::sync::Mutex::new(()),
            inner: Arc::new(Mutex::new(Inner {
                records,
                env: system::Env {
                    web_gid: system::web_gid().unwrap_or(0),
                    crontabs: settings.crontabs.clone(),
                    crontabs_aside: settings.state.join("crontabs"),
                    quota_roots: settings.policy.quota_roots.clone(),
                },
                web,
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
        let mut todo = Vec::new();
        for hosted in &accounts {
            match self.desired(hosted) {
                Ok(desired) => todo.push(desired),
                Err(refused) => report.accounts.push(refused),
            }
        }
        // In batches, so that a pass over many changed accounts tests the web configuration
        // once per batch, and functions' converges still get their turns between batches.
        for batch in todo.chunks(PASS_BATCH) {
            report
                .accounts
                .extend(self.converge_desired(batch.to_vec()).await);
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
        // Site and pool files of uids neither stored nor applied are stale; then one reload
        // for the whole pass.
        for step in self
            .blocking(move |inner| Ok(inner.finish_pass(&stored)))
            .await?
        {
            if let Err(e) = &step.result {
                tracing::warn!(step = %step.step, error = %e, "host pass");
            }
        }
        Ok(report)
    }

    /// The name the store (or, for a removal, its tombstone) gives `uid`, for reports; `uid N`
    /// when neither does.
    pub async fn user_of(&self, uid: u32) -> String {
        if let Ok(Some(hosted)) = self.store.hosted_account(uid).await {
            return hosted.account.user;
        }
        let removals = self.store.removals(&self.settings.hostname).await;
        removals
            .ok()
            .and_then(|r| r.into_iter().find(|r| r.uid == uid))
            .map_or_else(|| format!("uid {uid}"), |r| r.user)
    }

    /// Measures the home of every account whmd applied here and records the figures in the
    /// store, for listaccts' `diskused` and `inodesused`; how many homes were measured.
    pub async fn measure_usage(&self, now: i64) -> Result<usize, String> {
        let usage = self
            .blocking(|inner| {
                let homes: Vec<(u32, PathBuf)> = inner
                    .records
                    .uids()
                    .filter_map(|uid| inner.records.get(uid).map(|a| (uid, a.home.clone())))
                    .collect();
                Ok(homes)
            })
            .await?;
        let measured = tokio::task::spawn_blocking(move || {
            usage
                .into_iter()
                .filter_map(|(uid, home)| {
                    crate::usage::measure(&home).map(|(disk_bytes, inodes)| Usage {
                        uid,
                        disk_bytes,
                        inodes,
                    })
                })
                .collect::<Vec<_>>()
        })
        .await
        .map_err(|e| e.to_string())?;
        self.store
            .record_usage(&measured, now)
            .await
            .map_err(|e| format!("recording the usage: {e}"))?;
        Ok(measured.len())
    }

    /// Runs `work` on the blocking pool with the converger's state.
    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Inner) -> Result<T, String> + Send + 'static,
    ) -> Result<T, String> {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            let mut inner = inner
                .lock()
                .map_err(|_| "the converger failed earlier".to_owned())?;
            work(&mut inner)
        })
        .await
        .map_err(|e| e.to_string())?
    }

    /// Converges the account with this uid now: as stored, or removed when its tombstone
    /// is there. Calls that arrive while a batch runs wait for it and then go together:
    /// whoever takes the next turn converges everything queued by then, testing the web
    /// configuration once for all of them and reloading once.
    pub async fn converge_uid(&self, uid: u32) -> AccountReport {
        let (reply, answer) = oneshot::channel();
        self.queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((uid, reply));
        {
            let _turn = self.turn.lock().await;
            let batch = std::mem::take(
                &mut *self
                    .queue
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner),
            );
            if !batch.is_empty() {
                let (uids, replies): (Vec<u32>, Vec<_>) = batch.into_iter().unzip();
                for (reply, report) in replies.into_iter().zip(self.converge_batch(&uids).await) {
                    // A caller that went away no longer wants its report.
                    let _ = reply.send(report);
                }
            }
        }
        answer.await.unwrap_or_else(|_| AccountReport {
            uid,
            user: String::new(),
            steps: Vec::new(),
            outcome: Outcome::Failed("the converger stopped before this account".into()),
        })
    }

    /// Converges `uids` as one batch (removals one by one, first), then reloads once; a
    /// report per uid, in order.
    async fn converge_batch(&self, uids: &[u32]) -> Vec<AccountReport> {
        let mut reports = Vec::with_capacity(uids.len());
        let mut todo = Vec::new();
        for &uid in uids {
            let failed = |e: String| AccountReport {
                uid,
                user: String::new(),
                steps: Vec::new(),
                outcome: Outcome::Failed(e),
            };
            let report = match self.store.hosted_account(uid).await {
                Ok(Some(hosted)) => match self.desired(&hosted) {
                    Ok(desired) => {
                        todo.push((reports.len(), desired));
                        failed(String::new())
                    }
                    Err(report) => report,
                },
                Ok(None) => self.remove_uid(uid).await,
                Err(e) => failed(format!("reading the account: {e}")),
            };
            reports.push(report);
        }
        let (places, desired): (Vec<usize>, Vec<Desired>) = todo.into_iter().unzip();
        for (at, report) in places.into_iter().zip(self.converge_desired(desired).await) {
            reports[at] = report;
        }
        let reloads = self.blocking(|inner| Ok(inner.reload())).await;
        for report in &mut reports {
            if !matches!(report.outcome, Outcome::Converged | Outcome::Removed) {
                continue;
            }
            match &reloads {
                Ok(steps) => {
                    if let Some(Err(e)) = steps.iter().map(|s| &s.result).find(|r| r.is_err()) {
                        report.outcome = Outcome::Failed(e.clone());
                    }
                    report.steps.extend(steps.iter().cloned());
                }
                Err(e) => report.outcome = Outcome::Failed(e.clone()),
            }
        }
        reports
    }

    /// What the host should have for a stored account, or the report of why it has nothing to
    /// do for it here.
    fn desired(&self, hosted: &HostedAccount) -> Result<Desired, AccountReport> {
        let account = &hosted.account;
        let report = |outcome| AccountReport {
            uid: account.uid,
            user: account.user.clone(),
            steps: Vec::new(),
            outcome,
        };
        if !account.host.is_empty() && account.host != self.settings.hostname {
            return Err(report(Outcome::Elsewhere(account.host.clone())));
        }
        Desired::of(hosted, &self.settings.policy)
            .map_err(|e| report(Outcome::Refused(e.to_string())))
    }

    /// Removes `uid` when its tombstone is there.
    async fn remove_uid(&self, uid: u32) -> AccountReport {
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
            Err(e) => AccountReport {
                uid,
                user: String::new(),
                steps: Vec::new(),
                outcome: Outcome::Failed(format!("reading the removals: {e}")),
            },
        }
    }

    /// Converges `accounts` together (see [`Inner::converge_many`]); a report for each, in
    /// order. The reloads wait for the caller.
    async fn converge_desired(&self, accounts: Vec<Desired>) -> Vec<AccountReport> {
        let names: Vec<(u32, String)> = accounts.iter().map(|d| (d.uid, d.user.clone())).collect();
        let results = match self
            .blocking(move |inner| Ok(inner.converge_many(&accounts)))
            .await
        {
            Ok(results) => results,
            Err(e) => names.iter().map(|_| Err(e.clone())).collect(),
        };
        names
            .into_iter()
            .zip(results)
            .map(|((uid, user), result)| {
                let (steps, outcome) = result.unwrap_or_else(|e| (Vec::new(), Outcome::Failed(e)));
                AccountReport {
                    uid,
                    user,
                    steps,
                    outcome,
                }
            })
            .collect()
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
    /// Converges `accounts` together: each one's user, group and home, then the web files of
    /// all of them written and tested once (when more than one wrote any); when that test fails
    /// the files are put back and each account's are written and tested alone, so one account's
    /// bad configuration fails that account only. The reloads wait for the caller.
    fn converge_many(&mut self, accounts: &[Desired]) -> Vec<Converged> {
        let mut results = Vec::with_capacity(accounts.len());
        let mut through = Vec::new();
        for (i, desired) in accounts.iter().enumerate() {
            let result = self.converge_system(desired);
            if let Ok((_, Outcome::Converged)) = &result {
                through.push(i);
            }
            results.push(result);
        }
        if let Some((web, _)) = self.web.clone() {
            let together = through.len() > 1 && {
                let files: Vec<(PathBuf, Option<String>)> = through
                    .iter()
                    .flat_map(|&i| web_files(&web, &accounts[i]))
                    .collect();
                self.write_web_together(&files, &through, accounts, &mut results)
            };
            if !together {
                for &i in &through {
                    let desired = &accounts[i];
                    let files = web_files(&web, desired);
                    let (steps, failure) = self.write_web(&desired.user, &desired.domains, &files);
                    if let Ok((reports, outcome)) = &mut results[i] {
                        reports.extend(steps);
                        if let Some(e) = failure {
                            *outcome = Outcome::Failed(e);
                        }
                    }
                }
            }
        }
        for &i in &through {
            if let Ok((_, Outcome::Converged)) = &results[i]
                && let Err(e) = self.records.put(applied_from(&accounts[i]))
            {
                results[i] = Err(format!("recording what was applied: {e}"));
            }
        }
        results
    }

    /// The claim, then the account's user, group, home, password and crontab steps:
    /// `Converged` when they all went through (its web files still to come), else why not.
    fn converge_system(&mut self, desired: &Desired) -> Converged {
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
                    quota: Quota::Unenforced,
                    ..applied_from(desired)
                })
                .map_err(|e| format!("recording the uid: {e}"))?;
        }
        let (reports, failure) = self.run_steps(&steps);
        Ok((reports, failure.map_or(Outcome::Converged, Outcome::Failed)))
    }

    /// Writes the web files of several accounts at once and tests them once; `false` (with
    /// everything put back) when the write or the test fails, for the caller to do each
    /// account alone.
    fn write_web_together(
        &self,
        files: &[(PathBuf, Option<String>)],
        through: &[usize],
        accounts: &[Desired],
        results: &mut [Converged],
    ) -> bool {
        let Some((web, state)) = &self.web else {
            return true;
        };
        let written = match web.write(files, state) {
            Ok(w) if w.is_empty() => return true,
            Ok(w) => w,
            Err(e) => {
                tracing::warn!(error = %e, "writing a batch of web files failed; one account at a time");
                return false;
            }
        };
        crate::failpoint::hit("TestWeb");
        let tested = web.test(&written).and_then(|()| self.owe(&written));
        web.settle(&written, tested.is_ok(), state);
        if let Err(e) = tested {
            tracing::warn!(error = %e, "a batch failed its web configuration test; one account at a time");
            return false;
        }
        for &i in through {
            let desired = &accounts[i];
            let touched = web_files(web, desired)
                .iter()
                .any(|(path, _)| written.touched(path));
            if let (true, Ok((reports, _))) = (touched, &mut results[i]) {
                reports.push(done_step(format!(
                    "Writing the web server entries for {}",
                    desired.domains.join(", ")
                )));
                reports.push(done_step(
                    "Testing the web server and PHP-FPM configuration".to_owned(),
                ));
            }
        }
        true
    }

    /// Notes the reloads a tested write needs.
    fn owe(&self, written: &web::Written) -> Result<(), String> {
        let Some((_, state)) = &self.web else {
            return Ok(());
        };
        [(written.web, Reload::Web), (written.php, Reload::Php)]
            .iter()
            .filter(|(changed, _)| *changed)
            .try_for_each(|(_, reload)| state.owe(*reload))
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
        // The sites and the pool go first, and PHP-FPM reloads at once, so that no PHP runs
        // as the user while it is removed.
        let mut reports = Vec::new();
        if let Some((web, _)) = &self.web {
            let files = [(web.site_path(uid), None), (web.pool_path(uid), None)];
            let (steps, failure) = self.write_web(&applied.user, &[], &files);
            reports.extend(steps);
            if let Some(e) = failure {
                return Ok((reports, Outcome::Failed(e)));
            }
            reports.extend(self.reload());
            if let Some(Err(e)) = reports.last().map(|r| &r.result) {
                let e = e.clone();
                return Ok((reports, Outcome::Failed(e)));
            }
        }
        let steps = plan::remove(&applied, &observed);
        let (steps, failure) = self.run_steps(&steps);
        reports.extend(steps);
        if let Some(e) = failure {
            return Ok((reports, Outcome::Failed(e)));
        }
        self.records
            .remove(uid)
            .map_err(|e| format!("forgetting the record: {e}"))?;
        Ok((reports, Outcome::Removed))
    }

    /// Writes an account's site and pool files, tests them, and puts the previous ones back
    /// when the test fails; the reloads wait for the end of the batch.
    fn write_web(
        &self,
        user: &str,
        domains: &[String],
        files: &[(PathBuf, Option<String>)],
    ) -> (Vec<StepReport>, Option<String>) {
        let Some((web, state)) = &self.web else {
            return (Vec::new(), None);
        };
        crate::failpoint::hit("WriteWeb");
        let what = if domains.is_empty() {
            format!("Removing the web server entries and PHP-FPM pool of {user}")
        } else {
            format!("Writing the web server entries for {}", domains.join(", "))
        };
        let written = match web.write(files, state) {
            Ok(w) if w.is_empty() => return (Vec::new(), None),
            Ok(w) => w,
            Err(e) => return (vec![failed_step(what, &e)], Some(e)),
        };
        let mut reports = vec![done_step(what)];
        crate::failpoint::hit("TestWeb");
        let test = "Testing the web server and PHP-FPM configuration".to_owned();
        let tested = web.test(&written).and_then(|()| self.owe(&written));
        web.settle(&written, tested.is_ok(), state);
        match tested {
            Ok(()) => {
                reports.push(done_step(test));
                (reports, None)
            }
            Err(e) => {
                let e = format!("{e} (the previous files are back)");
                tracing::warn!(user, error = %e, "a web configuration test failed");
                reports.push(failed_step(test, &e));
                (reports, Some(e))
            }
        }
    }

    /// The reloads a batch of changes owes: PHP-FPM first (new pools), then the web server.
    /// A reload owed when whmd stopped is owed still.
    fn reload(&self) -> Vec<StepReport> {
        let Some((web, state)) = &self.web else {
            return Vec::new();
        };
        let mut reports = Vec::new();
        for (reload, step, command) in [
            (Reload::Php, "Reloading PHP-FPM", &web.php_reload),
            (Reload::Web, "Reloading the web server", &web.web_reload),
        ] {
            if !state.owed(reload) {
                continue;
            }
            crate::failpoint::hit("Reload");
            match web::run(command).and_then(|()| state.paid(reload)) {
                Ok(()) => reports.push(done_step(step.to_owned())),
                Err(e) => reports.push(failed_step(step.to_owned(), &e)),
            }
        }
        reports
    }

    /// The end of a full pass: stale site and pool files (of uids neither stored nor applied)
    /// removed, then the batch's reloads.
    fn finish_pass(&self, stored: &BTreeSet<u32>) -> Vec<StepReport> {
        let mut reports = Vec::new();
        if let Some((web, _)) = self.web.clone() {
            for uid in web.uids_on_disk() {
                if stored.contains(&uid) || self.records.get(uid).is_some() {
                    continue;
                }
                let files = [(web.site_path(uid), None), (web.pool_path(uid), None)];
                let (steps, _) = self.write_web(&format!("uid {uid}"), &[], &files);
                reports.extend(steps);
            }
        }
        reports.extend(self.reload());
        reports
    }

    /// Runs steps in order, stopping at the first failure.
    fn run_steps(&self, steps: &[Step]) -> (Vec<StepReport>, Option<String>) {
        let mut reports = Vec::new();
        for step in steps {
            crate::failpoint::hit(step.kind());
            match system::run(step, &self.env) {
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
                    // A quota that cannot be set is reported; the account's users, home and
                    // sites still converge.
                    if !matches!(step, Step::SetQuota { .. }) {
                        return (reports, Some(format!("{step}: {e}")));
                    }
                }
            }
        }
        (reports, None)
    }
}

/// What converging one account came to: its step reports and outcome, or why it could not
/// be tried.
type Converged = Result<(Vec<StepReport>, Outcome), String>;

/// An account's web files: the default site of its address, its site, and its pool (none
/// while suspended).
fn web_files(web: &Web, desired: &Desired) -> [(PathBuf, Option<String>); 3] {
    [
        (
            web.default_path(desired.ip),
            Some(web.default_site(desired.ip)),
        ),
        (web.site_path(desired.uid), Some(web.site(desired))),
        (web.pool_path(desired.uid), web.pool(desired)),
    ]
}

fn done_step(step: String) -> StepReport {
    StepReport {
        step,
        result: Ok(()),
    }
}

fn failed_step(step: String, e: &str) -> StepReport {
    StepReport {
        step,
        result: Err(e.to_owned()),
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
        quota: desired.quota,
    }
}
