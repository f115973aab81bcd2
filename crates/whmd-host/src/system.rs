//! The host's side: reading its user and group database (through NSS, as every tool does)
//! and carrying out planned steps with the shadow tools, which keep their lock files, backups
//! and caches right. Blocking; the converger runs it on the blocking pool.

use crate::plan::{Observed, Step, SystemUser};
use crate::{home, quota};
use nix::sys::signal::{Signal, kill};
use nix::unistd::{Gid, Group, Pid, Uid, User};
use std::io::Write as _;
use std::os::unix::fs::{DirBuilderExt as _, MetadataExt as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What the host has for an account with this uid and name.
pub fn observe(uid: u32, name: &str) -> Result<Observed, String> {
    let by_uid = User::from_uid(Uid::from_raw(uid))
        .map_err(|e| format!("reading the user database: {e}"))?
        .map(system_user);
    let by_name = User::from_name(name)
        .map_err(|e| format!("reading the user database: {e}"))?
        .map(system_user);
    let group = group_gid(name)?;
    let own_group = Group::from_gid(Gid::from_raw(uid))
        .map_err(|e| format!("reading the group database: {e}"))?
        .map(|g| g.name);
    Ok(Observed {
        by_uid,
        by_name,
        group,
        own_group,
    })
}

/// Whether a user or a group of this name exists.
pub fn name_taken(name: &str) -> Result<bool, String> {
    let user = User::from_name(name).map_err(|e| format!("reading the user database: {e}"))?;
    Ok(user.is_some() || group_gid(name)?.is_some())
}

/// The gid of the web server's group (`www-data` on Debian), which owns public_html.
pub fn web_gid() -> Option<u32> {
    group_gid("www-data").ok().flatten()
}

fn group_gid(name: &str) -> Result<Option<u32>, String> {
    Group::from_name(name)
        .map(|g| g.map(|g| g.gid.as_raw()))
        .map_err(|e| format!("reading the group database: {e}"))
}

fn system_user(user: User) -> SystemUser {
    SystemUser {
        name: user.name,
        uid: user.uid.as_raw(),
        gid: user.gid.as_raw(),
        home: user.dir,
        shell: user.shell.to_string_lossy().into_owned(),
    }
}

/// What steps need to know of this host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Env {
    /// The gid of the web server's group, which owns public_html.
    pub web_gid: u32,
    /// cron's per-user crontabs (`/var/spool/cron/crontabs` on Debian).
    pub crontabs: PathBuf,
    /// Where suspended users' crontabs wait, by uid (in whmd's root-only state).
    pub crontabs_aside: PathBuf,
    /// The home roots where quotas are enforced (btrfs qgroups).
    pub quota_roots: Vec<PathBuf>,
}

/// Carries out one step; `Ok(false)` when the host already had it.
pub fn run(step: &Step, env: &Env) -> Result<bool, String> {
    let web_gid = env.web_gid;
    match step {
        Step::KillProcesses { uid } => Ok(kill_processes(*uid)),
        Step::RenameUser { from, to } => tool("usermod", &["-l", to, from], &[]),
        Step::RenameGroup { from, to } => tool("groupmod", &["-n", to, from], &[]),
        Step::CreateGroup { name, gid } => tool("groupadd", &["-g", &gid.to_string(), name], &[]),
        Step::CreateUser {
            name,
            uid,
            home,
            shell,
        } => tool(
            "useradd",
            &[
                "-u",
                &uid.to_string(),
                "-g",
                name,
                "-M",
                "-d",
                &home.to_string_lossy(),
                "-s",
                shell,
                "-c",
                "whmd",
                // No subordinate ids: customers get no rootless containers by default.
                "-K",
                "SUB_UID_COUNT=0",
                "-K",
                "SUB_GID_COUNT=0",
                name,
            ],
            &[],
        ),
        Step::SetHomeAndShell { name, home, shell } => tool(
            "usermod",
            &["-d", &home.to_string_lossy(), "-s", shell, name],
            &[],
        ),
        Step::MoveHome { from, to, uid } => home::relocate(from, to, *uid),
        Step::Home { home, uid } => home::make(home, *uid, web_gid),
        Step::MakeSubvolume { home } => quota::make_subvolume(home),
        Step::SetQuota { home, megabytes } => quota::limit(home, *megabytes).map(|()| true),
        Step::SetPassword { name, hash } => set_password(name, hash),
        // Exit 6: no such user or group, already gone.
        Step::DeleteUser { name } => tool("userdel", &[name], &[6]),
        Step::DeleteGroup { name } => tool("groupdel", &[name], &[6]),
        Step::DeleteHome { home, uid } => {
            let deleted = home::delete(home, *uid)?;
            if let Some(root) = home
                .parent()
                .filter(|r| env.quota_roots.iter().any(|q| q == r))
            {
                quota::clear_stale(root);
            }
            Ok(deleted)
        }
        Step::SetAsideCrontab { user, uid } => move_file(
            &env.crontabs.join(user),
            &env.crontabs_aside.join(uid.to_string()),
        ),
        Step::RestoreCrontab { user, uid } => move_file(
            &env.crontabs_aside.join(uid.to_string()),
            &env.crontabs.join(user),
        ),
        Step::RenameCrontab { from, to } => {
            move_file(&env.crontabs.join(from), &env.crontabs.join(to))
        }
        Step::DeleteCrontab { user, uid } => {
            let a = remove_file(&env.crontabs.join(user))?;
            Ok(remove_file(&env.crontabs_aside.join(uid.to_string()))? || a)
        }
    }
}

/// Moves a file (a crontab) when it is there and nothing is at `to`; `Ok(true)` when it moved.
fn move_file(from: &Path, to: &Path) -> Result<bool, String> {
    let fail = |e: std::io::Error| format!("moving {} to {}: {e}", from.display(), to.display());
    match std::fs::symlink_metadata(from) {
        Ok(m) if m.is_file() => {}
        Ok(_) => return Err(format!("{} is not a file", from.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(fail(e)),
    }
    if std::fs::symlink_metadata(to).is_ok() {
        return Ok(false);
    }
    if let Some(dir) = to.parent() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(fail)?;
    }
    match std::fs::rename(from, to) {
        Ok(()) => {}
        // Another filesystem: a copy with the same owner and mode, made durable, then the
        // original goes.
        Err(e) if e.raw_os_error() == Some(nix::libc::EXDEV) => {
            let meta = std::fs::symlink_metadata(from).map_err(fail)?;
            std::fs::copy(from, to).map_err(fail)?;
            std::os::unix::fs::chown(to, Some(meta.uid()), Some(meta.gid())).map_err(fail)?;
            std::fs::File::open(to)
                .and_then(|f| f.sync_all())
                .map_err(fail)?;
            std::fs::remove_file(from).map_err(fail)?;
        }
        Err(e) => return Err(fail(e)),
    }
    Ok(true)
}

fn remove_file(path: &Path) -> Result<bool, String> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(format!("removing {}: {e}", path.display())),
    }
}

/// Runs a shadow tool; exit codes in `done` mean there was nothing to do.
fn tool(program: &str, args: &[&str], done: &[i32]) -> Result<bool, String> {
    let output = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{program}: {e}"))?;
    match output.status.code() {
        Some(0) => Ok(true),
        Some(code) if done.contains(&code) => Ok(false),
        code => Err(format!(
            "{program} failed ({}): {}",
            code.map_or("killed".to_owned(), |c| format!("exit {c}")),
            String::from_utf8_lossy(&output.stderr).trim()
        )),
    }
}

/// `chpasswd -e` with the hash on its standard input, so it never shows in a process list.
fn set_password(name: &str, hash: &str) -> Result<bool, String> {
    let mut child = Command::new("chpasswd")
        .arg("-e")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("chpasswd: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(format!("{name}:{hash}\n").as_bytes())
            .map_err(|e| format!("chpasswd: {e}"))?;
    }
    let output = child
        .wait_with_output()
        .map_err(|e| format!("chpasswd: {e}"))?;
    if output.status.success() {
        Ok(true)
    } else {
        Err(format!(
            "chpasswd failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

/// Ends every process whose real or effective uid is `uid`, until none is left (a few
/// rounds, for processes that fork as they die); `true` when there were any.
fn kill_processes(uid: u32) -> bool {
    let mut any = false;
    for _ in 0..5 {
        let pids = processes_of(uid);
        if pids.is_empty() {
            break;
        }
        any = true;
        for pid in pids {
            // One that ended meanwhile is fine.
            let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    any
}

fn processes_of(uid: u32) -> Vec<i32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| process_uid(Path::new(&format!("/proc/{pid}/status")), uid))
        .collect()
}

/// Whether the `Uid:` line of a status file names `uid` as real or effective user.
fn process_uid(status: &Path, uid: u32) -> bool {
    std::fs::read_to_string(status).is_ok_and(|text| {
        text.lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .is_some_and(|ids| {
                ids.split_whitespace()
                    .take(2)
                    .any(|id| id.parse::<u32>() == Ok(uid))
            })
    })
}
