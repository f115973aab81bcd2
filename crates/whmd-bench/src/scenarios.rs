//! The requests the load driver measures at each store size, as WHM clients send them.

use crate::load::{Load, PathFn, Slot};
use crate::seed::seeded_user;
use std::sync::Arc;
use std::time::Duration;

/// How each run is timed and how many connections it uses.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    pub warmup: Duration,
    pub duration: Duration,
    pub concurrency: usize,
}

/// The listaccts query a billing system's account list sends: a domain search, sorted by
/// domain, the second page of 100.
pub const LISTACCTS_PAGE: &str = "/json-api/listaccts?api.version=1\
    &api.filter.enable=1&api.filter.a.field=domain&api.filter.a.type=contains&api.filter.a.arg0=5\
    &api.sort.enable=1&api.sort.a.field=domain&api.sort.a.method=lexicographic\
    &api.chunk.enable=1&api.chunk.size=100&api.chunk.start=101";

/// The names the results' targets look for.
pub const PAGE: &str = "listaccts (filter, sort, page)";
pub const PAGE_ALONE: &str = "listaccts (filter, sort, page), alone";

/// The whole-list request, run last.
pub const FULL_LIST: &str = "listaccts (all)";

const OK: &str = "\"result\":1";

fn fixed(path: &'static str) -> PathFn {
    Arc::new(move |_: Slot| path.to_owned())
}

/// The named loads for a store of `accounts` accounts, the whole-list one last so that the
/// memory peak before it can be read apart. `run` keeps the names createacct makes
/// apart between runs on the same store.
pub fn all(accounts: u32, run: u32, timing: Timing) -> Vec<(&'static str, Load)> {
    let load = |path: PathFn, concurrency: usize, min_requests: u64| Load {
        path,
        expect: OK,
        concurrency,
        warmup: timing.warmup,
        duration: timing.duration,
        min_requests,
    };
    let c = timing.concurrency;
    let n = u64::from(accounts);
    let pick = move |i: u64| seeded_user(u32::try_from(i.wrapping_mul(7919) % n).unwrap_or(0));
    vec![
        (
            "version",
            load(fixed("/json-api/version?api.version=1"), c, 1),
        ),
        (
            "accountsummary",
            load(
                Arc::new(move |s: Slot| {
                    format!(
                        "/json-api/accountsummary?api.version=1&user={}",
                        pick(s.overall)
                    )
                }),
                c,
                1,
            ),
        ),
        (PAGE, load(fixed(LISTACCTS_PAGE), c, 1)),
        // Alone, for its latency without queueing behind other connections.
        (PAGE_ALONE, load(fixed(LISTACCTS_PAGE), 1, 1)),
        ("createacct", createacct(run, timing)),
        ("modifyacct", modifyacct(n, timing)),
        (
            "myprivs",
            load(fixed("/json-api/myprivs?api.version=1"), c, 1),
        ),
        // Each answer holds every account; two at a time, and at least a few of them.
        (
            FULL_LIST,
            load(fixed("/json-api/listaccts?api.version=1"), c.min(2), 4),
        ),
    ]
}

/// A new account at each request (durable creates); `run` keeps the names of runs on one
/// store apart.
pub fn createacct(run: u32, timing: Timing) -> Load {
    Load {
        path: Arc::new(move |s: Slot| {
            let i = s.overall;
            format!(
                "/json-api/createacct?api.version=1&username=c{run}{i:06}\
                 &domain=c{run}{i:06}.example.net&password=Bench-{i}-Pw&plan=default"
            )
        }),
        expect: OK,
        concurrency: timing.concurrency,
        warmup: timing.warmup,
        duration: timing.duration,
        min_requests: 1,
    }
}

/// A change to one of the `n` seeded accounts at each request.
pub fn modifyacct(n: u64, timing: Timing) -> Load {
    let c = timing.concurrency as u64;
    Load {
        // Each connection changes accounts of its own: two changes of one account at once
        // would rightly be refused as a conflict.
        path: Arc::new(move |s: Slot| {
            let per_connection = (n / c).max(1);
            let account = s.connection as u64 + c * (s.on_connection % per_connection);
            format!(
                "/json-api/modifyacct?api.version=1&user={}&MAXFTP={}",
                seeded_user(u32::try_from(account % n).unwrap_or(0)),
                s.on_connection % 50
            )
        }),
        expect: OK,
        concurrency: timing.concurrency,
        warmup: timing.warmup,
        duration: timing.duration,
        min_requests: 1,
    }
}
