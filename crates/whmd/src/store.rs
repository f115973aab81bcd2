//! Opens the store a database URL names.

use anyhow::{Context as _, bail};
use whmd_domain::Stores;
use whmd_store_postgres::PostgresStore;
use whmd_store_sqlite::SqliteStore;

pub async fn open(url: &str) -> anyhow::Result<Stores> {
    if url.starts_with("sqlite:") {
        let store = SqliteStore::open(url)
            .await
            .with_context(|| format!("cannot open the SQLite store at {url}"))?;
        return Ok(store.stores());
    }
    if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        // The URL may hold a password: it is not repeated in the error.
        let store = PostgresStore::open(url)
            .await
            .context("cannot open the PostgreSQL store")?;
        return Ok(store.stores());
    }
    bail!("unsupported database URL (expected sqlite://PATH or postgres://…)");
}
