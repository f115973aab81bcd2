//! backup_date_list, backup_user_list and backup_set_list
//! (<https://api.docs.cpanel.net/openapi/whm/operation/backup_user_list/>): what the backup
//! directory holds, read from the disk in cPanel's layout (`BACKUPDIR/YYYY-MM-DD/accounts/`,
//! `weekly/…`, `monthly/…`; an account's backup is `USER.tar.gz`, `USER.tar` or `USER/`).
//! Dates are plain `YYYY-MM-DD`, newest first, as WHM gives them.

use super::schedule::{Kind, is_run_name};
use crate::FunctionSpec;
use crate::function::function;
use crate::registry::Call;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use whmd_domain::names::username::valid_for_transfer;
use whmd_domain::store::Scope;
use whmd_wire::{Acl, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] = &[
    function!("backup_date_list", Acl::ALL, V1, backup_date_list).read_only(),
    function!("backup_user_list", Acl::ALL, V1, backup_user_list).read_only(),
    function!("backup_set_list", Acl::ALL, V1, backup_set_list).read_only(),
];

/// The users with a backup on each date, in every kind's directory.
type Archives = BTreeMap<String, BTreeSet<String>>;

/// Reads what `backupdir` holds (an empty listing when it is not there).
fn archives(backupdir: &Path) -> Archives {
    let mut found = Archives::new();
    for kind in Kind::ALL {
        let Ok(runs) = fs::read_dir(kind.root(backupdir)) else {
            continue;
        };
        for run in runs.flatten() {
            let Some(date) = run
                .file_name()
                .into_string()
                .ok()
                .filter(|n| is_run_name(n))
            else {
                continue;
            };
            let users = found.entry(date).or_default();
            let Ok(accounts) = fs::read_dir(run.path().join("accounts")) else {
                continue;
            };
            for account in accounts.flatten() {
                let name = account.file_name().to_string_lossy().into_owned();
                let user = if account.file_type().is_ok_and(|t| t.is_dir()) {
                    Some(name.as_str())
                } else {
                    name.strip_suffix(".tar.gz").or(name.strip_suffix(".tar"))
                };
                if let Some(user) = user.filter(|u| valid_for_transfer(u)) {
                    users.insert(user.to_owned());
                }
            }
        }
    }
    found
}

async fn read(call: &Call) -> Result<Archives, WhmError> {
    let config = call
        .ctx
        .stores
        .backups
        .backup_config()
        .await?
        .unwrap_or_default();
    let dir = PathBuf::from(config.get("backupdir"));
    tokio::task::spawn_blocking(move || archives(&dir))
        .await
        .map_err(WhmError::internal)
}

#[derive(Debug, Serialize, JsonSchema)]
struct Dates {
    /// The dates with backups, newest first.
    backup_set: Vec<String>,
}

async fn backup_date_list(call: Call, _: ()) -> Result<Outcome<Dates>, WhmError> {
    let archives = read(&call).await?;
    Ok(Outcome::ok(Dates {
        backup_set: archives.into_keys().rev().collect(),
    }))
}

#[derive(Debug, Deserialize, JsonSchema)]
struct BackupUserList {
    /// A date with backups (`YYYY-MM-DD`), as backup_date_list gives them.
    restore_point: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct Users {
    user: Vec<UserStatus>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct UserStatus {
    username: String,
    /// `active` (a backup and an account), `inactive` (a backup of an account that is gone),
    /// `no_backup` (an account without one).
    status: &'static str,
}

async fn backup_user_list(call: Call, req: BackupUserList) -> Result<Outcome<Users>, WhmError> {
    let Some(date) = req.restore_point.filter(|d| !d.is_empty()) else {
        return Err(WhmError::reason("Missing argument:  restore_point"));
    };
    let mut archives = read(&call).await?;
    let Some(backed_up) = archives.remove(&date) else {
        return Err(WhmError::Reason(format!("Invalid restore point: {date}")));
    };
    let mut live = BTreeSet::new();
    let mut after = String::new();
    loop {
        let batch = call
            .ctx
            .stores
            .accounts
            .accounts_after(Scope::All, &after, 1000)
            .await?;
        let Some(last) = batch.last() else { break };
        after.clone_from(&last.user);
        live.extend(batch.into_iter().map(|a| a.user));
    }
    let user = live
        .union(&backed_up)
        .map(|name| UserStatus {
            status: match (backed_up.contains(name), live.contains(name)) {
                (true, true) => "active",
                (true, false) => "inactive",
                _ => "no_backup",
            },
            username: name.clone(),
        })
        .collect();
    Ok(Outcome::ok(Users { user }))
}

#[derive(Debug, Serialize, JsonSchema)]
struct Sets {
    backup_set: Vec<UserDates>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct UserDates {
    user: String,
    /// The dates with a backup of the user, newest first.
    backup_date: Vec<String>,
}

async fn backup_set_list(call: Call, _: ()) -> Result<Outcome<Sets>, WhmError> {
    let archives = read(&call).await?;
    let mut by_user: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (date, users) in archives.into_iter().rev() {
        for user in users {
            by_user.entry(user).or_default().push(date.clone());
        }
    }
    Ok(Outcome::ok(Sets {
        backup_set: by_user
            .into_iter()
            .map(|(user, backup_date)| UserDates { user, backup_date })
            .collect(),
    }))
}
