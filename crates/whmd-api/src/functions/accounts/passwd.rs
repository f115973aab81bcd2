//! passwd and forcepasswordchange.

use super::reasons;
use super::{entry, with_host};
use crate::FunctionSpec;
use crate::function::function;
use crate::registry::Call;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use whmd_domain::StoreError;
use whmd_domain::account::{can_access, require_access};
use whmd_domain::secret::{Secret, hash_system_password};
use whmd_domain::store::{AccountChange, Conflict};
use whmd_domain::time::unix_now;
use whmd_wire::params::Flag;
use whmd_wire::{Acl, Api0Data, Api0Shape, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] = &[
    // FOSSBilling reads `passwd[0].status` in API 0.
    // API 0 names the new password `pass` (cPanel's API 0 documentation); clients send either.
    function!("passwd", Acl::PASSWD, Both, passwd)
        .api0(Api0Shape::Listed {
            key: "passwd",
            data: Api0Data::Flatten,
            raw: Some("rawout"),
            messages: false,
        })
        .aliases(&[("pass", "password")]),
    function!("forcepasswordchange", Acl::PASSWD, V1, forcepasswordchange),
];

/// The services a password change reaches.
const SERVICES: &[&str] = &["system", "ftp", "mail", "MySQL", "PostgreSQL"];

#[derive(Debug, Deserialize, JsonSchema)]
struct Passwd {
    user: String,
    /// The new password (`pass` in API 0).
    password: String,
    /// 0 leaves the account's database passwords alone.
    db_pass_update: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct PasswdResponse {
    /// The services whose password changed.
    app: &'static [&'static str],
}

async fn passwd(call: Call, req: Passwd) -> Result<Outcome<PasswdResponse>, WhmError> {
    let user = req.user;
    let password = Secret::new(&req.password);
    // Another's account reads as one that does not exist: the refusal must not tell a
    // reseller which names are taken.
    let account = call.ctx.stores.accounts.account(&user).await?;
    let account = require_access(&call.principal, &user, account).map_err(WhmError::Reason)?;
    if account.suspension.is_some() {
        return Err(WhmError::Reason(format!(
            "Sorry, the user “{user}” is currently suspended. Changing the user’s password would unsuspend the account."
        )));
    }
    let phc = hash_system_password(password)
        .await
        .map_err(WhmError::internal)?;
    let log = entry(&call, "PASSWD", &[&user, &account.domain]);
    let change = AccountChange::password(user.as_str(), phc, log);
    match call.ctx.stores.accounts.change(&change).await {
        Ok(_) => {}
        Err(StoreError::Conflict(Conflict::NoAccount)) => {
            return Err(WhmError::Reason(format!(
                "You do not have a user named “{user}”."
            )));
        }
        Err(e) => return Err(e.into()),
    }
    let app = if req.db_pass_update.as_deref() == Some("0") {
        &SERVICES[..3]
    } else {
        SERVICES
    };
    let outcome = Outcome::ok(PasswdResponse { app }).with_reason(reasons::password_changed(&user));
    Ok(with_host(&call, outcome, &[account.uid], "").await)
}

#[derive(Debug, Deserialize, JsonSchema)]
struct Forcepasswordchange {
    /// A JSON object of user names, each 1 (must change the password at the next login) or 0.
    users_json: String,
    /// Stop at the first account that cannot be changed.
    #[serde(default)]
    stop_on_failure: Flag<false>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct ForceResponse {
    updated: Vec<String>,
    /// Why each account left out was not changed.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    failed: BTreeMap<String, &'static str>,
}

async fn forcepasswordchange(
    call: Call,
    req: Forcepasswordchange,
) -> Result<Outcome<ForceResponse>, WhmError> {
    let users: BTreeMap<String, Value> = serde_json::from_str(&req.users_json).map_err(|_| {
        WhmError::reason("The “users_json” parameter must be a JSON object of users.")
    })?;
    let stop_on_failure = req.stop_on_failure.get();
    let mut invalid = Vec::new();
    let mut targets = Vec::new();
    for (user, value) in &users {
        let force = match value {
            Value::Number(n) => n.as_u64() == Some(1),
            Value::String(s) => s == "1",
            Value::Bool(b) => *b,
            _ => false,
        };
        match call.ctx.stores.accounts.account(user).await? {
            Some(a) if can_access(&call.principal, &a) => targets.push((a, force)),
            _ => invalid.push(user.as_str()),
        }
    }
    if !invalid.is_empty() {
        return Err(WhmError::Reason(format!(
            "Invalid user(s): {}",
            invalid.join(", ")
        )));
    }
    let mut updated = Vec::new();
    let mut failed = BTreeMap::new();
    for (mut account, force) in targets {
        let current = account.get("FORCE_PASSWORD_CHANGE") == Some("1");
        if current == force {
            continue;
        }
        let user = account.user.clone();
        account.set("FORCE_PASSWORD_CHANGE", if force { "1" } else { "0" });
        account.mtime = unix_now();
        let log = entry(
            &call,
            "MODIFY",
            &[&user, &account.domain, "FORCE_PASSWORD_CHANGE"],
        );
        let change = AccountChange::update(user.as_str(), account, vec![log]);
        match call.ctx.stores.accounts.change(&change).await {
            Ok(_) => updated.push(user),
            Err(StoreError::Conflict(_)) => {
                failed.insert(user, "The account changed while it was being modified.");
                if stop_on_failure {
                    break;
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    if updated.is_empty() && failed.is_empty() {
        return Ok(Outcome::done().with_reason("Nothing to do."));
    }
    Ok(Outcome::ok(ForceResponse { updated, failed }))
}
