//! Configuration: defaults, then a TOML file, then `WHMD_*` environment variables, then flags.
//! Clap reads the last two; this module lays them over the file and the defaults and checks
//! the result once, at start.

use crate::listener::Limits;
use anyhow::{Context as _, bail};
use clap::Args;
use serde::Deserialize;
use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;
use whmd_domain::auth::AuthPolicy;

/// The WHM version whmd reports by default: the release its behaviour was taken from.
pub const DEFAULT_WHM_VERSION: &str = "11.120.0.16";

/// How long a login session lasts unused, by default.
pub const DEFAULT_SESSION_TIMEOUT: u32 = 3600;

/// How long `whmd serve` keeps trying a store it cannot reach at start.
pub const DEFAULT_STORE_WAIT: Duration = Duration::from_secs(300);
/// cPanel's backups start at 2 in the morning.
pub const DEFAULT_BACKUP_HOUR: u32 = 2;

/// A listen address, or `off` to disable that listener.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Listen(pub Option<SocketAddr>);

impl FromStr for Listen {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("off") {
            return Ok(Self(None));
        }
        s.parse()
            .map(|a| Self(Some(a)))
            .map_err(|_| format!("“{s}” is not an address such as 127.0.0.1:2087, or off"))
    }
}

impl TryFrom<String> for Listen {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

/// The settings every subcommand that opens the store shares.
#[derive(Debug, Clone, Default, Args)]
pub struct StoreFlags {
    /// A TOML configuration file [default: DATA_DIR/whmd.toml when it exists].
    #[arg(long, env = "WHMD_CONFIG")]
    pub config: Option<PathBuf>,
    /// Where whmd keeps its database, certificate and root token [default: ./whmd-data].
    #[arg(long, env = "WHMD_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// The store [default: sqlite://DATA_DIR/whmd.db].
    #[arg(long, env = "WHMD_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
}

/// `whmd serve` flags; each also reads its `WHMD_*` variable.
#[derive(Debug, Clone, Default, Args)]
pub struct ServeFlags {
    #[command(flatten)]
    pub store: StoreFlags,
    /// The HTTPS listener, or off [default: 127.0.0.1:2087].
    #[arg(long, env = "WHMD_HTTPS")]
    pub https: Option<Listen>,
    /// The plain HTTP listener, or off [default: 127.0.0.1:2086].
    #[arg(long, env = "WHMD_HTTP")]
    pub http: Option<Listen>,
    /// The server's hostname, for `gethostname` and the certificate [default: the system's].
    #[arg(long, env = "WHMD_HOSTNAME")]
    pub hostname: Option<String>,
    /// A PEM certificate chain to serve instead of the generated one (with --tls-key).
    #[arg(long, env = "WHMD_TLS_CERT")]
    pub tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, env = "WHMD_TLS_KEY")]
    pub tls_key: Option<PathBuf>,
    /// The WHM version to report from `version` [default: 11.120.0.16].
    #[arg(long, env = "WHMD_WHM_VERSION")]
    pub whm_version: Option<String>,
    /// The IPv4 address accounts get [default: 127.0.0.1].
    #[arg(long, env = "WHMD_MAIN_IP")]
    pub main_ip: Option<Ipv4Addr>,
    /// The nameservers new accounts are given, comma-separated [default: ns1 and ns2 of the hostname].
    #[arg(long, env = "WHMD_NAMESERVERS", value_delimiter = ',')]
    pub nameservers: Option<Vec<String>>,
    /// How many leading characters of usernames must be unique: 8, or 16 with MySQL [default: 8].
    #[arg(long, env = "WHMD_DB_PREFIX_LENGTH")]
    pub db_prefix_length: Option<usize>,
    /// How long a login session lasts unused, in seconds [default: 3600].
    #[arg(long, env = "WHMD_SESSION_TIMEOUT")]
    pub session_timeout: Option<u32>,
    /// Accept legacy access hashes (`WHM USER:HASH`) [default: false].
    #[arg(long, env = "WHMD_ACCESS_HASH", num_args = 0..=1, default_missing_value = "true")]
    pub access_hash: Option<bool>,
    /// Write every zone to DIR/ZONE.db and their zone statements to DIR/whmd-zones.conf, for
    /// BIND [default: zones are only stored].
    #[arg(long, env = "WHMD_ZONE_DIR")]
    pub zone_dir: Option<PathBuf>,
    /// The command that makes BIND reload after zone files change, split at spaces, such as
    /// `rndc reload` [default: none].
    #[arg(long, env = "WHMD_DNS_RELOAD")]
    pub dns_reload: Option<String>,
    /// Seconds a client may take to send a request's headers, or wait idle between requests
    /// [default: 20].
    #[arg(long, env = "WHMD_HEADER_TIMEOUT")]
    pub header_timeout: Option<u64>,
    /// Seconds a request body may take before --body-min-rate applies [default: 20].
    #[arg(long, env = "WHMD_BODY_TIMEOUT")]
    pub body_timeout: Option<u64>,
    /// Bytes a second a body must then arrive at, 0 for no rate [default: 500].
    #[arg(long, env = "WHMD_BODY_MIN_RATE")]
    pub body_min_rate: Option<u64>,
    /// Open connections in all [default: 4096].
    #[arg(long, env = "WHMD_MAX_CONNECTIONS")]
    pub max_connections: Option<usize>,
    /// Open connections from one address [default: 64].
    #[arg(long, env = "WHMD_MAX_CONNECTIONS_PER_ADDRESS")]
    pub max_connections_per_address: Option<usize>,
    /// Seconds to keep trying, with backoff, a store that cannot be reached at start (a
    /// database restarting or failing over), 0 to give up at once [default: 300].
    #[arg(long, env = "WHMD_STORE_WAIT")]
    pub store_wait: Option<u64>,
    /// The hour of the day (UTC, 0-23) from which a day's scheduled backups run [default: 2].
    #[arg(long, env = "WHMD_BACKUP_HOUR", value_parser = clap::value_parser!(u32).range(0..24))]
    pub backup_hour: Option<u32>,
    /// The file holding the key that seals backup destinations' passwords, made at first
    /// start; every replica needs the same one [default: DATA_DIR/secrets.key].
    #[arg(long, env = "WHMD_SECRETS_KEY")]
    pub secrets_key: Option<PathBuf>,
    #[command(flatten)]
    pub host: HostFlags,
}

/// Whether whmd makes accounts real on this host.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Provision {
    /// Accounts live in the store only; functions say the host is not managed.
    #[default]
    None,
    /// Accounts become system users with homes on this Linux host (needs root).
    Linux,
}

/// The host's settings, shared by `whmd serve` and `whmapi1`.
#[derive(Debug, Clone, Default, Args)]
pub struct HostFlags {
    /// none, or linux: make accounts system users with homes on this host [default: none].
    #[arg(long, env = "WHMD_PROVISION", value_enum)]
    pub provision: Option<Provision>,
    /// The uids whmd may give system users, as FIRST-LAST [default: 1000-60000].
    #[arg(long, env = "WHMD_UID_RANGE")]
    pub uid_range: Option<UidRange>,
    /// Directories homes are made in, comma-separated; a homedir must be one directory
    /// directly below one [default: /home].
    #[arg(long, env = "WHMD_HOME_ROOTS", value_delimiter = ',')]
    pub home_roots: Option<Vec<PathBuf>>,
    /// Where whmd records what it applied to the host (root-only) [default: /var/lib/whmd].
    #[arg(long, env = "WHMD_HOST_STATE")]
    pub host_state: Option<PathBuf>,
    /// A periodic pass that would remove more accounts than this removes none [default: 10].
    #[arg(long, env = "WHMD_HOST_MAX_REMOVALS")]
    pub host_max_removals: Option<usize>,
    /// How long a function waits for the host to converge its accounts, in seconds [default: 20].
    #[arg(long, env = "WHMD_HOST_WAIT")]
    pub host_wait: Option<u64>,
    /// apache, or none: with --provision linux, whether accounts get Apache sites and PHP-FPM
    /// pools [default: apache].
    #[arg(long, env = "WHMD_WEB", value_enum)]
    pub web: Option<WebServer>,
    /// The command that makes Apache reload, split at spaces [default: systemctl reload apache2].
    #[arg(long, env = "WHMD_WEB_RELOAD")]
    pub web_reload: Option<String>,
    /// The command that makes PHP-FPM reload, split at spaces [default: systemctl reload php8.2-fpm].
    #[arg(long, env = "WHMD_PHP_RELOAD")]
    pub php_reload: Option<String>,
}

/// The web server accounts' sites run on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum WebServer {
    /// Apache 2.4 with a PHP-FPM pool per account (Debian's packages).
    #[default]
    Apache,
    /// No sites: system users and homes only.
    None,
}

/// A range of uids, written FIRST-LAST.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct UidRange(pub u32, pub u32);

impl FromStr for UidRange {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("“{s}” is not a uid range such as 1000-60000");
        let (first, last) = s.split_once('-').ok_or_else(bad)?;
        let (first, last) = (
            first.trim().parse().map_err(|_| bad())?,
            last.trim().parse().map_err(|_| bad())?,
        );
        if first == 0 || first > last {
            return Err(bad());
        }
        Ok(Self(first, last))
    }
}

impl TryFrom<String> for UidRange {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

/// The resolved host settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostConfig {
    pub provision: Provision,
    pub uids: UidRange,
    pub home_roots: Vec<PathBuf>,
    pub state: PathBuf,
    pub max_removals: usize,
    pub wait: Duration,
    /// Where sites and pools go and how they are tested and reloaded; `None` makes none.
    pub web: Option<whmd_host::Web>,
}

/// The configuration file: the same settings, all optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    https: Option<Listen>,
    http: Option<Listen>,
    hostname: Option<String>,
    tls_cert: Option<PathBuf>,
    tls_key: Option<PathBuf>,
    whm_version: Option<String>,
    main_ip: Option<Ipv4Addr>,
    nameservers: Option<Vec<String>>,
    db_prefix_length: Option<usize>,
    session_timeout: Option<u32>,
    access_hash: Option<bool>,
    zone_dir: Option<PathBuf>,
    dns_reload: Option<String>,
    header_timeout: Option<u64>,
    body_timeout: Option<u64>,
    body_min_rate: Option<u64>,
    max_connections: Option<usize>,
    max_connections_per_address: Option<usize>,
    store_wait: Option<u64>,
    backup_hour: Option<u32>,
    secrets_key: Option<PathBuf>,
    provision: Option<Provision>,
    uid_range: Option<UidRange>,
    home_roots: Option<Vec<PathBuf>>,
    host_state: Option<PathBuf>,
    host_max_removals: Option<usize>,
    host_wait: Option<u64>,
    web: Option<WebServer>,
    web_reload: Option<String>,
    php_reload: Option<String>,
}

/// The resolved configuration.
#[derive(Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub database_url: String,
    pub https: Option<SocketAddr>,
    pub http: Option<SocketAddr>,
    pub hostname: String,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub whm_version: String,
    pub main_ip: Ipv4Addr,
    pub nameservers: Vec<String>,
    pub db_prefix_length: usize,
    /// Seconds a login session lasts unused.
    pub session_timeout: u32,
    /// Whether legacy access hashes are accepted.
    pub access_hash: bool,
    /// Where zone files for BIND go; `None` keeps zones in the store only.
    pub zone_dir: Option<PathBuf>,
    /// The program and arguments that make BIND reload.
    pub dns_reload: Option<Vec<String>>,
    /// What a connection may take.
    pub limits: Limits,
    /// How long a store that cannot be reached at start is waited for.
    pub store_wait: Duration,
    /// The hour (UTC) from which a day's scheduled backups run.
    pub backup_hour: u32,
    /// The secrets key's file.
    pub secrets_key: PathBuf,
    pub host: HostConfig,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A PostgreSQL URL may carry a password.
        f.debug_struct("Config")
            .field("data_dir", &self.data_dir)
            .field("database_url", &"[redacted]")
            .field("https", &self.https)
            .field("http", &self.http)
            .field("hostname", &self.hostname)
            .field("tls_cert", &self.tls_cert)
            .field("tls_key", &self.tls_key)
            .field("whm_version", &self.whm_version)
            .field("main_ip", &self.main_ip)
            .field("nameservers", &self.nameservers)
            .field("db_prefix_length", &self.db_prefix_length)
            .field("session_timeout", &self.session_timeout)
            .field("access_hash", &self.access_hash)
            .field("zone_dir", &self.zone_dir)
            .field("dns_reload", &self.dns_reload)
            .field("limits", &self.limits)
            .field("store_wait", &self.store_wait)
            .field("backup_hour", &self.backup_hour)
            .field("secrets_key", &self.secrets_key)
            .field("host", &self.host)
            .finish()
    }
}

/// Where the store lives, for subcommands that need nothing else.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    pub data_dir: PathBuf,
    pub database_url: String,
}

impl StoreFlags {
    pub fn resolve(&self) -> anyhow::Result<StoreConfig> {
        let (file, _) = self.load_file()?;
        let data_dir = self.data_dir_with(&file);
        let database_url = self.database_url_with(&file, &data_dir);
        Ok(StoreConfig {
            data_dir,
            database_url,
        })
    }

    fn load_file(&self) -> anyhow::Result<(FileConfig, Option<PathBuf>)> {
        let path = match &self.config {
            Some(p) => p.clone(),
            None => {
                let default = self
                    .data_dir
                    .clone()
                    .unwrap_or_else(default_data_dir)
                    .join("whmd.toml");
                if !default.exists() {
                    return Ok((FileConfig::default(), None));
                }
                default
            }
        };
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read the configuration file {}", path.display()))?;
        let file = toml::from_str(&text)
            .with_context(|| format!("the configuration file {} is not valid", path.display()))?;
        Ok((file, Some(path)))
    }

    fn data_dir_with(&self, file: &FileConfig) -> PathBuf {
        self.data_dir
            .clone()
            .or_else(|| file.data_dir.clone())
            .unwrap_or_else(default_data_dir)
    }

    fn database_url_with(&self, file: &FileConfig, data_dir: &Path) -> String {
        self.database_url
            .clone()
            .or_else(|| file.database_url.clone())
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("whmd.db").display()))
    }
}

impl ServeFlags {
    pub fn resolve(&self) -> anyhow::Result<Config> {
        let (file, _) = self.store.load_file()?;
        let data_dir = self.store.data_dir_with(&file);
        let database_url = self.store.database_url_with(&file, &data_dir);
        let host = self.host.resolve(&file);
        let limits = self.limits(&file);
        let listen = |flag: Option<Listen>, file: Option<Listen>, default: &str| {
            flag.or(file).map_or_else(|| default.parse().ok(), |l| l.0)
        };
        let hostname = self
            .hostname
            .clone()
            .or(file.hostname)
            .unwrap_or_else(system_hostname);
        let config = Config {
            host,
            limits,
            store_wait: self
                .store_wait
                .or(file.store_wait)
                .map_or(DEFAULT_STORE_WAIT, Duration::from_secs),
            backup_hour: self
                .backup_hour
                .or(file.backup_hour)
                .filter(|h| *h < 24)
                .unwrap_or(DEFAULT_BACKUP_HOUR),
            secrets_key: self
                .secrets_key
                .clone()
                .or(file.secrets_key)
                .unwrap_or_else(|| data_dir.join("secrets.key")),
            https: listen(self.https, file.https, "127.0.0.1:2087"),
            http: listen(self.http, file.http, "127.0.0.1:2086"),
            main_ip: self.main_ip.or(file.main_ip).unwrap_or(Ipv4Addr::LOCALHOST),
            nameservers: self
                .nameservers
                .clone()
                .or(file.nameservers)
                .unwrap_or_else(|| default_nameservers(&hostname)),
            db_prefix_length: self.db_prefix_length.or(file.db_prefix_length).unwrap_or(8),
            session_timeout: self
                .session_timeout
                .or(file.session_timeout)
                .unwrap_or(DEFAULT_SESSION_TIMEOUT),
            access_hash: self.access_hash.or(file.access_hash).unwrap_or(false),
            zone_dir: self.zone_dir.clone().or(file.zone_dir),
            dns_reload: self
                .dns_reload
                .clone()
                .or(file.dns_reload)
                .map(|c| c.split_whitespace().map(str::to_owned).collect()),
            hostname,
            tls_cert: self.tls_cert.clone().or(file.tls_cert),
            tls_key: self.tls_key.clone().or(file.tls_key),
            whm_version: self
                .whm_version
                .clone()
                .or(file.whm_version)
                .unwrap_or_else(|| DEFAULT_WHM_VERSION.to_owned()),
            data_dir,
            database_url,
        };
        config.validate()?;
        Ok(config)
    }
}

impl ServeFlags {
    fn limits(&self, file: &FileConfig) -> Limits {
        let d = Limits::default();
        let secs = |flag: Option<u64>, file: Option<u64>, default: Duration| {
            flag.or(file).map_or(default, Duration::from_secs)
        };
        Limits {
            header_timeout: secs(self.header_timeout, file.header_timeout, d.header_timeout),
            body_timeout: secs(self.body_timeout, file.body_timeout, d.body_timeout),
            body_min_rate: self
                .body_min_rate
                .or(file.body_min_rate)
                .unwrap_or(d.body_min_rate),
            max_connections: self
                .max_connections
                .or(file.max_connections)
                .unwrap_or(d.max_connections),
            max_per_address: self
                .max_connections_per_address
                .or(file.max_connections_per_address)
                .unwrap_or(d.max_per_address),
        }
    }
}

impl HostFlags {
    fn resolve(&self, file: &FileConfig) -> HostConfig {
        HostConfig {
            provision: self.provision.or(file.provision).unwrap_or_default(),
            uids: self
                .uid_range
                .or(file.uid_range)
                .unwrap_or(UidRange(1000, 60000)),
            home_roots: self
                .home_roots
                .clone()
                .or_else(|| file.home_roots.clone())
                .unwrap_or_else(|| vec![PathBuf::from("/home")]),
            state: self
                .host_state
                .clone()
                .or_else(|| file.host_state.clone())
                .unwrap_or_else(|| PathBuf::from("/var/lib/whmd")),
            max_removals: self
                .host_max_removals
                .or(file.host_max_removals)
                .unwrap_or(10),
            wait: Duration::from_secs(self.host_wait.or(file.host_wait).unwrap_or(20)),
            web: match self.web.or(file.web).unwrap_or_default() {
                WebServer::None => None,
                WebServer::Apache => {
                    let words = |s: &String| s.split_whitespace().map(str::to_owned).collect();
                    let debian = whmd_host::Web::debian();
                    Some(whmd_host::Web {
                        web_reload: self
                            .web_reload
                            .as_ref()
                            .or(file.web_reload.as_ref())
                            .map_or(debian.web_reload.clone(), words),
                        php_reload: self
                            .php_reload
                            .as_ref()
                            .or(file.php_reload.as_ref())
                            .map_or(debian.php_reload.clone(), words),
                        ..debian
                    })
                }
            },
        }
    }
}

impl Config {
    /// The facts about this server that functions report, with its secrets key (made when
    /// there is none yet).
    pub fn server_info(&self) -> anyhow::Result<whmd_api::ServerInfo> {
        Ok(whmd_api::ServerInfo {
            hostname: self.hostname.clone(),
            whm_version: self.whm_version.clone(),
            main_ip: self.main_ip.to_string(),
            nameservers: self.nameservers.clone(),
            db_prefix_length: self.db_prefix_length,
            https_port: self.https.map(|a| a.port()),
            home_roots: (self.host.provision == Provision::Linux).then(|| {
                self.host
                    .home_roots
                    .iter()
                    .map(|r| r.display().to_string())
                    .collect()
            }),
            data_dir: self.data_dir.clone(),
            secrets: std::sync::Arc::new(crate::secrets_key::load_or_make(&self.secrets_key)?),
            auth: AuthPolicy {
                session_timeout: i64::from(self.session_timeout),
                access_hash: self.access_hash,
            },
        })
    }

    fn validate(&self) -> anyhow::Result<()> {
        if self.https.is_none() && self.http.is_none() {
            bail!("both listeners are off: enable --https or --http");
        }
        if self.tls_cert.is_some() != self.tls_key.is_some() {
            bail!("--tls-cert and --tls-key go together");
        }
        let l = &self.limits;
        if l.header_timeout.is_zero() || l.body_timeout.is_zero() {
            bail!("--header-timeout and --body-timeout are at least one second");
        }
        if l.max_connections == 0 || l.max_per_address == 0 {
            bail!("--max-connections and --max-connections-per-address are at least 1");
        }
        let parts: Vec<&str> = self.whm_version.split('.').collect();
        if parts.len() != 4
            || parts
                .iter()
                .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
        {
            bail!("--whm-version must have four numeric parts, such as 11.120.0.16");
        }
        if !(60..=7 * 86_400).contains(&self.session_timeout) {
            bail!("--session-timeout must be between 60 seconds and a week");
        }
        if !matches!(self.db_prefix_length, 8 | 16) {
            bail!("--db-prefix-length must be 8 or 16");
        }
        if self.nameservers.len() > 4
            || self
                .nameservers
                .iter()
                .any(|n| n.is_empty() || n.contains(char::is_whitespace))
        {
            bail!("--nameservers takes up to four host names");
        }
        if self.dns_reload.as_ref().is_some_and(Vec::is_empty) {
            bail!("--dns-reload names no command");
        }
        if self.dns_reload.is_some() && self.zone_dir.is_none() {
            bail!("--dns-reload needs --zone-dir");
        }
        if self.host.home_roots.is_empty()
            || self.host.home_roots.iter().any(|r| {
                !r.is_absolute() || r.to_str().is_none_or(|t| t.len() > 1 && t.ends_with('/'))
            })
        {
            bail!("--home-roots takes absolute directories, such as /home");
        }
        if let Some(web) = &self.host.web
            && (web.web_reload.is_empty() || web.php_reload.is_empty())
        {
            bail!("--web-reload and --php-reload name a command");
        }
        if self.hostname.is_empty()
            || self
                .hostname
                .contains(|c: char| c.is_whitespace() || c == '/')
        {
            bail!("--hostname “{}” is not a host name", self.hostname);
        }
        Ok(())
    }

    /// A configuration for tests and embedding: both listeners on free loopback ports.
    pub fn ephemeral(data_dir: &Path) -> Self {
        let any = "127.0.0.1:0".parse().ok();
        Self {
            data_dir: data_dir.to_owned(),
            database_url: format!("sqlite://{}", data_dir.join("whmd.db").display()),
            https: any,
            http: any,
            hostname: "whmd.test".to_owned(),
            tls_cert: None,
            tls_key: None,
            whm_version: DEFAULT_WHM_VERSION.to_owned(),
            main_ip: Ipv4Addr::LOCALHOST,
            nameservers: default_nameservers("whmd.test"),
            db_prefix_length: 8,
            session_timeout: DEFAULT_SESSION_TIMEOUT,
            access_hash: false,
            zone_dir: None,
            dns_reload: None,
            limits: Limits::default(),
            store_wait: DEFAULT_STORE_WAIT,
            backup_hour: DEFAULT_BACKUP_HOUR,
            secrets_key: data_dir.join("secrets.key"),
            host: HostFlags::default().resolve(&FileConfig::default()),
        }
    }
}

fn default_nameservers(hostname: &str) -> Vec<String> {
    let parent = hostname.split_once('.').map_or(hostname, |(_, rest)| rest);
    vec![format!("ns1.{parent}"), format!("ns2.{parent}")]
}

fn default_data_dir() -> PathBuf {
    PathBuf::from("whmd-data")
}

pub fn system_hostname() -> String {
    gethostname::gethostname()
        .into_string()
        .unwrap_or_else(|_| "localhost".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults() {
        let c = ServeFlags::default().resolve().expect("defaults resolve");
        assert_eq!(c.https, "127.0.0.1:2087".parse().ok());
        assert_eq!(c.http, "127.0.0.1:2086".parse().ok());
        assert_eq!(c.database_url, "sqlite://whmd-data/whmd.db");
        assert_eq!(c.whm_version, DEFAULT_WHM_VERSION);
    }

    #[test]
    fn file_then_flags() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("whmd.toml");
        std::fs::write(
            &path,
            "http = \"off\"\nhostname = \"file.example\"\nwhm_version = \"11.130.0.1\"\n",
        )
        .expect("write");
        let mut flags = ServeFlags::default();
        flags.store.config = Some(path);
        flags.hostname = Some("flag.example".into());
        let c = flags.resolve().expect("resolves");
        assert_eq!(c.http, None);
        assert_eq!(c.hostname, "flag.example");
        assert_eq!(c.whm_version, "11.130.0.1");
    }

    #[test]
    fn bad_settings_are_refused() {
        let refused = |flags: ServeFlags| assert!(flags.resolve().is_err(), "{flags:?}");
        refused(ServeFlags {
            whm_version: Some("11.120".into()),
            ..ServeFlags::default()
        });
        refused(ServeFlags {
            tls_cert: Some("c.pem".into()),
            ..ServeFlags::default()
        });
        refused(ServeFlags {
            header_timeout: Some(0),
            ..ServeFlags::default()
        });
        refused(ServeFlags {
            max_connections_per_address: Some(0),
            ..ServeFlags::default()
        });
        refused(ServeFlags {
            http: Some(Listen(None)),
            https: Some(Listen(None)),
            ..ServeFlags::default()
        });
        assert!("nonsense".parse::<Listen>().is_err());
    }

    #[test]
    fn database_url_is_redacted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut c = Config::ephemeral(dir.path());
        c.database_url = "postgres://u:hunter2@h/db".into();
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
