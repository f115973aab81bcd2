//! list_users and get_domain_info: who and what the server hosts, as billing systems ask for
//! it. A reseller sees its own account and those it owns; root sees every account, and itself
//! among the users.

use crate::FunctionSpec;
use crate::function::function;
use crate::registry::Call;
use schemars::JsonSchema;
use serde::Serialize;
use whmd_domain::account::Account;
use whmd_wire::{Acl, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] = &[
    function!("list_users", Acl::LIST_ACCTS, V1, list_users).read_only(),
    function!("get_domain_info", Acl::LIST_ACCTS, V1, get_domain_info)
        .list("domains")
        .read_only(),
];

/// The accounts the caller may see, ordered by name.
async fn visible(call: &Call) -> Result<Vec<Account>, WhmError> {
    let accounts = &call.ctx.stores.accounts;
    if call.principal.is_root() {
        return Ok(accounts.accounts(None).await?);
    }
    let me = &call.principal.user;
    let mut seen = accounts.accounts(Some(me)).await?;
    if let Some(own) = accounts.account(me).await?
        && !seen.iter().any(|a| a.user == own.user)
    {
        seen.push(own);
        seen.sort_by(|a, b| a.user.cmp(&b.user));
    }
    Ok(seen)
}

#[derive(Debug, Serialize, JsonSchema)]
struct Users {
    users: Vec<String>,
}

async fn list_users(call: Call, _: ()) -> Result<Outcome<Users>, WhmError> {
    let mut users: Vec<String> = visible(&call).await?.into_iter().map(|a| a.user).collect();
    if call.principal.is_root() {
        users.push("root".to_owned());
        users.sort();
    }
    Ok(Outcome::ok(Users { users }))
}

/// One domain as get_domain_info lists it.
#[derive(Debug, Serialize, JsonSchema)]
struct DomainInfo {
    docroot: String,
    domain: String,
    domain_type: &'static str,
    ipv4: String,
    ipv4_ssl: String,
    ipv6: Option<String>,
    ipv6_is_dedicated: u8,
    parent_domain: String,
    port: String,
    port_ssl: String,
    user: String,
    user_owner: String,
}

#[derive(Debug, Serialize, JsonSchema)]
struct Domains {
    domains: Vec<DomainInfo>,
}

async fn get_domain_info(call: Call, _: ()) -> Result<Outcome<Domains>, WhmError> {
    let mut domains: Vec<DomainInfo> = visible(&call)
        .await?
        .into_iter()
        .map(|a| DomainInfo {
            docroot: format!("{}/public_html", a.homedir),
            parent_domain: a.domain.clone(),
            domain: a.domain,
            domain_type: "main",
            ipv4_ssl: a.ip.clone(),
            ipv4: a.ip,
            ipv6: None,
            ipv6_is_dedicated: 0,
            port: "80".to_owned(),
            port_ssl: "443".to_owned(),
            user: a.user,
            user_owner: a.owner,
        })
        .collect();
    domains.sort_by(|a, b| a.domain.cmp(&b.domain));
    Ok(Outcome::ok(Domains { domains }))
}
