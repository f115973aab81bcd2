//! `whmd import-cpanel ARCHIVE…`: restores accounts from cPanel's archives (pkgacct's
//! `cpmove-USER.tar.gz`, a backup's `USER.tar.gz` or `.tar`, the parts of a split archive, or
//! an unpacked archive's directory), one after the other, each with a progress bar and a
//! summary by module: what was restored, what was skipped and why, what whmd does not host
//! yet and kept aside (docs/compatibility.md, "Restoring an account"). `--dry-run` checks
//! and reports without changing anything. An archive that fails leaves nothing behind and
//! does not stop the others.

use crate::config::{HostFlags, StoreFlags};
use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use whmd_api::functions::restore::{self, Options, Restored};
use whmd_api::registry::Call;
use whmd_archive::Source;
use whmd_domain::{AuthMethod, Principal};
use whmd_wire::{AclSet, ApiVersion, Args};

/// One archive's outcome.
#[derive(Debug)]
pub struct Imported {
    pub archive: PathBuf,
    pub outcome: Result<Restored, String>,
}

/// How archives are imported.
#[derive(Debug, Clone, Copy, Default)]
pub struct Choices<'a> {
    /// Where what is not applied goes (by default the data directory's `imports/`).
    pub keep: Option<&'a Path>,
    /// Check and report, change nothing.
    pub dry_run: bool,
    /// Replace an account of the same name instead of refusing.
    pub overwrite: bool,
    /// Show a progress bar per archive.
    pub progress: bool,
}

/// Restores each archive in turn.
pub async fn run(
    archives: &[PathBuf],
    choices: Choices<'_>,
    store: &StoreFlags,
    host: &HostFlags,
) -> anyhow::Result<Vec<Imported>> {
    let (ctx, config) = crate::tool::context(store, host).await?;
    let options = Options {
        keep_root: choices
            .keep
            .map_or_else(|| config.data_dir.join("imports"), Path::to_owned),
        dry_run: choices.dry_run,
        user: None,
        overwrite: choices.overwrite,
    };
    let progress = choices.progress;
    let mut done = Vec::with_capacity(archives.len());
    for archive in archives {
        let call = Call {
            ctx: Arc::clone(&ctx),
            principal: Principal {
                user: "root".into(),
                acls: AclSet::root(),
                method: AuthMethod::Local,
            },
            peer: None,
            meta: Arc::new(Args::default()),
            version: ApiVersion::V1,
        };
        let outcome = import(&call, archive, &options, progress).await;
        done.push(Imported {
            archive: archive.clone(),
            outcome,
        });
    }
    Ok(done)
}

async fn import(
    call: &Call,
    archive: &Path,
    options: &Options,
    progress: bool,
) -> Result<Restored, String> {
    let source = Source::at(archive)
        .with_context(|| format!("cannot open {}", archive.display()))
        .map_err(|e| format!("{e:#}"))?;
    let bar = if progress {
        let bar = ProgressBar::new(source.size().unwrap_or(0));
        let template = if source.size().is_some() {
            "{msg:12} [{bar:30}] {bytes}/{total_bytes} ({eta})"
        } else {
            "{msg:12} {spinner} {bytes}"
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar
    } else {
        ProgressBar::hidden()
    };
    let passes = Arc::new(std::sync::atomic::AtomicU8::new(0));
    let opener: restore::Opener = {
        let bar = bar.clone();
        Arc::new(move || {
            let pass = passes.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            bar.set_position(0);
            bar.set_message(if pass == 0 { "checking" } else { "unpacking" });
            let stream = source.open()?;
            Ok(Box::new(bar.wrap_read(stream)) as Box<dyn Read + Send>)
        })
    };
    let restored = restore::restore(call, opener, options).await;
    bar.finish_and_clear();
    restored.map_err(|e| e.to_string())
}

/// The summary of one archive, as printed.
pub fn summary(imported: &Imported, dry_run: bool) -> String {
    let name = imported.archive.display();
    let restored = match &imported.outcome {
        Ok(r) => r,
        Err(why) => return format!("{name}: not restored: {why}\n"),
    };
    let mut text = match (dry_run, restored.uid) {
        (true, _) => format!(
            "{name}: {} would be restored (dry run: nothing was changed)\n",
            restored.user
        ),
        (false, Some(uid)) => format!("{name}: {} restored (uid {uid})\n", restored.user),
        (false, None) => format!("{name}: {} restored\n", restored.user),
    };
    text.push_str(&restored.details());
    text
}
