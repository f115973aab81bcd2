//! API tokens (FUNCTIONS.md §6, PROTOCOL.md §2.2): api_token_create, api_token_list,
//! api_token_update, api_token_revoke and api_token_get_details. A caller manages its own
//! tokens; a token's privileges are a subset of its owner's, its use may be limited to
//! addresses and may expire. The token itself is shown once, at creation.

use super::args::{optional, required};
use super::entry;
use crate::registry::Call;
use crate::{Access, FunctionSpec, Versions};
use futures::future::BoxFuture;
use ipnet::IpNet;
use serde_json::{Map, Value, json};
use whmd_domain::StoreError;
use whmd_domain::audit::AuditEvent;
use whmd_domain::ip::{parse_range, show_range};
use whmd_domain::secret::{generate_api_token, token_digest};
use whmd_domain::store::ApiTokenRecord;
use whmd_domain::time::unix_now;
use whmd_domain::{AuthMethod, Principal};
use whmd_wire::{Acl, AclSet, Outcome, WhmError};

const fn token_function(name: &'static str, handler: crate::registry::Handler) -> FunctionSpec {
    FunctionSpec::legacy(
        name,
        Access::Acl(Acl::MANAGE_API_TOKENS),
        Versions::V1,
        handler,
    )
}

pub const FUNCTIONS: &[FunctionSpec] = &[
    token_function("api_token_create", api_token_create),
    token_function("api_token_list", api_token_list).read_only(),
    token_function("api_token_update", api_token_update),
    token_function("api_token_revoke", api_token_revoke),
    token_function("api_token_get_details", api_token_get_details).read_only(),
];

type Reply = BoxFuture<'static, Result<Outcome, WhmError>>;

/// The most addresses or ranges one token may be limited to.
const MAX_WHITELIST: usize = 100;

/// A token name: 1 to 50 letters, digits, `-` and `_`.
fn check_name(name: &str) -> Result<(), String> {
    let valid = (1..=50).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'));
    if valid {
        Ok(())
    } else {
        Err(format!(
            "The name “{name}” is not valid: use 1 to 50 letters, digits, hyphens (-) and underscores (_)."
        ))
    }
}

/// The privileges named by `acl`/`acl-N`, if any were: each must exist and be held by the
/// caller.
fn requested_acls(call: &Call) -> Result<Option<AclSet>, String> {
    let names = call.args.list("acl");
    if names.is_empty() {
        return Ok(None);
    }
    let mut set = AclSet::EMPTY;
    let mut refused = Vec::new();
    for name in names {
        match Acl::from_name(name) {
            Some(acl) if call.principal.acls.permits(acl) => set = set.with(acl),
            _ => refused.push(name),
        }
    }
    if refused.is_empty() {
        Ok(Some(set))
    } else {
        Err(format!(
            "Invalid or unauthorized ACL(s) specified: {}",
            refused.join(", ")
        ))
    }
}

/// `expires_at`, when given: 0 or empty is never; otherwise a future Unix time.
fn requested_expiry(call: &Call) -> Result<Option<Option<i64>>, String> {
    let Some(raw) = call.args.get("expires_at") else {
        return Ok(None);
    };
    let raw = raw.trim();
    if raw.is_empty() || raw == "0" {
        return Ok(Some(None));
    }
    match raw.parse::<i64>() {
        Ok(t) if t > unix_now() => Ok(Some(Some(t))),
        Ok(_) => Err("The expiration time must be in the future.".to_owned()),
        Err(_) => Err(format!("“{raw}” is not a valid expiration time.")),
    }
}

/// `whitelist_ip`/`whitelist_ip-N`, when given: `any` clears the list.
fn requested_whitelist(call: &Call) -> Result<Option<Option<Vec<IpNet>>>, String> {
    let given = call.args.list("whitelist_ip");
    if given.is_empty() {
        return Ok(None);
    }
    if given.iter().any(|v| v.trim().eq_ignore_ascii_case("any")) {
        return Ok(Some(None));
    }
    if given.len() > MAX_WHITELIST {
        return Err(format!(
            "A token may be limited to at most {MAX_WHITELIST} addresses or ranges."
        ));
    }
    let mut ranges = Vec::with_capacity(given.len());
    for text in given {
        let range = parse_range(text)
            .ok_or_else(|| format!("“{text}” is not a valid IP address or CIDR range."))?;
        if !ranges.contains(&range) {
            ranges.push(range);
        }
    }
    Ok(Some(Some(ranges)))
}

/// A token's description as the update and details functions give it.
fn details(token: &ApiTokenRecord) -> Map<String, Value> {
    let mut data = Map::new();
    data.insert("name".into(), json!(token.name));
    data.insert("create_time".into(), json!(token.create_time));
    data.insert("expires_at".into(), json!(token.expires_at));
    data.insert(
        "whitelist_ips".into(),
        json!(
            token
                .whitelist
                .as_ref()
                .map(|w| w.iter().map(show_range).collect::<Vec<_>>())
        ),
    );
    if let Some(acls) = token.acls {
        data.insert("acls".into(), acl_names(acls));
    }
    data
}

fn acl_names(set: AclSet) -> Value {
    json!(set.iter().map(Acl::name).collect::<Vec<_>>())
}

/// A token made with a limited token is no wider than it: without named privileges it gets
/// the caller's, where an unlimited caller's token inherits everything its owner holds.
fn inherited(principal: &Principal) -> Option<AclSet> {
    match principal.method {
        AuthMethod::ApiToken { limited: true, .. } => Some(principal.acls),
        _ => None,
    }
}

fn create_failed(why: String) -> WhmError {
    WhmError::Reason(format!("The system failed to create the API token: {why}"))
}

fn update_failed(why: String) -> WhmError {
    WhmError::Reason(format!("The system failed to update the API token: {why}"))
}

fn api_token_create(call: Call) -> Reply {
    Box::pin(async move {
        let name = required(&call.args, "token_name")?.to_owned();
        check_name(&name).map_err(create_failed)?;
        let acls = requested_acls(&call).map_err(create_failed)?;
        let expires_at = requested_expiry(&call).map_err(create_failed)?.flatten();
        let whitelist = requested_whitelist(&call).map_err(create_failed)?.flatten();
        let user = call.principal.user.clone();
        let token = generate_api_token();
        let record = ApiTokenRecord {
            user: user.clone(),
            name: name.clone(),
            digest: token_digest(token.expose()),
            create_time: unix_now(),
            expires_at,
            acls: acls.or_else(|| inherited(&call.principal)),
            whitelist,
        };
        let log = entry(&call, "CREATEAPITOKEN", &["not-applicable", &name]);
        match call
            .ctx
            .stores
            .credentials
            .insert_api_token(&record, &[log])
            .await
        {
            Ok(()) => {}
            Err(StoreError::Conflict(_)) => {
                return Err(create_failed(format!(
                    "A conflicting API token with the name “{name}” already exists."
                )));
            }
            Err(e) => return Err(e.into()),
        }
        call.ctx.audit.record(AuditEvent::TokenCreated {
            user: user.clone(),
            name: name.clone(),
            by: user,
        });
        let mut data = Map::new();
        data.insert("token".into(), json!(token.expose()));
        data.insert("name".into(), json!(name));
        data.insert("create_time".into(), json!(record.create_time));
        // The optional settings appear only when the call gave them (FUNCTIONS.md §6).
        if let Some(acls) = acls {
            data.insert("acls".into(), acl_names(acls));
        }
        if let Some(t) = record.expires_at {
            data.insert("expires_at".into(), json!(t));
        }
        if record.whitelist.is_some() {
            data.insert(
                "whitelist_ips".into(),
                details(&record)["whitelist_ips"].clone(),
            );
        }
        Ok(Outcome::ok(data))
    })
}

/// The privileges the caller itself holds, whatever credentials it used this time.
async fn own_acls(call: &Call) -> Result<AclSet, WhmError> {
    if call.principal.user == "root" {
        return Ok(AclSet::root());
    }
    let account = call
        .ctx
        .stores
        .accounts
        .account(&call.principal.user)
        .await?;
    Ok(account.and_then(|a| a.reseller_acls()).unwrap_or_default())
}

fn api_token_list(call: Call) -> Reply {
    Box::pin(async move {
        let own = own_acls(&call).await?;
        let tokens = call
            .ctx
            .stores
            .credentials
            .api_tokens(&call.principal.user)
            .await?;
        let mut listed = Map::new();
        for token in &tokens {
            // Every privilege, 1 where the token grants it.
            let grants = token.acls.map_or(own, |t| own.narrowed_by(t));
            let acls: Map<String, Value> = Acl::every()
                .map(|a| (a.name().to_owned(), json!(u8::from(grants.has(a)))))
                .collect();
            let mut record = details(token);
            record.insert("acls".into(), Value::Object(acls));
            listed.insert(token.name.clone(), Value::Object(record));
        }
        let mut data = Map::new();
        data.insert("tokens".into(), Value::Object(listed));
        Ok(Outcome::ok(data))
    })
}

fn api_token_update(call: Call) -> Reply {
    Box::pin(async move {
        let name = required(&call.args, "token_name")?.to_owned();
        let user = call.principal.user.clone();
        let Some(mut token) = call
            .ctx
            .stores
            .credentials
            .api_token_by_name(&user, &name)
            .await?
        else {
            return Err(update_failed(format!(
                "The API token “{name}” does not exist."
            )));
        };
        let new_name = optional(&call.args, "new_name").map(str::to_owned);
        if let Some(n) = &new_name {
            check_name(n).map_err(update_failed)?;
            token.name = n.clone();
        }
        // Privileges not named keep what the token has: an update that only renames must
        // not widen it.
        if let Some(acls) = requested_acls(&call).map_err(update_failed)? {
            token.acls = Some(acls);
        }
        if let Some(expires_at) = requested_expiry(&call).map_err(update_failed)? {
            token.expires_at = expires_at;
        }
        if let Some(whitelist) = requested_whitelist(&call).map_err(update_failed)? {
            token.whitelist = whitelist;
        }
        let log = entry(&call, "UPDATEAPITOKEN", &["not-applicable", &token.name]);
        match call
            .ctx
            .stores
            .credentials
            .update_api_token(&name, &token, &[log])
            .await
        {
            Ok(true) => {}
            Ok(false) => {
                return Err(update_failed(format!(
                    "The API token “{name}” does not exist."
                )));
            }
            Err(StoreError::Conflict(_)) => {
                return Err(update_failed(format!(
                    "A conflicting API token with the name “{}” already exists.",
                    token.name
                )));
            }
            Err(e) => return Err(e.into()),
        }
        call.ctx.audit.record(AuditEvent::TokenUpdated {
            user: user.clone(),
            name: token.name.clone(),
            by: user,
        });
        let mut data = details(&token);
        if new_name.is_some() {
            data.insert("old_name".into(), json!(name));
        }
        Ok(Outcome::ok(data))
    })
}

fn api_token_revoke(call: Call) -> Reply {
    Box::pin(async move {
        let names: Vec<String> = call
            .args
            .list("token_name")
            .into_iter()
            .map(str::to_owned)
            .collect();
        if names.is_empty() {
            return Err(WhmError::MissingParameter("token_name"));
        }
        let user = call.principal.user.clone();
        let log: Vec<_> = names
            .iter()
            .map(|n| entry(&call, "REVOKEAPITOKEN", &["not-applicable", n]))
            .collect();
        // Names the caller has no token of are passed over, as WHM does.
        let revoked = call
            .ctx
            .stores
            .credentials
            .revoke_api_tokens(&user, &names, &log)
            .await?;
        for name in revoked {
            call.ctx.audit.record(AuditEvent::TokenRevoked {
                user: user.clone(),
                name,
                by: user.clone(),
            });
        }
        Ok(Outcome::ok(Map::new()))
    })
}

fn api_token_get_details(call: Call) -> Reply {
    Box::pin(async move {
        let token = required(&call.args, "token")?;
        let found = call
            .ctx
            .stores
            .credentials
            .api_token_by_digest(&token_digest(token))
            .await?
            .filter(|t| t.user == call.principal.user);
        let Some(found) = found else {
            return Err(WhmError::reason(
                "The API token you specified does not exist.",
            ));
        };
        Ok(Outcome::ok(details(&found)))
    })
}
