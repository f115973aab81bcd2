//! What a connection may take, in the spirit of Apache's mod_reqtimeout and of a cap per client:
//! headers within a time, bodies at a least rate after a grace time, and a cap on open
//! connections per address and in all. A client over a limit is closed; others keep being
//! served.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::time::Instant;

/// The limits, as configured (see the README's Configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// How long a client may take to send a request's headers (or finish a TLS handshake),
    /// and how long a kept-alive connection may wait idle for its next request.
    pub header_timeout: Duration,
    /// How long a body may take before `body_min_rate` applies.
    pub body_timeout: Duration,
    /// Bytes a second a body must arrive at after `body_timeout`, each byte buying more time
    /// (0: no rate).
    pub body_min_rate: u64,
    /// Open connections in all.
    pub max_connections: usize,
    /// Open connections from one address.
    pub max_per_address: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(20),
            body_timeout: Duration::from_secs(20),
            body_min_rate: 500,
            max_connections: 4096,
            max_per_address: 64,
        }
    }
}

impl Limits {
    /// When a body that began at `started` and has brought `received` bytes must be complete,
    /// or bring more: the grace time, plus a second for every `body_min_rate` bytes.
    pub fn body_deadline(&self, started: Instant, received: usize) -> Option<Instant> {
        if self.body_min_rate == 0 {
            return None;
        }
        let earned = Duration::from_secs_f64(received as f64 / self.body_min_rate as f64);
        Some(started + self.body_timeout + earned)
    }
}

/// Counts open connections, per address and in all.
#[derive(Debug, Clone)]
pub struct Gate {
    limits: Limits,
    open: Arc<Mutex<Open>>,
}

#[derive(Debug, Default)]
struct Open {
    total: usize,
    by_address: HashMap<IpAddr, usize>,
}

impl Gate {
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            open: Arc::default(),
        }
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// A pass for a new connection from `peer`, or `None` when it would go over a cap. The
    /// connection counts until the pass is dropped.
    pub fn admit(&self, peer: IpAddr) -> Option<Pass> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        if open.total >= self.limits.max_connections {
            return None;
        }
        let from_peer = open.by_address.entry(peer).or_insert(0);
        if *from_peer >= self.limits.max_per_address {
            return None;
        }
        *from_peer += 1;
        open.total += 1;
        Some(Pass {
            open: Arc::clone(&self.open),
            peer,
        })
    }
}

/// One admitted connection.
#[derive(Debug)]
pub struct Pass {
    open: Arc<Mutex<Open>>,
    peer: IpAddr,
}

impl Drop for Pass {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        open.total = open.total.saturating_sub(1);
        if let Some(n) = open.by_address.get_mut(&self.peer) {
            *n -= 1;
            if *n == 0 {
                open.by_address.remove(&self.peer);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_per_address_and_in_all() {
        let gate = Gate::new(Limits {
            max_connections: 3,
            max_per_address: 2,
            ..Limits::default()
        });
        let (a, b): (IpAddr, IpAddr) = ([127, 0, 0, 1].into(), [127, 0, 0, 2].into());
        let first = gate.admit(a).expect("first");
        let _second = gate.admit(a).expect("second");
        assert!(gate.admit(a).is_none(), "a third from one address");
        let _other = gate.admit(b).expect("another address");
        assert!(gate.admit(b).is_none(), "over the total");
        drop(first);
        assert!(
            gate.admit(a).is_some(),
            "a closed connection frees its place"
        );
    }

    #[test]
    fn each_byte_of_a_body_buys_time() {
        let limits = Limits::default();
        let start = Instant::now();
        assert_eq!(
            limits.body_deadline(start, 1000),
            Some(start + Duration::from_secs(22))
        );
        let no_rate = Limits {
            body_min_rate: 0,
            ..limits
        };
        assert_eq!(no_rate.body_deadline(start, 0), None);
    }
}
