//! Which successful logins were audited lately, so that a caller making many requests gets a
//! `login_succeeded` line when it starts and then once per [`PERIOD`], not one per request
//! (the access log has every request; docs/compatibility.md, "The audit log").

use crate::audit::Method;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a success is not audited again for the same user, address and method.
pub const PERIOD: Duration = Duration::from_secs(60);

/// Beyond this many remembered callers the memory starts over (auditing more, never less).
const MAX_ENTRIES: usize = 4096;

#[derive(Debug, Default)]
pub(super) struct RecentSuccesses {
    seen: Mutex<Seen>,
}

#[derive(Debug, Default)]
struct Seen {
    /// By address and method, then user: a lookup needs no owned key.
    by: HashMap<(IpAddr, Method), HashMap<String, Instant>>,
    /// Users remembered, over every address and method.
    len: usize,
}

impl RecentSuccesses {
    /// Whether this success, at `now`, is the first for `user` from `ip` by `method` in
    /// [`PERIOD`] (and so is to be audited); remembers it if so.
    pub(super) fn first_in_period(
        &self,
        user: &str,
        ip: IpAddr,
        method: Method,
        now: Instant,
    ) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let recent = seen
            .by
            .get(&(ip, method))
            .and_then(|users| users.get(user))
            .is_some_and(|at| now.saturating_duration_since(*at) < PERIOD);
        if recent {
            return false;
        }
        if seen.len >= MAX_ENTRIES {
            *seen = Seen::default();
        }
        let fresh = seen
            .by
            .entry((ip, method))
            .or_default()
            .insert(user.to_owned(), now)
            .is_none();
        seen.len += usize::from(fresh);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOME: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    #[test]
    fn a_success_is_audited_once_per_period_per_user_address_and_method() {
        let recent = RecentSuccesses::default();
        let t0 = Instant::now();
        assert!(recent.first_in_period("root", HOME, Method::ApiToken, t0));
        assert!(!recent.first_in_period("root", HOME, Method::ApiToken, t0 + PERIOD / 2));
        assert!(recent.first_in_period("bob", HOME, Method::ApiToken, t0));
        assert!(recent.first_in_period("root", HOME, Method::Password, t0));
        let other: IpAddr = "192.0.2.7".parse().expect("address");
        assert!(recent.first_in_period("root", other, Method::ApiToken, t0));
        assert!(recent.first_in_period("root", HOME, Method::ApiToken, t0 + PERIOD));
    }

    #[test]
    fn many_callers_start_the_memory_over_rather_than_grow_it() {
        let recent = RecentSuccesses::default();
        let t0 = Instant::now();
        for i in 0..MAX_ENTRIES + 10 {
            assert!(recent.first_in_period(&format!("u{i}"), HOME, Method::ApiToken, t0));
        }
        let seen = recent.seen.lock().expect("lock");
        assert!(seen.len <= MAX_ENTRIES);
        assert_eq!(seen.len, seen.by.values().map(HashMap::len).sum::<usize>());
    }
}
