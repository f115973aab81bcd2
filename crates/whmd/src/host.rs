//! The host a server or `whmapi1` works on: [`Unmanaged`] with provisioning off, else the
//! Linux converger (`whmd-host`), run as root. The server converges every account at start and
//! every [`PASS_INTERVAL`], and the accounts a function changed right after it commits,
//! waiting for them up to the configured bound.

use crate::config::{HostConfig, Provision};
use anyhow::bail;
use async_trait::async_trait;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use whmd_domain::Stores;
use whmd_domain::host::{AccountReport, Host, HostError, HostReport, Outcome, Unmanaged};
use whmd_host::{Converger, Policy, Settings};

/// How often a server converges every account without being asked, to repair what changed
/// behind its back and what other replicas changed.
pub const PASS_INTERVAL: Duration = Duration::from_secs(30);
/// How often it measures every home for listaccts' `diskused` and `inodesused`.
pub const USAGE_INTERVAL: Duration = Duration::from_secs(300);

/// The host, and the converger behind it when this process holds one.
#[derive(Debug)]
pub struct Hosting {
    pub host: Arc<dyn Host>,
    pub converger: Option<Arc<Converger>>,
}

/// Who opens the host: the server must hold the converger; `whmapi1` leaves it to a running
/// server when one holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opener {
    Server,
    Tool,
}

pub fn open(
    config: &HostConfig,
    hostname: &str,
    stores: &Stores,
    opener: Opener,
) -> anyhow::Result<Hosting> {
    if config.provision == Provision::None {
        return Ok(Hosting {
            host: Arc::new(Unmanaged),
            converger: None,
        });
    }
    if !nix::unistd::Uid::effective().is_root() {
        bail!("--provision linux needs root: it makes system users and homes");
    }
    match Converger::open(settings(config, hostname), Arc::clone(&stores.host)) {
        Ok(converger) => {
            let converger = Arc::new(converger);
            tracing::info!(
                state = %config.state.display(),
                "provisioning: accounts become system users with homes"
            );
            Ok(Hosting {
                host: Arc::new(Provisioned {
                    converger: Arc::clone(&converger),
                    wait: config.wait,
                }),
                converger: Some(converger),
            })
        }
        Err(e) if opener == Opener::Tool && e.starts_with("another whmd") => Ok(Hosting {
            host: Arc::new(ServedElsewhere),
            converger: None,
        }),
        Err(e) => bail!("{e}"),
    }
}

fn settings(config: &HostConfig, hostname: &str) -> Settings {
    Settings {
        policy: Policy {
            uids: config.uids.0..=config.uids.1,
            home_roots: config.home_roots.clone(),
            quota_roots: Vec::new(),
        },
        state: config.state.clone(),
        hostname: hostname.to_owned(),
        max_removals: config.max_removals,
        web: config.web.clone(),
        crontabs: whmd_host::CRONTABS.into(),
    }
}

/// `whmd host status`: each account's standing on this host (or `user`'s alone), one line each.
pub async fn status(
    config: &HostConfig,
    hostname: &str,
    stores: &Stores,
    user: Option<&str>,
) -> anyhow::Result<Vec<String>> {
    let statuses =
        whmd_host::status::status(&settings(config, hostname), stores.host.as_ref(), user)
            .await
            .map_err(anyhow::Error::msg)?;
    Ok(statuses.iter().map(ToString::to_string).collect())
}

/// Converges every account now and then every [`PASS_INTERVAL`], and measures the homes after
/// the first pass and then every [`USAGE_INTERVAL`], until `stop` turns true.
pub async fn converge_regularly(converger: Arc<Converger>, mut stop: watch::Receiver<bool>) {
    let mut measured: Option<tokio::time::Instant> = None;
    loop {
        match converger.pass().await {
            Ok(report) => {
                let failed = report
                    .accounts
                    .iter()
                    .filter(|a| matches!(a.outcome, Outcome::Failed(_) | Outcome::Refused(_)))
                    .count();
                if failed > 0 {
                    tracing::warn!(failed, "host pass: some accounts did not converge");
                }
            }
            Err(e) => tracing::warn!(error = %e, "host pass failed"),
        }
        if measured.is_none_or(|at| at.elapsed() >= USAGE_INTERVAL) {
            measured = Some(tokio::time::Instant::now());
            if let Err(e) = converger.measure_usage(whmd_domain::time::unix_now()).await {
                tracing::warn!(error = %e, "measuring the homes failed");
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(PASS_INTERVAL) => {}
            _ = stop.changed() => return,
        }
    }
}

#[derive(Debug)]
struct Provisioned {
    converger: Arc<Converger>,
    wait: Duration,
}

#[async_trait]
impl Host for Provisioned {
    async fn converge(&self, uids: &[u32]) -> HostReport {
        // The work goes on in its own task when the answer can wait no longer.
        let (sent, mut reports) = mpsc::unbounded_channel();
        let converger = Arc::clone(&self.converger);
        let todo = uids.to_vec();
        tokio::spawn(async move {
            for uid in todo {
                if sent.send(converger.converge_uid(uid).await).is_err() {
                    // The answer has gone; the rest converge on the next pass.
                    return;
                }
            }
        });
        let mut done: Vec<AccountReport> = Vec::new();
        let deadline = tokio::time::Instant::now() + self.wait;
        while done.len() < uids.len() {
            match tokio::time::timeout_at(deadline, reports.recv()).await {
                Ok(Some(report)) => done.push(report),
                Ok(None) | Err(_) => break,
            }
        }
        for uid in &uids[done.len()..] {
            done.push(AccountReport {
                uid: *uid,
                user: self.converger.user_of(*uid).await,
                steps: Vec::new(),
                outcome: Outcome::Pending,
            });
        }
        HostReport::Accounts(done)
    }

    async fn name_taken(&self, name: &str) -> Option<bool> {
        name_on_host(name).await
    }

    fn manages_homes(&self) -> bool {
        true
    }

    async fn adopt_home(&self, staged: &Path, home: &Path, uid: u32) -> Result<(), HostError> {
        adopt_home(staged, home, uid).await
    }
}

/// The host as `whmapi1` sees it while a running server holds the converger.
#[derive(Debug)]
struct ServedElsewhere;

#[async_trait]
impl Host for ServedElsewhere {
    async fn converge(&self, _uids: &[u32]) -> HostReport {
        HostReport::Elsewhere
    }

    async fn name_taken(&self, name: &str) -> Option<bool> {
        name_on_host(name).await
    }

    fn manages_homes(&self) -> bool {
        true
    }

    async fn adopt_home(&self, staged: &Path, home: &Path, uid: u32) -> Result<(), HostError> {
        adopt_home(staged, home, uid).await
    }
}

async fn adopt_home(staged: &Path, home: &Path, uid: u32) -> Result<(), HostError> {
    let (staged, home) = (staged.to_owned(), home.to_owned());
    tokio::task::spawn_blocking(move || whmd_host::home::adopt(&staged, &home, uid))
        .await
        .map_err(|e| HostError(e.to_string()))?
        .map_err(HostError)
}

async fn name_on_host(name: &str) -> Option<bool> {
    let name = name.to_owned();
    tokio::task::spawn_blocking(move || whmd_host::system::name_taken(&name))
        .await
        .ok()
        .and_then(Result::ok)
}
