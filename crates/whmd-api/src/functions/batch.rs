//! batch (docs/compatibility.md, "Output controls, batch and the command line"): several API 1
//! calls in one request. Every command is checked (exists, is not itself a batch, is permitted, and
//! for a reseller names only accounts and zones it may act on) before any runs; then they run in
//! order, each with its own arguments and output controls, and their envelopes come back in
//! `data.result`.

use super::dns::zone_name;
use crate::function::function;
use crate::registry::Call;
use crate::{Access, FunctionSpec, dispatch};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tracing::Instrument;
use whmd_domain::account::require_access;
use whmd_domain::dns::may_manage;
use whmd_wire::params::Flag;
use whmd_wire::{Acl, ApiVersion, Args, Outcome, WhmError, unknown_app_reason};

pub const FUNCTIONS: &[FunctionSpec] = &[function!("batch", Acl::BASIC_WHM_FUNCTIONS, V1, batch)];

#[derive(Debug, Deserialize, JsonSchema)]
struct Batch {
    /// `FUNCTION?ARGUMENTS`, one per command, repeated (or as `command-N`), run in order.
    command: Vec<String>,
    /// Stop at the first command that fails.
    #[serde(default)]
    abort_on_error: Flag<false>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct BatchResponse {
    /// Each command's whole API 1 reply, in order.
    result: Vec<Value>,
}

/// One parsed inner command.
struct Command {
    function: String,
    args: Args,
}

async fn batch(call: Call, req: Batch) -> Result<Outcome<BatchResponse>, WhmError> {
    let commands = req
        .command
        .iter()
        .map(|c| parse(c))
        .collect::<Result<Vec<_>, _>>()?;
    // Authorise all before running any.
    for c in &commands {
        if c.function == "batch" {
            return Err(WhmError::reason("A batch cannot contain another batch."));
        }
        let Some(spec) = call.ctx.registry.get(&c.function, &ApiVersion::V1) else {
            return Err(WhmError::Reason(unknown_app_reason(
                &c.function,
                &ApiVersion::V1,
            )));
        };
        if !spec.permits(&call.principal) {
            let Access::Acl(acl) = spec.access else {
                continue;
            };
            return Err(WhmError::PermissionDenied(acl));
        }
        reachable(&call, c).await?;
    }
    let abort_on_error = req.abort_on_error.get();
    let mut results = Vec::with_capacity(commands.len());
    for c in commands {
        // A span of its own, so the request's span keeps saying "batch".
        let span = tracing::info_span!("batch_command", function = %c.function);
        let reply = dispatch::call(
            &call.ctx,
            call.principal.clone(),
            call.peer,
            &c.function,
            c.args,
        )
        .instrument(span)
        .await
        .collect()
        .await?;
        let body = reply.into_body();
        let failed = body["metadata"]["result"] != 1;
        results.push(body);
        if failed && abort_on_error {
            break;
        }
    }
    Ok(Outcome::ok(BatchResponse { result: results }))
}

/// Functions whose `user` or `username` need not name an account the caller has: a name
/// still to be made, or any name to be checked.
const ANY_USER: &[&str] = &["createacct", "verify_new_username", "validate_system_user"];

/// Functions whose `domain` is a domain still to be given out.
const NEW_DOMAIN: &[&str] = &["createacct", "adddns", "modifyacct"];

/// For a reseller, the accounts (`user`, `username`) and zones (`domain`, `zone`) a command
/// names must be ones it may act on, or the whole batch is refused before anything runs. An
/// account or zone that does not exist is refused the same way as another's, so the refusal
/// does not say which names are taken. Root reaches every object, and its commands fail one
/// by one as they run.
async fn reachable(call: &Call, c: &Command) -> Result<(), WhmError> {
    if call.principal.is_root() {
        return Ok(());
    }
    let function = c.function.as_str();
    if !ANY_USER.contains(&function) {
        for key in ["user", "username"] {
            if let Some(user) = given(&c.args, key) {
                let account = call.ctx.stores.accounts.account(user).await?;
                require_access(&call.principal, user, account).map_err(WhmError::Reason)?;
            }
        }
    }
    let mut zones = vec![given(&c.args, "zone")];
    if !NEW_DOMAIN.contains(&function) {
        zones.push(given(&c.args, "domain"));
    }
    for raw in zones.into_iter().flatten() {
        let name = zone_name(raw);
        let reachable = match call.ctx.stores.zones.zone(&name).await? {
            Some(zone) => {
                may_manage(
                    &call.principal,
                    &zone.owner,
                    call.ctx.stores.accounts.as_ref(),
                )
                .await?
            }
            None => false,
        };
        if !reachable {
            return Err(WhmError::Reason(format!(
                "You do not have access to a domain named “{raw}”."
            )));
        }
    }
    Ok(())
}

/// An argument of an inner command, `None` when absent or empty. batch reads the names its
/// commands act on before any runs; each command reads its own arguments when it runs.
fn given<'a>(args: &'a Args, key: &str) -> Option<&'a str> {
    args.get(key).filter(|v| !v.is_empty())
}

/// `FUNC` or `FUNC?args`, the arguments parsed by the legacy rules. An inner `api.version`
/// is overridden: batch runs API 1 calls.
fn parse(raw: &str) -> Result<Command, WhmError> {
    let (function, query) = raw.split_once('?').unwrap_or((raw, ""));
    let function = function.trim().to_owned();
    if function.is_empty() {
        return Err(WhmError::reason("Each batch command must name a function."));
    }
    let mut args =
        Args::from_form(query.as_bytes(), b"").map_err(|e| WhmError::Reason(e.to_string()))?;
    args.set("api.version", "1");
    Ok(Command { function, args })
}
