//! domainuserdata: the web server's view of a domain.

use crate::FunctionSpec;
use crate::function::function;
use crate::registry::Call;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use whmd_domain::account::can_access;
use whmd_wire::{Acl, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] =
    &[function!("domainuserdata", Acl::ACCT_SUMMARY, Both, domainuserdata).read_only()];

#[derive(Debug, Deserialize, JsonSchema)]
struct DomainUserData {
    /// An account's main domain.
    domain: String,
}

#[derive(Debug, Serialize, JsonSchema)]
struct DomainUserDataResponse {
    userdata: UserData,
}

/// The web server's settings for a domain, as its virtual host has them.
#[derive(Debug, Serialize, JsonSchema)]
struct UserData {
    user: String,
    group: String,
    owner: String,
    hascgi: &'static str,
    servername: String,
    serveralias: String,
    usecanonicalname: &'static str,
    documentroot: String,
    homedir: String,
    port: &'static str,
    ip: String,
    serveradmin: String,
    phpopenbasedirprotect: &'static str,
    customlog: [CustomLog; 1],
    scriptalias: [ScriptAlias; 1],
}

#[derive(Debug, Serialize, JsonSchema)]
struct CustomLog {
    format: &'static str,
    target: String,
}

#[derive(Debug, Serialize, JsonSchema)]
struct ScriptAlias {
    path: String,
    url: &'static str,
}

async fn domainuserdata(
    call: Call,
    req: DomainUserData,
) -> Result<Outcome<DomainUserDataResponse>, WhmError> {
    let domain = req.domain.to_ascii_lowercase();
    let account = call.ctx.stores.accounts.account_by_domain(&domain).await?;
    let Some(a) = account.filter(|a| can_access(&call.principal, a)) else {
        return Err(WhmError::Reason(format!(
            "This system does not have a domain named “{domain}”."
        )));
    };
    let documentroot = format!("{}/public_html", a.homedir);
    let hascgi = if a.get("HASCGI") == Some("1") {
        "1"
    } else {
        "0"
    };
    let userdata = UserData {
        group: a.user.clone(),
        user: a.user,
        owner: a.owner,
        hascgi,
        serveralias: format!("mail.{domain} www.{domain}"),
        usecanonicalname: "Off",
        scriptalias: [ScriptAlias {
            path: format!("{documentroot}/cgi-bin"),
            url: "/cgi-bin/",
        }],
        documentroot,
        homedir: a.homedir,
        port: "80",
        ip: a.ip,
        serveradmin: format!("webmaster@{domain}"),
        phpopenbasedirprotect: "1",
        customlog: [CustomLog {
            format: "combined",
            target: format!("/etc/apache2/logs/domlogs/{domain}"),
        }],
        servername: domain,
    };
    Ok(Outcome::ok(DomainUserDataResponse { userdata }))
}
