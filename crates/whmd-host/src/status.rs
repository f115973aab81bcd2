//! `whmd host status`: what the host has for each account, read without changing anything
//! and without the converger's lock, so it works beside a running server. It plans each
//! account as a pass would and lists what the pass would still do.

use crate::applied::AppliedRecords;
use crate::converge::Settings;
use crate::desired::Desired;
use crate::plan::{self, Step};
use crate::{home, system};
use std::collections::BTreeSet;
use std::fmt;
use whmd_domain::store::HostStore;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// The host has the account as stored.
    Converged,
    /// A pass would still carry out these steps.
    Pending(Vec<String>),
    /// whmd will not touch the host for it, and why.
    Refused(String),
    /// Another host serves it.
    Elsewhere(String),
    /// Removed from the store; a pass would still carry out these steps.
    Removing(Vec<String>),
    /// Applied once, gone from the store without a tombstone: left alone.
    Orphan,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountStatus {
    pub uid: u32,
    pub user: String,
    pub state: State,
}

impl fmt::Display for AccountStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (uid {}): ", self.user, self.uid)?;
        match &self.state {
            State::Converged => write!(f, "converged"),
            State::Pending(steps) => write!(f, "pending: {}", steps.join("; ")),
            State::Refused(why) => write!(f, "refused: {why}"),
            State::Elsewhere(host) => write!(f, "served by {host}"),
            State::Removing(steps) => write!(f, "removal pending: {}", steps.join("; ")),
            State::Orphan => write!(
                f,
                "orphan: applied by whmd, not in the store, no removal recorded (left alone)"
            ),
        }
    }
}

/// The status of every account this host serves, removes or once applied, or of `only`.
pub async fn status(
    settings: &Settings,
    store: &dyn HostStore,
    only: Option<&str>,
) -> Result<Vec<AccountStatus>, String> {
    let host = &settings.hostname;
    let accounts = store
        .hosted_accounts(host)
        .await
        .map_err(|e| format!("reading the accounts: {e}"))?;
    let removals = store
        .removals(host)
        .await
        .map_err(|e| format!("reading the removals: {e}"))?;
    let records = AppliedRecords::open(&settings.state)
        .map_err(|e| format!("{}: {e}", settings.state.display()))?;
    let web_gid = system::web_gid().unwrap_or(0);
    let mut policy = settings.policy.clone();
    policy.quota_roots = policy
        .home_roots
        .iter()
        .filter(|root| crate::quota::why_not(root).is_none())
        .cloned()
        .collect();
    let wanted = |user: &str| only.is_none_or(|o| o == user);
    let mut out = Vec::new();
    let stored: BTreeSet<u32> = accounts.iter().map(|a| a.account.uid).collect();
    for hosted in &accounts {
        let account = &hosted.account;
        if !wanted(&account.user) {
            continue;
        }
        let state = if !account.host.is_empty() && account.host != *host {
            State::Elsewhere(account.host.clone())
        } else {
            match Desired::of(hosted, &policy) {
                Err(e) => State::Refused(e.to_string()),
                Ok(desired) => {
                    let observed = system::observe(desired.uid, &desired.user)?;
                    match plan::converge(&desired, records.get(desired.uid), &observed) {
                        Err(e) => State::Refused(e.to_string()),
                        Ok(steps) => pending(&steps, web_gid),
                    }
                }
            }
        };
        out.push(AccountStatus {
            uid: account.uid,
            user: account.user.clone(),
            state,
        });
    }
    let tombstoned: BTreeSet<u32> = removals.iter().map(|r| r.uid).collect();
    for removal in removals.iter().filter(|r| !stored.contains(&r.uid)) {
        if let Some(applied) = records.get(removal.uid).filter(|_| wanted(&removal.user)) {
            let observed = system::observe(applied.uid, &applied.user)?;
            let steps = plan::remove(applied, &observed);
            out.push(AccountStatus {
                uid: removal.uid,
                user: removal.user.clone(),
                state: State::Removing(steps.iter().map(Step::to_string).collect()),
            });
        }
    }
    for uid in records.uids() {
        let Some(applied) = records.get(uid) else {
            continue;
        };
        if !stored.contains(&uid) && !tombstoned.contains(&uid) && wanted(&applied.user) {
            out.push(AccountStatus {
                uid,
                user: applied.user.clone(),
                state: State::Orphan,
            });
        }
    }
    Ok(out)
}

/// What of `steps` is left to do: every step but the home's, which is checked instead.
fn pending(steps: &[Step], web_gid: u32) -> State {
    let left: Vec<String> = steps
        .iter()
        .filter(|step| match step {
            Step::Home { home, uid } => !home::is_made(home, *uid, web_gid),
            Step::MakeSubvolume { home } => std::fs::symlink_metadata(home).is_err(),
            _ => true,
        })
        .map(Step::to_string)
        .collect();
    if left.is_empty() {
        State::Converged
    } else {
        State::Pending(left)
    }
}
