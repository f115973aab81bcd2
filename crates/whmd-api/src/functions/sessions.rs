//! create_user_session (docs/compatibility.md, "Authentication"): a login URL for WHM that works
//! once, within five minutes, and the security token that session will carry. whmd serves WHM only,
//! so the service is `whostmgrd`, and the user one who may log in to WHM: root or a reseller.

use crate::FunctionSpec;
use crate::function::function;
use crate::registry::Call;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use whmd_domain::account::require_access;
use whmd_domain::names::{MAX_LOCALE_LEN, is_setting_name};
use whmd_wire::{Acl, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] = &[function!(
    "create_user_session",
    Acl::CREATE_USER_SESSION,
    V1,
    create_user_session
)
.secret_reply()];

#[derive(Debug, Deserialize, JsonSchema)]
struct CreateUserSession {
    /// root, or a reseller the caller may act on.
    user: String,
    /// `whostmgrd`: whmd serves WHM only.
    service: String,
    /// The locale the session starts in.
    locale: Option<String>,
}

/// A session that has not been used yet.
#[derive(Debug, Serialize, JsonSchema)]
struct Session {
    cp_security_token: String,
    session: String,
    expires: i64,
    service: &'static str,
    /// The login URL; it works once, within five minutes.
    url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    locale: Option<String>,
}

/// WHM's HTTPS port, when the listener's is not known.
const WHM_PORT: u16 = 2087;

async fn create_user_session(
    call: Call,
    req: CreateUserSession,
) -> Result<Outcome<Session>, WhmError> {
    let CreateUserSession {
        user,
        service,
        locale,
    } = req;
    match service.as_str() {
        "whostmgrd" => {}
        "cpaneld" | "webmaild" => {
            return Err(WhmError::Reason(format!(
                "The service “{service}” is not available on this server: it serves WHM (whostmgrd) only."
            )));
        }
        other => return Err(WhmError::Reason(format!("Invalid service: “{other}”"))),
    }
    if let Some(l) = &locale
        && !is_setting_name(l, MAX_LOCALE_LEN)
    {
        return Err(WhmError::Reason(format!("The locale “{l}” is not valid.")));
    }
    if user != "root" {
        let account = call.ctx.stores.accounts.account(&user).await?;
        let account = require_access(&call.principal, &user, account).map_err(WhmError::Reason)?;
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
    if let Some(l) = &locale {
        url.push_str(&format!("&locale={l}"));
    }
    let session = Session {
        session: start.secret.expose().to_owned(),
        cp_security_token: start.security_token,
        expires: start.expires,
        service: "whostmgrd",
        url,
        locale,
    };
    Ok(Outcome::ok(session).with_reason("Created session"))
}
