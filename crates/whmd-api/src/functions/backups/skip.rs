//! backup_skip_users_all and backup_skip_users_all_status
//! (<https://api.docs.cpanel.net/openapi/whm/operation/backup_skip_users_all/>): turns every
//! account's backups on or off (`BACKUP`, or the legacy system's `LEGACY_BACKUP`) in the
//! background, as cPanel does, and reports how far it got.

use crate::FunctionSpec;
use crate::function::{NoData, function};
use crate::functions::entry;
use crate::functions::jobs::{Running, spawn};
use crate::registry::Call;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use whmd_domain::StoreError;
use whmd_domain::job::JobState;
use whmd_domain::store::{AccountChange, AccountQuery, Scope};
use whmd_domain::time::unix_now;
use whmd_wire::{Acl, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] = &[
    function!("backup_skip_users_all", Acl::ALL, V1, backup_skip_users_all),
    function!(
        "backup_skip_users_all_status",
        Acl::ALL,
        V1,
        backup_skip_users_all_status
    )
    .read_only(),
];

/// The jobs' kind.
const KIND: &str = "backup_skip_users_all";
/// Accounts changed between two progress lines.
const BATCH: u32 = 200;

#[derive(Debug, Deserialize, JsonSchema)]
struct SkipAll {
    /// Anything but a value starting `disable` (or 0, or empty) turns backups on.
    state: Option<String>,
    /// A value starting `backup` (the default) sets `BACKUP`; anything else `LEGACY_BACKUP`.
    backupversion: Option<String>,
}

async fn backup_skip_users_all(call: Call, req: SkipAll) -> Result<Outcome<NoData>, WhmError> {
    let Some(state) = req.state.filter(|s| !s.is_empty()) else {
        return Err(WhmError::reason("state must be specified"));
    };
    let on = !(state.starts_with("disable") || state == "0");
    let key = match req.backupversion.as_deref() {
        None => "BACKUP",
        Some(v) if v.starts_with("backup") => "BACKUP",
        Some(_) => "LEGACY_BACKUP",
    };
    if let Some(job) = call.ctx.stores.jobs.latest_job(KIND).await?
        && job.state == JobState::Running
    {
        let pid = job.holder.rsplit(':').next().unwrap_or_default().to_owned();
        return Err(WhmError::Reason(format!(
            "Configuration update process already running ({pid})."
        )));
    }
    // How many accounts there are, counted in the store (an empty page of all of them).
    let total = call
        .ctx
        .stores
        .accounts
        .account_page(&AccountQuery::default(), &|_| 0..0)
        .await?
        .unfiltered as u64;
    let copy = Call {
        ctx: Arc::clone(&call.ctx),
        principal: call.principal.clone(),
        peer: call.peer,
        meta: Arc::clone(&call.meta),
        version: call.version.clone(),
    };
    let value = if on { "1" } else { "0" };
    let first = progress(0, total, "");
    spawn(&call, KIND, first, move |job: Running| async move {
        set_all(&copy, &job, key, value, total).await
    })
    .await?;
    Ok(Outcome::done().with_reason("Configuration update process started"))
}

/// A progress line of the job's log: how many accounts were done, of how many, the last.
fn progress(done: u64, total: u64, last: &str) -> String {
    format!("progress {done} {total} {last}\n")
}

/// Sets `key` to `value` on every account, a batch at a time.
async fn set_all(call: &Call, job: &Running, key: &str, value: &str, total: u64) -> bool {
    let accounts = &call.ctx.stores.accounts;
    let (mut after, mut done) = (String::new(), 0u64);
    loop {
        let batch = match accounts.accounts_after(Scope::All, &after, BATCH).await {
            Ok(batch) => batch,
            Err(e) => {
                job.log(&format!("The accounts could not be read: {e}\n"), true)
                    .await;
                return false;
            }
        };
        let Some(last) = batch.last() else {
            return true;
        };
        after.clone_from(&last.user);
        for mut account in batch {
            done += 1;
            if account.get(key) == Some(value) {
                continue;
            }
            let user = account.user.clone();
            account.set(key, value);
            account.mtime = unix_now();
            let log = entry(
                call,
                "MODIFY",
                &[&user, &account.domain, &format!("{key}={value}")],
            );
            match accounts
                .change(&AccountChange::update(user.as_str(), account, vec![log]))
                .await
            {
                // Changed or removed meanwhile: that change wins.
                Ok(_) | Err(StoreError::Conflict(_)) => {}
                Err(e) => {
                    job.log(&format!("{user} was not changed: {e}\n"), true)
                        .await;
                }
            }
        }
        job.log(&progress(done, total, &after), false).await;
    }
}

#[derive(Debug, Serialize, JsonSchema)]
struct Status {
    reason: Progress,
}

#[derive(Debug, Serialize, JsonSchema)]
struct Progress {
    /// `OK` while it runs, `Done` when it finished, `No save_all process running.` when none
    /// ever ran.
    msg: &'static str,
    /// How far it got, in percent.
    perc: u64,
    running: u8,
    /// While it runs: when it started, how many accounts it went through, the last one, now.
    #[serde(skip_serializing_if = "Option::is_none")]
    starttime: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cnt: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lastuser: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    currenttime: Option<i64>,
}

async fn backup_skip_users_all_status(call: Call, _: ()) -> Result<Outcome<Status>, WhmError> {
    let Some(job) = call.ctx.stores.jobs.latest_job(KIND).await? else {
        return Ok(Outcome::ok(Status {
            reason: Progress {
                msg: "No save_all process running.",
                perc: 0,
                running: 0,
                starttime: None,
                cnt: None,
                lastuser: None,
                currenttime: None,
            },
        }));
    };
    let (done, total, last) = job
        .log
        .lines()
        .rev()
        .find_map(|l| {
            let mut words = l.strip_prefix("progress ")?.splitn(3, ' ');
            let done = words.next()?.parse::<u64>().ok()?;
            let total = words.next()?.parse::<u64>().ok()?;
            Some((done, total, words.next().unwrap_or("").to_owned()))
        })
        .unwrap_or((0, 0, String::new()));
    let running = job.state == JobState::Running;
    let perc = if running {
        (done * 100).checked_div(total).unwrap_or(0).min(99)
    } else {
        100
    };
    Ok(Outcome::ok(Status {
        reason: Progress {
            msg: if running { "OK" } else { "Done" },
            perc,
            running: u8::from(running),
            starttime: running.then_some(job.created),
            cnt: running.then_some(done),
            lastuser: running.then_some(last),
            currenttime: running.then(unix_now),
        },
    }))
}
