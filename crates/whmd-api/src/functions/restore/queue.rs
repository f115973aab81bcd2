//! The restore queue
//! (<https://api.docs.cpanel.net/openapi/whm/operation/restore_queue_add_task/>): accounts to
//! restore from a day's scheduled backups, added as tasks, processed one at a time in the
//! background once activated (by whichever server activates it; a second one takes other
//! tasks, never the same), listed, and cleared. A task's backup is in the backup directory
//! (`destid` `local`) or at a backup destination, from which it is fetched into the keep
//! directory for the restore and removed after.

use super::{Opener, Options, restore};
use crate::FunctionSpec;
use crate::function::{NoData, function};
use crate::functions::backups::destinations;
use crate::functions::backups::schedule::{Kind, is_run_name};
use crate::functions::jobs::{Running, new_id, spawn};
use crate::registry::Call;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::io::Read;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use whmd_archive::Source;
use whmd_domain::StoreError;
use whmd_domain::backup::{RestoreTask, TaskOptions, TaskState};
use whmd_domain::destination::Destination;
use whmd_domain::store::Conflict;
use whmd_domain::time::unix_now;
use whmd_transport::Connection;
use whmd_wire::{Acl, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] = &[
    function!("restore_queue_add_task", Acl::ALL, V1, add_task),
    function!("restore_queue_activate", Acl::ALL, V1, activate),
    function!("restore_queue_is_active", Acl::ALL, V1, is_active).read_only(),
    function!("restore_queue_state", Acl::ALL, V1, state).read_only(),
    function!("restore_queue_list_pending", Acl::ALL, V1, list_pending).read_only(),
    function!("restore_queue_list_active", Acl::ALL, V1, list_active).read_only(),
    function!("restore_queue_list_completed", Acl::ALL, V1, list_completed).read_only(),
    function!(
        "restore_queue_clear_pending_task",
        Acl::ALL,
        V1,
        clear_pending_task
    ),
    function!(
        "restore_queue_clear_completed_task",
        Acl::ALL,
        V1,
        clear_completed_task
    ),
    function!("restore_queue_clear_all_tasks", Acl::ALL, V1, clear_all),
    function!(
        "restore_queue_clear_all_pending_tasks",
        Acl::ALL,
        V1,
        clear_all_pending
    ),
    function!(
        "restore_queue_clear_all_completed_tasks",
        Acl::ALL,
        V1,
        clear_all_completed
    ),
    function!(
        "restore_queue_clear_all_failed_tasks",
        Acl::ALL,
        V1,
        clear_all_failed
    ),
];

/// The processing job's kind.
const KIND: &str = "restore_queue";

#[derive(Debug, Deserialize, JsonSchema)]
struct AddTask {
    /// The account to restore.
    user: String,
    /// The date of the backup to restore from (`YYYY-MM-DD`), as backup_date_list gives them.
    restore_point: String,
    /// `local` (the default): the backup directory of this server.
    destid: Option<String>,
    /// 0 or 1; kept with the task (whmd restores the same either way).
    give_ip: Option<String>,
    mail_config: Option<String>,
    mysql: Option<String>,
    subdomains: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct Added {
    queue_id: String,
}

/// A 0/1 argument.
fn boolean(name: &str, value: Option<&str>) -> Result<bool, WhmError> {
    match value {
        None | Some("0") => Ok(false),
        Some("1") => Ok(true),
        Some(other) => Err(WhmError::Reason(format!(
            "Value for argument {name} must be either 1 or 0 ({other})"
        ))),
    }
}

/// The backup of `user` made on `date`, in the daily, weekly or monthly runs.
fn find_backup(backupdir: &Path, user: &str, date: &str) -> Option<PathBuf> {
    Kind::ALL.iter().find_map(|kind| {
        let accounts = kind.root(backupdir).join(date).join("accounts");
        [
            accounts.join(format!("{user}.tar.gz")),
            accounts.join(format!("{user}.tar")),
            accounts.join(user),
        ]
        .into_iter()
        .find(|p| p.exists())
    })
}

async fn backupdir(call: &Call) -> Result<PathBuf, WhmError> {
    let config = call
        .ctx
        .stores
        .backups
        .backup_config()
        .await?
        .unwrap_or_default();
    Ok(PathBuf::from(config.get("backupdir")))
}

async fn add_task(call: Call, req: AddTask) -> Result<Outcome<Added>, WhmError> {
    let options = TaskOptions {
        give_ip: boolean("give_ip", req.give_ip.as_deref())?,
        mail_config: boolean("mail_config", req.mail_config.as_deref())?,
        mysql: boolean("mysql", req.mysql.as_deref())?,
        subdomains: boolean("subdomains", req.subdomains.as_deref())?,
        destid: req.destid.clone().unwrap_or_else(|| "local".into()),
    };
    let (user, date) = (req.user, req.restore_point);
    if locate(&call, &user, &date, &options.destid)
        .await?
        .is_none()
    {
        return Err(WhmError::Reason(format!(
            "There is no backup of “{user}” for “{date}”."
        )));
    }
    let now = unix_now();
    let task = RestoreTask {
        id: new_id(&user, now),
        user: user.clone(),
        restore_point: date,
        options,
        state: TaskState::Pending,
        added: now,
        start_time: None,
        end_time: None,
        session: None,
        result: String::new(),
    };
    match call.ctx.stores.restore_queue.add_restore_task(&task).await {
        Ok(()) => Ok(Outcome::ok(Added { queue_id: task.id })),
        Err(StoreError::Conflict(Conflict::Name)) => Err(WhmError::Reason(format!(
            "A restore of “{user}” is already in the queue."
        ))),
        Err(e) => Err(e.into()),
    }
}

async fn activate(call: Call, _: ()) -> Result<Outcome<NoData>, WhmError> {
    let copy = Call {
        ctx: Arc::clone(&call.ctx),
        principal: call.principal.clone(),
        peer: call.peer,
        meta: Arc::clone(&call.meta),
        version: call.version.clone(),
    };
    let first = "Processing the restore queue\n".to_owned();
    spawn(&call, KIND, first, move |job: Running| async move {
        process(&copy, &job).await;
        true
    })
    .await?;
    Ok(Outcome::done().with_reason("Restore queue processing initiated"))
}

/// Restores the pending tasks one after the other until none is left.
async fn process(call: &Call, job: &Running) {
    let queue = &call.ctx.stores.restore_queue;
    loop {
        let task = match queue.start_restore_task(&job.id, unix_now()).await {
            Ok(Some(task)) => task,
            Ok(None) => return,
            Err(e) => {
                job.log(&format!("The queue could not be read: {e}\n"), true)
                    .await;
                return;
            }
        };
        job.log(
            &format!("Restoring {} from {}\n", task.user, task.restore_point),
            false,
        )
        .await;
        let (state, text) = match restore_task(call, &task).await {
            Ok(details) => (
                TaskState::Completed,
                format!("Restored {}\n{details}", task.user),
            ),
            Err(e) => (
                TaskState::Failed,
                format!("{} was not restored: {e}\n", task.user),
            ),
        };
        job.log(&text, state == TaskState::Failed).await;
        if let Err(e) = queue
            .finish_restore_task(&task.id, state, unix_now(), &text)
            .await
        {
            job.log(&format!("The task's end was not recorded: {e}\n"), true)
                .await;
        }
    }
}

/// Where a task's backup is.
enum Found {
    Here(PathBuf),
    /// At a destination, by its path there.
    There(Destination, String),
}

/// The backup of `user` made on `date`, in the backup directory (`destid` `local`) or at the
/// destination `destid`.
async fn locate(
    call: &Call,
    user: &str,
    date: &str,
    destid: &str,
) -> Result<Option<Found>, WhmError> {
    if !is_run_name(date) {
        return Ok(None);
    }
    if destid == "local" {
        let dir = backupdir(call).await?;
        let (user, date) = (user.to_owned(), date.to_owned());
        return tokio::task::spawn_blocking(move || {
            find_backup(&dir, &user, &date).map(Found::Here)
        })
        .await
        .map_err(WhmError::internal);
    }
    let destination = destinations::by_id(call, destid).await?;
    let connection = reach(call, &destination).await?;
    let mut found = None;
    for path in remote_paths(user, date) {
        match connection.size(&path).await {
            Ok(Some(_)) => {
                found = Some(path);
                break;
            }
            Ok(None) => {}
            Err(e) => {
                connection.close().await;
                return Err(WhmError::Reason(e.to_string()));
            }
        }
    }
    connection.close().await;
    Ok(found.map(|path| Found::There(destination, path)))
}

/// Where a day's archive of `user` would be at a destination (copies are archives only).
fn remote_paths(user: &str, date: &str) -> Vec<String> {
    Kind::ALL
        .iter()
        .flat_map(|kind| {
            let accounts = kind.root(Path::new("")).join(date).join("accounts");
            [format!("{user}.tar.gz"), format!("{user}.tar")]
                .map(|name| accounts.join(name).to_string_lossy().into_owned())
        })
        .collect()
}

async fn reach(call: &Call, destination: &Destination) -> Result<Connection, WhmError> {
    destinations::connect(&call.ctx, destination)
        .await
        .map_err(|why| {
            WhmError::Reason(format!(
                "The backup destination “{}” cannot be reached: {why}",
                destination.name
            ))
        })
}

/// Fetches the archive at `path` of `destination` into `keep_root`, after checking there is
/// room for it; returns the local file.
async fn fetch(
    call: &Call,
    destination: &Destination,
    path: &str,
    user: &str,
    keep_root: &Path,
) -> Result<PathBuf, WhmError> {
    let connection = reach(call, destination).await?;
    let fetched = async {
        let size = connection
            .size(path)
            .await
            .map_err(|e| WhmError::Reason(e.to_string()))?
            .ok_or_else(|| WhmError::Reason(format!("{path} is gone from the destination.")))?;
        let root = keep_root.to_owned();
        tokio::task::spawn_blocking(move || room_for(&root, size))
            .await
            .map_err(WhmError::internal)??;
        let local = keep_root.join(format!(".{user}-{}.fetched", unix_now()));
        connection
            .get(path, &local)
            .await
            .map_err(|e| WhmError::Reason(e.to_string()))?;
        Ok(local)
    }
    .await;
    connection.close().await;
    fetched
}

/// Makes `dir` (root's alone) and checks that `size` bytes and a tenth more fit in it.
fn room_for(dir: &Path, size: u64) -> Result<(), WhmError> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| WhmError::Reason(format!("{}: {e}", dir.display())))?;
    let stat = nix::sys::statvfs::statvfs(dir)
        .map_err(|e| WhmError::Reason(format!("{}: {e}", dir.display())))?;
    let free = stat.blocks_available().saturating_mul(stat.fragment_size());
    let wanted = size.saturating_add(size / 10);
    if free < wanted {
        return Err(WhmError::Reason(format!(
            "There is not enough free space in {} to fetch the backup: it needs {} MB, {} MB are free.",
            dir.display(),
            wanted.div_ceil(1 << 20),
            free >> 20
        )));
    }
    Ok(())
}

async fn restore_task(call: &Call, task: &RestoreTask) -> Result<String, WhmError> {
    let keep_root = call.ctx.info.data_dir.join("imports");
    let found = locate(call, &task.user, &task.restore_point, &task.options.destid)
        .await?
        .ok_or_else(|| {
            WhmError::Reason(format!(
                "There is no backup of “{}” for “{}” any more.",
                task.user, task.restore_point
            ))
        })?;
    let (path, fetched) = match found {
        Found::Here(path) => (path, false),
        Found::There(destination, remote) => (
            fetch(call, &destination, &remote, &task.user, &keep_root).await?,
            true,
        ),
    };
    let restored = restore_file(call, &path, keep_root).await;
    if fetched && let Err(e) = tokio::fs::remove_file(&path).await {
        tracing::warn!(file = %path.display(), error = %e, "a fetched backup was not removed");
    }
    restored
}

async fn restore_file(call: &Call, path: &Path, keep_root: PathBuf) -> Result<String, WhmError> {
    let source = Source::at(path).map_err(|e| {
        WhmError::Reason(format!("The backup {} cannot be read: {e}", path.display()))
    })?;
    let opener: Opener =
        Arc::new(move || source.open().map(|r| Box::new(r) as Box<dyn Read + Send>));
    let options = Options {
        keep_root,
        dry_run: false,
        user: None,
        overwrite: false,
    };
    restore(call, opener, &options)
        .await
        .map(|restored| restored.details())
}

#[derive(Debug, Serialize, JsonSchema)]
struct Active {
    /// 1 while a task is being restored.
    is_active: u8,
}

async fn tasks(call: &Call) -> Result<Vec<RestoreTask>, WhmError> {
    Ok(call.ctx.stores.restore_queue.restore_tasks().await?)
}

fn any_active(tasks: &[RestoreTask]) -> u8 {
    u8::from(tasks.iter().any(|t| t.state == TaskState::Active))
}

async fn is_active(call: Call, _: ()) -> Result<Outcome<Active>, WhmError> {
    Ok(Outcome::ok(Active {
        is_active: any_active(&tasks(&call).await?),
    }))
}

/// A task as the listings give it.
#[derive(Debug, Serialize, JsonSchema)]
struct Job {
    user: String,
    restore_point: String,
    options: JobOptions,
    /// When it started and ended (finished tasks).
    #[serde(skip_serializing_if = "Option::is_none")]
    start_time: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_time: Option<i64>,
    /// `completed` or `failed`, with what came of it (finished tasks).
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    result: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct JobOptions {
    give_ip: u8,
    mail_config: u8,
    mysql: u8,
    subdomains: u8,
    destid: String,
}

fn job(task: &RestoreTask) -> Job {
    let finished = matches!(task.state, TaskState::Completed | TaskState::Failed);
    let o = &task.options;
    Job {
        user: task.user.clone(),
        restore_point: task.restore_point.clone(),
        options: JobOptions {
            give_ip: u8::from(o.give_ip),
            mail_config: u8::from(o.mail_config),
            mysql: u8::from(o.mysql),
            subdomains: u8::from(o.subdomains),
            destid: o.destid.clone(),
        },
        start_time: task.start_time,
        end_time: task.end_time.filter(|_| finished),
        status: finished.then(|| task.state.as_str()),
        result: finished.then(|| task.result.clone()),
    }
}

fn of(tasks: &[RestoreTask], states: &[TaskState]) -> Vec<Job> {
    tasks
        .iter()
        .filter(|t| states.contains(&t.state))
        .map(job)
        .collect()
}

#[derive(Debug, Serialize, JsonSchema)]
struct State {
    pending: Vec<Job>,
    active: Vec<Job>,
    /// Finished tasks, restored or failed.
    completed: Vec<Job>,
    is_active: u8,
}

async fn state(call: Call, _: ()) -> Result<Outcome<State>, WhmError> {
    let tasks = tasks(&call).await?;
    Ok(Outcome::ok(State {
        pending: of(&tasks, &[TaskState::Pending]),
        active: of(&tasks, &[TaskState::Active]),
        completed: of(&tasks, &[TaskState::Completed, TaskState::Failed]),
        is_active: any_active(&tasks),
    }))
}

#[derive(Debug, Serialize, JsonSchema)]
struct Listed {
    restore_job: Vec<Job>,
}

async fn list(call: &Call, states: &[TaskState]) -> Result<Outcome<Listed>, WhmError> {
    Ok(Outcome::ok(Listed {
        restore_job: of(&tasks(call).await?, states),
    }))
}

async fn list_pending(call: Call, _: ()) -> Result<Outcome<Listed>, WhmError> {
    list(&call, &[TaskState::Pending]).await
}

async fn list_active(call: Call, _: ()) -> Result<Outcome<Listed>, WhmError> {
    list(&call, &[TaskState::Active]).await
}

async fn list_completed(call: Call, _: ()) -> Result<Outcome<Listed>, WhmError> {
    list(&call, &[TaskState::Completed, TaskState::Failed]).await
}

#[derive(Debug, Deserialize, JsonSchema)]
struct ClearPending {
    user: String,
}

async fn clear(
    call: &Call,
    states: &[TaskState],
    user: Option<&str>,
    start_time: Option<i64>,
) -> Result<u64, WhmError> {
    Ok(call
        .ctx
        .stores
        .restore_queue
        .clear_restore_tasks(states, user, start_time)
        .await?)
}

/// Clearing is idempotent: a task that is not there is as good as cleared.
async fn clear_pending_task(call: Call, req: ClearPending) -> Result<Outcome<NoData>, WhmError> {
    clear(&call, &[TaskState::Pending], Some(&req.user), None).await?;
    Ok(Outcome::done())
}

#[derive(Debug, Deserialize, JsonSchema)]
struct ClearCompleted {
    user: String,
    /// The task's start time (a Unix time), as restore_queue_list_completed gives it.
    start_time: String,
}

async fn clear_completed_task(
    call: Call,
    req: ClearCompleted,
) -> Result<Outcome<NoData>, WhmError> {
    let start_time: i64 = req
        .start_time
        .parse()
        .map_err(|_| WhmError::Reason(format!("“{}” is not a start time.", req.start_time)))?;
    let finished = [TaskState::Completed, TaskState::Failed];
    clear(&call, &finished, Some(&req.user), Some(start_time)).await?;
    Ok(Outcome::done())
}

async fn clear_all(call: Call, _: ()) -> Result<Outcome<NoData>, WhmError> {
    let states = [TaskState::Pending, TaskState::Completed, TaskState::Failed];
    clear(&call, &states, None, None).await?;
    Ok(Outcome::done())
}

async fn clear_all_pending(call: Call, _: ()) -> Result<Outcome<NoData>, WhmError> {
    clear(&call, &[TaskState::Pending], None, None).await?;
    Ok(Outcome::done())
}

async fn clear_all_completed(call: Call, _: ()) -> Result<Outcome<NoData>, WhmError> {
    clear(&call, &[TaskState::Completed], None, None).await?;
    Ok(Outcome::done())
}

async fn clear_all_failed(call: Call, _: ()) -> Result<Outcome<NoData>, WhmError> {
    clear(&call, &[TaskState::Failed], None, None).await?;
    Ok(Outcome::done())
}
