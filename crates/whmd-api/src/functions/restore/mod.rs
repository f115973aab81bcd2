//! Restoring an account from a cPanel archive (docs/compatibility.md, "Restoring an account").
//! The archive is read twice and never copied whole: a first pass checks every entry and reads
//! the small files; the account is planned and checked as createacct checks a new one; a
//! second pass unpacks the home into a directory beside where it goes and the rest into the
//! directory that keeps what is not applied. Only then is the account stored, with its
//! password hash and zones, in one transaction; the home is given to the new uid and moved
//! into place, and the host converges the account as it would a created one. A failure before
//! the store's commit leaves nothing behind; a home that cannot be put in place after it
//! removes the account again, so an account is restored whole or not at all. With
//! `overwrite`, an account of the same name is replaced instead (`replace`).

mod plan;
mod queue;
mod replace;
pub mod report;
pub mod session;
mod transfer;
mod userdata;

pub use queue::FUNCTIONS as QUEUE;
pub use transfer::FUNCTIONS as TRANSFER;

use super::accounts::remove;
use super::dns::{publish_for_account, zone_exists_reason};
use super::entry;
use super::packages;
use crate::registry::Call;
use replace::{Aside, Replaced};
use report::{Module, Status};
use std::fmt::Write as _;
use std::fs::{self, DirBuilder};
use std::io::{self, Read};
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use whmd_archive::{Home, Inspected, extract, inspect};
use whmd_domain::StoreError;
use whmd_domain::names::domain::exists_reason;
use whmd_domain::names::username::exists_reason as user_exists_reason;
use whmd_domain::store::{AccountChange, Conflict, ZoneWrites};
use whmd_domain::time::unix_now;
use whmd_wire::WhmError;

/// Opens the archive as one stream from its start; called once per pass.
pub type Opener = Arc<dyn Fn() -> io::Result<Box<dyn Read + Send>> + Send + Sync>;

#[derive(Debug, Clone)]
pub struct Options {
    /// The directory under which what is not applied is kept, as `USER-TIME/` (root's alone).
    pub keep_root: PathBuf,
    /// Check and report, change nothing.
    pub dry_run: bool,
    /// The name the account takes instead of the archive's.
    pub user: Option<String>,
    /// Replace an account of that name, if there is one, instead of refusing.
    pub overwrite: bool,
}

/// A restore's outcome.
#[derive(Debug, Clone)]
pub struct Restored {
    pub user: String,
    /// The new account's uid; `None` on a dry run.
    pub uid: Option<u32>,
    pub modules: Vec<Module>,
    /// Where the archive's other entries were kept.
    pub kept: Option<PathBuf>,
    /// What the host did, as lines of a raw log.
    pub host_log: String,
    pub warnings: Vec<String>,
}

impl Restored {
    /// What was done, module by module, then where the rest was kept, what the host did and
    /// the warnings: indented lines for people.
    pub fn details(&self) -> String {
        let mut text = String::new();
        for Module {
            module,
            status,
            notes,
        } in &self.modules
        {
            let mut notes = notes.iter();
            let _ = writeln!(
                text,
                "  {module:<20} {:<12} {}",
                status.to_string(),
                notes.next().map_or("", String::as_str)
            );
            for note in notes {
                let _ = writeln!(text, "  {:<20} {:<12} {note}", "", "");
            }
        }
        if let Some(kept) = &self.kept {
            let _ = writeln!(
                text,
                "  The archive's other entries are kept in {}",
                kept.display()
            );
        }
        for line in self.host_log.lines() {
            let _ = writeln!(text, "  {line}");
        }
        for warning in &self.warnings {
            let _ = writeln!(text, "  warning: {warning}");
        }
        text
    }
}

pub async fn restore(call: &Call, open: Opener, options: &Options) -> Result<Restored, WhmError> {
    let found = {
        let open = Arc::clone(&open);
        blocking(move || {
            inspect(open().map_err(unreadable)?).map_err(|e| WhmError::Reason(e.to_string()))
        })
        .await?
    };
    let name = options
        .user
        .clone()
        .filter(|u| *u != found.user)
        .unwrap_or_else(|| found.user.clone());
    let replacing = match options.overwrite {
        true => Replaced::read(call, &name).await?,
        false => None,
    };
    let plan = plan::plan(
        call,
        &found,
        options.user.as_deref(),
        replacing.as_ref().map(|r| r.old.user.as_str()),
    )
    .await?;
    let user = plan.account.user.clone();
    let mut warnings = Vec::new();
    if let Some(replaced) = &replacing {
        warnings.push(format!(
            "the existing account “{user}” is replaced (it keeps its uid {}; its home and zones are the archive's)",
            replaced.old.uid
        ));
    }
    let homes = call.ctx.host.manages_homes();
    let now = unix_now();
    let kept = options.keep_root.join(format!("{user}-{now}"));
    let mut modules = plan.modules;
    modules.push(home_module(&found, homes));
    modules.extend(report::not_applied(
        &found.sections,
        &kept.display().to_string(),
    ));
    if options.dry_run {
        return Ok(Restored {
            user,
            uid: None,
            modules,
            kept: None,
            host_log: String::new(),
            warnings,
        });
    }

    // Unpacked beside where each part goes, so that moving it there is a rename.
    let home_path = PathBuf::from(&plan.account.homedir);
    let staging = Staging {
        home: homes
            .then(|| {
                home_path
                    .parent()
                    .map(|root| root.join(format!(".whmd-restore-{user}-{now}")))
            })
            .flatten(),
        side: options.keep_root.join(format!(".{user}-{now}.partial")),
        kept: kept.clone(),
    };
    let extracted = {
        let (staging, top, open) = (staging.clone(), found.top.clone(), Arc::clone(&open));
        let (home_bytes, other_bytes) = (found.home_bytes, found.other_bytes);
        blocking(move || {
            staging.room_for(home_bytes, other_bytes)?;
            staging.unpack(&top, open.as_ref())
        })
        .await
    };
    let home = match extracted {
        Ok(home) => home,
        Err(e) => {
            staging.clean_up(true).await;
            return Err(e);
        }
    };
    // The home of the account replaced goes aside until the archive's is in place.
    let aside = match (&replacing, &home) {
        (Some(replaced), Some(_)) => {
            let (old_home, user) = (PathBuf::from(&replaced.old.homedir), user.clone());
            match blocking(move || Aside::set(&old_home, &user, now).map_err(unreadable)).await {
                Ok(aside) => aside,
                Err(e) => {
                    staging.clean_up(true).await;
                    return Err(e);
                }
            }
        }
        _ => None,
    };

    let plan_row = packages::usable(call, &plan.account.plan).await?;
    let admission = packages::admission(call, plan_row.as_ref(), &plan.account.owner).await?;
    let zone_names: Vec<String> = plan.zones.iter().map(|z| z.name.clone()).collect();
    let log = entry(
        call,
        "CREATE",
        &[&plan.account.domain, &plan.account.ip, &user],
    );
    let change = match &replacing {
        None => AccountChange::create(plan.account.clone(), plan.hash.clone(), log.clone())
            .admitted(admission)
            .with_zones(ZoneWrites {
                remove: vec![],
                put: plan.zones,
                replace: false,
            }),
        Some(replaced) => replaced
            .change(plan.account.clone(), plan.zones, log.clone())
            .admitted(admission),
    };
    let stored = match call.ctx.stores.accounts.change(&change).await {
        Ok(Some(stored)) => stored,
        other => {
            put_back(aside.as_ref()).await;
            staging.clean_up(true).await;
            return Err(match other {
                Ok(_) => WhmError::internal("the restored account was not stored"),
                Err(StoreError::Conflict(Conflict::Username)) => {
                    WhmError::Reason(user_exists_reason(&user))
                }
                Err(StoreError::Conflict(Conflict::Domain)) => {
                    WhmError::Reason(exists_reason(&plan.account.domain))
                }
                Err(StoreError::Conflict(Conflict::Zone)) => WhmError::Reason(format!(
                    "{} (one of: {})",
                    zone_exists_reason(&plan.account.domain),
                    zone_names.join(", ")
                )),
                Err(e) => e.into(),
            });
        }
    };

    if replacing.is_some()
        && let Err(e) = call
            .ctx
            .stores
            .accounts
            .change(&AccountChange::password(
                user.clone(),
                plan.hash,
                log.clone(),
            ))
            .await
    {
        warnings.push(format!(
            "the archive's password could not be set ({e}): the account keeps its own"
        ));
    }

    if let Some(home) = home
        && let Err(e) = call
            .ctx
            .host
            .adopt_home(&home, &home_path, stored.uid)
            .await
    {
        // The account goes again (or, replacing one, the old one comes back), with its zones,
        // so that nothing is half restored.
        let undone = match &replacing {
            None => remove(call, &stored, false).await.map(drop),
            Some(replaced) => replaced.undo(&stored, &zone_names, call, log).await,
        };
        let mut reason = format!(
            "The home directory could not be put in place ({e}); the account was not restored."
        );
        put_back(aside.as_ref()).await;
        staging.clean_up(true).await;
        if let Err(undo) = undone {
            reason.push_str(&format!(" Undoing the change failed: {undo}"));
        }
        return Err(WhmError::Reason(reason));
    }
    staging.clean_up(false).await;
    if let Some(aside) = aside {
        let removed = blocking(move || aside.remove().map_err(unreadable)).await;
        if let Err(e) = removed {
            warnings.push(format!("the replaced home could not be removed: {e}"));
        }
    }

    warnings.extend(publish_for_account(call, &zone_names).await);
    let (host_log, host_warnings) = call.ctx.host.converge(&[stored.uid]).await.log();
    warnings.extend(host_warnings);
    Ok(Restored {
        user,
        uid: Some(stored.uid),
        modules,
        kept: Some(kept),
        host_log,
        warnings,
    })
}

fn home_module(found: &Inspected, homes: bool) -> Module {
    let form = match found.home {
        Home::Missing => {
            return Module::new(
                "Homedir",
                Status::Skipped,
                "the archive has no home directory",
            );
        }
        Home::Directory => "homedir/",
        Home::Tarball => "homedir.tar",
    };
    if !homes {
        return Module::new(
            "Homedir",
            Status::Skipped,
            "provisioning is off, so whmd makes no homes on this host: the home stays in the archive",
        );
    }
    let size = if found.home == Home::Directory {
        format!("{} entries, {} bytes", found.home_entries, found.home_bytes)
    } else {
        "the older form".to_owned()
    };
    Module::new(
        "Homedir",
        Status::Restored,
        format!("from {form} ({size}), every file given to the account"),
    )
}

/// The directories a restore unpacks into.
#[derive(Debug, Clone)]
struct Staging {
    /// Beside the home, on its filesystem; `None` when no home is restored.
    home: Option<PathBuf>,
    /// Beside `kept`.
    side: PathBuf,
    kept: PathBuf,
}

impl Staging {
    /// Unpacks the archive: the rest ends up in `kept`, the home is returned where it was
    /// unpacked. Nothing is left on failure.
    fn unpack(
        &self,
        top: &str,
        open: &(dyn Fn() -> io::Result<Box<dyn Read + Send>> + Send + Sync),
    ) -> Result<Option<PathBuf>, WhmError> {
        let private = |dir: &Path| {
            DirBuilder::new()
                .mode(0o700)
                .recursive(false)
                .create(dir)
                .map_err(|e| WhmError::Reason(format!("cannot create {}: {e}", dir.display())))
        };
        if let Some(parent) = self.side.parent() {
            DirBuilder::new()
                .mode(0o700)
                .recursive(true)
                .create(parent)
                .map_err(|e| {
                    WhmError::Reason(format!("cannot create {}: {e}", parent.display()))
                })?;
        }
        private(&self.side)?;
        if let Some(home) = &self.home {
            private(home)?;
        }
        let extracted = extract(
            open().map_err(unreadable)?,
            top,
            self.home.as_deref(),
            &self.side,
        )
        .map_err(|e| WhmError::Reason(e.to_string()))?;
        fs::rename(&extracted.side, &self.kept).map_err(|e| {
            WhmError::Reason(format!("cannot keep the archive's other entries: {e}"))
        })?;
        Ok(extracted.home)
    }

    /// Refuses a restore whose home or other entries would not fit where they go (with a tenth
    /// to spare), before anything is written.
    fn room_for(&self, home_bytes: u64, other_bytes: u64) -> Result<(), WhmError> {
        let mut wanted = vec![(self.side.parent(), other_bytes)];
        if let Some(home) = &self.home {
            wanted.push((home.parent(), home_bytes));
        }
        for (dir, bytes) in wanted {
            let Some(dir) = dir else { continue };
            let mut at = dir;
            // The directory may not exist yet: its nearest existing ancestor's filesystem.
            while !at.exists() {
                match at.parent() {
                    Some(parent) => at = parent,
                    None => break,
                }
            }
            let Ok(stat) = nix::sys::statvfs::statvfs(at) else {
                continue;
            };
            let free = stat.blocks_available().saturating_mul(stat.fragment_size());
            let needed = bytes.saturating_add(bytes / 10);
            if needed > free {
                return Err(WhmError::Reason(format!(
                    "There is not enough free space in {} for the archive ({} MB needed, {} MB free); nothing was restored.",
                    dir.display(),
                    needed.div_ceil(1 << 20),
                    free >> 20
                )));
            }
        }
        Ok(())
    }

    /// Removes the staging directories, and what was kept too when the restore failed.
    async fn clean_up(&self, failed: bool) {
        let mut dirs: Vec<PathBuf> = vec![self.side.clone()];
        dirs.extend(self.home.clone());
        if failed {
            dirs.push(self.kept.clone());
        }
        let _ = tokio::task::spawn_blocking(move || {
            for dir in dirs {
                match fs::remove_dir_all(&dir) {
                    Ok(()) => {}
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                    Err(e) => tracing::warn!(dir = %dir.display(), error = %e, "a restore's staging directory was not removed"),
                }
            }
        })
        .await;
    }
}

/// Puts a home set aside back (a failure is logged: the home stays where it was set aside).
async fn put_back(aside: Option<&Aside>) {
    if let Some(aside) = aside.cloned() {
        let back = blocking(move || aside.put_back().map_err(unreadable)).await;
        if let Err(e) = back {
            tracing::error!(error = %e, "a replaced home could not be put back");
        }
    }
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, WhmError> + Send + 'static,
) -> Result<T, WhmError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(WhmError::internal)?
}

fn unreadable(e: io::Error) -> WhmError {
    WhmError::Reason(format!("The archive cannot be read: {e}"))
}
