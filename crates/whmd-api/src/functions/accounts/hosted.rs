//! list_users and get_domain_info: who and what the server hosts, as billing systems ask for
//! it. A reseller sees its own account and those it owns; root sees every account, and itself
//! among the users.

use super::source::{AccountRecords, RecordOf, SortedBy, WithExtra};
use crate::FunctionSpec;
use crate::function::{Listed, WithList, function, list_data};
use crate::registry::Call;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;
use whmd_domain::account::Account;
use whmd_domain::store::Usage;
use whmd_wire::{Acl, Listing, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] = &[
    function!("list_users", Acl::LIST_ACCTS, V1, list_users).read_only(),
    function!("get_domain_info", Acl::LIST_ACCTS, V1, get_domain_info)
        .list("domains")
        .read_only(),
];

/// The records the caller may see in the order `key` gives: of every account for root; for a
/// reseller, of the accounts it owns and its own; with root's `extra` record for root.
async fn visible(
    call: &Call,
    record: impl RecordOf + Copy + 'static,
    root_extra: Option<Value>,
    key: fn(&Value) -> String,
) -> Result<Listing, WhmError> {
    let (owner, extra) = if call.principal.is_root() {
        (None, root_extra)
    } else {
        let me = call.principal.user.as_str();
        // Its own account is among those it owns only if it owns itself.
        let own = call.ctx.stores.accounts.account(me).await?;
        let extra = own
            .filter(|a| a.owner != me)
            .and_then(|a| record.record(&a, None));
        (Some(me), extra)
    };
    let records = AccountRecords::new(&call.ctx, owner, record);
    let sorted = SortedBy::new(WithExtra::new(records, extra), key);
    Ok(Listing::start(sorted)
        .await?
        .unwrap_or_else(|| Listing::of(Vec::new())))
}

#[derive(Debug, Serialize, JsonSchema)]
struct Users {
    users: Vec<String>,
}

/// list_users' records: the names.
#[derive(Clone, Copy)]
struct UserName;

impl RecordOf for UserName {
    fn record(&self, a: &Account, _: Option<&Usage>) -> Option<Value> {
        Some(Value::String(a.user.clone()))
    }
}

fn text(record: &Value) -> String {
    record.as_str().unwrap_or_default().to_owned()
}

async fn list_users(call: Call, _: ()) -> Result<Outcome<WithList<Users>>, WhmError> {
    let root = Some(Value::String("root".to_owned()));
    let listing = visible(&call, UserName, root, text).await?.at(&["users"]);
    // Written from `listing` as the reply is sent.
    let data = Users { users: Vec::new() };
    Ok(Outcome::ok(WithList::new(data, listing)))
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

list_data!(
    /// get_domain_info's data.
    Domains = "Domains" { "domains": [DomainInfo] }
);

/// get_domain_info's records: each account's main domain.
#[derive(Clone, Copy)]
struct MainDomain;

impl RecordOf for MainDomain {
    fn record(&self, a: &Account, _: Option<&Usage>) -> Option<Value> {
        serde_json::to_value(DomainInfo {
            docroot: format!("{}/public_html", a.homedir),
            domain: a.domain.clone(),
            domain_type: "main",
            ipv4: a.ip.clone(),
            ipv4_ssl: a.ip.clone(),
            ipv6: None,
            ipv6_is_dedicated: 0,
            parent_domain: a.domain.clone(),
            port: "80".to_owned(),
            port_ssl: "443".to_owned(),
            user: a.user.clone(),
            user_owner: a.owner.clone(),
        })
        .ok()
    }
}

fn domain(record: &Value) -> String {
    record["domain"].as_str().unwrap_or_default().to_owned()
}

async fn get_domain_info(call: Call, _: ()) -> Result<Outcome<Listed<Domains>>, WhmError> {
    let listing = visible(&call, MainDomain, None, domain).await?;
    Ok(Outcome::ok(Listed::new(listing)))
}
