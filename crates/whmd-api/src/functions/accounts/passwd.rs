//! passwd and forcepasswordchange (FUNCTIONS.md §2).

use super::super::args::required;
use super::{entry, with_host};
use crate::registry::Call;
use crate::{Access, FunctionSpec, Versions};
use futures::future::BoxFuture;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use whmd_domain::StoreError;
use whmd_domain::account::{can_access, require_access};
use whmd_domain::secret::{Secret, hash_system_password};
use whmd_domain::store::{AccountChange, Conflict};
use whmd_domain::time::unix_now;
use whmd_wire::{Acl, Api0Data, Api0Shape, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] = &[
    // FOSSBilling reads `passwd[0].status` in API 0 (CLIENTS.md §8).
    // API 0 names the new password `pass` (cPanel's API 0 documentation); clients send either.
    FunctionSpec::legacy("passwd", Access::Acl(Acl::PASSWD), Versions::Both, passwd)
        .api0(Api0Shape::Listed {
            key: "passwd",
            data: Api0Data::Flatten,
            raw: Some("rawout"),
            messages: false,
        })
        .aliases(&[("pass", "password")]),
    FunctionSpec::legacy(
        "forcepasswordchange",
        Access::Acl(Acl::PASSWD),
        Versions::V1,
        forcepasswordchange,
    ),
];

type Reply = BoxFuture<'static, Result<Outcome, WhmError>>;

/// The services a password change reaches.
const SERVICES: &[&str] = &["system", "ftp", "mail", "MySQL", "PostgreSQL"];

fn passwd(call: Call) -> Reply {
    Box::pin(async move {
        let user = required(&call.args, "user")?.to_owned();
        let password = Secret::new(required(&call.args, "password")?);
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
        let services: &[&str] = if call.args.get("db_pass_update") == Some("0") {
            &SERVICES[..3]
        } else {
            SERVICES
        };
        let mut data = Map::new();
        data.insert("app".into(), json!(services));
        let outcome = Outcome::ok(data).with_reason(format!("Password changed for user “{user}”."));
        Ok(with_host(&call, outcome, &[account.uid], "").await)
    })
}

fn forcepasswordchange(call: Call) -> Reply {
    Box::pin(async move {
        let raw = required(&call.args, "users_json")?;
        let users: BTreeMap<String, Value> = serde_json::from_str(raw).map_err(|_| {
            WhmError::reason("The “users_json” parameter must be a JSON object of users.")
        })?;
        let stop_on_failure = call.args.is_true("stop_on_failure");
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
        let mut failed = Map::new();
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
                    failed.insert(
                        user,
                        json!("The account changed while it was being modified."),
                    );
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
        let mut data = Map::new();
        data.insert("updated".into(), json!(updated));
        if !failed.is_empty() {
            data.insert("failed".into(), Value::Object(failed));
        }
        Ok(Outcome::ok(data))
    })
}
