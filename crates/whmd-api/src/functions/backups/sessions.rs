//! start_background_pkgacct, get_pkgacct_session_state and fetch_pkgacct_master_log
//! (<https://api.docs.cpanel.net/openapi/whm/operation/start_background_pkgacct/>): an
//! account's archive written in the background as a pkgacct session (a job of kind
//! `pkgacct`), its log kept as cPanel's master log: one JSON object per line.

use super::pack::pack;
use crate::FunctionSpec;
use crate::function::function;
use crate::functions::jobs::{Running, find, spawn};
use crate::registry::Call;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::Arc;
use whmd_archive::Compression;
use whmd_archive::layout::{ARCHIVE_VERSION, PKGACCT_VERSION, TRANSFER_PREFIX};
use whmd_domain::time::{civil, unix_now};
use whmd_wire::{Acl, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] = &[
    function!(
        "start_background_pkgacct",
        Acl::ALL,
        V1,
        start_background_pkgacct
    ),
    function!(
        "get_pkgacct_session_state",
        Acl::ALL,
        V1,
        get_pkgacct_session_state
    )
    .read_only(),
    function!(
        "fetch_pkgacct_master_log",
        Acl::ALL,
        V1,
        fetch_pkgacct_master_log
    )
    .read_only(),
];

/// The jobs' kind.
const KIND: &str = "pkgacct";

#[derive(Debug, Deserialize, JsonSchema)]
struct StartBackgroundPkgacct {
    /// The account to package.
    user: String,
    /// `compress` (the default) for `cpmove-USER.tar.gz`; anything else for `.tar`.
    compressionsetting: Option<String>,
    /// 1 to leave the home directory out.
    skiphomedir: Option<String>,
    /// The directory to write `cpmove-USER.tar.gz` in: an absolute path that exists. By
    /// default the account's home root when whmd makes homes, else the data directory's
    /// `pkgacct/`.
    tarroot: Option<String>,
    /// 1 to write the archive in parts (not supported yet).
    split: Option<String>,
    /// 1 to update an earlier archive (not supported yet).
    incremental: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct Started {
    session_id: String,
    complete_master_log: &'static str,
    complete_master_error_log: &'static str,
}

/// A 0/1 argument.
fn boolean(name: &str, value: Option<&str>) -> Result<bool, WhmError> {
    match value {
        None | Some("0" | "") => Ok(false),
        Some("1") => Ok(true),
        Some(other) => Err(WhmError::Reason(format!(
            "Value for argument {name} must be either 1 or 0 ({other})"
        ))),
    }
}

async fn start_background_pkgacct(
    call: Call,
    req: StartBackgroundPkgacct,
) -> Result<Outcome<Started>, WhmError> {
    let skip_home = boolean("skiphomedir", req.skiphomedir.as_deref())?;
    if boolean("split", req.split.as_deref())? {
        return Err(WhmError::reason(
            "whmd cannot write an archive in parts yet.",
        ));
    }
    if boolean("incremental", req.incremental.as_deref())? {
        return Err(WhmError::reason(
            "whmd cannot update an earlier archive yet.",
        ));
    }
    let Some(account) = call.ctx.stores.accounts.account(&req.user).await? else {
        return Err(WhmError::Reason(format!(
            "The user “{}” does not exist.",
            req.user
        )));
    };
    let compression = match req.compressionsetting.as_deref() {
        None | Some("compress") => Compression::Gzip,
        Some(_) => Compression::None,
    };
    let dir = match req.tarroot.as_deref() {
        Some(dir) if dir.starts_with('/') && std::path::Path::new(dir).is_dir() => {
            PathBuf::from(dir)
        }
        Some(dir) => {
            return Err(WhmError::Reason(format!(
                "The directory “{dir}” does not exist."
            )));
        }
        None if call.ctx.host.manages_homes() => PathBuf::from(&account.homedir)
            .parent()
            .map_or_else(|| PathBuf::from("/home"), std::path::Path::to_owned),
        None => {
            let dir = call.ctx.info.data_dir.join("pkgacct");
            std::fs::create_dir_all(&dir)
                .map_err(|e| WhmError::Reason(format!("cannot create {}: {e}", dir.display())))?;
            dir
        }
    };
    let user = account.user.clone();
    let suffix = match compression {
        Compression::Gzip => "tar.gz",
        Compression::None => "tar",
    };
    let path = dir.join(format!("{TRANSFER_PREFIX}{user}.{suffix}"));
    let first = line("pkgacct started.\n");
    let ctx = Arc::clone(&call.ctx);
    let id = spawn(&call, KIND, first, move |job: Running| async move {
        job.log(
            &line(&format!(
                "pkgacct version {PKGACCT_VERSION} - user : {user} - tarball: 1 - split: 0 - incremental: 0 - homedir: {} - archive version: {ARCHIVE_VERSION}\n",
                u8::from(!skip_home)
            )),
            false,
        )
        .await;
        let hostname = if account.host.is_empty() {
            ctx.info.hostname.clone()
        } else {
            account.host.clone()
        };
        let packed = pack(
            &ctx.stores,
            &account,
            &hostname,
            &path,
            TRANSFER_PREFIX,
            compression,
            !skip_home,
        )
        .await;
        match packed {
            Ok(packed) => {
                let mut text = String::new();
                for skipped in &packed.skipped {
                    text.push_str(&line(&format!(
                        "left out (a socket, pipe or device): {}\n",
                        skipped.display()
                    )));
                }
                text.push_str(&line(&format!(
                    "{} written ({} bytes), {} the home directory\n",
                    packed.path.display(),
                    packed.bytes,
                    if packed.home { "with" } else { "without" }
                )));
                text.push_str(&line("pkgacct completed\n"));
                job.log(&text, false).await;
                true
            }
            Err(e) => {
                job.log(&line(&format!("pkgacct failed: {e}\n")), true).await;
                false
            }
        }
    })
    .await?;
    Ok(Outcome::ok(Started {
        session_id: id,
        complete_master_log: "master.log",
        complete_master_error_log: "master.error_log",
    }))
}

/// One line of the master log, as cPanel writes it: a JSON object with the text, the time and
/// the process.
fn line(contents: &str) -> String {
    let (y, mo, d, h, mi, s, _) = civil(unix_now());
    let entry = serde_json::json!({
        "contents": contents,
        "partial": 0,
        "timestamp": format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02} +0000"),
        "pid": std::process::id(),
        "indent": 0,
        "type": "out",
    });
    format!("{entry}\n")
}

#[derive(Debug, Deserialize, JsonSchema)]
struct SessionId {
    session_id: String,
}

fn no_session(id: &str) -> WhmError {
    WhmError::Reason(format!("The pkgacct session “{id}” does not exist."))
}

#[derive(Debug, Serialize, JsonSchema)]
struct State {
    /// `RUNNING`, `COMPLETED` or `FAILED`.
    state: &'static str,
}

async fn get_pkgacct_session_state(call: Call, req: SessionId) -> Result<Outcome<State>, WhmError> {
    let id = &req.session_id;
    let job = find(&call, KIND, id, || no_session(id)).await?;
    Ok(Outcome::ok(State {
        state: job.state.as_str(),
    }))
}

#[derive(Debug, Serialize, JsonSchema)]
struct Log {
    log: String,
}

async fn fetch_pkgacct_master_log(call: Call, req: SessionId) -> Result<Outcome<Log>, WhmError> {
    let id = &req.session_id;
    let job = find(&call, KIND, id, || no_session(id)).await?;
    Ok(Outcome::ok(Log { log: job.log }))
}
