//! list_users and get_domain_info: who and what the server hosts, as billing systems ask for
//! it. A reseller sees its own account and those it owns; root sees every account, and itself
//! among the users.

use super::super::respond;
use crate::registry::Call;
use crate::{Access, FunctionSpec, Versions};
use futures::future::BoxFuture;
use serde::Serialize;
use whmd_domain::account::Account;
use whmd_wire::{Acl, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] = &[
    FunctionSpec::new(
        "list_users",
        Access::Acl(Acl::LIST_ACCTS),
        Versions::V1,
        list_users,
    )
    .read_only(),
    FunctionSpec::new(
        "get_domain_info",
        Access::Acl(Acl::LIST_ACCTS),
        Versions::V1,
        get_domain_info,
    )
    .list("domains")
    .read_only(),
];

type Reply = BoxFuture<'static, Result<Outcome, WhmError>>;

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

#[derive(Debug, Serialize)]
struct Users {
    users: Vec<String>,
}

fn list_users(call: Call) -> Reply {
    Box::pin(async move {
        let mut users: Vec<String> = visible(&call).await?.into_iter().map(|a| a.user).collect();
        if call.principal.is_root() {
            users.push("root".to_owned());
            users.sort();
        }
        respond(&Users { users })
    })
}

/// One domain as get_domain_info lists it.
#[derive(Debug, Serialize)]
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

#[derive(Debug, Serialize)]
struct Domains {
    domains: Vec<DomainInfo>,
}

fn get_domain_info(call: Call) -> Reply {
    Box::pin(async move {
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
        respond(&Domains { domains })
    })
}
