//! What a command-line tool runs functions with: the context of the server its flags
//! describe (its store, audit log, zone publisher and host), opened in-process. With
//! provisioning on, the tool converges the host itself unless a running server holds it
//! (then that server does, on its own). Zone changes reach the name server's files at once,
//! as they do through the server.

use crate::audit::{self, FileAudit};
use crate::config::{Config, HostFlags, ServeFlags, StoreFlags};
use crate::host::{self, Opener};
use std::sync::Arc;
use whmd_api::Context;

/// The context, and the configuration it was opened from.
pub async fn context(
    store: &StoreFlags,
    host: &HostFlags,
) -> anyhow::Result<(Arc<Context>, Config)> {
    let config = ServeFlags {
        store: store.clone(),
        host: host.clone(),
        ..ServeFlags::default()
    }
    .resolve()?;
    let stores = crate::store::open(&config.database_url).await?;
    let audit = FileAudit::open(&audit::path(&config.data_dir))?;
    let dns = crate::zones::publisher(
        config.zone_dir.as_deref(),
        config.dns_reload.as_deref(),
        stores.zones.clone(),
    )?;
    let hosting = host::open(&config.host, &config.hostname, &stores, Opener::Tool)?;
    let ctx = Context::new(config.server_info()?, stores, hosting.host, Arc::new(audit))
        .with_zone_publisher(dns);
    Ok((Arc::new(ctx), config))
}
