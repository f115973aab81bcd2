//! Running scheduled backups (docs/compatibility.md, "Backups"). Each tick looks at what is due
//! today; the replica that claims the day's run in the store (a lease it renews after every
//! account) writes it, so a day's backups run once across replicas, and a run whose replica
//! died is taken over once its lease passes. A run writes every account this server serves,
//! but those whose backups are off (`toggle_user_backup_state`) and, unless
//! `backupsuspendedaccts`, the suspended ones, into the first kind due
//! (`BACKUPDIR/YYYY-MM-DD/accounts/USER.tar.gz`, `.tar`, or `USER/` for incremental), and the
//! other kinds due the same day get hard links to it. Then each kind keeps its newest runs, as
//! many as its retention says; older ones go (after a failed run only with `force_prune_*`).
//! Each account's archive is copied to the destinations as soon as it is written
//! (`destinations::copy`); without `keeplocal`, the local archive then goes. The destinations
//! reached are pruned by the same retention.

use super::destinations::copy::Copies;
use super::pack::pack;
use super::schedule::{Kind, due, is_run_name};
use super::tree::write_tree;
use crate::Context;
use std::fmt::Write as _;
use std::fs::{self, DirBuilder};
use std::io;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::time::Instant;
use whmd_archive::Compression;
use whmd_domain::account::Account;
use whmd_domain::backup::{BackupConfig, RunState};
use whmd_domain::store::Scope;
use whmd_wire::WhmError;

/// How long a claimed run is held without being renewed.
pub const LEASE: i64 = 600;
/// Accounts read from the store at a time.
const BATCH: u32 = 200;

/// What one run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunReport {
    pub day: String,
    pub kinds: Vec<&'static str>,
    pub backed_up: Vec<String>,
    /// Accounts left out, with the reason.
    pub skipped: Vec<(String, String)>,
    pub failed: Vec<(String, String)>,
    /// Backups not copied to a destination, by account, with the reason.
    pub not_copied: Vec<(String, String)>,
    /// Runs removed from destinations by retention, and what failed there, as
    /// `DESTINATION: …`.
    pub pruned_remote: Vec<String>,
    pub prune_failed: Vec<String>,
    /// Runs removed by retention.
    pub pruned: Vec<PathBuf>,
    /// Why the run stopped short, when it did.
    pub stopped: Option<String>,
}

impl RunReport {
    pub fn state(&self) -> RunState {
        if self.stopped.is_some() || !self.failed.is_empty() {
            RunState::Failed
        } else {
            RunState::Completed
        }
    }

    /// The report as lines for people (kept with the run in the store).
    pub fn summary(&self) -> String {
        let mut text = format!(
            "{} backups of {}: {} accounts backed up, {} skipped, {} failed\n",
            self.kinds.join(" and "),
            self.day,
            self.backed_up.len(),
            self.skipped.len(),
            self.failed.len()
        );
        for (user, why) in &self.failed {
            let _ = writeln!(text, "failed: {user}: {why}");
        }
        for (user, why) in &self.not_copied {
            let _ = writeln!(text, "not copied: {user}: {why}");
        }
        for (user, why) in &self.skipped {
            let _ = writeln!(text, "skipped: {user}: {why}");
        }
        for run in &self.pruned {
            let _ = writeln!(text, "pruned: {}", run.display());
        }
        for run in &self.pruned_remote {
            let _ = writeln!(text, "pruned at {run}");
        }
        for why in &self.prune_failed {
            let _ = writeln!(text, "not pruned at {why}");
        }
        if let Some(why) = &self.stopped {
            let _ = writeln!(text, "stopped: {why}");
        }
        text
    }
}

/// One look at the schedule at `now` (the server's backups run from `hour`, UTC): runs what
/// is due today when this replica (`holder`) claims it. `None` when nothing ran here.
pub async fn tick(
    ctx: &Context,
    holder: &str,
    now: i64,
    hour: u32,
) -> Result<Option<RunReport>, WhmError> {
    let store = &ctx.stores.backups;
    let config = store.backup_config().await?.unwrap_or_default();
    let Some(due) = due(&config, now, hour) else {
        return Ok(None);
    };
    let host = &ctx.info.hostname;
    if !store
        .claim_backup_run(host, &due.day, holder, now, now + LEASE)
        .await?
    {
        return Ok(None);
    }
    let started = Instant::now();
    let clock = || now + i64::try_from(started.elapsed().as_secs()).unwrap_or(i64::MAX);
    let mut report = RunReport {
        day: due.day.clone(),
        kinds: due.kinds.iter().map(|k| k.name()).collect(),
        ..RunReport::default()
    };
    run(
        ctx,
        holder,
        &config,
        &due.day,
        &due.kinds,
        &clock,
        &mut report,
    )
    .await;
    let finished = store
        .finish_backup_run(
            host,
            &due.day,
            holder,
            report.state(),
            clock(),
            &report.summary(),
        )
        .await?;
    if !finished {
        tracing::warn!(day = %due.day, "another replica took over this backup run");
    }
    Ok(Some(report))
}

async fn run(
    ctx: &Context,
    holder: &str,
    config: &BackupConfig,
    day: &str,
    kinds: &[Kind],
    clock: &(dyn Fn() -> i64 + Sync),
    report: &mut RunReport,
) {
    let backupdir = PathBuf::from(config.get("backupdir"));
    let Some((first, others)) = kinds.split_first() else {
        return;
    };
    let target = first.root(&backupdir).join(day);
    let prepared = {
        let (backupdir, target, config) = (backupdir.clone(), target.clone(), config.clone());
        tokio::task::spawn_blocking(move || prepare(&backupdir, &target, &config))
            .await
            .map_err(|e| e.to_string())
            .and_then(|r| r)
    };
    if let Err(why) = prepared {
        report.stopped = Some(why);
        return;
    }
    let mut copies = match Copies::start(ctx).await {
        Ok(copies) => copies,
        Err(why) => {
            report.stopped = Some(why);
            return;
        }
    };
    if config.flag("backupaccts") {
        let accounts = target.join("accounts");
        let run = Run {
            holder,
            config,
            day,
            kinds,
            clock,
        };
        if let Err(why) = accounts_into(ctx, &run, &accounts, &mut copies, report).await {
            report.stopped = Some(why);
        }
    }
    let (others, backupdir_c, target_c, day_c) = (
        others.to_vec(),
        backupdir.clone(),
        target.clone(),
        day.to_owned(),
    );
    let linked = tokio::task::spawn_blocking(move || -> Result<(), String> {
        for kind in others {
            let copy = kind.root(&backupdir_c).join(&day_c);
            private_dirs(copy.parent().unwrap_or(&backupdir_c))?;
            link_tree(&target_c, &copy).map_err(|e| format!("{}: {e}", copy.display()))?;
        }
        Ok(())
    })
    .await
    .map_err(|e| e.to_string())
    .and_then(|r| r);
    if let Err(why) = linked {
        report.stopped.get_or_insert(why);
    }
    let failed = report.state() == RunState::Failed;
    let pruning: Vec<(&Kind, usize)> = kinds
        .iter()
        .filter(|k| !failed || config.flag(k.force_prune_key()))
        .map(|k| {
            let keep = usize::try_from(config.number(k.retention_key())).unwrap_or(usize::MAX);
            (k, keep.max(1))
        })
        .collect();
    let remote: Vec<(String, usize)> = pruning
        .iter()
        .map(|(k, keep)| (k.root(Path::new("")).to_string_lossy().into_owned(), *keep))
        .collect();
    (report.pruned_remote, report.prune_failed) = copies.prune(&remote).await;
    copies.finish().await;
    let prunes: Vec<(PathBuf, usize)> = pruning
        .iter()
        .map(|(k, keep)| (k.root(&backupdir), *keep))
        .collect();
    match tokio::task::spawn_blocking(move || {
        prunes
            .iter()
            .map(|(root, keep)| prune(root, *keep))
            .collect::<io::Result<Vec<Vec<PathBuf>>>>()
    })
    .await
    {
        Ok(Ok(pruned)) => report.pruned = pruned.into_iter().flatten().collect(),
        Ok(Err(e)) => {
            report.stopped.get_or_insert(format!("pruning: {e}"));
        }
        Err(e) => {
            report.stopped.get_or_insert(e.to_string());
        }
    }
}

/// Makes the run's directory, after checking the backup directory's free space.
fn prepare(backupdir: &Path, target: &Path, config: &BackupConfig) -> Result<(), String> {
    private_dirs(backupdir)?;
    if config.flag("check_min_free_space") {
        let stat = nix::sys::statvfs::statvfs(backupdir)
            .map_err(|e| format!("{}: {e}", backupdir.display()))?;
        let block = stat.fragment_size();
        let free = stat.blocks_available().saturating_mul(block);
        let total = stat.blocks().saturating_mul(block).max(1);
        let min = u64::from(config.number("min_free_space"));
        let (enough, wanted) = if config.get("min_free_space_unit") == "MB" {
            (free >= min.saturating_mul(1 << 20), format!("{min} MB"))
        } else {
            (
                free.saturating_mul(100) >= min.saturating_mul(total),
                format!("{min}%"),
            )
        };
        if !enough {
            return Err(format!(
                "{} has {} MB free, less than the {wanted} the configuration asks for",
                backupdir.display(),
                free >> 20
            ));
        }
    }
    private_dirs(&target.join("accounts"))
}

/// Makes `dir` and its missing parents, root's alone.
fn private_dirs(dir: &Path) -> Result<(), String> {
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))
}

/// What a run is: who holds it, by which configuration, for which day and kinds.
struct Run<'a> {
    holder: &'a str,
    config: &'a BackupConfig,
    day: &'a str,
    kinds: &'a [Kind],
    clock: &'a (dyn Fn() -> i64 + Sync),
}

/// Writes every account this server serves into `dir`, a batch of accounts at a time,
/// renewing the lease after each, and copies each to the destinations. An `Err` stops the
/// run (the lease was lost, the store failed).
async fn accounts_into(
    ctx: &Context,
    run: &Run<'_>,
    dir: &Path,
    copies: &mut Copies,
    report: &mut RunReport,
) -> Result<(), String> {
    let Run {
        holder,
        config,
        day,
        clock,
        ..
    } = *run;
    let host = &ctx.info.hostname;
    let kind = config.get("backuptype").to_owned();
    if kind == "incremental" && copies.count() > 0 {
        report.not_copied.push((
            "every account".into(),
            "incremental backups stay in the backup directory (they are not copied to destinations yet)".into(),
        ));
    }
    let mut after = String::new();
    loop {
        let batch = ctx
            .stores
            .accounts
            .accounts_after(Scope::All, &after, BATCH)
            .await
            .map_err(|e| e.to_string())?;
        let Some(last) = batch.last() else {
            return Ok(());
        };
        after.clone_from(&last.user);
        for account in batch {
            if let Some(why) = left_out(&account, host, config) {
                report.skipped.push((account.user, why));
                continue;
            }
            match write_one(ctx, &account, dir, &kind).await {
                Ok(Some(file)) if copies.count() > 0 => {
                    copy_one(ctx, run, copies, &file, &account.user, report).await;
                    report.backed_up.push(account.user);
                }
                Ok(_) => report.backed_up.push(account.user),
                Err(why) => report.failed.push((account.user, why)),
            }
            let now = clock();
            if !ctx
                .stores
                .backups
                .renew_backup_run(host, day, holder, now + LEASE)
                .await
                .map_err(|e| e.to_string())?
            {
                return Err("another replica took the run over".into());
            }
        }
    }
}

/// Why an account is not backed up, if it is not.
fn left_out(account: &Account, host: &str, config: &BackupConfig) -> Option<String> {
    if !account.host.is_empty() && account.host != host {
        return Some(format!("served by {}", account.host));
    }
    if account.get("BACKUP") == Some("0") {
        return Some("its backups are off".into());
    }
    if account.suspension.is_some() && !config.flag("backupsuspendedaccts") {
        return Some("suspended".into());
    }
    None
}

/// Writes the account's backup into `dir`; returns the archive written (`None` for an
/// incremental tree).
async fn write_one(
    ctx: &Context,
    account: &Account,
    dir: &Path,
    kind: &str,
) -> Result<Option<PathBuf>, String> {
    let user = &account.user;
    let hostname = &ctx.info.hostname;
    let (name, compression) = match kind {
        "incremental" => {
            let previous = previous_tree(dir, user);
            return write_tree(&ctx.stores, account, hostname, &dir.join(user), previous)
                .await
                .map(|()| None)
                .map_err(|e| e.to_string());
        }
        "uncompressed" => (format!("{user}.tar"), Compression::None),
        _ => (format!("{user}.tar.gz"), Compression::Gzip),
    };
    let file = dir.join(name);
    pack(&ctx.stores, account, hostname, &file, "", compression, true)
        .await
        .map_err(|e| e.to_string())?;
    Ok(Some(file))
}

/// Copies an account's archive to the destinations, at its path under the backup directory
/// in each kind the run writes; without `keeplocal`, the local archive goes once every
/// destination has it.
async fn copy_one(
    ctx: &Context,
    run: &Run<'_>,
    copies: &mut Copies,
    file: &Path,
    user: &str,
    report: &mut RunReport,
) {
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let paths: Vec<String> = run
        .kinds
        .iter()
        .map(|k| {
            k.root(Path::new(""))
                .join(run.day)
                .join("accounts")
                .join(&name)
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let failed = copies.copy(ctx, file, &paths).await;
    let all_copied = failed.is_empty();
    report
        .not_copied
        .extend(failed.into_iter().map(|why| (user.to_owned(), why)));
    if all_copied
        && !run.config.flag("keeplocal")
        && let Err(e) = tokio::fs::remove_file(file).await
    {
        tracing::warn!(file = %file.display(), error = %e, "the local copy was not removed");
    }
}

/// The account's tree in the newest earlier run beside the one `dir` (`RUN/accounts`) is in.
fn previous_tree(dir: &Path, user: &str) -> Option<PathBuf> {
    let run = dir.parent()?;
    let (root, today) = (run.parent()?, run.file_name()?.to_str()?);
    let mut runs: Vec<String> = fs::read_dir(root)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|name| is_run_name(name) && name.as_str() < today)
        .collect();
    runs.sort_unstable();
    runs.into_iter()
        .rev()
        .map(|name| root.join(name).join("accounts").join(user))
        .find(|tree| tree.is_dir())
}

/// `to` as a tree of hard links to `from`'s files (directories made anew, links copied).
fn link_tree(from: &Path, to: &Path) -> io::Result<()> {
    DirBuilder::new().mode(0o700).create(to).or_else(|e| {
        if e.kind() == io::ErrorKind::AlreadyExists {
            Ok(())
        } else {
            Err(e)
        }
    })?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type()?;
        if kind.is_dir() {
            link_tree(&src, &dst)?;
            fs::set_permissions(&dst, fs::symlink_metadata(&src)?.permissions())?;
        } else if kind.is_symlink() {
            std::os::unix::fs::symlink(fs::read_link(&src)?, &dst)?;
        } else {
            match fs::hard_link(&src, &dst) {
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                other => other?,
            }
        }
    }
    Ok(())
}

/// Removes the oldest runs under `root` beyond the newest `keep`; returns them.
fn prune(root: &Path, keep: usize) -> io::Result<Vec<PathBuf>> {
    let mut runs: Vec<String> = match fs::read_dir(root) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|name| is_run_name(name))
            .collect(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    runs.sort_unstable_by(|a, b| b.cmp(a));
    let mut pruned = Vec::new();
    for old in runs.into_iter().skip(keep) {
        let path = root.join(old);
        fs::remove_dir_all(&path)?;
        pruned.push(path);
    }
    Ok(pruned)
}
