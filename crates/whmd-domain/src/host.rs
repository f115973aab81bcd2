//! Effects on the host: system users, home directories, the web server. Every function that
//! changes an account asks for them through [`Host`], after the store has committed. For now
//! the only implementation records what it was asked; real backends (system users, a web
//! server) implement the same trait. DNS zones are not host effects: they live in the store
//! and reach the name server through [`crate::dns::ZonePublisher`].

use async_trait::async_trait;
use std::collections::VecDeque;
use std::fmt::{self, Debug};
use std::sync::Mutex;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostEffect {
    CreateUser {
        user: String,
        uid: u32,
        homedir: String,
        shell: String,
    },
    RemoveUser {
        user: String,
        homedir: String,
    },
    RenameUser {
        from: String,
        to: String,
    },
    SetShell {
        user: String,
        shell: String,
    },
    SetPassword {
        user: String,
    },
    Suspend {
        user: String,
    },
    Unsuspend {
        user: String,
    },
    SetQuota {
        user: String,
        megabytes: Option<u64>,
    },
    AddVirtualHost {
        domain: String,
        user: String,
    },
    RemoveVirtualHost {
        domain: String,
    },
}

impl fmt::Display for HostEffect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CreateUser { user, .. } => write!(f, "Adding User {user}"),
            Self::RemoveUser { user, .. } => write!(f, "Removing User {user}"),
            Self::RenameUser { from, to } => write!(f, "Renaming User {from} to {to}"),
            Self::SetShell { user, shell } => write!(f, "Setting the shell of {user} to {shell}"),
            Self::SetPassword { user } => write!(f, "Setting the password of {user}"),
            Self::Suspend { user } => write!(f, "Suspending {user}"),
            Self::Unsuspend { user } => write!(f, "Unsuspending {user}"),
            Self::SetQuota { user, megabytes } => match megabytes {
                Some(mb) => write!(f, "Setting the quota of {user} to {mb} MB"),
                None => write!(f, "Setting the quota of {user} to unlimited"),
            },
            Self::AddVirtualHost { domain, .. } => {
                write!(f, "Adding the web server entry for {domain}")
            }
            Self::RemoveVirtualHost { domain } => {
                write!(f, "Removing the web server entry for {domain}")
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HostError(pub String);

#[async_trait]
pub trait Host: Debug + Send + Sync {
    async fn apply(&self, effect: &HostEffect) -> Result<(), HostError>;
}

/// How many effects a [`RecordingHost`] keeps; older ones are forgotten, so a long-running
/// server does not grow.
pub const RECORDED_EFFECTS: usize = 4096;

/// A host that does nothing but remember what it was asked, in order.
#[derive(Default)]
pub struct RecordingHost {
    effects: Mutex<VecDeque<HostEffect>>,
}

impl RecordingHost {
    /// The effects asked for most recently, oldest first.
    pub fn effects(&self) -> Vec<HostEffect> {
        self.effects
            .lock()
            .map(|e| e.iter().cloned().collect())
            .unwrap_or_default()
    }
}

impl Debug for RecordingHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordingHost").finish_non_exhaustive()
    }
}

#[async_trait]
impl Host for RecordingHost {
    async fn apply(&self, effect: &HostEffect) -> Result<(), HostError> {
        tracing::debug!(%effect, "host effect recorded");
        if let Ok(mut effects) = self.effects.lock() {
            if effects.len() == RECORDED_EFFECTS {
                effects.pop_front();
            }
            effects.push_back(effect.clone());
        }
        Ok(())
    }
}
