//! create_user_session (PROTOCOL.md §2.3): a login URL for WHM that works once, within five
//! minutes, and the security token that session will carry. whmd serves WHM only, so the
//! service is `whostmgrd`, and the user one who may log in to WHM: root or a reseller.

use super::args::{optional, required};
use crate::registry::Call;
use crate::{Access, FunctionSpec, Versions};
use futures::future::BoxFuture;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Map, json};
use whmd_domain::account::require_access;
use whmd_domain::names::{MAX_LOCALE_LEN, is_setting_name};
use whmd_wire::{Acl, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] = &[FunctionSpec::new(
    "create_user_session",
    Access::Acl(Acl::CREATE_USER_SESSION),
    Versions::V1,
    create_user_session,
)];

/// WHM's HTTPS port, when the listener's is not known.
const WHM_PORT: u16 = 2087;

fn create_user_session(call: Call) -> BoxFuture<'static, Result<Outcome, WhmError>> {
    Box::pin(async move {
        let user = required(&call.args, "user")?.to_owned();
        let service = required(&call.args, "service")?;
        match service {
            "whostmgrd" => {}
            "cpaneld" | "webmaild" => {
                return Err(WhmError::Reason(format!(
                    "The service “{service}” is not available on this server: it serves WHM (whostmgrd) only."
                )));
            }
            other => return Err(WhmError::Reason(format!("Invalid service: “{other}”"))),
        }
        let locale = optional(&call.args, "locale");
        if let Some(l) = locale
            && !is_setting_name(l, MAX_LOCALE_LEN)
        {
            return Err(WhmError::Reason(format!("The locale “{l}” is not valid.")));
        }
        if user != "root" {
            let account = call.ctx.stores.accounts.account(&user).await?;
            let account =
                require_access(&call.principal, &user, account).map_err(WhmError::Reason)?;
            if account.suspension.is_some() {
                return Err(WhmError::Reason(format!("The user “{user}” is suspended.")));
            }
            if account.reseller.is_none() {
                return Err(WhmError::Reason(format!(
                    "The user “{user}” cannot log in to WHM."
                )));
            }
        } else if !call.principal.is_root() {
            return Err(WhmError::reason(
                "You do not have access to an account named “root”.",
            ));
        }
        let start = call
            .ctx
            .auth
            .preauthorise(&user, &call.principal.user)
            .await?;
        let info = &call.ctx.info;
        let mut url = format!(
            "https://{}:{}{}/login/?session={}",
            info.hostname,
            info.https_port.unwrap_or(WHM_PORT),
            start.security_token,
            utf8_percent_encode(start.secret.expose(), NON_ALPHANUMERIC)
        );
        if let Some(l) = locale {
            url.push_str(&format!("&locale={l}"));
        }
        let mut data = Map::new();
        data.insert("cp_security_token".into(), json!(start.security_token));
        data.insert("session".into(), json!(start.secret.expose()));
        data.insert("expires".into(), json!(start.expires));
        data.insert("service".into(), json!("whostmgrd"));
        data.insert("url".into(), json!(url));
        if let Some(l) = locale {
            data.insert("locale".into(), json!(l));
        }
        Ok(Outcome::ok(data).with_reason("Created session"))
    })
}
