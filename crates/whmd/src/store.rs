//! Opens the store a database URL names.

use anyhow::{Context as _, bail};
use whmd_domain::Stores;
use whmd_store_sqlite::SqliteStore;

pub async fn open(url: &str) -> anyhow::Result<Stores> {
    if url.starts_with("sqlite:") {
        let store = SqliteStore::open(url)
            .await
            .with_context(|| format!("cannot open the SQLite store at {url}"))?;
        return Ok(store.stores());
    }
    if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        bail!("this build of whmd has no PostgreSQL store yet; use a sqlite:// URL");
    }
    bail!("unsupported database URL (expected sqlite://PATH)");
}
