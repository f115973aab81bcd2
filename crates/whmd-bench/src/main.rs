//! `whmd-bench`: starts a baseline server and whmd on fresh stores of 1k, 10k and 100k accounts,
//! drives each with keep-alive load over HTTP and HTTPS, and writes the results table
//! (bench/results/latest.md). `bench/run` builds and runs it. A measurement, never a test.

mod baseline;
mod load;
mod process;
mod report;
mod scenarios;
mod seed;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use load::{Load, Target};
use process::Server;
use report::{Report, Row, Size};
use scenarios::Timing;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Parser)]
#[command(name = "whmd-bench", about = "Measure whmd against a baseline server")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Store sizes to measure, in accounts.
    #[arg(long, value_delimiter = ',', default_value = "1000,10000,100000")]
    sizes: Vec<u32>,
    /// Seconds each request kind is measured for, after a warm-up of a tenth of that.
    #[arg(long, default_value_t = 2.0)]
    seconds: f64,
    /// Rounds of the baseline and `version`, taken in turns, at each store size and
    /// transport; the round with the median ratio is reported.
    #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u32).range(1..=99))]
    rounds: u32,
    /// Keep-alive connections per run.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Where the Markdown results go.
    #[arg(long, default_value = "bench/results/latest.md")]
    out: PathBuf,
    /// Measure only the request kinds whose names contain this (for profiling one of them).
    #[arg(long)]
    only: Option<String>,
    /// The whmd binary [default: beside this one].
    #[arg(long)]
    whmd: Option<PathBuf>,
    /// whmd's log level (`WHMD_LOG`), e.g. `warn` for no line per request [default: whmd's
    /// own, one access-log line per request].
    #[arg(long)]
    whmd_log: Option<String>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// createacct and modifyacct through whmd on the (empty) PostgreSQL database at
    /// DATABASE_URL, seeded with --accounts accounts; prints one Markdown table row per
    /// request kind, labelled LABEL (bench/postgres runs it on one server and on a cluster).
    Writes {
        #[arg(long)]
        database_url: String,
        #[arg(long)]
        label: String,
        #[arg(long, default_value_t = 1000)]
        accounts: u32,
    },
    /// The baseline server (started by the driver itself).
    #[command(hide = true)]
    Baseline {
        #[arg(long)]
        http: SocketAddr,
        #[arg(long)]
        https: SocketAddr,
        #[arg(long)]
        tls_cert: PathBuf,
        #[arg(long)]
        tls_key: PathBuf,
    },
}

const TRANSPORTS: [&str; 2] = ["http", "https"];

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match cli.command {
        Some(Command::Baseline {
            http,
            https,
            tls_cert,
            tls_key,
        }) => runtime.block_on(baseline::serve(http, https, &tls_cert, &tls_key)),
        Some(Command::Writes {
            ref database_url,
            ref label,
            accounts,
        }) => runtime.block_on(writes(&cli, database_url, label, accounts)),
        None => runtime.block_on(run(&cli)),
    }
}

fn progress(what: &str) {
    eprintln!("whmd-bench: {what}");
}

/// What every measurement needs: the whmd binary, the timing, a work directory, the bench
/// certificate and a client for it.
struct Setup {
    whmd: PathBuf,
    timing: Timing,
    work: tempfile::TempDir,
    cert: PathBuf,
    key: PathBuf,
    tls: tokio_rustls::TlsConnector,
}

impl Setup {
    fn new(cli: &Cli) -> anyhow::Result<Self> {
        let whmd = match &cli.whmd {
            Some(path) => path.clone(),
            None => std::env::current_exe()?.with_file_name("whmd"),
        };
        let timing = Timing {
            warmup: Duration::from_secs_f64(cli.seconds / 10.0),
            duration: Duration::from_secs_f64(cli.seconds),
            concurrency: cli.concurrency,
        };
        let work = tempfile::tempdir()?;
        let certs = work.path().join("certs");
        whmd::tls::ensure_self_signed(&certs, "localhost")?;
        let (cert, key) = whmd::tls::generated_paths(&certs);
        let tls = load::tls_connector(&cert)?;
        Ok(Self {
            whmd,
            timing,
            work,
            cert,
            key,
            tls,
        })
    }

    /// `whmd serve` on a data directory in the work directory, its store at `database_url`
    /// or its own.
    async fn whmd(
        &self,
        dir: &Path,
        database_url: Option<&str>,
        cli: &Cli,
    ) -> anyhow::Result<Server> {
        Server::whmd(
            &self.whmd,
            dir,
            database_url,
            &self.cert,
            &self.key,
            cli.whmd_log.as_deref(),
        )
        .await
    }

    /// The account seeded stores are made of, created by a real createacct.
    async fn template(&self, cli: &Cli) -> anyhow::Result<seed::Template> {
        progress("template account");
        let template_dir = self.work.path().join("template");
        let server = self.whmd(&template_dir, None, cli).await?;
        let token = root_token(&template_dir)?;
        let target = target_of(&server, "http", &self.tls, Some(&token));
        let create = format!(
            "/json-api/createacct?api.version=1&username={}&domain={}.example.com&password=Template-Pw-1",
            seed::TEMPLATE_USER,
            seed::TEMPLATE_USER
        );
        load::run(&target, &once(create)).await?;
        server.stop().await?;
        seed::read_template(&template_dir).await
    }
}

async fn run(cli: &Cli) -> anyhow::Result<()> {
    let setup = Setup::new(cli)?;
    let (timing, work, tls) = (setup.timing, setup.work.path(), &setup.tls);
    let mut report = Report {
        header: header(cli, timing),
        ..Report::default()
    };
    // Started once; measured right before whmd at each size, so that each ratio compares
    // figures taken moments apart on a machine whose speed drifts.
    let baseline = Server::baseline(&setup.cert, &setup.key).await?;
    let template = setup.template(cli).await?;

    for &accounts in &cli.sizes {
        progress(&format!("{accounts} accounts: seeding"));
        let dir = work.join(format!("n{accounts}"));
        std::fs::create_dir(&dir)?;
        let seeded = seed::seed(&seed::database_url(&dir), &template, accounts).await?;
        let server = setup.whmd(&dir, None, cli).await?;
        let token = root_token(&dir)?;
        let rss_seeded = server.rss()?;
        let per_transport: Vec<_> = (0..)
            .zip(TRANSPORTS)
            .map(|(run, transport)| (transport, scenarios::all(accounts, run, timing)))
            .collect();
        let wanted = |request: &str| {
            cli.only
                .as_ref()
                .is_none_or(|only| request.contains(only.as_str()))
        };
        // The baseline and `version` (the first kind), taken in turns: their ratio is the
        // target, and on a machine whose speed drifts from one second to the next the round
        // with the median ratio is a steadier figure than one pair.
        for (transport, loads) in &per_transport {
            let (request, version) = &loads[0];
            let mut rounds = Vec::new();
            for round in 1..=cli.rounds {
                progress(&format!(
                    "{accounts} accounts: {transport} baseline and {request}, round {round} of {}",
                    cli.rounds
                ));
                let target = target_of(&baseline, transport, tls, None);
                let base = run_on(&baseline, &target, version).await?;
                let ours = if wanted(request) {
                    let target = target_of(&server, transport, tls, Some(&token));
                    let measured = run_on(&server, &target, version)
                        .await
                        .with_context(|| format!("{request} over {transport}"))?;
                    Some(measured)
                } else {
                    None
                };
                if let Some(ours) = ours {
                    let micros =
                        |d: Option<Duration>| d.map_or(f64::NAN, |d| d.as_secs_f64() * 1e6);
                    progress(&format!(
                        "{:.0} and {:.0} req/s: {:.1}%; server CPU {:.1} and {:.1} µs a \
                         request, load generator's {:.1} and {:.1}",
                        base.per_second(),
                        ours.per_second(),
                        100.0 * ours.per_second() / base.per_second(),
                        micros(base.cpu_per_request()),
                        micros(ours.cpu_per_request()),
                        micros(base.client_cpu_per_request()),
                        micros(ours.client_cpu_per_request()),
                    ));
                }
                rounds.push((base, ours));
            }
            let (base, ours) = median_round(rounds);
            let row = |request, measured| Row {
                accounts,
                transport,
                request,
                concurrency: version.concurrency,
                measured,
            };
            report.baseline.push(row("baseline", base));
            if let Some(ours) = ours {
                report.rows.push(row(request, ours));
            }
        }
        let mut rss_before_full_list = None;
        for kind in 1..per_transport[0].1.len() {
            for (transport, loads) in &per_transport {
                let (request, load) = &loads[kind];
                if !wanted(request) {
                    continue;
                }
                if *request == scenarios::FULL_LIST && rss_before_full_list.is_none() {
                    rss_before_full_list = Some(server.rss()?);
                }
                progress(&format!("{accounts} accounts: {transport} {request}"));
                let target = target_of(&server, transport, tls, Some(&token));
                report.rows.push(Row {
                    accounts,
                    transport,
                    request,
                    concurrency: load.concurrency,
                    measured: load::run(&target, load)
                        .await
                        .with_context(|| format!("{request} over {transport}"))?,
                });
            }
        }
        let rss_end = server.rss()?;
        report.sizes.push(Size {
            accounts,
            seed: seeded,
            rss_seeded_kib: rss_seeded.current_kib,
            rss_peak_before_full_list_kib: rss_before_full_list.unwrap_or(rss_end).peak_kib,
            rss_peak_kib: rss_end.peak_kib,
        });
        server.stop().await?;
    }

    baseline.stop().await?;
    let markdown = report.markdown();
    std::io::stdout().write_all(markdown.as_bytes())?;
    if let Some(dir) = cli.out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&cli.out, markdown)
        .with_context(|| format!("cannot write {}", cli.out.display()))?;
    progress(&format!("wrote {}", cli.out.display()));
    Ok(())
}

/// `load` against `server`, with the CPU time the server and the load generator spent on it:
/// figures that, unlike the rate, hardly move with what else the machine is doing.
async fn run_on(server: &Server, target: &Target, load: &Load) -> anyhow::Result<load::Measured> {
    let (before, client_before) = (server.cpu()?, process::cpu_of("self")?);
    let mut measured = load::run(target, load).await?;
    measured.server_cpu = Some(server.cpu()?.saturating_sub(before));
    measured.client_cpu = Some(process::cpu_of("self")?.saturating_sub(client_before));
    Ok(measured)
}

/// The round whose ratio of whmd to the baseline is the median (of the baseline alone when
/// whmd was not measured).
fn median_round(
    mut rounds: Vec<(load::Measured, Option<load::Measured>)>,
) -> (load::Measured, Option<load::Measured>) {
    let key = |(base, ours): &(load::Measured, Option<load::Measured>)| {
        ours.map_or(base.per_second(), |o| o.per_second() / base.per_second())
    };
    rounds.sort_by(|a, b| key(a).total_cmp(&key(b)));
    rounds.swap_remove(rounds.len() / 2)
}

async fn writes(cli: &Cli, database_url: &str, label: &str, accounts: u32) -> anyhow::Result<()> {
    let setup = Setup::new(cli)?;
    let template = setup.template(cli).await?;
    progress(&format!("{label}: seeding {accounts} accounts"));
    seed::seed(database_url, &template, accounts).await?;
    let dir = setup.work.path().join("writes");
    let server = setup.whmd(&dir, Some(database_url), cli).await?;
    let token = root_token(&dir)?;
    let target = target_of(&server, "http", &setup.tls, Some(&token));
    let loads = [
        ("createacct", scenarios::createacct(0, setup.timing)),
        (
            "modifyacct",
            scenarios::modifyacct(u64::from(accounts), setup.timing),
        ),
    ];
    let mut out = std::io::stdout().lock();
    for (request, load) in loads {
        progress(&format!("{label}: {request}"));
        let m = load::run(&target, &load)
            .await
            .with_context(|| format!("{request} on {label}"))?;
        writeln!(
            out,
            "| {label} | {request} | {} | {:.0} | {} | {} |",
            load.concurrency,
            m.per_second(),
            report::ms(m.p50),
            report::ms(m.p99)
        )?;
    }
    server.stop().await?;
    Ok(())
}

fn target_of(
    server: &Server,
    transport: &str,
    tls: &tokio_rustls::TlsConnector,
    token: Option<&str>,
) -> Target {
    let secure = transport == "https";
    Target {
        addr: if secure { server.https } else { server.http },
        tls: secure.then(|| tls.clone()),
        authorization: token.map(|t| Arc::from(format!("whm root:{t}"))),
    }
}

/// One request, once.
fn once(path: String) -> Load {
    Load {
        path: Arc::new(move |_: load::Slot| path.clone()),
        expect: "\"result\":1",
        concurrency: 1,
        warmup: Duration::ZERO,
        duration: Duration::ZERO,
        min_requests: 1,
    }
}

fn root_token(data_dir: &Path) -> anyhow::Result<String> {
    let path = whmd::bootstrap::root_token_path(data_dir);
    let token = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    Ok(token.trim().to_owned())
}

fn header(cli: &Cli, timing: Timing) -> Vec<String> {
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|| "unknown".to_owned());
    let date = std::process::Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    vec![
        format!("taken {date} at commit {commit}"),
        format!("machine: {cores} cores; load generator, whmd and the baseline share them"),
        format!(
            "each request kind: {:.1} s warm-up, then {:.1} s measured, {} keep-alive connections unless the table says fewer",
            timing.warmup.as_secs_f64(),
            timing.duration.as_secs_f64(),
            cli.concurrency
        ),
        "store: SQLite (WAL, synchronous=FULL), accounts seeded by snapshot import of copies of one createacct-made account".to_owned(),
        match &cli.whmd_log {
            None => "whmd runs with its default log level (info: an access-log line per request, \
                     its standard error written to a file)"
                .to_owned(),
            Some(level) => format!("whmd runs with WHMD_LOG={level}, its standard error written to a file"),
        },
    ]
}
