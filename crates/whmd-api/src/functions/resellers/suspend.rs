//! suspendreseller, unsuspendreseller and terminatereseller: a reseller and,
//! unless `reseller-only`, every account it owns.

use super::super::accounts;
use super::{LISTED, named_reseller};
use crate::FunctionSpec;
use crate::function::{NoData, function};
use crate::registry::Call;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use whmd_domain::account::{Account, Suspension};
use whmd_domain::time::unix_now;
use whmd_wire::params::Flag;
use whmd_wire::{Acl, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] = &[
    function!("suspendreseller", Acl::ALL, Both, suspendreseller).api0(LISTED),
    function!("unsuspendreseller", Acl::ALL, Both, unsuspendreseller).api0(LISTED),
    function!("terminatereseller", Acl::ALL, Both, terminatereseller)
        .api0(LISTED)
        // API 0 clients (cPanel's xmlapi-php among them) name the reseller `reseller`.
        .aliases(&[("reseller", "user")]),
];

const NOT_A_RESELLER: &str = "Specified user is not a reseller.";

#[derive(Debug, Deserialize, JsonSchema)]
struct Suspendreseller {
    user: String,
    /// Why; shown to the accounts' owners.
    reason: Option<String>,
    /// Only root may lift the suspensions.
    #[serde(default)]
    disallow: Flag<false>,
    /// Suspend the reseller's own account alone, not the accounts it owns.
    #[serde(rename = "reseller-only", default)]
    reseller_only: Flag<false>,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct Unsuspendreseller {
    user: String,
    /// Unsuspend the reseller's own account alone, not the accounts it owns.
    #[serde(rename = "reseller-only", default)]
    reseller_only: Flag<false>,
}

/// The reseller first, then the accounts it owns (unless `reseller_only`), by name.
async fn with_accounts(
    call: &Call,
    reseller: Account,
    reseller_only: bool,
) -> Result<Vec<Account>, WhmError> {
    let mut all = vec![reseller];
    if !reseller_only {
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
fn combined(
    outcomes: Vec<Result<Outcome<NoData>, WhmError>>,
    failed: &'static str,
) -> Outcome<NoData> {
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

async fn suspendreseller(call: Call, req: Suspendreseller) -> Result<Outcome<NoData>, WhmError> {
    let reseller = named_reseller(&call, &req.user, NOT_A_RESELLER).await?;
    let reason = accounts::clean_reason(req.reason.as_deref().unwrap_or(""));
    let locked = req.disallow.get();
    let mut outcomes = Vec::new();
    for account in with_accounts(&call, reseller, req.reseller_only.get()).await? {
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
}

async fn unsuspendreseller(
    call: Call,
    req: Unsuspendreseller,
) -> Result<Outcome<NoData>, WhmError> {
    let reseller = named_reseller(&call, &req.user, NOT_A_RESELLER).await?;
    let mut outcomes = Vec::new();
    for account in with_accounts(&call, reseller, req.reseller_only.get()).await? {
        if account.suspension.is_some() {
            outcomes.push(accounts::unsuspend(&call, account).await);
        }
    }
    Ok(combined(outcomes, "Failed to unsuspend reseller."))
}

/// The sentence API 0's terminatereseller takes as `verify`.
fn verify_sentence(user: &str) -> String {
    format!(
        "I understand this will irrevocably remove all the accounts owned by the reseller {user}"
    )
}

#[derive(Debug, Deserialize, JsonSchema)]
struct Terminatereseller {
    /// The reseller (`reseller` in API 0).
    user: Option<String>,
    /// 1 confirms; read as a number, as WHM casts it.
    terminatereseller: Option<String>,
    /// API 0's confirmation, taken when `terminatereseller` is left out: “I understand this
    /// will irrevocably remove all the accounts owned by the reseller USER”.
    verify: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct Terminated {
    /// Each account removed, the reseller's own last.
    acct: Vec<Removal>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct Removal {
    user: String,
    result: u8,
    reason: String,
    output: RemovalOutput,
}

#[derive(Debug, Serialize, JsonSchema)]
struct RemovalOutput {
    raw: String,
}

async fn terminatereseller(
    call: Call,
    req: Terminatereseller,
) -> Result<Outcome<Terminated>, WhmError> {
    // An explicit 0 is never taken for a yes.
    let confirmed = match &req.terminatereseller {
        Some(v) => v.trim().parse::<i64>().ok() == Some(1),
        None => req.user.as_deref().is_some_and(|user| {
            req.verify
                .as_deref()
                .is_some_and(|v| v.trim() == verify_sentence(user))
        }),
    };
    if !confirmed {
        return Err(WhmError::reason(
            "The reseller was not terminated: confirm with “terminatereseller=1”.",
        ));
    }
    let user = req.user.ok_or(WhmError::MissingParameter("user"))?;
    let reseller = named_reseller(&call, &user, NOT_A_RESELLER).await?;
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
        records.push(Removal {
            user: account.user.clone(),
            result: u8::from(result),
            reason,
            output: RemovalOutput { raw },
        });
    }
    let data = Terminated { acct: records };
    let outcome = if failures.is_empty() {
        Outcome::ok(data)
    } else {
        Outcome {
            data: Some(data),
            ..Outcome::failure(failures.join("\n"))
        }
    };
    Ok(outcome)
}
