//! What every handler can reach: server facts, the stores and the registry.

use crate::Registry;
use crate::outage::Outage;
use std::sync::Arc;
use whmd_domain::Stores;
use whmd_domain::audit::AuditSink;
use whmd_domain::auth::{AuthPolicy, Authenticator};
use whmd_domain::dns::{StoreOnly, ZonePublisher};
use whmd_domain::host::Host;
use whmd_domain::sealed::SecretsKey;

/// Facts about this server that functions report.
#[derive(Debug, Clone)]
pub struct ServerInfo {
    pub hostname: String,
    /// The WHM version whmd answers as (`version`); clients gate features on it.
    pub whm_version: String,
    /// The address accounts get when no other is asked for.
    pub main_ip: String,
    /// The nameservers new accounts are told about (`createacct` data), up to four.
    pub nameservers: Vec<String>,
    /// How many leading characters of a username must be unique (the database-prefix rule): 8
    /// without MySQL, 16 with MySQL or MariaDB.
    pub db_prefix_length: usize,
    /// The port WHM's HTTPS listener answers on, for the login URLs sessions are given.
    pub https_port: Option<u16>,
    pub auth: AuthPolicy,
    /// When whmd manages the host: the directories a home must lie directly below.
    pub home_roots: Option<Vec<String>>,
    /// The data directory; a restore keeps what it does not apply under its `imports/`.
    pub data_dir: std::path::PathBuf,
    /// Seals the secrets whmd must use again (a backup destination's password); its file is
    /// in the data directory, never in the store.
    pub secrets: Arc<SecretsKey>,
}

#[derive(Debug)]
pub struct Context {
    pub info: ServerInfo,
    pub stores: Stores,
    pub host: Arc<dyn Host>,
    pub registry: Registry,
    /// Turns request credentials into principals; the dispatcher tells it when to forget.
    pub auth: Authenticator,
    /// Where authentications, token and session changes and lockouts are recorded.
    pub audit: Arc<dyn AuditSink>,
    /// Writes stored zones out for the name server after every change to one.
    pub dns: Arc<dyn ZonePublisher>,
    /// Whether the store is out of reach, logged once per outage.
    pub outage: Outage,
}

impl Context {
    pub fn new(
        info: ServerInfo,
        stores: Stores,
        host: Arc<dyn Host>,
        audit: Arc<dyn AuditSink>,
    ) -> Self {
        Self {
            auth: Authenticator::new(stores.clone(), info.auth, Arc::clone(&audit)),
            outage: Outage::new(Arc::clone(&stores.health)),
            info,
            stores,
            host,
            registry: Registry::standard(),
            audit,
            dns: Arc::new(StoreOnly),
        }
    }

    /// The same context, publishing zones with `dns` (by default they are only stored).
    pub fn with_zone_publisher(mut self, dns: Arc<dyn ZonePublisher>) -> Self {
        self.dns = dns;
        self
    }
}
