//! verify_new_username and validate_system_user, and the username check createacct and
//! modifyacct share.

use crate::FunctionSpec;
use crate::function::{NoData, function};
use crate::registry::Call;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use whmd_domain::names::username::{self, NewUsername, db_prefix, dbowner};
use whmd_wire::{Acl, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] = &[
    function!(
        "verify_new_username",
        Acl::CREATE_ACCT,
        V1,
        verify_new_username
    )
    .read_only(),
    function!(
        "validate_system_user",
        Acl::CREATE_ACCT,
        V1,
        validate_system_user
    )
    .read_only(),
];

/// Whether `user` may name a new account: the strict rule, reserved names, existing accounts
/// and the shared database-prefix rule, each with WHM's reason. `except` is an account being
/// renamed, which does not conflict with itself.
pub async fn check_new_username(
    call: &Call,
    user: &str,
    except: Option<&str>,
) -> Result<(), WhmError> {
    NewUsername::check(user).map_err(WhmError::Reason)?;
    check_name_free(call, user, except).await
}

/// Whether no account, system user or database prefix stands in the way of `user`, a name
/// already known to be valid (a restored account's name, valid for a transfer).
pub async fn check_name_free(
    call: &Call,
    user: &str,
    except: Option<&str>,
) -> Result<(), WhmError> {
    let accounts = &call.ctx.stores.accounts;
    if except != Some(user)
        && (accounts.account(user).await?.is_some()
            || call.ctx.host.name_taken(user).await == Some(true))
    {
        return Err(WhmError::Reason(username::exists_reason(user)));
    }
    let n = call.ctx.info.db_prefix_length;
    let prefix = db_prefix(user, n);
    let own = dbowner(user);
    for other in accounts.users_with_db_prefix(&prefix).await? {
        if Some(other.as_str()) == except || db_prefix(&other, n) != prefix {
            continue;
        }
        // The very name, stored since the check above (a racing create won).
        if other == user {
            return Err(WhmError::Reason(username::exists_reason(user)));
        }
        if dbowner(&other) == own {
            return Err(WhmError::Reason(username::dbowner_reason(user)));
        }
        return Err(WhmError::Reason(username::prefix_reason(user, n)));
    }
    Ok(())
}

/// The name a new account would take.
#[derive(Debug, Deserialize, JsonSchema)]
struct VerifyNewUsername {
    user: String,
}

async fn verify_new_username(
    call: Call,
    req: VerifyNewUsername,
) -> Result<Outcome<NoData>, WhmError> {
    check_new_username(&call, &req.user, None).await?;
    Ok(Outcome::done())
}

/// The system user to check.
#[derive(Debug, Deserialize, JsonSchema)]
struct ValidateSystemUser {
    /// Required; without it the reason is `No user name supplied: “user” is a required
    /// argument.`
    user: Option<String>,
}

/// What is known of a system user name, each as 1 or 0.
#[derive(Debug, Serialize, JsonSchema)]
struct Validity {
    exists: u8,
    reserved: u8,
    valid_for_new: u8,
    valid_for_transfer: u8,
}

async fn validate_system_user(
    call: Call,
    req: ValidateSystemUser,
) -> Result<Outcome<Validity>, WhmError> {
    let Some(user) = req.user else {
        return Err(WhmError::reason(
            "No user name supplied: “user” is a required argument.",
        ));
    };
    // Without a managed host, root is the one system user whmd knows besides its accounts;
    // with one, the host's user and group databases answer too.
    let exists = user == "root"
        || call.ctx.stores.accounts.account(&user).await?.is_some()
        || call.ctx.host.name_taken(&user).await == Some(true);
    Ok(Outcome::ok(Validity {
        exists: u8::from(exists),
        reserved: u8::from(username::is_reserved(&user)),
        valid_for_new: u8::from(username::valid_for_new(&user, false)),
        valid_for_transfer: u8::from(username::valid_for_transfer(&user)),
    }))
}
