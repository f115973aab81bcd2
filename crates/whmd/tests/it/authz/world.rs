//! The world one row of the matrix runs in: a server with two resellers holding every
//! privilege but `all` (A and B), one holding none, one for root to act on, and for each of A
//! and B accounts, packages and feature lists of their own.

use super::cases::Case;
use crate::harness::Server;
use serde_json::Value;
use std::sync::atomic::{AtomicU32, Ordering};
use whmd_domain::package::Package;
use whmd_domain::store::snapshot::Snapshot;
use whmd_wire::Acl;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    Root,
    A,
    B,
    /// A reseller without a single privilege.
    Bare,
}

/// Whose objects a call names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    A,
    B,
    /// Objects root acts on: a second account, package and list of A's, a reseller with
    /// nothing of its own, and an account root owns.
    Root,
    /// Names like B's that name nothing: a refusal on another's objects must read the same as
    /// one on these, or it tells the caller what exists.
    Missing,
}

/// The names one target's placeholders stand for.
struct Names {
    /// A token of the target's user, by name.
    tok: &'static str,
    user: &'static str,
    pkg: &'static str,
    fl: &'static str,
    reseller: &'static str,
    plain: &'static str,
}

fn names(target: Target) -> Names {
    match target {
        Target::A => Names {
            tok: "mxtok_a",
            user: "mxacust1",
            pkg: "mxa_p1",
            fl: "mxa_f1",
            reseller: "mxa",
            plain: "mxacust1",
        },
        Target::B => Names {
            tok: "mxtok_b",
            user: "mxbcust1",
            pkg: "mxb_p1",
            fl: "mxb_f1",
            reseller: "mxb",
            plain: "mxbcust1",
        },
        Target::Missing => Names {
            tok: "mxtok_z",
            user: "mxzcust1",
            pkg: "mxz_p1",
            fl: "mxz_f1",
            reseller: "mxz",
            plain: "mxzcust1",
        },
        Target::Root => Names {
            tok: "mxtok_r",
            user: "mxacust2",
            pkg: "mxa_p2",
            fl: "mxa_f2",
            reseller: "mxd",
            plain: "mxplain",
        },
    }
}

pub struct World {
    server: Server,
    root: String,
    a: String,
    b: String,
    bare: String,
    fresh: AtomicU32,
    /// An archive that does not read: root's restore of it starts and fails, changing nothing.
    archive: String,
}

impl World {
    pub async fn build() -> Self {
        let server = Server::start().await;
        let every: Vec<Acl> = Acl::every().filter(|a| *a != Acl::ALL).collect();
        let a = server.reseller("mxa", &every).await;
        let b = server.reseller("mxb", &every).await;
        let bare = server.reseller("mxc", &[]).await;
        server.reseller("mxd", &[]).await;
        for (user, owner) in [
            ("mxacust1", "mxa"),
            ("mxacust2", "mxa"),
            ("mxbcust1", "mxb"),
            ("mxplain", "root"),
        ] {
            let made = server
                .call(
                    "createacct",
                    &format!(
                        "api.version=1&username={user}&domain={user}.example.com&password=Pw-{user}-1&owner={owner}"
                    ),
                )
                .await;
            assert_eq!(made["metadata"]["result"], 1, "{made}");
        }
        let root = server.root_auth();
        // A backup directory with one (empty) run, for the backup listings.
        let backupdir = server.dir.path().join("backup");
        std::fs::create_dir_all(backupdir.join("2026-12-06/accounts")).expect("backup dir");
        // A (fake) backup of mxqueued on that day, for the restore queue.
        std::fs::write(
            backupdir.join("2026-12-06/accounts/mxqueued.tar.gz"),
            "not an archive",
        )
        .expect("a backup");
        // A (fake) legacy daily backup of mxlegacy, for restoreaccount.
        std::fs::create_dir_all(backupdir.join("cpbackup/daily")).expect("legacy dir");
        std::fs::write(
            backupdir.join("cpbackup/daily/mxlegacy.tar.gz"),
            "not an archive",
        )
        .expect("a legacy backup");
        let archive = backupdir.join("broken.tar.gz");
        std::fs::write(&archive, "not an archive").expect("archive");
        let archive = archive.display().to_string();
        // A finished restore session and pkgacct session, for the session functions.
        for (id, kind) in [("mxsession", "transfer"), ("mxpkgsession", "pkgacct")] {
            server
                .store()
                .await
                .jobs
                .create_job(&whmd_domain::job::Job {
                    id: id.into(),
                    kind: kind.into(),
                    state: whmd_domain::job::JobState::Completed,
                    holder: "world".into(),
                    lease_until: 0,
                    created: 0,
                    finished: Some(0),
                    log: "done\n".into(),
                    error_log: String::new(),
                })
                .await
                .expect("a session");
        }
        // Two local destinations (one for the removal), for the destination functions.
        for id in ["mxdestination000000000000", "mxdestgone00000000000000"] {
            server
                .store()
                .await
                .backups
                .add_backup_destination(&whmd_domain::destination::Destination {
                    id: id.into(),
                    name: id.into(),
                    kind: "Local".into(),
                    disabled: false,
                    disable_reason: String::new(),
                    settings: [("path".to_owned(), backupdir.display().to_string())].into(),
                    sealed: Default::default(),
                    revision: 0,
                })
                .await
                .expect("a destination");
        }
        let backupdir = format!("backupdir={}", backupdir.display());
        for (auth, function, query) in [
            (&a, "api_token_create", "token_name=mxtok_a"),
            (&b, "api_token_create", "token_name=mxtok_b"),
            (&root, "api_token_create", "token_name=mxtok_r"),
            (&root, "addips", "ips=198.51.100.250&netmask=255.255.255.0"),
            (&root, "addips", "ips=198.51.100.251&netmask=255.255.255.0"),
            (&a, "addpkg", "name=p1"),
            (&a, "addpkg", "name=p2"),
            (&b, "addpkg", "name=p1"),
            (&a, "create_featurelist", "featurelist=mxa_f1"),
            (&a, "create_featurelist", "featurelist=mxa_f2"),
            (&b, "create_featurelist", "featurelist=mxb_f1"),
            (&root, "backup_config_set", &backupdir),
        ] {
            let made = server
                .call_as(auth, function, &format!("api.version=1&{query}"))
                .await;
            assert_eq!(made["metadata"]["result"], 1, "{function}: {made}");
        }
        Self {
            root,
            server,
            a,
            b,
            bare,
            fresh: AtomicU32::new(0),
            archive,
        }
    }

    /// Calls the case's function as `caller` on `target`'s objects, in API 1.
    pub async fn call(&self, caller: Caller, target: Target, case: &Case) -> Value {
        self.call_in(caller, target, case, "api.version=1&").await
    }

    /// The same in API 0.
    pub async fn call_api0(&self, caller: Caller, target: Target, case: &Case) -> Value {
        self.call_in(caller, target, case, "").await
    }

    async fn call_in(&self, caller: Caller, target: Target, case: &Case, version: &str) -> Value {
        let n = names(target);
        let new = format!("mxn{}", self.fresh.fetch_add(1, Ordering::Relaxed));
        let query = case
            .query
            .replace("{user}", n.user)
            .replace("{domain}", &format!("{}.example.com", n.user))
            .replace("{pkg}", n.pkg)
            .replace("{fl}", n.fl)
            .replace("{reseller}", n.reseller)
            .replace("{plain}", n.plain)
            .replace("{tok}", n.tok)
            .replace("{secret}", self.secret(target))
            .replace("{new}", &new)
            .replace("{archive}", &self.archive);
        let auth = match caller {
            Caller::Root => &self.root,
            Caller::A => &self.a,
            Caller::B => &self.b,
            Caller::Bare => &self.bare,
        };
        self.server
            .call_as(auth, case.function, &format!("{version}{query}"))
            .await
    }

    /// The secret of a token of the target's user (its login token).
    fn secret(&self, target: Target) -> &str {
        let auth = match target {
            Target::A => &self.a,
            Target::B | Target::Missing => &self.b,
            Target::Root => &self.root,
        };
        auth.rsplit(':').next().unwrap_or("")
    }

    /// Everything the store holds.
    pub async fn snapshot(&self) -> Snapshot {
        self.server
            .store()
            .await
            .snapshot
            .export()
            .await
            .expect("export")
    }

    /// The reply's reason with the target's names replaced by their placeholders.
    pub fn reason_of(&self, reply: &Value, target: Target) -> String {
        let n = names(target);
        let mut text = reply["metadata"]["reason"].to_string();
        for (name, placeholder) in [
            (n.user, "{user}"),
            (n.pkg, "{pkg}"),
            (n.fl, "{fl}"),
            (n.tok, "{tok}"),
            (n.reseller, "{reseller}"),
        ] {
            text = text.replace(name, placeholder);
        }
        text
    }

    pub fn reseller(&self, target: Target) -> &'static str {
        names(target).reseller
    }

    /// The target's package as stored.
    pub async fn package(&self, target: Target) -> Option<Package> {
        self.server
            .store()
            .await
            .packages
            .package(names(target).pkg)
            .await
            .expect("read")
    }

    /// A listing holds none of `target`'s objects.
    pub fn lacks(
        &self,
        reply: &Value,
        target: Target,
        who: &str,
        case: &Case,
    ) -> Result<(), String> {
        let n = names(target);
        let text = reply.to_string();
        match [n.user, n.pkg, n.fl, n.tok]
            .into_iter()
            .find(|name| text.contains(name))
        {
            None => Ok(()),
            Some(name) => Err(format!(
                "{}: {who} sees another's “{name}”: {reply}",
                case.function
            )),
        }
    }

    /// A listing holds some of `target`'s objects.
    pub fn shows(
        &self,
        reply: &Value,
        target: Target,
        who: &str,
        case: &Case,
    ) -> Result<(), String> {
        let n = names(target);
        let text = reply.to_string();
        if [n.user, n.pkg, n.fl, n.tok]
            .iter()
            .any(|name| text.contains(name))
        {
            Ok(())
        } else {
            Err(format!(
                "{}: {who} does not see its own objects: {reply}",
                case.function
            ))
        }
    }
}
