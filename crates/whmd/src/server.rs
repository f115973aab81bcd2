//! Starting and stopping a whole server: store, bootstrap, TLS, both listeners.

use crate::audit::{self, FileAudit};
use crate::host::Opener;
use crate::http::{AppState, app};
use crate::{Config, bootstrap, listener, store, tls, zones};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use whmd_api::Context;
use whmd_domain::Secret;
use whmd_domain::dns::ZonePublisher;
use whmd_domain::secret::generate_api_token;

/// A started server. Dropping it does not stop it; call [`Running::shutdown`].
#[derive(Debug)]
pub struct Running {
    /// The bound HTTPS address, when that listener is on.
    pub https: Option<SocketAddr>,
    /// The bound plain HTTP address, when that listener is on.
    pub http: Option<SocketAddr>,
    /// The root API token, when this start made it (first start only).
    pub new_root_token: Option<Secret>,
    /// The PEM certificate the HTTPS listener serves.
    pub certificate: std::path::PathBuf,
    /// The audit log, for writing out what it holds at once ([`FileAudit::flush`]).
    pub audit: Arc<FileAudit>,
    stop: watch::Sender<bool>,
    tasks: JoinSet<()>,
}

/// Opens the store, runs first-start bootstrap, binds the listeners and starts serving.
pub async fn start(config: Config) -> anyhow::Result<Running> {
    bootstrap::create_private_dir(&config.data_dir)?;
    // The store may fail over between opening and the first write: both are tried again.
    let root_token = generate_api_token();
    let (stores, new_root_token) = store::waiting(config.store_wait, || async {
        let stores = store::open(&config.database_url).await?;
        let new_root_token = bootstrap::ensure_root_token(&config, &stores, &root_token).await?;
        Ok((stores, new_root_token))
    })
    .await?;
    let (cert, key) = match (&config.tls_cert, &config.tls_key) {
        (Some(cert), Some(key)) => (cert.clone(), key.clone()),
        _ => {
            tls::ensure_self_signed(&config.data_dir, &config.hostname)?;
            tls::generated_paths(&config.data_dir)
        }
    };
    let acceptor = TlsAcceptor::from(tls::server_config(&cert, &key)?);
    // Bind first, so that the port login URLs name is the one listening.
    let https = match config.https {
        Some(addr) => Some(listener::bind(addr).await?),
        None => None,
    };
    let http = match config.http {
        Some(addr) => Some(listener::bind(addr).await?),
        None => None,
    };
    let mut info = config.server_info()?;
    if let Some(l) = &https {
        info.https_port = Some(l.local_addr()?.port());
    }
    let hosting = crate::host::open(&config.host, &config.hostname, &stores, Opener::Server)?;
    let audit = Arc::new(FileAudit::open(&audit::path(&config.data_dir))?);
    audit.flush_regularly();
    let dns = zones::publisher(
        config.zone_dir.as_deref(),
        config.dns_reload.as_deref(),
        stores.zones.clone(),
    )?;
    let state = AppState::new(
        Context::new(info, stores, hosting.host, audit.clone()).with_zone_publisher(dns.clone()),
        config.limits,
    );
    let ctx = Arc::clone(&state.ctx);
    let app = app(state);
    let (stop, stopped) = watch::channel(false);
    let mut tasks = JoinSet::new();
    tasks.spawn(publish_regularly(dns, stopped.clone()));
    if let Some(converger) = hosting.converger {
        tasks.spawn(crate::host::converge_regularly(converger, stopped.clone()));
    }
    tasks.spawn(crate::jobs::sweep_regularly(
        Arc::clone(&ctx),
        stopped.clone(),
    ));
    tasks.spawn(crate::backups::run_regularly(
        ctx,
        config.backup_hour,
        stopped.clone(),
    ));
    let gate = listener::Gate::new(open_files_for(config.limits));
    let mut addrs = [None, None];
    for (slot, bound, tls) in [(0, https, Some(acceptor)), (1, http, None)] {
        let Some(bound) = bound else { continue };
        addrs[slot] = Some(bound.local_addr()?);
        tasks.spawn(listener::serve(
            bound,
            tls,
            app.clone(),
            gate.clone(),
            stopped.clone(),
        ));
    }
    Ok(Running {
        https: addrs[0],
        http: addrs[1],
        new_root_token,
        certificate: cert,
        audit,
        stop,
        tasks,
    })
}

/// Publishes zones at start and then every [`zones::RESYNC`], so that zone files catch up
/// with changes other replicas made, until the server stops.
async fn publish_regularly(dns: Arc<dyn ZonePublisher>, mut stopped: watch::Receiver<bool>) {
    let mut every = tokio::time::interval(zones::RESYNC);
    loop {
        tokio::select! {
            _ = every.tick() => {
                if let Err(e) = dns.sync().await {
                    tracing::warn!(error = %e, "publishing zones failed");
                }
            }
            _ = stopped.changed() => return,
        }
    }
}

impl Running {
    /// Stops accepting connections and waits for the accept loops to end.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        while self.tasks.join_next().await.is_some() {}
        self.audit.flush();
    }
}

/// Raises the open-file limit to its hard limit, so that the connection cap, not the limit,
/// decides; returns the limits with the cap lowered (and a warning) if the files still do not
/// reach it. A few hundred descriptors stay for the store, logs and host work.
fn open_files_for(limits: listener::Limits) -> listener::Limits {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    const RESERVED: u64 = 256;
    let Ok((soft, hard)) = getrlimit(Resource::RLIMIT_NOFILE) else {
        return limits;
    };
    let soft = if soft < hard && setrlimit(Resource::RLIMIT_NOFILE, hard, hard).is_ok() {
        hard
    } else {
        soft
    };
    let room = usize::try_from(soft.saturating_sub(RESERVED))
        .unwrap_or(usize::MAX)
        .max(1);
    if limits.max_connections > room {
        tracing::warn!(
            configured = limits.max_connections,
            open_files = soft,
            "the open-file limit is below --max-connections; serving at most {room} connections"
        );
        return listener::Limits {
            max_connections: room,
            ..limits
        };
    }
    limits
}
