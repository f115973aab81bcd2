//! The converger against a real host: the shadow tools, /etc/passwd, /etc/shadow and /home,
//! each test in its own throwaway namespace (see `whmd_host::sandbox`), on a real SQLite store.

use std::os::unix::fs::MetadataExt as _;
use std::path::Path;
use std::sync::Arc;
use whmd_domain::Stores;
use whmd_domain::account::{Account, AccountingEntry, NO_SHELL, Suspension};
use whmd_domain::host::Outcome;
use whmd_domain::store::AccountChange;
use whmd_host::sandbox::{
    Place, btrfs_home, count, enter, entry, have, limit_files, mount_tmpfs, unmount,
};
use whmd_host::{Converger, Policy, Settings, Web};

const HOST: &str = "web1.example.com";
const HASH: &str = "$6$saltsaltsaltsalt$GkzgkzVbauGAKXpOTbypQEKy/9yJWVjcvXvDw7CxoJjnJ1.w.g1rV8bhCVTpHrRrO/h6b3DAwPN3y5qmHXZ1R1";

struct World {
    _dir: tempfile::TempDir,
    state: std::path::PathBuf,
    stores: Stores,
}

impl World {
    async fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}", dir.path().join("whmd.db").display());
        let stores = whmd_store_sqlite::SqliteStore::open(&url)
            .await
            .expect("store")
            .stores();
        Self {
            state: dir.path().join("state"),
            _dir: dir,
            stores,
        }
    }

    fn converger(&self, max_removals: usize) -> Converger {
        self.converger_with(max_removals, None)
    }

    fn converger_with(&self, max_removals: usize, web: Option<Web>) -> Converger {
        Converger::open(
            settings(self.state.clone(), max_removals, web),
            Arc::clone(&self.stores.host),
        )
        .expect("the converger starts")
    }

    /// The last `n` commands the logged web server ran.
    fn web_log_tail(&self, n: usize) -> Vec<String> {
        let log = self.state.parent().expect("dir").join("web/log");
        let text = std::fs::read_to_string(log).unwrap_or_default();
        let lines: Vec<String> = text.lines().map(str::to_owned).collect();
        lines[lines.len().saturating_sub(n)..].to_vec()
    }

    async fn create(&self, user: &str, uid: u32) -> Account {
        let account = Account {
            user: user.into(),
            domain: format!("{user}.example.com"),
            owner: "root".into(),
            plan: "default".into(),
            ip: "192.0.2.1".into(),
            uid,
            homedir: format!("/home/{user}"),
            shell: NO_SHELL.into(),
            quota_mb: None,
            suspension: None,
            reseller: None,
            cpuser: Default::default(),
            domains: vec![],
            dead_domains: vec![],
            homedir_links: vec![],
            host: HOST.into(),
            mtime: 0,
            revision: 0,
        };
        self.stores
            .accounts
            .change(&AccountChange::create(account, HASH, log("CREATE", user)))
            .await
            .expect("create")
            .expect("stored")
    }

    /// Converges `uid` in another process that aborts before the first step of `kind`.
    fn crash(&self, kind: &str, uid: u32, web: bool) {
        let db = format!(
            "sqlite://{}",
            self.state.parent().expect("dir").join("whmd.db").display()
        );
        let mut helper = std::process::Command::new(std::env::current_exe().expect("exe"));
        helper
            .args(["--exact", "host_e2e_crash_helper", "--nocapture"])
            .env("WHMD_HOST_FAILPOINT", kind)
            .env("WHMD_HOST_HELPER_STATE", &self.state)
            .env("WHMD_HOST_HELPER_DB", &db)
            .env("WHMD_HOST_HELPER_UID", uid.to_string());
        if web {
            helper.env("WHMD_HOST_HELPER_WEB", "1");
        }
        let status = helper.status().expect("runs");
        assert!(
            !status.success(),
            "the failpoint {kind} stopped the converger"
        );
    }

    async fn update(&self, user: &str, change: impl FnOnce(&mut Account)) {
        let mut account = self
            .stores
            .accounts
            .account(user)
            .await
            .expect("read")
            .expect("stored");
        change(&mut account);
        self.stores
            .accounts
            .change(&AccountChange::update(
                user,
                account,
                vec![log("MODIFY", user)],
            ))
            .await
            .expect("update");
    }

    async fn remove(&self, user: &str) {
        self.stores
            .accounts
            .change(&AccountChange::remove(user, false, log("REMOVE", user)))
            .await
            .expect("remove");
    }
}

/// A web server beside the state directory whose tests and reloads only append their name
/// to its `log`.
fn logged_web(state: &Path) -> Web {
    let dir = state.parent().expect("dir").join("web");
    let log = |what: &str| {
        vec![
            "sh".into(),
            "-c".into(),
            format!("echo {what} >> {}", dir.join("log").display()),
        ]
    };
    Web {
        sites: dir.join("sites"),
        userdata: dir.join("userdata"),
        pools: dir.join("pools"),
        sockets: dir.join("sockets"),
        web_test: log("web-test"),
        web_reload: log("web-reload"),
        php_test: log("php-test"),
        php_reload: log("php-reload"),
    }
}

fn settings(state: std::path::PathBuf, max_removals: usize, web: Option<Web>) -> Settings {
    Settings {
        policy: Policy::default(),
        state,
        hostname: HOST.into(),
        max_removals,
        web,
        crontabs: whmd_host::CRONTABS.into(),
    }
}

fn log(action: &str, user: &str) -> AccountingEntry {
    AccountingEntry::new(1_700_000_000, action, "root", vec![user.into()])
}

fn mode_of(path: &str) -> (u32, u32, u32) {
    let m = std::fs::symlink_metadata(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    (m.uid(), m.gid(), m.mode() & 0o7777)
}

fn www_data() -> u32 {
    whmd_host::system::web_gid().expect("Debian has www-data")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

#[test]
fn host_e2e_accounts_become_users_and_go() {
    if let Place::Done = enter("host_e2e_accounts_become_users_and_go") {
        return;
    }
    runtime().block_on(async {
        let world = World::new().await;
        let host = world.converger(5);
        let alice = world.create("alice", 0).await;
        let report = host.converge_uid(alice.uid).await;
        assert_eq!(report.outcome, Outcome::Converged, "{report:?}");
        let steps: Vec<&str> = report.steps.iter().map(|s| s.step.as_str()).collect();
        assert_eq!(
            steps,
            [
                "Adding the group alice",
                "Adding User alice",
                "Setting up /home/alice",
                "Setting the password of alice"
            ]
        );
        let uid = alice.uid.to_string();
        let passwd = entry("/etc/passwd", "alice").expect("a system user");
        assert_eq!(
            passwd[2..],
            [
                uid.clone(),
                uid.clone(),
                "whmd".into(),
                "/home/alice".into(),
                "/usr/sbin/nologin".into()
            ]
        );
        assert_eq!(entry("/etc/shadow", "alice").expect("shadow")[1], HASH);
        assert_eq!(entry("/etc/group", "alice").expect("group")[2], uid);
        assert!(
            entry("/etc/subuid", "alice").is_none(),
            "no subordinate ids"
        );
        assert_eq!(mode_of("/home/alice"), (alice.uid, alice.uid, 0o711));
        assert_eq!(
            mode_of("/home/alice/public_html"),
            (alice.uid, www_data(), 0o750)
        );
        assert_eq!(mode_of("/home/alice/tmp"), (alice.uid, alice.uid, 0o700));
        assert_eq!(
            std::fs::read_link("/home/alice/www").expect("www").to_str(),
            Some("public_html")
        );

        // The periodic scan measures the home for listaccts.
        std::fs::write("/home/alice/public_html/big", vec![1u8; 3 << 20]).expect("a file");
        assert_eq!(host.measure_usage(1).await, Ok(1));
        let usage = world.stores.host.usage(&[alice.uid]).await.expect("read");
        assert!(
            usage[0].disk_bytes >= 3 << 20 && usage[0].inodes >= 8,
            "{usage:?}"
        );
        std::fs::remove_file("/home/alice/public_html/big").expect("rm");

        // Nothing to do the second time.
        let again = host.converge_uid(alice.uid).await;
        assert_eq!((again.outcome, again.steps), (Outcome::Converged, vec![]));

        // A crontab, as `crontab -e` leaves it.
        std::fs::create_dir_all("/var/spool/cron/crontabs").expect("spool");
        std::fs::write("/var/spool/cron/crontabs/alice", "* * * * * true\n").expect("crontab");

        // Suspension locks the password, takes the shell and sets the crontab aside;
        // unsuspension gives each back.
        world
            .update("alice", |a| {
                a.suspension = Some(Suspension {
                    reason: "unpaid".into(),
                    time: 1,
                    locked: false,
                    leave_ftp_enabled: false,
                })
            })
            .await;
        assert_eq!(
            host.converge_uid(alice.uid).await.outcome,
            Outcome::Converged
        );
        assert_eq!(
            entry("/etc/shadow", "alice").expect("shadow")[1],
            format!("!{HASH}")
        );
        assert_eq!(
            entry("/etc/passwd", "alice").expect("passwd")[6],
            "/usr/sbin/nologin"
        );
        assert!(!Path::new("/var/spool/cron/crontabs/alice").exists());
        assert!(world.state.join(format!("crontabs/{}", alice.uid)).exists());
        world
            .update("alice", |a| {
                a.suspension = None;
                a.shell = "/bin/bash".into()
            })
            .await;
        assert_eq!(
            host.converge_uid(alice.uid).await.outcome,
            Outcome::Converged
        );
        assert_eq!(entry("/etc/shadow", "alice").expect("shadow")[1], HASH);
        assert_eq!(
            entry("/etc/passwd", "alice").expect("passwd")[6],
            "/bin/bash"
        );
        assert!(
            Path::new("/var/spool/cron/crontabs/alice").exists(),
            "the crontab is back"
        );

        // A rename keeps the uid and moves group and home, files and all.
        std::fs::write("/home/alice/public_html/index.html", "hello").expect("a page");
        world
            .update("alice", |a| {
                a.user = "carol".into();
                a.homedir = "/home/carol".into()
            })
            .await;
        let renamed = host.converge_uid(alice.uid).await;
        assert_eq!(renamed.outcome, Outcome::Converged, "{renamed:?}");
        assert!(entry("/etc/passwd", "alice").is_none());
        assert_eq!(entry("/etc/passwd", "carol").expect("renamed")[2], uid);
        assert_eq!(entry("/etc/group", "carol").expect("group renamed")[2], uid);
        assert!(!Path::new("/home/alice").exists());
        assert!(
            Path::new("/var/spool/cron/crontabs/carol").exists(),
            "the crontab follows"
        );
        assert_eq!(
            std::fs::read_to_string("/home/carol/public_html/index.html").expect("moved"),
            "hello"
        );

        // A user deleted behind whmd's back comes back on the next pass.
        assert!(
            std::process::Command::new("userdel")
                .arg("carol")
                .status()
                .expect("userdel")
                .success()
        );
        let pass = host.pass().await.expect("pass");
        assert!(
            pass.accounts
                .iter()
                .all(|a| a.outcome == Outcome::Converged),
            "{pass:?}"
        );
        assert_eq!(entry("/etc/passwd", "carol").expect("restored")[2], uid);
        assert_eq!(count("/etc/passwd", "carol"), 1);

        // Removal: the tombstone, then user, group and home are gone.
        world.remove("carol").await;
        let removed = host.converge_uid(alice.uid).await;
        assert_eq!(removed.outcome, Outcome::Removed, "{removed:?}");
        assert!(entry("/etc/passwd", "carol").is_none());
        assert!(entry("/etc/group", "carol").is_none());
        assert!(!Path::new("/home/carol").exists());
        assert!(
            !Path::new("/var/spool/cron/crontabs/carol").exists(),
            "the crontab goes"
        );
        assert_eq!(
            world.stores.host.removals(HOST).await.expect("read"),
            vec![],
            "the tombstone is forgotten"
        );
    });
}

#[test]
fn host_e2e_touches_only_what_it_made() {
    if let Place::Done = enter("host_e2e_touches_only_what_it_made") {
        return;
    }
    runtime().block_on(async {
        let world = World::new().await;
        let host = world.converger(1);
        // A local user holding a uid in whmd's range, and one holding a name.
        for (name, uid) in [("localuid", "2000"), ("bob", "2500")] {
            let ok = std::process::Command::new("useradd")
                .args(["-u", uid, "-M", name])
                .status()
                .expect("useradd");
            assert!(ok.success());
        }
        let taken = world.create("dave", 2000).await;
        let report = host.converge_uid(taken.uid).await;
        assert!(
            matches!(&report.outcome, Outcome::Refused(why) if why.contains("localuid")),
            "{report:?}"
        );
        let bob = world.create("bob", 0).await;
        let report = host.converge_uid(bob.uid).await;
        assert!(
            matches!(&report.outcome, Outcome::Refused(why) if why.contains("uid 2500")),
            "{report:?}"
        );
        assert_eq!(
            entry("/etc/passwd", "localuid").expect("untouched")[2],
            "2000"
        );

        // A link planted where the home's public_html goes leads nowhere.
        let erin = world.create("erin", 0).await;
        assert_eq!(
            host.converge_uid(erin.uid).await.outcome,
            Outcome::Converged
        );
        std::fs::remove_dir("/home/erin/public_html").expect("rmdir");
        std::os::unix::fs::symlink("/etc", "/home/erin/public_html").expect("plant");
        let before = mode_of("/etc");
        let report = host.converge_uid(erin.uid).await;
        assert!(
            matches!(&report.outcome, Outcome::Failed(why) if why.contains("public_html")),
            "{report:?}"
        );
        assert_eq!(mode_of("/etc"), before, "/etc keeps its owner and mode");
        std::fs::remove_file("/home/erin/public_html").expect("unplant");

        // A store that lacks accounts, with no tombstones, deletes nothing.
        let other = World::new().await;
        drop(host);
        let wrong = Converger::open(
            Settings {
                policy: Policy::default(),
                state: world.state.clone(),
                hostname: HOST.into(),
                max_removals: 1,
                web: None,
                crontabs: whmd_host::CRONTABS.into(),
            },
            Arc::clone(&other.stores.host),
        )
        .expect("starts");
        let pass = wrong.pass().await.expect("pass");
        assert!(
            pass.accounts
                .iter()
                .any(|a| a.user == "erin" && a.outcome == Outcome::Orphan),
            "{pass:?}"
        );
        let orphans = whmd_host::status::status(
            &Settings {
                policy: Policy::default(),
                state: world.state.clone(),
                hostname: HOST.into(),
                max_removals: 1,
                web: None,
                crontabs: whmd_host::CRONTABS.into(),
            },
            other.stores.host.as_ref(),
            Some("erin"),
        )
        .await
        .expect("status");
        assert_eq!(orphans.len(), 1);
        assert!(
            orphans[0].to_string().starts_with("erin (uid "),
            "{}",
            orphans[0]
        );
        assert!(orphans[0].to_string().contains("orphan"), "{}", orphans[0]);
        assert!(entry("/etc/passwd", "erin").is_some());
        assert!(Path::new("/home/erin").is_dir());
        drop(wrong);

        // More removals due than a pass may carry out: none is.
        let host = world.converger(1);
        let frank = world.create("frank", 0).await;
        assert_eq!(
            host.converge_uid(frank.uid).await.outcome,
            Outcome::Converged
        );
        world.remove("erin").await;
        world.remove("frank").await;
        let pass = host.pass().await.expect("pass");
        assert!(pass.removals_held.is_some(), "{pass:?}");
        let settings = Settings {
            policy: Policy::default(),
            state: world.state.clone(),
            hostname: HOST.into(),
            max_removals: 1,
            web: None,
            crontabs: whmd_host::CRONTABS.into(),
        };
        let statuses = whmd_host::status::status(&settings, world.stores.host.as_ref(), None)
            .await
            .expect("status");
        let removing: Vec<String> = statuses
            .iter()
            .filter(|s| matches!(s.state, whmd_host::status::State::Removing(_)))
            .map(|s| s.user.clone())
            .collect();
        assert_eq!(removing, ["erin", "frank"], "{statuses:?}");
        assert!(entry("/etc/passwd", "erin").is_some() && entry("/etc/passwd", "frank").is_some());
        // One at a time, as removeacct asks, they go.
        assert_eq!(host.converge_uid(frank.uid).await.outcome, Outcome::Removed);
        assert!(entry("/etc/passwd", "frank").is_none());

        // A second converger on the same host is refused.
        let second = Converger::open(
            Settings {
                policy: Policy::default(),
                state: world.state.clone(),
                hostname: HOST.into(),
                max_removals: 1,
                web: None,
                crontabs: whmd_host::CRONTABS.into(),
            },
            Arc::clone(&world.stores.host),
        );
        assert!(second.is_err());
    });
}

/// Not a test of its own: the crash test runs this binary again with it, to converge one
/// account under a failpoint in a process that may abort.
#[test]
fn host_e2e_crash_helper() {
    let (Ok(state), Ok(db), Ok(uid)) = (
        std::env::var("WHMD_HOST_HELPER_STATE"),
        std::env::var("WHMD_HOST_HELPER_DB"),
        std::env::var("WHMD_HOST_HELPER_UID"),
    ) else {
        return;
    };
    assert!(matches!(enter("host_e2e_crash_helper"), Place::Inside));
    let web = std::env::var_os("WHMD_HOST_HELPER_WEB").map(|_| logged_web(Path::new(&state)));
    runtime().block_on(async {
        let stores = whmd_store_sqlite::SqliteStore::open(&db)
            .await
            .expect("store")
            .stores();
        let host = Converger::open(settings(state.into(), 5, web), stores.host).expect("starts");
        host.converge_uid(uid.parse().expect("a uid")).await;
    });
}

/// Aborts the converger just before each kind of step, then converges in a fresh one: the
/// account ends up right, with nothing made twice. Every kind of system step is crashed at:
/// on creation, suspension, unsuspension, rename and removal, each change crashed at its
/// steps in turn (each crash getting one step further), then converged.
#[test]
fn host_e2e_a_crash_at_any_step_is_repaired() {
    if let Place::Done = enter("host_e2e_a_crash_at_any_step_is_repaired") {
        return;
    }
    runtime().block_on(async {
        let world = World::new().await;
        let crash = |kind: &str, uid: u32| world.crash(kind, uid, false);
        let once = |name: &str| {
            assert_eq!(count("/etc/passwd", name), 1, "one user {name}");
            assert_eq!(count("/etc/group", name), 1, "one group {name}");
            assert_eq!(count("/etc/shadow", name), 1, "one shadow entry {name}");
        };
        let world = &world;
        let converge = |uid: u32, expected: Outcome| async move {
            let report = world.converger(5).converge_uid(uid).await;
            assert_eq!(report.outcome, expected, "{report:?}");
        };
        let crontab = |user: &str| format!("{}/{user}", whmd_host::CRONTABS);
        for (n, kind) in ["CreateGroup", "CreateUser", "Home", "SetPassword"]
            .into_iter()
            .enumerate()
        {
            let user = format!("crash{n}");
            let account = world.create(&user, 0).await;
            crash(kind, account.uid);
            converge(account.uid, Outcome::Converged).await;
            once(&user);
            assert_eq!(entry("/etc/shadow", &user).expect("shadow")[1], HASH);
            assert_eq!(
                mode_of(&format!("/home/{user}")),
                (account.uid, account.uid, 0o711)
            );
        }

        // A user with a shell and a crontab, suspended and unsuspended.
        let account = world.create("mover", 0).await;
        world
            .update("mover", |a| a.shell = "/bin/bash".into())
            .await;
        converge(account.uid, Outcome::Converged).await;
        std::fs::create_dir_all(whmd_host::CRONTABS).expect("spool");
        std::fs::write(crontab("mover"), "* * * * * true\n").expect("crontab");
        let aside = world.state.join(format!("crontabs/{}", account.uid));
        world
            .update("mover", |a| {
                a.suspension = Some(Suspension {
                    reason: "unpaid".into(),
                    time: 1,
                    locked: false,
                    leave_ftp_enabled: false,
                })
            })
            .await;
        for kind in [
            "SetHomeAndShell",
            "SetPassword",
            "SetAsideCrontab",
            "KillProcesses",
        ] {
            crash(kind, account.uid);
        }
        converge(account.uid, Outcome::Converged).await;
        once("mover");
        assert_eq!(
            entry("/etc/shadow", "mover").expect("shadow")[1],
            format!("!{HASH}")
        );
        assert_eq!(
            entry("/etc/passwd", "mover").expect("passwd")[6],
            "/usr/sbin/nologin"
        );
        assert!(!Path::new(&crontab("mover")).exists() && aside.exists());
        world.update("mover", |a| a.suspension = None).await;
        for kind in ["SetHomeAndShell", "SetPassword", "RestoreCrontab"] {
            crash(kind, account.uid);
        }
        converge(account.uid, Outcome::Converged).await;
        assert_eq!(entry("/etc/shadow", "mover").expect("shadow")[1], HASH);
        assert_eq!(
            entry("/etc/passwd", "mover").expect("passwd")[6],
            "/bin/bash"
        );
        assert!(Path::new(&crontab("mover")).exists() && !aside.exists());

        // Mid-rename.
        world
            .update("mover", |a| {
                a.user = "moved".into();
                a.homedir = "/home/moved".into()
            })
            .await;
        for kind in [
            "KillProcesses",
            "RenameGroup",
            "RenameUser",
            "SetHomeAndShell",
            "RenameCrontab",
            "MoveHome",
        ] {
            crash(kind, account.uid);
        }
        converge(account.uid, Outcome::Converged).await;
        once("moved");
        assert!(entry("/etc/passwd", "mover").is_none() && entry("/etc/group", "mover").is_none());
        assert!(
            Path::new("/home/moved/public_html").is_dir() && !Path::new("/home/mover").exists()
        );
        assert!(Path::new(&crontab("moved")).exists() && !Path::new(&crontab("mover")).exists());

        // Mid-removal.
        world.remove("moved").await;
        for kind in [
            "SetPassword",
            "SetHomeAndShell",
            "KillProcesses",
            "DeleteCrontab",
            "DeleteUser",
            "DeleteGroup",
            "DeleteHome",
        ] {
            crash(kind, account.uid);
        }
        converge(account.uid, Outcome::Removed).await;
        assert!(entry("/etc/passwd", "moved").is_none() && entry("/etc/group", "moved").is_none());
        assert!(!Path::new("/home/moved").exists());
        assert!(!Path::new(&crontab("moved")).exists());
        let leftovers: Vec<_> = std::fs::read_dir("/home")
            .expect("home")
            .filter_map(Result::ok)
            .map(|e| e.file_name())
            .filter(|n| n.to_string_lossy().starts_with(".whmd-removed"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    });
}

/// Aborts before writing a site, between writing it and testing it, and before reloading,
/// for a new account and for a removal: the next converger puts an untested write back,
/// writes and tests again, and makes the reloads it owes.
#[test]
fn host_e2e_a_crash_at_a_web_step_is_repaired() {
    if let Place::Done = enter("host_e2e_a_crash_at_a_web_step_is_repaired") {
        return;
    }
    runtime().block_on(async {
        let world = World::new().await;
        let web = logged_web(&world.state);
        let journal = world.state.join("web/journal.json");
        let reloads = || ["php-reload".to_owned(), "web-reload".to_owned()];
        for (n, kind) in ["WriteWeb", "TestWeb", "Reload"].into_iter().enumerate() {
            let user = format!("webcrash{n}");
            let account = world.create(&user, 0).await;
            world.crash(kind, account.uid, true);
            let site = web.site_path(account.uid);
            match kind {
                "WriteWeb" => assert!(!site.exists()),
                // Written, not tested: the journal says what to put back.
                "TestWeb" => assert!(site.exists() && journal.exists()),
                _ => assert_eq!(world.web_log_tail(2), ["php-test", "web-test"]),
            }
            let report = world
                .converger_with(5, Some(web.clone()))
                .converge_uid(account.uid)
                .await;
            assert_eq!(
                report.outcome,
                Outcome::Converged,
                "after {kind}: {report:?}"
            );
            let text = std::fs::read_to_string(&site).expect("the site");
            assert!(
                text.contains(&format!("ServerName {user}.example.com")),
                "{text}"
            );
            assert!(web.pool_path(account.uid).exists());
            assert!(!journal.exists(), "after {kind}");
            let tail = world.web_log_tail(4);
            if kind == "Reload" {
                assert_eq!(tail[2..], reloads(), "after {kind}");
            } else {
                assert_eq!(tail, ["php-test", "web-test", "php-reload", "web-reload"]);
            }
        }
        world.remove("webcrash0").await;
        let uid = world.stores.host.removals(HOST).await.expect("removals")[0].uid;
        world.crash("WriteWeb", uid, true);
        assert!(web.site_path(uid).exists());
        world.crash("Reload", uid, true);
        assert!(!web.site_path(uid).exists() && !web.pool_path(uid).exists());
        assert_eq!(world.web_log_tail(2), ["php-test", "web-test"]);
        let report = world
            .converger_with(5, Some(web.clone()))
            .converge_uid(uid)
            .await;
        assert_eq!(report.outcome, Outcome::Removed, "{report:?}");
        assert_eq!(world.web_log_tail(2), reloads());
        assert!(entry("/etc/passwd", "webcrash0").is_none());
    });
}

/// A full /home and a full web configuration directory: the account being made fails with
/// the reason, the files of the others stay as they were, no untested configuration is
/// left, and the next converge after space is freed finishes the job, once.
#[test]
fn host_e2e_a_full_disk_is_contained() {
    if let Place::Done = enter("host_e2e_a_full_disk_is_contained") {
        return;
    }
    runtime().block_on(async {
        let world = World::new().await;
        let web = logged_web(&world.state);
        mount_tmpfs(&web.sites);
        let host = world.converger_with(5, Some(web.clone()));
        let roomy = world.create("roomy", 0).await;
        assert_eq!(
            host.converge_uid(roomy.uid).await.outcome,
            Outcome::Converged
        );
        let roomy_site = std::fs::read_to_string(web.site_path(roomy.uid)).expect("site");
        let roomy_home = mode_of("/home/roomy/public_html");

        // /home has room for two more entries; a home needs seven.
        limit_files(Path::new("/home"), Some(2));
        let crowded = world.create("crowded", 0).await;
        let report = host.converge_uid(crowded.uid).await;
        let Outcome::Failed(why) = &report.outcome else {
            panic!("{report:?}")
        };
        assert!(why.contains("No space left on device"), "{why}");
        assert!(
            !web.site_path(crowded.uid).exists(),
            "no site before its home"
        );
        assert_eq!(mode_of("/home/roomy/public_html"), roomy_home);
        limit_files(Path::new("/home"), None);

        // Now the web configuration directory is full: the site cannot be written.
        limit_files(&web.sites, Some(0));
        let report = host.converge_uid(crowded.uid).await;
        assert!(matches!(report.outcome, Outcome::Failed(_)), "{report:?}");
        assert!(!web.site_path(crowded.uid).exists());
        world
            .update("roomy", |a| a.domain = "roomy.example.net".into())
            .await;
        let report = host.converge_uid(roomy.uid).await;
        assert!(matches!(report.outcome, Outcome::Failed(_)), "{report:?}");
        assert_eq!(
            std::fs::read_to_string(web.site_path(roomy.uid)).expect("site"),
            roomy_site,
            "the site as it was"
        );
        assert!(!world.state.join("web/journal.json").exists());

        limit_files(&web.sites, None);
        for account in [&crowded, &roomy] {
            let report = host.converge_uid(account.uid).await;
            assert_eq!(report.outcome, Outcome::Converged, "{report:?}");
        }
        assert_eq!(count("/etc/passwd", "crowded"), 1);
        assert_eq!(
            mode_of("/home/crowded/public_html"),
            (crowded.uid, www_data(), 0o750)
        );
        let site = std::fs::read_to_string(web.site_path(roomy.uid)).expect("site");
        assert!(site.contains("ServerName roomy.example.net"), "{site}");
        drop(host);
        unmount(&web.sites);
    });
}

/// With /home on btrfs and quotas on, each home is a subvolume whose qgroup limit is the
/// account's quota: a write past it fails, a raised quota lets it through, and removal leaves
/// no stale qgroup. On a filesystem that cannot, the reason is given.
#[test]
fn host_e2e_quotas_on_btrfs() {
    if !have("mkfs.btrfs") {
        assert!(
            std::env::var_os("WHMD_REQUIRE_HOST_TESTS").is_none(),
            "the quota test needs btrfs-progs"
        );
        eprintln!("skipped: host_e2e_quotas_on_btrfs needs btrfs-progs");
        return;
    }
    if let Place::Done = enter("host_e2e_quotas_on_btrfs") {
        return;
    }
    runtime().block_on(async {
        let world = World::new().await;
        let why = whmd_host::quota::why_not(Path::new("/home")).expect("tmpfs cannot");
        assert!(why.contains("not on btrfs"), "{why}");
        btrfs_home(&world.state.parent().expect("dir").join("home.img"));
        let host = world.converger(5);
        let account = world.create("quoted", 0).await;
        world.update("quoted", |a| a.quota_mb = Some(10)).await;
        let report = host.converge_uid(account.uid).await;
        assert_eq!(report.outcome, Outcome::Converged, "{report:?}");
        let steps: Vec<&str> = report.steps.iter().map(|s| s.step.as_str()).collect();
        assert!(
            steps.contains(&"Making /home/quoted a btrfs subvolume")
                && steps.contains(&"Setting the disk quota of /home/quoted to 10 MB"),
            "{steps:?}"
        );
        assert_eq!(
            std::os::unix::fs::MetadataExt::ino(&std::fs::metadata("/home/quoted").expect("home")),
            256,
            "a subvolume of its own"
        );
        assert_eq!(mode_of("/home/quoted"), (account.uid, account.uid, 0o711));
        let big = Path::new("/home/quoted/public_html/big");
        let fill = |megabytes: usize| -> std::io::Result<()> {
            use std::io::Write as _;
            let mut file = std::fs::File::create(big)?;
            for _ in 0..megabytes {
                file.write_all(&[7u8; 1 << 20])?;
            }
            file.sync_all()
        };
        let refused = fill(20).expect_err("over the quota");
        assert_eq!(refused.raw_os_error(), Some(122), "EDQUOT: {refused}");
        std::fs::remove_file(big).expect("remove");
        world.update("quoted", |a| a.quota_mb = Some(50)).await;
        let report = host.converge_uid(account.uid).await;
        assert!(
            report
                .steps
                .iter()
                .any(|s| s.step == "Setting the disk quota of /home/quoted to 50 MB"),
            "{report:?}"
        );
        fill(20).expect("under the raised quota");
        // A home made before quotas were on (a plain directory) cannot take a limit: that is
        // reported, and the account converges all the same.
        std::fs::create_dir("/home/early").expect("a plain directory");
        let early = world.create("early", 0).await;
        world.update("early", |a| a.quota_mb = Some(10)).await;
        let report = host.converge_uid(early.uid).await;
        assert_eq!(report.outcome, Outcome::Converged, "{report:?}");
        let refused = report
            .steps
            .iter()
            .find(|s| s.step == "Setting the disk quota of /home/early to 10 MB")
            .expect("tried");
        assert!(
            refused
                .result
                .as_ref()
                .is_err_and(|e| e.contains("not a btrfs subvolume")),
            "{refused:?}"
        );
        assert_eq!(mode_of("/home/early"), (early.uid, early.uid, 0o711));
        world.remove("quoted").await;
        let report = host.converge_uid(account.uid).await;
        assert_eq!(report.outcome, Outcome::Removed, "{report:?}");
        assert!(!Path::new("/home/quoted").exists());
        let qgroups = std::process::Command::new("btrfs")
            .args(["qgroup", "show", "/home"])
            .output()
            .expect("btrfs");
        let listed = String::from_utf8_lossy(&qgroups.stdout);
        assert!(!listed.contains("stale"), "{listed}");
        drop(host);
        unmount(Path::new("/home"));
    });
}

/// Converges that arrive while a batch runs go together: their web files are tested once and
/// reloaded once. A batch whose test fails is done again one account at a time, so only the
/// account with the bad configuration fails.
#[test]
fn host_e2e_changes_that_arrive_together_are_tested_together() {
    if let Place::Done = enter("host_e2e_changes_that_arrive_together_are_tested_together") {
        return;
    }
    runtime().block_on(async {
        let world = World::new().await;
        let mut web = logged_web(&world.state);
        // The configuration test fails whenever a site for broken.example.com is in place.
        let log = world.state.parent().expect("dir").join("web/log");
        web.web_test = vec![
            "sh".into(),
            "-c".into(),
            format!(
                "echo web-test >> {}; ! grep -rqs 'ServerName broken.example.com' {}",
                log.display(),
                web.sites.display()
            ),
        ];
        let host = world.converger_with(5, Some(web.clone()));
        let tests = || {
            std::fs::read_to_string(&log)
                .unwrap_or_default()
                .lines()
                .filter(|l| *l == "web-test")
                .count()
        };
        let mut uids = Vec::new();
        for n in 0..6 {
            uids.push(world.create(&format!("batch{n}"), 0).await.uid);
        }
        let reports =
            futures::future::join_all(uids.iter().map(|&uid| host.converge_uid(uid))).await;
        for report in &reports {
            assert_eq!(report.outcome, Outcome::Converged, "{report:?}");
            assert!(
                report.steps.iter().any(|s| s
                    .step
                    .starts_with("Writing the web server entries for batch")),
                "{report:?}"
            );
        }
        // The first converges alone; the five that queued behind it go together.
        assert_eq!(tests(), 2, "one test per batch");
        assert_eq!(world.web_log_tail(2), ["php-reload", "web-reload"]);
        for &uid in &uids {
            assert!(web.site_path(uid).exists() && web.pool_path(uid).exists());
        }

        // A pass over several changed accounts tests them together too.
        let before = tests();
        for n in 0..3 {
            world.create(&format!("passed{n}"), 0).await;
        }
        let pass = host.pass().await.expect("pass");
        assert!(
            pass.accounts
                .iter()
                .all(|a| a.outcome == Outcome::Converged),
            "{pass:?}"
        );
        assert_eq!(tests() - before, 1, "one test for the pass's batch");

        let before = tests();
        let good = world.create("good", 0).await.uid;
        let fine = world.create("fine", 0).await.uid;
        let broken = world.create("broken", 0).await.uid;
        let reports = futures::future::join_all(
            [good, fine, broken]
                .iter()
                .map(|&uid| host.converge_uid(uid)),
        )
        .await;
        assert_eq!(reports[0].outcome, Outcome::Converged, "{:?}", reports[0]);
        assert_eq!(reports[1].outcome, Outcome::Converged, "{:?}", reports[1]);
        assert!(
            matches!(reports[2].outcome, Outcome::Failed(_)),
            "{:?}",
            reports[2]
        );
        // good alone; fine and broken together (failed); then each alone.
        assert_eq!(tests() - before, 4);
        assert!(web.site_path(fine).exists() && !web.site_path(broken).exists());
        assert!(!world.state.join("web/journal.json").exists());
    });
}
