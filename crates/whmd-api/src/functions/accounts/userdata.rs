//! domainuserdata (FUNCTIONS.md §2): the web server's view of a domain.

use super::super::args::required;
use crate::registry::Call;
use crate::{Access, FunctionSpec, Versions};
use futures::future::BoxFuture;
use serde_json::{Map, json};
use whmd_domain::account::can_access;
use whmd_wire::{Acl, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] = &[FunctionSpec::new(
    "domainuserdata",
    Access::Acl(Acl::ACCT_SUMMARY),
    Versions::Both,
    domainuserdata,
)
.read_only()];

fn domainuserdata(call: Call) -> BoxFuture<'static, Result<Outcome, WhmError>> {
    Box::pin(async move {
        let domain = required(&call.args, "domain")?.to_ascii_lowercase();
        let account = call.ctx.stores.accounts.account_by_domain(&domain).await?;
        let Some(a) = account.filter(|a| can_access(&call.principal, a)) else {
            return Err(WhmError::Reason(format!(
                "This system does not have a domain named “{domain}”."
            )));
        };
        let docroot = format!("{}/public_html", a.homedir);
        let userdata = json!({
            "user": a.user,
            "group": a.user,
            "owner": a.owner,
            "hascgi": if a.get("HASCGI") == Some("1") { "1" } else { "0" },
            "servername": domain,
            "serveralias": format!("mail.{domain} www.{domain}"),
            "usecanonicalname": "Off",
            "documentroot": docroot,
            "homedir": a.homedir,
            "port": "80",
            "ip": a.ip,
            "serveradmin": format!("webmaster@{domain}"),
            "phpopenbasedirprotect": "1",
            "customlog": [{"format": "combined", "target": format!("/etc/apache2/logs/domlogs/{domain}")}],
            "scriptalias": [{"path": format!("{docroot}/cgi-bin"), "url": "/cgi-bin/"}],
        });
        let mut data = Map::new();
        data.insert("userdata".into(), userdata);
        Ok(Outcome::ok(data))
    })
}
