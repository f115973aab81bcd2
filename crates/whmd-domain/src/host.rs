//! The host: system users, homes (and later web sites) for the accounts the store holds.
//! After a change commits, a function asks its [`Host`] to converge the accounts it touched
//! and reports what the host really did, step by step. With provisioning off the host is
//! [`Unmanaged`] and says so. DNS zones are not the host's: they reach the name server
//! through [`crate::dns::ZonePublisher`].

use async_trait::async_trait;
use std::fmt::{self, Debug};
use std::path::Path;

/// How one account stands on the host after a converge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The host has the account as stored.
    Converged,
    /// Removed from the host, as its tombstone asked.
    Removed,
    /// Still being converged when the answer could wait no longer; it goes on.
    Pending,
    /// A step failed; the next pass tries again.
    Failed(String),
    /// whmd will not touch the host for it (a local user's uid, a home outside the roots…).
    Refused(String),
    /// The account is served by another host, named here.
    Elsewhere(String),
    /// Applied by whmd once, gone from the store without a tombstone: left alone.
    Orphan,
    /// Neither stored, removed, nor applied: nothing to do.
    Unknown,
}

/// One step carried out; steps that found the host already right are not listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepReport {
    pub step: String,
    pub result: Result<(), String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountReport {
    pub uid: u32,
    pub user: String,
    pub steps: Vec<StepReport>,
    pub outcome: Outcome,
}

/// What the host did for a function's change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostReport {
    /// whmd does not manage this host (provisioning is off).
    NotManaged,
    /// The host is managed by another process (a running server, when `whmapi1` changed
    /// something); it converges the change on its own.
    Elsewhere,
    Accounts(Vec<AccountReport>),
}

impl HostReport {
    /// The report as lines of a function's raw log, and the warnings it calls for.
    pub fn log(&self) -> (String, Vec<String>) {
        let mut raw = String::new();
        let mut warnings = Vec::new();
        let accounts = match self {
            Self::NotManaged => {
                raw.push_str(
                    "The host is not managed by whmd (provisioning is off): no system user, \
                     home or web site was changed.\n",
                );
                return (raw, warnings);
            }
            Self::Elsewhere => {
                raw.push_str("The running whmd server converges the host for this change.\n");
                return (raw, warnings);
            }
            Self::Accounts(accounts) => accounts,
        };
        for account in accounts {
            for step in &account.steps {
                match &step.result {
                    Ok(()) => raw.push_str(&format!("{}...Done\n", step.step)),
                    Err(e) => {
                        raw.push_str(&format!("{}...Failed: {e}\n", step.step));
                        // A step that may fail without failing the account (a quota) is
                        // still worth a warning.
                        if !matches!(account.outcome, Outcome::Failed(_)) {
                            warnings.push(format!("{}: {e}", step.step));
                        }
                    }
                }
            }
            let user = &account.user;
            let line = match &account.outcome {
                Outcome::Converged if account.steps.is_empty() => {
                    Some(format!("The host already had {user} as stored.\n"))
                }
                Outcome::Converged | Outcome::Orphan | Outcome::Unknown => None,
                Outcome::Removed if account.steps.is_empty() => {
                    Some(format!("Nothing of {user} was left on the host.\n"))
                }
                Outcome::Removed => None,
                Outcome::Pending => {
                    warnings.push(format!(
                        "The host is still converging {user}; it finishes on its own."
                    ));
                    Some(format!("Converging {user} on the host...pending\n"))
                }
                Outcome::Failed(e) => {
                    warnings.push(format!("The host could not converge {user}: {e}"));
                    None
                }
                Outcome::Refused(why) => {
                    warnings.push(format!("The host refused {user}: {why}"));
                    Some(format!("The host refused {user}: {why}\n"))
                }
                Outcome::Elsewhere(host) => Some(format!("{user} is served by the host {host}.\n")),
            };
            raw.extend(line);
        }
        (raw, warnings)
    }
}

/// A failure of something outside the store (a file, a command) on this host.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HostError(pub String);

#[async_trait]
pub trait Host: Debug + Send + Sync {
    /// Converges the accounts with these uids (stored, or removed with a tombstone) and
    /// reports, within the host's own bound on how long an answer waits.
    async fn converge(&self, uids: &[u32]) -> HostReport;

    /// Whether a user or group of this name exists on the host; `None` when whmd does not
    /// manage the host.
    async fn name_taken(&self, name: &str) -> Option<bool>;

    /// Whether whmd makes the homes on this host (so that a restore puts one in place).
    fn manages_homes(&self) -> bool;

    /// Puts a home restored into `staged` (a directory on the home's filesystem) in place as
    /// `home` for the account with `uid`, every entry given to the uid.
    async fn adopt_home(&self, staged: &Path, home: &Path, uid: u32) -> Result<(), HostError>;
}

/// The host when provisioning is off: nothing is done, and the report says so.
#[derive(Default)]
pub struct Unmanaged;

impl Debug for Unmanaged {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Unmanaged")
    }
}

#[async_trait]
impl Host for Unmanaged {
    async fn converge(&self, _uids: &[u32]) -> HostReport {
        HostReport::NotManaged
    }

    async fn name_taken(&self, _name: &str) -> Option<bool> {
        None
    }

    fn manages_homes(&self) -> bool {
        false
    }

    async fn adopt_home(&self, _staged: &Path, home: &Path, _uid: u32) -> Result<(), HostError> {
        Err(HostError(format!(
            "the host is not managed by whmd (provisioning is off): {} was not restored",
            home.display()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_say_what_was_really_done() {
        let done = |step: &str| StepReport {
            step: step.into(),
            result: Ok(()),
        };
        let report = HostReport::Accounts(vec![
            AccountReport {
                uid: 1001,
                user: "alice".into(),
                steps: vec![
                    done("Adding User alice"),
                    StepReport {
                        step: "Setting up /home/alice".into(),
                        result: Err("disk full".into()),
                    },
                ],
                outcome: Outcome::Failed("Setting up /home/alice: disk full".into()),
            },
            AccountReport {
                uid: 1002,
                user: "bob".into(),
                steps: vec![],
                outcome: Outcome::Pending,
            },
            AccountReport {
                uid: 1003,
                user: "carol".into(),
                steps: vec![],
                outcome: Outcome::Converged,
            },
            AccountReport {
                uid: 1004,
                user: "dave".into(),
                steps: vec![StepReport {
                    step: "Setting the disk quota of /home/dave to 10 MB".into(),
                    result: Err("not a subvolume".into()),
                }],
                outcome: Outcome::Converged,
            },
        ]);
        let (raw, warnings) = report.log();
        assert_eq!(
            raw,
            "Adding User alice...Done\nSetting up /home/alice...Failed: disk full\n\
             Converging bob on the host...pending\nThe host already had carol as stored.\n\
             Setting the disk quota of /home/dave to 10 MB...Failed: not a subvolume\n"
        );
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert_eq!(
            warnings[2],
            "Setting the disk quota of /home/dave to 10 MB: not a subvolume"
        );
        assert!(HostReport::NotManaged.log().0.contains("not managed"));
    }
}
