//! suspendreseller, unsuspendreseller and terminatereseller (FUNCTIONS.md §5): a reseller and,
//! unless `reseller-only`, every account it owns.

use super::super::accounts;
use super::super::args::optional;
use super::{LISTED, named_reseller};
use crate::registry::Call;
use crate::{Access, FunctionSpec, Versions};
use futures::future::BoxFuture;
use serde_json::{Map, Value, json};
use whmd_domain::account::{Account, Suspension};
use whmd_domain::time::unix_now;
use whmd_wire::{Acl, Outcome, WhmError};

pub const SUSPENDRESELLER: FunctionSpec = FunctionSpec::legacy(
    "suspendreseller",
    Access::Acl(Acl::ALL),
    Versions::Both,
    suspendreseller,
)
.api0(LISTED);
pub const UNSUSPENDRESELLER: FunctionSpec = FunctionSpec::legacy(
    "unsuspendreseller",
    Access::Acl(Acl::ALL),
    Versions::Both,
    unsuspendreseller,
)
.api0(LISTED);
pub const TERMINATERESELLER: FunctionSpec = FunctionSpec::legacy(
    "terminatereseller",
    Access::Acl(Acl::ALL),
    Versions::Both,
    terminatereseller,
)
.api0(LISTED)
// API 0 clients (cPanel's xmlapi-php among them) name the reseller `reseller`.
.aliases(&[("reseller", "user")]);

type Reply = BoxFuture<'static, Result<Outcome, WhmError>>;

const NOT_A_RESELLER: &str = "Specified user is not a reseller.";

/// The reseller first, then the accounts it owns (unless `reseller-only`), by name.
async fn with_accounts(call: &Call, reseller: Account) -> Result<Vec<Account>, WhmError> {
    let mut all = vec![reseller];
    if !call.args.is_true("reseller-only") {
        let owned = call
            .ctx
            .stores
            .accounts
            .accounts(Some(&all[0].user))
            .await?;
        let own_name = all[0].user.clone();
        all.extend(owned.into_iter().filter(|a| a.user != own_name));
    }
    Ok(all)
}

/// The raw logs of several accounts' outcomes, and whether all succeeded.
fn combined(outcomes: Vec<Result<Outcome, WhmError>>, failed: &'static str) -> Outcome {
    let mut raw = String::new();
    let mut ok = true;
    for outcome in outcomes {
        match outcome {
            Ok(o) => {
                ok &= o.result;
                raw.push_str(o.output.raw.as_deref().unwrap_or(""));
            }
            Err(e) => {
                ok = false;
                raw.push_str(&format!("{e}\n"));
            }
        }
    }
    let outcome = if ok {
        Outcome::done()
    } else {
        Outcome::failure(failed)
    };
    outcome.with_raw(raw)
}

fn suspendreseller(call: Call) -> Reply {
    Box::pin(async move {
        let reseller = named_reseller(&call, NOT_A_RESELLER).await?;
        let reason = accounts::clean_reason(optional(&call.args, "reason").unwrap_or(""));
        let locked = call.args.is_true("disallow");
        let mut outcomes = Vec::new();
        for account in with_accounts(&call, reseller).await? {
            if account.suspension.is_some() {
                continue;
            }
            let suspension = Suspension {
                reason: reason.clone(),
                time: unix_now(),
                locked,
                leave_ftp_enabled: false,
            };
            outcomes.push(accounts::suspend(&call, account, suspension).await);
        }
        Ok(combined(outcomes, "Failed to suspend reseller."))
    })
}

fn unsuspendreseller(call: Call) -> Reply {
    Box::pin(async move {
        let reseller = named_reseller(&call, NOT_A_RESELLER).await?;
        let mut outcomes = Vec::new();
        for account in with_accounts(&call, reseller).await? {
            if account.suspension.is_some() {
                outcomes.push(accounts::unsuspend(&call, account).await);
            }
        }
        Ok(combined(outcomes, "Failed to unsuspend reseller."))
    })
}

/// The sentence API 0's terminatereseller takes as `verify`.
fn verify_sentence(user: &str) -> String {
    format!(
        "I understand this will irrevocably remove all the accounts owned by the reseller {user}"
    )
}

fn terminatereseller(call: Call) -> Reply {
    Box::pin(async move {
        // The confirmation flag is read as a number, as WHM casts it. API 0 clients confirm
        // with `verify` instead, the sentence WHM's API 0 asked for, when they leave the flag
        // out; an explicit 0 is never taken for a yes.
        let flag = optional(&call.args, "terminatereseller");
        let confirmed = match flag {
            Some(v) => v.trim().parse::<i64>().ok() == Some(1),
            None => optional(&call.args, "user").is_some_and(|user| {
                optional(&call.args, "verify").is_some_and(|v| v.trim() == verify_sentence(user))
            }),
        };
        if !confirmed {
            return Err(WhmError::reason(
                "The reseller was not terminated: confirm with “terminatereseller=1”.",
            ));
        }
        let reseller = named_reseller(&call, NOT_A_RESELLER).await?;
        let owned = call
            .ctx
            .stores
            .accounts
            .accounts(Some(&reseller.user))
            .await?;
        // Its accounts first, then the reseller itself.
        let mut doomed: Vec<Account> = owned
            .into_iter()
            .filter(|a| a.user != reseller.user)
            .collect();
        doomed.push(reseller);
        let mut records = Vec::new();
        let mut failures = Vec::new();
        for account in &doomed {
            let (result, reason, raw) = match accounts::remove(&call, account, false).await {
                Ok(o) => (
                    o.result,
                    o.reason.into_owned(),
                    o.output.raw.unwrap_or_default(),
                ),
                Err(e) => (false, e.to_string(), String::new()),
            };
            if !result {
                failures.push(reason.clone());
            }
            records.push(json!({
                "user": account.user,
                "result": u8::from(result),
                "reason": reason,
                "output": {"raw": raw},
            }));
        }
        let mut data = Map::new();
        data.insert("acct".into(), Value::Array(records));
        let outcome = if failures.is_empty() {
            Outcome::ok(data)
        } else {
            Outcome {
                data: Some(data),
                ..Outcome::failure(failures.join("\n"))
            }
        };
        Ok(outcome)
    })
}
