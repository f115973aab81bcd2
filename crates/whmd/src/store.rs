//! Opens the store a database URL names.

use anyhow::{Context as _, bail};
use std::time::Duration;
use tokio::time::Instant;
use whmd_domain::{StoreError, Stores};
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

/// The first wait between tries; each wait doubles, up to [`LONGEST_PAUSE`].
const FIRST_PAUSE: Duration = Duration::from_millis(500);
const LONGEST_PAUSE: Duration = Duration::from_secs(10);

/// Runs `attempt` (opening the store and the first writes a start makes) until it succeeds,
/// trying again with backoff for up to `wait` while the store is unavailable or a write's
/// outcome is unknown: a database starting, restarting or failing over, its migrations too,
/// may drop a connection at any step. Each try is logged. `attempt` must be safe to run again
/// after any step it has taken. Any other failure, or the last, is returned.
pub async fn waiting<T, F, Fut>(wait: Duration, mut attempt: F) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<T>>,
{
    let until = Instant::now() + wait;
    let mut pause = FIRST_PAUSE;
    let mut tries = 1u32;
    loop {
        let error = match attempt().await {
            Ok(done) => {
                if tries > 1 {
                    tracing::info!(tries, "the store is reachable");
                }
                return Ok(done);
            }
            Err(e) => e,
        };
        let left = until.saturating_duration_since(Instant::now());
        let passing = matches!(
            error.downcast_ref::<StoreError>(),
            Some(StoreError::Unavailable(_) | StoreError::OutcomeUnknown(_))
        );
        if !passing || left.is_zero() {
            return Err(error);
        }
        let next = pause.min(left);
        tracing::warn!(
            tries,
            error = format!("{error:#}"),
            retry_in_ms = u64::try_from(next.as_millis()).unwrap_or(u64::MAX),
            "the store cannot be reached yet; waiting for it"
        );
        tokio::time::sleep(next).await;
        pause = (pause * 2).min(LONGEST_PAUSE);
        tries += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_store_that_is_not_there_is_waited_for_then_given_up() {
        let started = Instant::now();
        let result = waiting(Duration::from_millis(1200), || {
            open("postgres://nobody@127.0.0.1:1/none")
        })
        .await;
        let error = result.expect_err("nothing listens on port 1");
        assert!(matches!(
            error.downcast_ref::<StoreError>(),
            Some(StoreError::Unavailable(_))
        ));
        // Tried at 0, 0.5 and 1.5 s (cut to 1.2): it waited, and stopped at the bound.
        assert!(started.elapsed() >= Duration::from_millis(1200));
    }

    #[tokio::test]
    async fn other_failures_are_not_waited_for() {
        let started = Instant::now();
        let result = waiting(Duration::from_secs(60), || open("mysql://x")).await;
        assert!(result.is_err());
        assert!(started.elapsed() < Duration::from_secs(30));
    }

    #[tokio::test]
    async fn a_connection_lost_after_opening_is_tried_again() {
        // A failover may cut the connection after the store opened, during the first writes.
        let mut tries = 0;
        let result = waiting(Duration::from_secs(60), || {
            tries += 1;
            let this = tries;
            async move {
                match this {
                    1 => Err(StoreError::Unavailable("lost".into()).into()),
                    2 => Err(StoreError::OutcomeUnknown("lost at commit".into()).into()),
                    n => Ok(n),
                }
            }
        })
        .await;
        assert_eq!(result.expect("the third try succeeds"), 3);
    }
}
