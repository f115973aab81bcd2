//! Store outages, logged once each: when the first call finds the store unavailable, an error
//! line says so; while it lasts, calls get 503 and log at debug level only; a probe asks the
//! store every [`PROBE_EVERY`] whether it takes writes again, and when it does a line says the
//! outage ended, how long it lasted and how many calls it refused (docs/compatibility.md,
//! "Health").

use std::error::Error;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use whmd_domain::store::HealthStore;

/// How often the store is asked, during an outage, whether it is back.
pub const PROBE_EVERY: Duration = Duration::from_secs(1);

/// How long one probe may take before it counts as a failure.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone)]
pub struct Outage {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    health: Arc<dyn HealthStore>,
    current: Mutex<Option<Current>>,
}

#[derive(Debug)]
struct Current {
    began: Instant,
    refused: u64,
}

impl Outage {
    pub fn new(health: Arc<dyn HealthStore>) -> Self {
        Self {
            inner: Arc::new(Inner {
                health,
                current: Mutex::new(None),
            }),
        }
    }

    /// A call (`what`: a function's name, or the step that failed) found the store
    /// unavailable; `incident` is the ID its reply gave.
    pub fn failed(&self, what: &str, incident: u32, error: &dyn Error) {
        let began = {
            let mut current = self.lock();
            match current.as_mut() {
                Some(outage) => {
                    outage.refused += 1;
                    false
                }
                None => {
                    *current = Some(Current {
                        began: Instant::now(),
                        refused: 1,
                    });
                    true
                }
            }
        };
        let error = chain(error);
        if began {
            tracing::error!(what, incident, %error, "the store is unavailable: calls get 503 until it is back");
            self.probe();
        } else {
            tracing::debug!(what, incident, %error, "the store is still unavailable");
        }
    }

    /// Whether an outage is going on.
    pub fn ongoing(&self) -> bool {
        self.lock().is_some()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Current>> {
        self.inner.current.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Asks the store until it is ready, then ends the outage. Runs on the current Tokio
    /// runtime; without one, the outage ends at once (each failure is logged as its own).
    fn probe(&self) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            *self.lock() = None;
            return;
        };
        let outage = self.clone();
        runtime.spawn(async move {
            loop {
                tokio::time::sleep(PROBE_EVERY).await;
                let ready = tokio::time::timeout(PROBE_TIMEOUT, outage.inner.health.ready()).await;
                if matches!(ready, Ok(Ok(()))) {
                    break;
                }
            }
            if let Some(ended) = outage.lock().take() {
                let seconds = ended.began.elapsed().as_secs_f64();
                tracing::warn!(
                    seconds = format_args!("{seconds:.1}"),
                    refused = ended.refused,
                    "the store is available again"
                );
            }
        });
    }
}

/// An error with its sources, `: `-separated.
pub fn chain(e: &dyn Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use whmd_domain::StoreError;

    /// A store that is down for its first `down` probes.
    #[derive(Debug)]
    struct Flaky {
        down: usize,
        asked: AtomicUsize,
    }

    #[async_trait::async_trait]
    impl HealthStore for Flaky {
        async fn ready(&self) -> Result<(), StoreError> {
            if self.asked.fetch_add(1, Ordering::SeqCst) < self.down {
                Err(StoreError::Unavailable("down".into()))
            } else {
                Ok(())
            }
        }
    }

    fn outage(down: usize) -> (Outage, Arc<Flaky>) {
        let store = Arc::new(Flaky {
            down,
            asked: AtomicUsize::new(0),
        });
        (Outage::new(store.clone()), store)
    }

    fn unavailable() -> StoreError {
        StoreError::Unavailable("connection refused".into())
    }

    #[tokio::test(start_paused = true)]
    async fn an_outage_lasts_until_the_store_is_ready_again() {
        let (outage, store) = outage(3);
        assert!(!outage.ongoing());
        outage.failed("createacct", 1, &unavailable());
        outage.failed("createacct", 2, &unavailable());
        assert!(outage.ongoing());
        assert_eq!(outage.lock().as_ref().map(|c| c.refused), Some(2));
        // Probed once a second; ready at the fourth.
        tokio::time::sleep(PROBE_EVERY * 3 + PROBE_EVERY / 2).await;
        assert!(outage.ongoing());
        tokio::time::sleep(PROBE_EVERY).await;
        assert!(!outage.ongoing());
        assert_eq!(store.asked.load(Ordering::SeqCst), 4);
        // No more probes once it ended; a new failure starts a new outage.
        tokio::time::sleep(PROBE_EVERY * 5).await;
        assert_eq!(store.asked.load(Ordering::SeqCst), 4);
        outage.failed("listaccts", 3, &unavailable());
        assert!(outage.ongoing());
    }

    #[test]
    fn errors_are_told_with_their_sources() {
        let e = whmd_wire::WhmError::Unavailable(Box::new(unavailable()));
        assert_eq!(
            chain(&e),
            format!("{e}: the store is unavailable: connection refused")
        );
    }
}
