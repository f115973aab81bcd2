//! The output pipeline over 100,000 listaccts-shaped records: a filter, a numeric sort and a
//! 100-record page, as WHM's account list UI asks for them; also each step alone. Run with
//! `cargo bench -p whmd-wire --bench output`.

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use serde_json::{Map, Value, json};
use std::hint::black_box;
use whmd_wire::Args;
use whmd_wire::output::apply;

const RECORDS: usize = 100_000;

fn listaccts() -> Map<String, Value> {
    let acct: Vec<Value> = (0..RECORDS)
        .map(|i| {
            json!({
                "user": format!("user{i:06}"), "domain": format!("user{i:06}.example.com"), "ip": "192.0.2.10",
                "ipv6": [], "owner": if i % 10 == 0 { "reseller" } else { "root" }, "email": format!("u{i}@example.org"),
                "plan": "default", "theme": "jupiter", "shell": "/usr/local/cpanel/bin/noshell", "uid": 1001 + i,
                "partition": "home", "mailbox_format": "maildir", "startdate": "26 Dec 01 21:21",
                "unix_startdate": 1_796_160_112 + i, "suspended": i % 7 == 0, "suspendreason": "not suspended",
                "suspendtime": 0, "is_locked": 0, "outgoing_mail_suspended": 0, "outgoing_mail_hold": 0,
                "disklimit": "unlimited", "diskused": format!("{}M", i % 977), "inodeslimit": "unlimited", "inodesused": 0,
                "maxaddons": "0", "maxparked": "0", "maxftp": "unlimited", "maxlst": "unlimited",
                "maxpop": if i % 3 == 0 { "unlimited".to_owned() } else { (i % 500).to_string() },
                "maxsql": "unlimited", "maxsub": "unlimited", "max_emailacct_quota": "1024",
                "max_email_per_hour": "unlimited", "max_defer_fail_percentage": "unlimited",
                "min_defer_fail_to_trigger_protection": "5", "backup": 1, "legacy_backup": 0, "temporary": 0,
                "child_nodes": [], "has_backup": 0,
            })
        })
        .collect();
    let mut data = Map::new();
    data.insert("acct".into(), Value::Array(acct));
    data
}

fn meta(q: &str) -> Args {
    Args::from_form(q.as_bytes(), b"").expect("query")
}

fn bench(c: &mut Criterion) {
    let data = listaccts();
    let cases = [
        (
            "filter+sort+chunk",
            "api.filter.enable=1&api.filter.verbose=1&api.filter.a.field=owner&api.filter.a.type=eq&api.filter.a.arg0=root\
             &api.sort.enable=1&api.sort.a.field=diskused&api.sort.a.method=numeric&api.sort.a.reverse=1\
             &api.chunk.enable=1&api.chunk.verbose=1&api.chunk.size=100&api.chunk.start=201",
        ),
        (
            "filter contains",
            "api.filter.enable=1&api.filter.a.field=domain&api.filter.a.arg0=99.example",
        ),
        (
            "sort numeric",
            "api.sort.enable=1&api.sort.a.field=maxpop&api.sort.a.method=numeric_zero_as_max",
        ),
        (
            "chunk",
            "api.chunk.enable=1&api.chunk.size=100&api.chunk.select=500",
        ),
        (
            "columns",
            "api.columns.enable=1&api.columns.a=user&api.columns.b=domain",
        ),
    ];
    let mut group = c.benchmark_group("output over 100k records");
    group.sample_size(10);
    for (name, query) in cases {
        let m = meta(query);
        group.bench_function(name, |b| {
            b.iter_batched(
                || data.clone(),
                // The data is returned, so dropping it is not timed.
                |mut d| {
                    let report = apply(&m, &mut d, Some("acct"));
                    black_box((d, report))
                },
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
