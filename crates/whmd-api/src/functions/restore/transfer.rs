//! start_local_cpmove_restore, get_transfer_session_state, fetch_transfer_session_log and
//! restore_modules_summary
//! (<https://api.docs.cpanel.net/openapi/whm/operation/start_local_cpmove_restore/>): an
//! archive on this server restored in the background, its session's state and logs, and what
//! each module of a restore does.

use super::report::Status;
use super::session::{KIND, start};
use super::{Opener, Options};
use crate::FunctionSpec;
use crate::function::function;
use crate::functions::jobs::find;
use crate::registry::Call;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;
use whmd_archive::Source;
use whmd_domain::names::username::exists_reason;
use whmd_wire::{Acl, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] = &[
    function!(
        "start_local_cpmove_restore",
        Acl::ALL,
        V1,
        start_local_cpmove_restore
    ),
    function!(
        "get_transfer_session_state",
        Acl::ALL,
        V1,
        get_transfer_session_state
    )
    .read_only(),
    function!(
        "fetch_transfer_session_log",
        Acl::ALL,
        V1,
        fetch_transfer_session_log
    )
    .read_only(),
    function!("restoreaccount", Acl::ALL, V1, restoreaccount),
    function!(
        "restore_modules_summary",
        Acl::ALL,
        V1,
        restore_modules_summary
    )
    .read_only(),
];

#[derive(Debug, Deserialize, JsonSchema)]
struct StartLocalCpmoveRestore {
    /// The archive (`cpmove-USER.tar.gz`, a part of a split one) or an unpacked archive's
    /// directory.
    cpmovepath: String,
    /// The name the restored account takes; the archive's by default.
    username: Option<String>,
    /// 1 to replace an existing account of the name (not supported yet: refused when there
    /// is one).
    overwrite: Option<String>,
    /// 1 for an address of its own (not supported yet).
    dedicated_ip: Option<String>,
    /// 1 to remove the archive once the account is restored.
    delete_archive: Option<String>,
    /// whmd checks every archive as a restricted restore does, whatever this says.
    restricted: Option<String>,
    /// `all` or `basic`: A records of the old server's address point at the new one either way.
    update_a_records: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct Started {
    transfer_session_id: String,
}

/// A 0/1 argument, checked as cPanel checks its booleans.
fn boolean(name: &str, value: Option<&str>) -> Result<bool, WhmError> {
    match value {
        None | Some("0") => Ok(false),
        Some("1") => Ok(true),
        Some(other) => Err(WhmError::Reason(format!(
            "Value for argument {name} must be either 1 or 0 ({other})"
        ))),
    }
}

async fn start_local_cpmove_restore(
    call: Call,
    req: StartLocalCpmoveRestore,
) -> Result<Outcome<Started>, WhmError> {
    let overwrite = boolean("overwrite", req.overwrite.as_deref())?;
    let dedicated_ip = boolean("dedicated_ip", req.dedicated_ip.as_deref())?;
    let delete_archive = boolean("delete_archive", req.delete_archive.as_deref())?;
    boolean("restricted", req.restricted.as_deref())?;
    if let Some(mode) = req.update_a_records.as_deref()
        && !matches!(mode, "all" | "basic")
    {
        return Err(WhmError::Reason(format!(
            "The “update_a_records” argument must be “all” or “basic”, not “{mode}”."
        )));
    }
    if dedicated_ip {
        return Err(WhmError::reason(
            "whmd cannot give a restored account an address of its own yet.",
        ));
    }
    let path = PathBuf::from(&req.cpmovepath);
    if !path.is_absolute() || std::fs::symlink_metadata(&path).is_err() {
        return Err(WhmError::Reason(format!(
            "The path “{}” does not exist.",
            req.cpmovepath
        )));
    }
    let source = Source::at(&path).map_err(|e| {
        WhmError::Reason(format!(
            "The archive “{}” cannot be read: {e}",
            req.cpmovepath
        ))
    })?;
    // Refused here rather than in the session when the name is plainly taken.
    let name = req.username.clone();
    if let Some(name) = &name
        && !overwrite
        && call.ctx.stores.accounts.account(name).await?.is_some()
    {
        return Err(WhmError::Reason(exists_reason(name)));
    }
    let options = Options {
        keep_root: keep_root(&call),
        dry_run: false,
        user: name,
        overwrite,
    };
    let opener: Opener =
        Arc::new(move || source.open().map(|r| Box::new(r) as Box<dyn Read + Send>));
    let id = start(
        &call,
        opener,
        options,
        req.cpmovepath.clone(),
        delete_archive.then_some(path),
    )
    .await?;
    Ok(Outcome::ok(Started {
        transfer_session_id: id,
    }))
}

#[derive(Debug, Deserialize, JsonSchema)]
struct Restoreaccount {
    /// The account to restore from the legacy backups.
    user: String,
    /// `daily`, `weekly` or `monthly`.
    #[serde(rename = "type")]
    kind: String,
    /// cPanel's restore flags; whmd restores the same whatever they say.
    ip: Option<String>,
    mail: Option<String>,
    mysql: Option<String>,
    subs: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct Restoring {
    transfer_session_id: String,
    /// The process restoring it.
    pid: u32,
}

/// restoreaccount
/// (<https://api.docs.cpanel.net/openapi/whm/operation/restoreaccount/>): restores an account
/// from cPanel's legacy backups (`BACKUPDIR/cpbackup/TYPE/USER.tar.gz`, `.tgz`, `.tar`, or an
/// unpacked `USER/`) in the background, as a transfer session.
async fn restoreaccount(call: Call, req: Restoreaccount) -> Result<Outcome<Restoring>, WhmError> {
    for (name, value) in [
        ("ip", &req.ip),
        ("mail", &req.mail),
        ("mysql", &req.mysql),
        ("subs", &req.subs),
    ] {
        boolean(name, value.as_deref())?;
    }
    if !matches!(req.kind.as_str(), "daily" | "weekly" | "monthly") {
        return Err(WhmError::Reason(format!(
            "The backup type must be “daily”, “weekly” or “monthly”, not “{}”.",
            req.kind
        )));
    }
    let user = &req.user;
    if !whmd_domain::names::username::valid_for_transfer(user) {
        return Err(WhmError::Reason(format!(
            "“{user}” is not a valid username."
        )));
    }
    let config = call
        .ctx
        .stores
        .backups
        .backup_config()
        .await?
        .unwrap_or_default();
    let dir = PathBuf::from(config.get("backupdir"))
        .join("cpbackup")
        .join(&req.kind);
    let bzip2 = dir.join(format!("{user}.tar.bz2"));
    let Some(path) = [
        dir.join(format!("{user}.tar.gz")),
        dir.join(format!("{user}.tgz")),
        dir.join(format!("{user}.tar")),
        dir.join(user),
    ]
    .into_iter()
    .find(|p| p.exists()) else {
        return Err(WhmError::Reason(if bzip2.exists() {
            format!(
                "{} is a bzip2 archive, which whmd does not read yet.",
                bzip2.display()
            )
        } else {
            format!("There is no {} backup of “{user}”.", req.kind)
        }));
    };
    if call.ctx.stores.accounts.account(user).await?.is_some() {
        return Err(WhmError::Reason(exists_reason(user)));
    }
    let source = Source::at(&path).map_err(|e| {
        WhmError::Reason(format!("The backup {} cannot be read: {e}", path.display()))
    })?;
    let opener: Opener =
        Arc::new(move || source.open().map(|r| Box::new(r) as Box<dyn Read + Send>));
    let options = Options {
        keep_root: keep_root(&call),
        dry_run: false,
        user: None,
        overwrite: false,
    };
    let id = start(&call, opener, options, path.display().to_string(), None).await?;
    Ok(Outcome::ok(Restoring {
        transfer_session_id: id.clone(),
        pid: std::process::id(),
    })
    .with_reason("Account Restoring in background")
    .with_raw(format!(
        "The account {user} is being restored in the background: transfer session {id}.\n"
    )))
}

/// Where a restore through the API keeps what it does not apply.
fn keep_root(call: &Call) -> PathBuf {
    call.ctx.info.data_dir.join("imports")
}

#[derive(Debug, Deserialize, JsonSchema)]
struct SessionId {
    transfer_session_id: String,
}

#[derive(Debug, Serialize, JsonSchema)]
struct State {
    /// `RUNNING`, `COMPLETED` or `FAILED`.
    state_name: &'static str,
}

fn no_session(id: &str) -> WhmError {
    WhmError::Reason(format!("The transfer session “{id}” does not exist."))
}

async fn get_transfer_session_state(
    call: Call,
    req: SessionId,
) -> Result<Outcome<State>, WhmError> {
    let id = &req.transfer_session_id;
    let job = find(&call, KIND, id, || no_session(id)).await?;
    Ok(Outcome::ok(State {
        state_name: job.state.as_str(),
    }))
}

#[derive(Debug, Deserialize, JsonSchema)]
struct FetchLog {
    transfer_session_id: String,
    /// `master.log` (everything) or `master.error_log` (the errors).
    logfile: String,
}

#[derive(Debug, Serialize, JsonSchema)]
struct Log {
    log: String,
}

async fn fetch_transfer_session_log(call: Call, req: FetchLog) -> Result<Outcome<Log>, WhmError> {
    let id = &req.transfer_session_id;
    let job = find(&call, KIND, id, || no_session(id)).await?;
    let log = match req.logfile.as_str() {
        "master.log" => job.log,
        "master.error_log" => job.error_log,
        other => {
            return Err(WhmError::Reason(format!(
                "The log file “{other}” does not exist: use “master.log” or “master.error_log”."
            )));
        }
    };
    Ok(Outcome::ok(Log { log }))
}

#[derive(Debug, Serialize, JsonSchema)]
struct Summary {
    modules: Vec<ModuleSummary>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct ModuleSummary {
    module: &'static str,
    summary: Vec<&'static str>,
    /// 1: the module runs in a restricted restore, as every whmd restore is.
    restricted_available: u8,
    restricted_summary: Vec<&'static str>,
    notes: Vec<&'static str>,
}

/// What each module of a restore does in whmd (docs/compatibility.md, "Restoring an account").
const MODULES: &[(&str, Status, &str)] = &[
    (
        "Account",
        Status::Restored,
        "Creates the account with its domain, owner (when a reseller here) and package (when it exists here), on this server's address and home root.",
    ),
    (
        "CpUser",
        Status::Restored,
        "Restores the settings and limits of cp/USER.",
    ),
    (
        "Password",
        Status::Restored,
        "Restores the SHA-512 crypt password hash from shadow; other kinds get a random password.",
    ),
    (
        "Domains",
        Status::Restored,
        "Restores the other domains, served as aliases of the main site.",
    ),
    (
        "ZoneFile",
        Status::Restored,
        "Restores every zone that reads, its A records moved from the old server's address to the account's.",
    ),
    (
        "Homedir",
        Status::Restored,
        "With provisioning on, restores the home with its files, modes and links, given to the new account.",
    ),
    (
        "Mysql",
        Status::NotApplied,
        "Databases are kept with the archive's other entries, not restored.",
    ),
    (
        "Postgresql",
        Status::NotApplied,
        "Databases are kept with the archive's other entries, not restored.",
    ),
    (
        "Mail",
        Status::NotApplied,
        "Mail accounts and forwarders are kept, not applied; their files come back in the home.",
    ),
    (
        "Ftp",
        Status::NotApplied,
        "FTP accounts are kept, not applied.",
    ),
    (
        "SSL",
        Status::NotApplied,
        "Certificates and keys are kept, not installed.",
    ),
    (
        "DKIM",
        Status::NotApplied,
        "DKIM keys are kept, not applied.",
    ),
    (
        "Cron",
        Status::NotApplied,
        "The crontab is kept, not installed.",
    ),
    (
        "Reseller",
        Status::NotApplied,
        "Reseller privileges and packages are kept, not applied.",
    ),
];

async fn restore_modules_summary(_call: Call, _: ()) -> Result<Outcome<Summary>, WhmError> {
    let modules = MODULES
        .iter()
        .map(|(module, status, what)| ModuleSummary {
            module,
            summary: vec![what],
            restricted_available: 1,
            restricted_summary: vec![what],
            notes: match status {
                Status::NotApplied => vec!["whmd does not host this yet."],
                _ => vec![],
            },
        })
        .collect();
    Ok(Outcome::ok(Summary { modules }))
}
