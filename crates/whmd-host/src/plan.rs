//! The planner: from what an account should be, what whmd recorded applying, and what the
//! host has now, the ordered steps that converge the host. Pure, so every case is a unit
//! test; every step is idempotent, so running a plan again after a crash at any point is safe.

use crate::applied::Applied;
use crate::desired::{Desired, NOLOGIN, Quota};
use std::fmt;
use std::path::PathBuf;

/// A user in the host's user database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemUser {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
    pub home: PathBuf,
    pub shell: String,
}

/// What the host has that bears on one account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Observed {
    /// The user holding the account's uid.
    pub by_uid: Option<SystemUser>,
    /// The user holding the account's name.
    pub by_name: Option<SystemUser>,
    /// The gid of the group holding the account's name.
    pub group: Option<u32>,
    /// The name of the group whose gid is the account's uid (its own group, under whatever
    /// name it has now).
    pub own_group: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Ends every process running as the uid.
    KillProcesses {
        uid: u32,
    },
    RenameUser {
        from: String,
        to: String,
    },
    RenameGroup {
        from: String,
        to: String,
    },
    CreateGroup {
        name: String,
        gid: u32,
    },
    CreateUser {
        name: String,
        uid: u32,
        home: PathBuf,
        shell: String,
    },
    SetHomeAndShell {
        name: String,
        home: PathBuf,
        shell: String,
    },
    /// Renames `from` to `to` when `from` is there and `to` is not.
    MoveHome {
        from: PathBuf,
        to: PathBuf,
        uid: u32,
    },
    /// Makes the home a btrfs subvolume of its own, when nothing is there yet (its quota is
    /// the subvolume's).
    MakeSubvolume {
        home: PathBuf,
    },
    /// Sets the qgroup limit of the home's subvolume (`None`: no limit). Its failure is
    /// reported and the account converges all the same.
    SetQuota {
        home: PathBuf,
        megabytes: Option<u64>,
    },
    /// Makes the home tree, modes and owners, without following a link.
    Home {
        home: PathBuf,
        uid: u32,
    },
    SetPassword {
        name: String,
        hash: String,
    },
    DeleteUser {
        name: String,
    },
    DeleteGroup {
        name: String,
    },
    /// Moves the home aside, then deletes it, if it is the uid's directory.
    DeleteHome {
        home: PathBuf,
        uid: u32,
    },
    /// Moves the user's crontab out of cron's reach (kept by uid) while suspended.
    SetAsideCrontab {
        user: String,
        uid: u32,
    },
    /// Gives back a crontab set aside.
    RestoreCrontab {
        user: String,
        uid: u32,
    },
    RenameCrontab {
        from: String,
        to: String,
    },
    /// Deletes the user's crontab, and one set aside.
    DeleteCrontab {
        user: String,
        uid: u32,
    },
}

impl Step {
    /// The step's kind, as failpoints name it.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::KillProcesses { .. } => "KillProcesses",
            Self::RenameUser { .. } => "RenameUser",
            Self::RenameGroup { .. } => "RenameGroup",
            Self::CreateGroup { .. } => "CreateGroup",
            Self::CreateUser { .. } => "CreateUser",
            Self::SetHomeAndShell { .. } => "SetHomeAndShell",
            Self::MoveHome { .. } => "MoveHome",
            Self::Home { .. } => "Home",
            Self::MakeSubvolume { .. } => "MakeSubvolume",
            Self::SetQuota { .. } => "SetQuota",
            Self::SetPassword { .. } => "SetPassword",
            Self::DeleteUser { .. } => "DeleteUser",
            Self::DeleteGroup { .. } => "DeleteGroup",
            Self::DeleteHome { .. } => "DeleteHome",
            Self::SetAsideCrontab { .. } => "SetAsideCrontab",
            Self::RestoreCrontab { .. } => "RestoreCrontab",
            Self::RenameCrontab { .. } => "RenameCrontab",
            Self::DeleteCrontab { .. } => "DeleteCrontab",
        }
    }
}

impl fmt::Display for Step {
    /// The step as the raw log of a WHM function reports it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::KillProcesses { uid } => write!(f, "Ending the processes of uid {uid}"),
            Self::RenameUser { from, to } => write!(f, "Renaming User {from} to {to}"),
            Self::RenameGroup { from, to } => write!(f, "Renaming the group {from} to {to}"),
            Self::CreateGroup { name, .. } => write!(f, "Adding the group {name}"),
            Self::CreateUser { name, .. } => write!(f, "Adding User {name}"),
            Self::SetHomeAndShell { name, home, shell } => write!(
                f,
                "Setting the home of {name} to {} and the shell to {shell}",
                home.display()
            ),
            Self::MoveHome { from, to, .. } => {
                write!(f, "Moving {} to {}", from.display(), to.display())
            }
            Self::Home { home, .. } => write!(f, "Setting up {}", home.display()),
            Self::MakeSubvolume { home } => {
                write!(f, "Making {} a btrfs subvolume", home.display())
            }
            Self::SetQuota {
                home,
                megabytes: Some(mb),
            } => write!(f, "Setting the disk quota of {} to {mb} MB", home.display()),
            Self::SetQuota {
                home,
                megabytes: None,
            } => write!(f, "Removing the disk quota of {}", home.display()),
            Self::SetPassword { name, hash } if hash.starts_with('!') => {
                write!(f, "Locking the password of {name}")
            }
            Self::SetPassword { name, .. } => write!(f, "Setting the password of {name}"),
            Self::DeleteUser { name } => write!(f, "Removing User {name}"),
            Self::DeleteGroup { name } => write!(f, "Removing the group {name}"),
            Self::DeleteHome { home, .. } => write!(f, "Removing {}", home.display()),
            Self::SetAsideCrontab { user, .. } => write!(f, "Setting aside the crontab of {user}"),
            Self::RestoreCrontab { user, .. } => write!(f, "Restoring the crontab of {user}"),
            Self::RenameCrontab { from, to } => {
                write!(f, "Renaming the crontab of {from} to {to}")
            }
            Self::DeleteCrontab { user, .. } => write!(f, "Removing the crontab of {user}"),
        }
    }
}

/// Why whmd will not touch the host for an account.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("the uid {uid} belongs to the local user “{user}”, which whmd did not create")]
    UidTaken { uid: u32, user: String },
    #[error("the gid {gid} belongs to the local group “{group}”, which whmd did not create")]
    GidTaken { gid: u32, group: String },
    #[error("the name “{user}” belongs to a local user with uid {uid}")]
    NameTaken { user: String, uid: u32 },
    #[error("the group “{group}” exists with gid {gid}")]
    GroupTaken { group: String, gid: u32 },
}

/// The steps that make the host hold `desired`.
pub fn converge(
    desired: &Desired,
    applied: Option<&Applied>,
    observed: &Observed,
) -> Result<Vec<Step>, Refused> {
    let uid = desired.uid;
    if applied.is_none()
        && let Some(local) = &observed.by_uid
    {
        return Err(Refused::UidTaken {
            uid,
            user: local.name.clone(),
        });
    }
    if applied.is_none()
        && let Some(group) = &observed.own_group
    {
        return Err(Refused::GidTaken {
            gid: uid,
            group: group.clone(),
        });
    }
    if let Some(other) = observed.by_name.as_ref().filter(|u| u.uid != uid) {
        return Err(Refused::NameTaken {
            user: other.name.clone(),
            uid: other.uid,
        });
    }
    if let Some(gid) = observed.group.filter(|gid| *gid != uid) {
        return Err(Refused::GroupTaken {
            group: desired.user.clone(),
            gid,
        });
    }
    let mut steps = Vec::new();
    let name = desired.user.clone();
    let mut old_home = applied.map(|a| a.home.clone());
    match &observed.own_group {
        Some(group) if *group != name => steps.push(Step::RenameGroup {
            from: group.clone(),
            to: name.clone(),
        }),
        Some(_) => {}
        None => steps.push(Step::CreateGroup {
            name: name.clone(),
            gid: uid,
        }),
    }
    match &observed.by_uid {
        Some(current) => {
            if current.name != desired.user {
                steps.insert(0, Step::KillProcesses { uid });
                steps.push(Step::RenameUser {
                    from: current.name.clone(),
                    to: name.clone(),
                });
            }
            if current.home != desired.home || current.shell != desired.shell {
                steps.push(Step::SetHomeAndShell {
                    name: name.clone(),
                    home: desired.home.clone(),
                    shell: desired.shell.clone(),
                });
            }
            old_home = old_home.or(Some(current.home.clone()));
        }
        None => steps.push(Step::CreateUser {
            name: name.clone(),
            uid,
            home: desired.home.clone(),
            shell: desired.shell.clone(),
        }),
    }
    // By the record, not by the user database: a crash after the user's rename still leaves
    // the crontab to follow.
    if let Some(old) = applied.filter(|a| a.user != desired.user) {
        steps.push(Step::RenameCrontab {
            from: old.user.clone(),
            to: name.clone(),
        });
    }
    if let Some(from) = old_home.filter(|h| *h != desired.home) {
        steps.push(Step::MoveHome {
            from,
            to: desired.home.clone(),
            uid,
        });
    }
    if let Quota::Limit(_) = desired.quota {
        steps.push(Step::MakeSubvolume {
            home: desired.home.clone(),
        });
    }
    steps.push(Step::Home {
        home: desired.home.clone(),
        uid,
    });
    let created = observed.by_uid.is_none();
    if created || applied.is_none_or(|a| a.password != desired.password) {
        steps.push(Step::SetPassword {
            name,
            hash: desired.password.clone(),
        });
    }
    if desired.suspended && applied.is_none_or(|a| !a.suspended) {
        steps.push(Step::SetAsideCrontab {
            user: desired.user.clone(),
            uid,
        });
        steps.push(Step::KillProcesses { uid });
    }
    if !desired.suspended && applied.is_some_and(|a| a.suspended) {
        steps.push(Step::RestoreCrontab {
            user: desired.user.clone(),
            uid,
        });
    }
    if let Quota::Limit(megabytes) = desired.quota
        && applied.is_none_or(|a| a.quota != desired.quota)
    {
        steps.push(Step::SetQuota {
            home: desired.home.clone(),
            megabytes,
        });
    }
    Ok(steps)
}

/// The steps that take away what whmd made for a removed account, in cPanel's order: lock,
/// end processes, the user and group, and the home last.
pub fn remove(applied: &Applied, observed: &Observed) -> Vec<Step> {
    let uid = applied.uid;
    let mut steps = Vec::new();
    if let Some(user) = &observed.by_uid {
        steps.push(Step::SetPassword {
            name: user.name.clone(),
            hash: "!".into(),
        });
        if user.shell != NOLOGIN {
            steps.push(Step::SetHomeAndShell {
                name: user.name.clone(),
                home: user.home.clone(),
                shell: NOLOGIN.into(),
            });
        }
        steps.push(Step::KillProcesses { uid });
        steps.push(Step::DeleteCrontab {
            user: user.name.clone(),
            uid,
        });
        steps.push(Step::DeleteUser {
            name: user.name.clone(),
        });
    }
    if let Some(group) = &observed.own_group {
        steps.push(Step::DeleteGroup {
            name: group.clone(),
        });
    }
    steps.push(Step::DeleteHome {
        home: applied.home.clone(),
        uid,
    });
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    fn desired(user: &str) -> Desired {
        Desired {
            uid: 1001,
            user: user.into(),
            home: format!("/home/{user}").into(),
            shell: NOLOGIN.into(),
            password: "$6$s$h".into(),
            suspended: false,
            domains: vec![format!("{user}.example.com")],
            ip: "192.0.2.1".parse().expect("ip"),
            quota: Quota::Unenforced,
        }
    }

    fn applied_as(d: &Desired) -> Applied {
        Applied {
            uid: d.uid,
            user: d.user.clone(),
            home: d.home.clone(),
            shell: d.shell.clone(),
            password: d.password.clone(),
            suspended: d.suspended,
            quota: d.quota,
        }
    }

    fn user_as(d: &Desired) -> SystemUser {
        SystemUser {
            name: d.user.clone(),
            uid: d.uid,
            gid: d.uid,
            home: d.home.clone(),
            shell: d.shell.clone(),
        }
    }

    fn converged(d: &Desired) -> Observed {
        Observed {
            by_uid: Some(user_as(d)),
            by_name: Some(user_as(d)),
            group: Some(d.uid),
            own_group: Some(d.user.clone()),
        }
    }

    #[test]
    fn a_new_account_gets_group_user_home_and_password() {
        let d = desired("alice");
        assert_eq!(
            converge(&d, None, &Observed::default()),
            Ok(vec![
                Step::CreateGroup {
                    name: "alice".into(),
                    gid: 1001
                },
                Step::CreateUser {
                    name: "alice".into(),
                    uid: 1001,
                    home: "/home/alice".into(),
                    shell: NOLOGIN.into()
                },
                Step::Home {
                    home: "/home/alice".into(),
                    uid: 1001
                },
                Step::SetPassword {
                    name: "alice".into(),
                    hash: "$6$s$h".into()
                },
            ])
        );
    }

    #[test]
    fn a_converged_account_only_checks_its_home() {
        let d = desired("alice");
        assert_eq!(
            converge(&d, Some(&applied_as(&d)), &converged(&d)),
            Ok(vec![Step::Home {
                home: "/home/alice".into(),
                uid: 1001
            }])
        );
    }

    #[test]
    fn a_crash_after_useradd_resumes_without_duplicates() {
        // The record claims the uid before anything is made; the user exists, the group too.
        let d = desired("alice");
        let mut half = applied_as(&d);
        half.password = String::new();
        let steps = converge(&d, Some(&half), &converged(&d)).expect("plan");
        assert!(
            !steps
                .iter()
                .any(|s| matches!(s, Step::CreateUser { .. } | Step::CreateGroup { .. }))
        );
        assert!(steps.contains(&Step::SetPassword {
            name: "alice".into(),
            hash: "$6$s$h".into()
        }));
    }

    #[test]
    fn a_user_deleted_behind_whmds_back_is_made_again() {
        let d = desired("alice");
        let mut observed = converged(&d);
        observed.by_uid = None;
        observed.by_name = None;
        let steps = converge(&d, Some(&applied_as(&d)), &observed).expect("plan");
        assert!(matches!(steps[0], Step::CreateUser { .. }), "{steps:?}");
        assert!(steps.iter().any(|s| matches!(s, Step::SetPassword { .. })));
    }

    #[test]
    fn a_known_uid_under_a_new_name_is_a_rename() {
        let old = desired("alice");
        let new = desired("carol");
        let mut observed = converged(&old);
        observed.by_name = None;
        observed.group = None;
        let steps = converge(&new, Some(&applied_as(&old)), &observed).expect("plan");
        // After a crash that renamed the user, the record still says "alice": the crontab
        // still follows.
        let mut renamed = converged(&new);
        renamed.by_name = None;
        let resumed = converge(&new, Some(&applied_as(&old)), &renamed).expect("plan");
        assert!(
            resumed
                .iter()
                .any(|s| matches!(s, Step::RenameCrontab { from, .. } if from == "alice")),
            "{resumed:?}"
        );
        assert_eq!(
            steps,
            vec![
                Step::KillProcesses { uid: 1001 },
                Step::RenameGroup {
                    from: "alice".into(),
                    to: "carol".into()
                },
                Step::RenameUser {
                    from: "alice".into(),
                    to: "carol".into()
                },
                Step::SetHomeAndShell {
                    name: "carol".into(),
                    home: "/home/carol".into(),
                    shell: NOLOGIN.into()
                },
                Step::RenameCrontab {
                    from: "alice".into(),
                    to: "carol".into()
                },
                Step::MoveHome {
                    from: "/home/alice".into(),
                    to: "/home/carol".into(),
                    uid: 1001
                },
                Step::Home {
                    home: "/home/carol".into(),
                    uid: 1001
                },
            ]
        );
    }

    #[test]
    fn an_enforced_quota_makes_a_subvolume_and_sets_its_limit_when_it_changes() {
        let mut d = desired("alice");
        d.quota = Quota::Limit(Some(10));
        let steps = converge(&d, None, &Observed::default()).expect("plan");
        let kinds: Vec<&str> = steps.iter().map(Step::kind).collect();
        let at = |kind: &str| kinds.iter().position(|k| *k == kind).expect(kind);
        assert!(at("MakeSubvolume") < at("Home") && at("Home") < at("SetQuota"));
        let same = converge(&d, Some(&applied_as(&d)), &converged(&d)).expect("plan");
        assert!(
            !same.iter().any(|s| matches!(s, Step::SetQuota { .. })),
            "{same:?}"
        );
        let mut raised = d.clone();
        raised.quota = Quota::Limit(Some(50));
        let steps = converge(&raised, Some(&applied_as(&d)), &converged(&d)).expect("plan");
        assert!(
            steps.contains(&Step::SetQuota {
                home: "/home/alice".into(),
                megabytes: Some(50)
            }),
            "{steps:?}"
        );
        let plain = desired("bob");
        let steps = converge(&plain, None, &Observed::default()).expect("plan");
        assert!(
            !steps
                .iter()
                .any(|s| matches!(s, Step::MakeSubvolume { .. } | Step::SetQuota { .. })),
            "{steps:?}"
        );
    }

    #[test]
    fn suspension_locks_and_ends_processes_once() {
        let before = desired("alice");
        let mut d = before.clone();
        d.suspended = true;
        d.password = format!("!{}", before.password);
        let steps = converge(&d, Some(&applied_as(&before)), &converged(&before)).expect("plan");
        assert!(steps.contains(&Step::SetPassword {
            name: "alice".into(),
            hash: "!$6$s$h".into()
        }));
        assert_eq!(
            steps[steps.len() - 2..],
            [
                Step::SetAsideCrontab {
                    user: "alice".into(),
                    uid: 1001
                },
                Step::KillProcesses { uid: 1001 }
            ]
        );
        let again = converge(&d, Some(&applied_as(&d)), &converged(&d)).expect("plan");
        assert!(!again.contains(&Step::KillProcesses { uid: 1001 }));
        let back = converge(&before, Some(&applied_as(&d)), &converged(&d)).expect("plan");
        assert_eq!(
            back.last(),
            Some(&Step::RestoreCrontab {
                user: "alice".into(),
                uid: 1001
            })
        );
    }

    #[test]
    fn what_whmd_did_not_create_is_refused() {
        let d = desired("alice");
        let local = SystemUser {
            name: "bob".into(),
            ..user_as(&d)
        };
        let observed = Observed {
            by_uid: Some(local),
            ..Observed::default()
        };
        assert_eq!(
            converge(&d, None, &observed),
            Err(Refused::UidTaken {
                uid: 1001,
                user: "bob".into()
            })
        );
        let other = SystemUser {
            uid: 1500,
            ..user_as(&d)
        };
        let observed = Observed {
            by_name: Some(other),
            ..Observed::default()
        };
        assert_eq!(
            converge(&d, None, &observed),
            Err(Refused::NameTaken {
                user: "alice".into(),
                uid: 1500
            })
        );
        let observed = Observed {
            own_group: Some("staff".into()),
            ..Observed::default()
        };
        assert_eq!(
            converge(&d, None, &observed),
            Err(Refused::GidTaken {
                gid: 1001,
                group: "staff".into()
            })
        );
        let observed = Observed {
            group: Some(27),
            ..Observed::default()
        };
        assert_eq!(
            converge(&d, None, &observed),
            Err(Refused::GroupTaken {
                group: "alice".into(),
                gid: 27
            })
        );
    }

    #[test]
    fn removal_locks_first_and_deletes_the_home_last() {
        let d = desired("alice");
        let steps = remove(&applied_as(&d), &converged(&d));
        assert_eq!(
            steps,
            vec![
                Step::SetPassword {
                    name: "alice".into(),
                    hash: "!".into()
                },
                Step::KillProcesses { uid: 1001 },
                Step::DeleteCrontab {
                    user: "alice".into(),
                    uid: 1001
                },
                Step::DeleteUser {
                    name: "alice".into()
                },
                Step::DeleteGroup {
                    name: "alice".into()
                },
                Step::DeleteHome {
                    home: "/home/alice".into(),
                    uid: 1001
                },
            ]
        );
        // Half done before: only what is left.
        assert_eq!(
            remove(&applied_as(&d), &Observed::default()),
            vec![Step::DeleteHome {
                home: "/home/alice".into(),
                uid: 1001
            }]
        );
    }
}
