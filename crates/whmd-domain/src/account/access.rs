//! Ownership: who may act on an account.
//! Every account-scoped function checks it here, once.

use super::Account;
use crate::Principal;

/// Root-ish callers reach every account; a reseller reaches its own account and the accounts
/// it owns.
pub fn can_access(principal: &Principal, account: &Account) -> bool {
    principal.is_root() || account.owner == principal.user || account.user == principal.user
}

/// The account if the caller may act on it; otherwise the refusal WHM gives, which for a
/// reseller does not reveal whether the account exists.
pub fn require_access(
    principal: &Principal,
    user: &str,
    account: Option<Account>,
) -> Result<Account, String> {
    match account {
        Some(a) if can_access(principal, &a) => Ok(a),
        _ if principal.is_root() => Err(format!("You do not have a user named “{user}”.")),
        _ => Err(format!(
            "You do not have access to an account named “{user}”."
        )),
    }
}
