//! The `whmd` command: `serve` runs the server; `passwd`, `access-hash`, `accounting-log` and
//! `migrate-store` work on its store; `host status` tells what the host has of each account.

use clap::{Parser, Subcommand};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;
use whmd::config::{HostFlags, ServeFlags, StoreFlags};

/// mimalloc rather than the system allocator: whmd's requests allocate many small objects,
/// and password hashing takes 19 MiB at a time, which glibc's per-thread arenas keep long after
/// it is freed (hundreds of MiB of RSS under a createacct burst; see bench/results).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(
    name = "whmd",
    version,
    about = "A server that speaks cPanel's WHM API"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server.
    Serve(Box<ServeFlags>),
    /// Set USER's password (read from standard input), for Basic auth.
    Passwd {
        user: String,
        #[command(flatten)]
        store: StoreFlags,
    },
    /// Make a new legacy access hash for USER (root or a reseller) and print it once.
    AccessHash {
        user: String,
        #[command(flatten)]
        store: StoreFlags,
    },
    /// Copy every table of one store into another, empty one, and check the row counts.
    MigrateStore {
        /// The store to copy (sqlite://PATH or postgres://…).
        #[arg(long)]
        from: String,
        /// The empty store to copy into.
        #[arg(long)]
        to: String,
    },
    /// Read a BIND zone file into the store as DOMAIN's zone.
    ImportZone {
        domain: String,
        file: std::path::PathBuf,
        /// The account the zone belongs to.
        #[arg(long, default_value = "root")]
        owner: String,
        /// Replace a zone of the same name.
        #[arg(long)]
        replace: bool,
        #[command(flatten)]
        store: StoreFlags,
    },
    /// Write USER's archive as cPanel's pkgacct does: DIR/cpmove-USER.tar.gz, with the home
    /// directory when it is on this host.
    Pkgacct {
        user: String,
        #[arg(default_value = ".")]
        dir: std::path::PathBuf,
        /// Leave the home directory out.
        #[arg(long)]
        skip_homedir: bool,
        #[command(flatten)]
        store: StoreFlags,
    },
    /// Restore accounts from cPanel archives (cpmove-USER.tar.gz, USER.tar.gz or .tar, the
    /// parts of a split archive, or an unpacked archive's directory), each with a summary by
    /// module. What whmd does not host yet is kept aside and reported.
    ImportCpanel {
        #[arg(required = true)]
        archives: Vec<std::path::PathBuf>,
        /// Check every archive and report what would be done, changing nothing.
        #[arg(long)]
        dry_run: bool,
        /// Where the archives' entries that are not applied are kept (default: the data
        /// directory's imports/).
        #[arg(long)]
        keep: Option<std::path::PathBuf>,
        /// Replace an account of the same name (its uid stays; its settings, home and zones
        /// become the archive's) instead of refusing.
        #[arg(long)]
        overwrite: bool,
        #[command(flatten)]
        store: StoreFlags,
        #[command(flatten)]
        host: HostFlags,
    },
    /// What the host has for each account (with --provision linux).
    #[command(subcommand)]
    Host(HostCommand),
    /// Print the OpenAPI 3.1 document of every function whmd serves.
    Openapi,
    /// Print the newest accounting-log entries as cPanel's accounting.log lines.
    AccountingLog {
        /// How many entries, newest last.
        #[arg(long, default_value_t = 100)]
        lines: u32,
        #[command(flatten)]
        store: StoreFlags,
    },
}

#[derive(Debug, Subcommand)]
enum HostCommand {
    /// For each account (or USER's alone): converged, pending (and what a pass would still
    /// do), refused (and why), removal pending, or orphan. Changes nothing.
    Status {
        user: Option<String>,
        #[command(flatten)]
        store: StoreFlags,
        #[command(flatten)]
        host: HostFlags,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Lines (the access log among them: one per request at the default level) are formatted on
    // the request's thread and written to standard error in batches by a thread of their own
    // (`whmd::log_writer`), so a request never waits on the terminal or the pipe. The guard
    // writes what is left at exit.
    let (writer, _flush_at_exit) = match whmd::log_writer::start(std::io::stderr()) {
        Ok(started) => started,
        Err(e) => {
            eprintln!("whmd: cannot start the log writer: {e}");
            return ExitCode::FAILURE;
        }
    };
    let ansi = std::io::stderr().is_terminal();
    whmd::access_log::install(writer.clone(), ansi);
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("WHMD_LOG").unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(writer)
        .event_format(whmd::log_format::Lines { ansi })
        .fmt_fields(whmd::log_format::Fields)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("whmd: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve(flags) => serve(*flags).await,
            Command::Passwd { user, store } => {
                whmd::passwd::run(&user, &store, std::io::stdin().lock()).await
            }
            Command::AccountingLog { lines, store } => accounting_log(lines, &store).await,
            Command::Host(HostCommand::Status { user, store, host }) => {
                host_status(user.as_deref(), store, host).await
            }
            Command::AccessHash { user, store } => access_hash(&user, &store).await,
            Command::Openapi => openapi(),
            Command::MigrateStore { from, to } => migrate_store(&from, &to).await,
            Command::ImportZone {
                domain,
                file,
                owner,
                replace,
                store,
            } => import_zone(&domain, &file, &owner, replace, &store).await,
            Command::Pkgacct {
                user,
                dir,
                skip_homedir,
                store,
            } => pkgacct(&user, &dir, skip_homedir, &store).await,
            Command::ImportCpanel {
                archives,
                dry_run,
                keep,
                overwrite,
                store,
                host,
            } => {
                let choices = whmd::import_cpanel::Choices {
                    keep: keep.as_deref(),
                    dry_run,
                    overwrite,
                    progress: std::io::stderr().is_terminal(),
                };
                import_cpanel(&archives, choices, &store, &host).await
            }
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("whmd: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(flags: ServeFlags) -> anyhow::Result<()> {
    let config = flags.resolve()?;
    tracing::info!(?config, "starting");
    let running = whmd::start(config.clone()).await?;
    if let Some(token) = &running.new_root_token {
        // Shown once; the file keeps it for scripts.
        #[allow(clippy::print_stdout)]
        {
            println!("root API token: {}", token.expose());
            println!(
                "(saved to {})",
                whmd::bootstrap::root_token_path(&config.data_dir).display()
            );
        }
    }
    for (name, addr) in [("https", running.https), ("http", running.http)] {
        if let Some(addr) = addr {
            tracing::info!(%addr, "listening for {name}");
        }
    }
    shutdown_signal().await;
    tracing::info!("shutting down");
    running.shutdown().await;
    Ok(())
}

async fn accounting_log(lines: u32, flags: &StoreFlags) -> anyhow::Result<()> {
    let config = flags.resolve()?;
    let stores = whmd::store::open(&config.database_url).await?;
    let mut out = std::io::stdout().lock();
    for entry in stores.accounts.accounting_log(lines).await? {
        writeln!(out, "{}", entry.line())?;
    }
    Ok(())
}

async fn pkgacct(
    user: &str,
    dir: &std::path::Path,
    skip_homedir: bool,
    store: &StoreFlags,
) -> anyhow::Result<()> {
    let packed = whmd::pkgacct::run(user, dir, skip_homedir, store).await?;
    let mut out = std::io::stdout().lock();
    for skipped in &packed.skipped {
        writeln!(
            out,
            "left out (a socket, pipe or device): {}",
            skipped.display()
        )?;
    }
    let home = if packed.home { "with" } else { "without" };
    writeln!(
        out,
        "{} written, {home} the home directory",
        packed.path.display()
    )?;
    writeln!(out, "pkgacct completed")?;
    Ok(())
}

async fn import_cpanel(
    archives: &[std::path::PathBuf],
    choices: whmd::import_cpanel::Choices<'_>,
    store: &StoreFlags,
    host: &HostFlags,
) -> anyhow::Result<()> {
    let imported = whmd::import_cpanel::run(archives, choices, store, host).await?;
    let mut out = std::io::stdout().lock();
    for one in &imported {
        write!(
            out,
            "{}",
            whmd::import_cpanel::summary(one, choices.dry_run)
        )?;
    }
    let failed = imported.iter().filter(|i| i.outcome.is_err()).count();
    if failed > 0 {
        anyhow::bail!("{failed} of {} archives were not restored", imported.len());
    }
    Ok(())
}

fn openapi() -> anyhow::Result<()> {
    let registry = whmd_api::Registry::standard();
    let document = whmd_api::openapi::document(&registry, whmd::config::DEFAULT_WHM_VERSION);
    writeln!(std::io::stdout().lock(), "{document:#}")?;
    Ok(())
}

async fn access_hash(user: &str, flags: &StoreFlags) -> anyhow::Result<()> {
    let hash = whmd::access_hash::run(user, flags).await?;
    writeln!(std::io::stdout().lock(), "{}", hash.expose())?;
    Ok(())
}

async fn import_zone(
    domain: &str,
    file: &std::path::Path,
    owner: &str,
    replace: bool,
    store: &StoreFlags,
) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(file)?;
    let records = whmd::import_zone::run(domain, &text, owner, replace, store).await?;
    writeln!(
        std::io::stdout().lock(),
        "imported {domain}: {records} records"
    )?;
    Ok(())
}

async fn host_status(user: Option<&str>, store: StoreFlags, host: HostFlags) -> anyhow::Result<()> {
    let config = ServeFlags {
        store,
        host,
        ..ServeFlags::default()
    }
    .resolve()?;
    let stores = whmd::store::open(&config.database_url).await?;
    let lines = whmd::host::status(&config.host, &config.hostname, &stores, user).await?;
    let mut out = std::io::stdout().lock();
    for line in lines {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

async fn migrate_store(from: &str, to: &str) -> anyhow::Result<()> {
    let c = whmd::migrate::run(from, to).await?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "copied {} accounts, {} API tokens, {} passwords, {} accounting-log entries, {} packages, \
         {} feature lists, {} ACL lists, {} sessions, {} access hashes, {} settings, \
         {} cPHulk list entries, {} blocks, {} failed logins, {} DNS zones, {} pool addresses, \
         {} pending host removals, {} backup destinations; row counts match",
        c.accounts,
        c.tokens,
        c.passwords,
        c.log,
        c.packages,
        c.feature_lists,
        c.acl_lists,
        c.sessions,
        c.access_hashes,
        c.settings,
        c.hulk_records,
        c.hulk_blocks,
        c.hulk_failures,
        c.zones,
        c.addresses,
        c.removals,
        c.destinations
    )?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
