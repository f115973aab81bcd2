//! The output pipeline over 100,000 listaccts-shaped records: a filter, a numeric sort and a
//! 100-record page, as WHM's account list UI asks for them; also each step alone. Run with
//! `cargo bench -p whmd-wire --bench output`.

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
mod common;

use std::hint::black_box;
use whmd_wire::Args;
use whmd_wire::output::apply;

const RECORDS: usize = 100_000;

fn meta(q: &str) -> Args {
    Args::from_form(q.as_bytes(), b"").expect("query")
}

fn bench(c: &mut Criterion) {
    let data = common::listaccts(RECORDS);
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
