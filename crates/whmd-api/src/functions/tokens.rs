//! API tokens: api_token_create, api_token_list, api_token_update, api_token_revoke and
//! api_token_get_details. A caller manages its own tokens; a token's privileges are a subset
//! of its owner's, its use may be limited to addresses and may expire. The token itself is
//! shown once, at creation.

use super::entry;
use crate::FunctionSpec;
use crate::function::function;
use crate::registry::Call;
use indexmap::IndexMap;
use ipnet::IpNet;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use whmd_domain::StoreError;
use whmd_domain::audit::AuditEvent;
use whmd_domain::ip::{parse_range, show_range};
use whmd_domain::secret::{generate_api_token, token_digest};
use whmd_domain::store::ApiTokenRecord;
use whmd_domain::time::unix_now;
use whmd_domain::{AuthMethod, Principal};
use whmd_wire::params::Sent;
use whmd_wire::{Acl, AclSet, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] = &[
    function!(
        "api_token_create",
        Acl::MANAGE_API_TOKENS,
        V1,
        api_token_create
    )
    .secret_reply(),
    function!("api_token_list", Acl::MANAGE_API_TOKENS, V1, api_token_list).read_only(),
    function!(
        "api_token_update",
        Acl::MANAGE_API_TOKENS,
        V1,
        api_token_update
    ),
    function!(
        "api_token_revoke",
        Acl::MANAGE_API_TOKENS,
        V1,
        api_token_revoke
    ),
    function!(
        "api_token_get_details",
        Acl::MANAGE_API_TOKENS,
        V1,
        api_token_get_details
    )
    .read_only(),
];

#[derive(Debug, Deserialize, JsonSchema)]
struct ApiTokenCreate {
    /// 1 to 50 letters, digits, `-` and `_`.
    token_name: String,
    /// The privileges the token grants, repeated (or `acl-N`), each one the caller holds;
    /// without any, the caller's own.
    #[serde(default)]
    acl: Vec<String>,
    /// When the token stops working, a Unix time; 0 or empty for never.
    #[serde(default)]
    expires_at: Sent,
    /// Addresses or CIDR ranges the token may be used from, repeated; `any` for all.
    #[serde(default)]
    whitelist_ip: Vec<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct ApiTokenUpdate {
    token_name: String,
    new_name: Option<String>,
    /// As api_token_create's; privileges not named keep what the token has.
    #[serde(default)]
    acl: Vec<String>,
    /// As api_token_create's; absent keeps the token's.
    #[serde(default)]
    expires_at: Sent,
    /// As api_token_create's; absent keeps the token's.
    #[serde(default)]
    whitelist_ip: Vec<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct ApiTokenRevoke {
    /// The tokens to revoke, repeated (or `token_name-N`); names without a token are passed
    /// over.
    token_name: Vec<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct ApiTokenGetDetails {
    /// The token itself.
    token: String,
}

/// A new token: shown this once.
#[derive(Debug, Serialize, JsonSchema)]
struct NewToken {
    token: String,
    name: String,
    create_time: i64,
    /// Only when the call named privileges.
    #[serde(skip_serializing_if = "Option::is_none")]
    acls: Option<Vec<&'static str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    whitelist_ips: Option<Vec<String>>,
}

/// A token as the list, update and details functions describe it. `A` is how its privileges
/// are given: a list of names, or every privilege as 1 or 0 (api_token_list).
#[derive(Debug, Serialize, JsonSchema)]
struct TokenDetails<A> {
    name: String,
    create_time: i64,
    /// A Unix time, or null for never.
    expires_at: Option<i64>,
    /// Null when the token may be used from anywhere.
    whitelist_ips: Option<Vec<String>>,
    /// Absent when the token grants what its owner holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    acls: Option<A>,
    /// api_token_update, when it renamed the token.
    #[serde(skip_serializing_if = "Option::is_none")]
    old_name: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct TokenList {
    /// The caller's tokens, by name.
    tokens: IndexMap<String, TokenDetails<IndexMap<&'static str, u8>>>,
}

/// api_token_revoke's data: an empty object.
#[derive(Debug, Serialize, JsonSchema)]
struct Revoked {}

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
fn requested_acls(call: &Call, names: &[String]) -> Result<Option<AclSet>, String> {
    if names.is_empty() {
        return Ok(None);
    }
    let mut set = AclSet::EMPTY;
    let mut refused = Vec::new();
    for name in names {
        match Acl::from_name(name) {
            Some(acl) if call.principal.acls.permits(acl) => set = set.with(acl),
            _ => refused.push(name.as_str()),
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
fn requested_expiry(expires_at: &Sent) -> Result<Option<Option<i64>>, String> {
    if !expires_at.is_sent() {
        return Ok(None);
    }
    let raw = expires_at.value().unwrap_or_default().trim();
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
fn requested_whitelist(given: &[String]) -> Result<Option<Option<Vec<IpNet>>>, String> {
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
fn details(token: &ApiTokenRecord) -> TokenDetails<Vec<&'static str>> {
    TokenDetails {
        name: token.name.clone(),
        create_time: token.create_time,
        expires_at: token.expires_at,
        whitelist_ips: whitelist_ips(token),
        acls: token.acls.map(acl_names),
        old_name: None,
    }
}

fn whitelist_ips(token: &ApiTokenRecord) -> Option<Vec<String>> {
    token
        .whitelist
        .as_ref()
        .map(|w| w.iter().map(show_range).collect())
}

fn acl_names(set: AclSet) -> Vec<&'static str> {
    set.iter().map(Acl::name).collect()
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

async fn api_token_create(call: Call, req: ApiTokenCreate) -> Result<Outcome<NewToken>, WhmError> {
    let name = req.token_name;
    check_name(&name).map_err(create_failed)?;
    let acls = requested_acls(&call, &req.acl).map_err(create_failed)?;
    let expires_at = requested_expiry(&req.expires_at)
        .map_err(create_failed)?
        .flatten();
    let whitelist = requested_whitelist(&req.whitelist_ip)
        .map_err(create_failed)?
        .flatten();
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
    // The optional settings appear only when the call gave them.
    Ok(Outcome::ok(NewToken {
        token: token.expose().to_owned(),
        name,
        create_time: record.create_time,
        acls: acls.map(acl_names),
        expires_at: record.expires_at,
        whitelist_ips: whitelist_ips(&record),
    }))
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

async fn api_token_list(call: Call, _: ()) -> Result<Outcome<TokenList>, WhmError> {
    let own = own_acls(&call).await?;
    let tokens = call
        .ctx
        .stores
        .credentials
        .api_tokens(&call.principal.user)
        .await?;
    let mut listed = IndexMap::new();
    for token in &tokens {
        // Every privilege, 1 where the token grants it.
        let grants = token.acls.map_or(own, |t| own.narrowed_by(t));
        let acls = Acl::every()
            .map(|a| (a.name(), u8::from(grants.has(a))))
            .collect();
        let record = TokenDetails {
            name: token.name.clone(),
            create_time: token.create_time,
            expires_at: token.expires_at,
            whitelist_ips: whitelist_ips(token),
            acls: Some(acls),
            old_name: None,
        };
        listed.insert(token.name.clone(), record);
    }
    Ok(Outcome::ok(TokenList { tokens: listed }))
}

async fn api_token_update(
    call: Call,
    req: ApiTokenUpdate,
) -> Result<Outcome<TokenDetails<Vec<&'static str>>>, WhmError> {
    let name = req.token_name;
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
    let new_name = req.new_name;
    if let Some(n) = &new_name {
        check_name(n).map_err(update_failed)?;
        token.name = n.clone();
    }
    // Privileges not named keep what the token has: an update that only renames must
    // not widen it.
    if let Some(acls) = requested_acls(&call, &req.acl).map_err(update_failed)? {
        token.acls = Some(acls);
    }
    if let Some(expires_at) = requested_expiry(&req.expires_at).map_err(update_failed)? {
        token.expires_at = expires_at;
    }
    if let Some(whitelist) = requested_whitelist(&req.whitelist_ip).map_err(update_failed)? {
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
        data.old_name = Some(name);
    }
    Ok(Outcome::ok(data))
}

async fn api_token_revoke(call: Call, req: ApiTokenRevoke) -> Result<Outcome<Revoked>, WhmError> {
    let names = req.token_name;
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
    Ok(Outcome::ok(Revoked {}))
}

async fn api_token_get_details(
    call: Call,
    req: ApiTokenGetDetails,
) -> Result<Outcome<TokenDetails<Vec<&'static str>>>, WhmError> {
    let token = req.token;
    let found = call
        .ctx
        .stores
        .credentials
        .api_token_by_digest(&token_digest(&token))
        .await?
        .filter(|t| t.user == call.principal.user);
    let Some(found) = found else {
        return Err(WhmError::reason(
            "The API token you specified does not exist.",
        ));
    };
    Ok(Outcome::ok(details(&found)))
}
