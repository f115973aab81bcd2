//! `whmapi1` and `whmapi0`: WHM's command-line tools. They run a function in-process, through
//! the same registry and dispatcher as the server, against the same store (also while the
//! server runs: SQLite in WAL mode takes no exclusive lock), as root or as `--user`.
//!
//! Exit status: 0 when the function ran, whatever its `result`; 1 when it could not run (an
//! unknown function, a refused privilege, a user that is not root or a reseller, an
//! unreachable store), with the reason on standard error and nothing on standard output; 2 for
//! a usage error.

use anyhow::{Context as _, bail};
use clap::{Parser, ValueEnum};
use percent_encoding::percent_decode_str;
use std::io::Write;
use std::process::ExitCode;
use whmd::config::{HostFlags, StoreFlags};
use whmd_api::dispatch;
use whmd_domain::{AuthMethod, Principal};
use whmd_wire::render::{to_xml, to_yaml};
use whmd_wire::{AclSet, ApiVersion, Args, ReplyStatus};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Yaml,
    Json,
    Jsonpretty,
    Xml,
}

#[derive(Debug, Parser)]
pub struct Cli {
    /// How to print the reply.
    #[arg(long, value_enum, default_value = "yaml")]
    output: Format,
    /// Run as this user (root or a reseller) instead of root.
    #[arg(long, default_value = "root")]
    user: String,
    #[command(flatten)]
    store: StoreFlags,
    #[command(flatten)]
    host: HostFlags,
    /// The function to run.
    function: String,
    /// Arguments as key=value, values URI-encoded; repeat a key for a list.
    args: Vec<String>,
}

/// Runs the tool for `version` (API 1 for whmapi1, API 0 for whmapi0).
pub fn main(version: ApiVersion) -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(&format!("cannot start: {e}")),
    };
    match runtime.block_on(run(&cli, &version)) {
        Ok(text) => {
            let mut out = std::io::stdout().lock();
            if out.write_all(text.as_bytes()).is_err() {
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(&format!("{e:#}")),
    }
}

fn fail(message: &str) -> ExitCode {
    let _ = writeln!(std::io::stderr(), "{message}");
    ExitCode::FAILURE
}

async fn run(cli: &Cli, version: &ApiVersion) -> anyhow::Result<String> {
    let (ctx, _) = whmd::tool::context(&cli.store, &cli.host).await?;
    let principal = principal(&cli.user, &ctx.stores).await?;
    let Some(spec) = ctx.registry.get(&cli.function, version) else {
        bail!("{}", whmd_wire::unknown_app_reason(&cli.function, version));
    };
    if !spec.permits(&principal) {
        bail!(
            "{} may not run {}: permission denied.",
            principal.user,
            cli.function
        );
    }
    let args = arguments(&cli.args, version)?;
    let reply = dispatch::call(&ctx, principal, None, &cli.function, args)
        .await
        .collect()
        .await?;
    let (status, root) = (reply.status, reply.root.clone());
    let body = reply.into_body();
    if status != ReplyStatus::Ok {
        let reason = body["metadata"]["reason"]
            .as_str()
            .or(body["statusmsg"].as_str())
            .unwrap_or("the call failed");
        bail!("{reason}");
    }
    Ok(match cli.output {
        Format::Yaml => to_yaml(&body),
        Format::Json => format!("{}\n", serde_json::to_string(&body)?),
        Format::Jsonpretty => format!("{}\n", serde_json::to_string_pretty(&body)?),
        Format::Xml => format!("{}\n", to_xml(&root, &body)),
    })
}

/// The caller: root, or a reseller (with its own privileges), trusted because the tool runs on
/// the server itself.
async fn principal(user: &str, stores: &whmd_domain::Stores) -> anyhow::Result<Principal> {
    let acls = if user == "root" {
        AclSet::root()
    } else {
        let account = stores
            .accounts
            .account(user)
            .await
            .context("cannot read the store")?;
        match account.and_then(|a| a.reseller_acls()) {
            Some(acls) => acls,
            None => bail!("“{user}” is neither root nor a reseller."),
        }
    };
    Ok(Principal {
        user: user.to_owned(),
        acls,
        method: AuthMethod::Local,
    })
}

/// `key=value` words, each URI-decoded (`+` as a space), a repeated key kept as key-N.
fn arguments(words: &[String], version: &ApiVersion) -> anyhow::Result<Args> {
    let mut pairs = Vec::with_capacity(words.len() + 1);
    for word in words {
        let Some((key, value)) = word.split_once('=') else {
            bail!("“{word}” is not a key=value argument.");
        };
        let decode = |s: &str| -> anyhow::Result<String> {
            let spaced = s.replace('+', " ");
            Ok(percent_decode_str(&spaced)
                .decode_utf8()
                .context("an argument is not valid UTF-8 once decoded")?
                .into_owned())
        };
        pairs.push((decode(key)?, decode(value)?));
    }
    if *version == ApiVersion::V1 {
        pairs.push(("api.version".to_owned(), "1".to_owned()));
    }
    Ok(Args::from_pairs(pairs)?)
}
