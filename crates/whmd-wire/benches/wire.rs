//! The per-request wire work: reading a request (document path and form arguments) and
//! rendering a reply envelope as JSON, XML and YAML. Run with
//! `cargo bench -p whmd-wire --bench wire`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use whmd_wire::render::{render, to_yaml};
use whmd_wire::{
    Api0Shape, Api1Shape, ApiFormat, ApiVersion, Args, Document, Outcome, Reply, ReplyStatus,
};

mod common;

/// A createacct call as billing systems send it.
const CREATEACCT: &str = "api.version=1&username=example&domain=example.com&plan=reseller_gold\
    &contactemail=owner%40example.org&password=Xy7%21kP2%40qLm9&cgi=1&hasshell=0&maxftp=10\
    &maxsql=5&maxpop=unlimited&maxlst=0&maxsub=unlimited&maxpark=2&maxaddon=2&bwlimit=10240\
    &quota=2048&language=en&ip=n&reseller=0&useregns=0&spamassassin=1&frontpage=0";

fn parsing(c: &mut Criterion) {
    let mut group = c.benchmark_group("request");
    group.bench_function("document path", |b| {
        b.iter(|| Document::parse(black_box("/cpsess0123456789/json-api/createacct")))
    });
    group.bench_function("createacct form arguments", |b| {
        b.iter(|| Args::from_form(black_box(CREATEACCT.as_bytes()), b""))
    });
    let body = format!(
        "{{{}}}",
        (0..100)
            .map(|i| format!("\"key{i}\":\"value {i}\""))
            .collect::<Vec<_>>()
            .join(",")
    );
    group.bench_function("JSON body of 100 arguments", |b| {
        b.iter(|| Args::from_json(b"api.version=1", black_box(body.as_bytes())))
    });
    group.finish();
}

fn rendering(c: &mut Criterion) {
    for records in [1, 1_000] {
        let reply = |version: &ApiVersion| {
            Reply::new(
                "listaccts",
                version,
                Api0Shape::Status {
                    ok: "Ok",
                    rename: None,
                },
                Api1Shape::Envelope,
                Outcome::ok(common::listaccts(records)),
                ReplyStatus::Ok,
            )
        };
        let (v1, v0) = (
            reply(&ApiVersion::V1).into_body(),
            reply(&ApiVersion::V0).into_body(),
        );
        let mut group = c.benchmark_group(format!("listaccts envelope, {records} records"));
        group.throughput(Throughput::Elements(records as u64));
        group.bench_function("JSON", |b| {
            b.iter(|| render(ApiFormat::Json, "result", black_box(&v1)))
        });
        group.bench_function("XML", |b| {
            b.iter(|| render(ApiFormat::Xml, "result", black_box(&v1)))
        });
        group.bench_function("XML, API 0", |b| {
            b.iter(|| render(ApiFormat::Xml, "listaccts", black_box(&v0)))
        });
        group.bench_function("YAML", |b| b.iter(|| to_yaml(black_box(&v1))));
        group.finish();
    }
}

criterion_group!(benches, parsing, rendering);
criterion_main!(benches);
