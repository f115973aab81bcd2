//! How createacct and listaccts cost grows with the number of accounts, on SQLite and, when
//! `WHMD_BENCH_POSTGRES_URL` names a PostgreSQL server, on PostgreSQL beside it. Run with
//! `cargo bench -p whmd --bench accounts` (add `-- 1000` for one size). It starts a real server
//! on a fresh store on loopback and drives it over keep-alive HTTP with a fixed concurrency.
//! A measurement, never a test: it asserts nothing about time.

use std::time::{Duration, Instant};
use whmd::Config;

const CONCURRENCY: usize = 8;
const LIST_RUNS: usize = 5;

#[allow(clippy::print_stdout)]
fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect::<Vec<_>>();
    let sizes = if sizes.is_empty() {
        vec![1_000, 10_000]
    } else {
        sizes
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let postgres = std::env::var("WHMD_BENCH_POSTGRES_URL").ok();
    println!(
        "| store | accounts | createacct/s | createacct p50 | createacct p99 | listaccts (all) mean |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for n in sizes {
        println!("{}", runtime.block_on(measure(n, None)));
        if let Some(admin) = &postgres {
            println!("{}", runtime.block_on(measure(n, Some(admin))));
        }
    }
}

async fn measure(n: usize, postgres: Option<&str>) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = Config::ephemeral(dir.path());
    if let Some(admin) = postgres {
        let name = format!("whmd_bench_{:016x}", rand::random::<u64>());
        config.database_url = whmd_store_postgres::scratch::create_database(admin, &name)
            .await
            .expect("database");
    }
    let store = if postgres.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let running = whmd::start(config).await.expect("server");
    let token = running.new_root_token.clone().expect("token");
    let base = format!("http://{}", running.http.expect("http"));
    let auth = format!("whm root:{}", token.expose());
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENCY)
        .build()
        .expect("client");

    let started = Instant::now();
    let mut latencies = Vec::with_capacity(n);
    let per_worker = n.div_ceil(CONCURRENCY);
    let workers: Vec<_> = (0..CONCURRENCY)
        .map(|w| {
            let (client, base, auth) = (client.clone(), base.clone(), auth.clone());
            tokio::spawn(async move {
                let mut times = Vec::with_capacity(per_worker);
                for i in (w * per_worker)..((w + 1) * per_worker).min(n) {
                    let url = format!(
                        "{base}/json-api/createacct?api.version=1&username=b{i:06}&domain=b{i:06}.example.com&password=Bench-{i}-pw"
                    );
                    let t = Instant::now();
                    let reply = client.get(&url).header("Authorization", &auth).send().await.expect("sent");
                    let body = reply.text().await.expect("body");
                    assert!(body.contains("\"result\":1"), "{body}");
                    times.push(t.elapsed());
                }
                times
            })
        })
        .collect();
    for w in workers {
        latencies.extend(w.await.expect("worker"));
    }
    let create_secs = started.elapsed().as_secs_f64();
    latencies.sort();

    let mut list_total = Duration::ZERO;
    for _ in 0..LIST_RUNS {
        let t = Instant::now();
        let body = client
            .get(format!("{base}/json-api/listaccts?api.version=1"))
            .header("Authorization", &auth)
            .send()
            .await
            .expect("sent")
            .text()
            .await
            .expect("body");
        list_total += t.elapsed();
        assert!(body.len() > n * 100, "every account listed");
    }
    running.shutdown().await;
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    format!(
        "| {store} | {n} | {:.0} | {:.1} ms | {:.1} ms | {:.1} ms |",
        n as f64 / create_secs,
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        list_total.as_secs_f64() * 1e3 / LIST_RUNS as f64,
    )
}
