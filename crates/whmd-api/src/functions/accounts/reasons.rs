//! The reasons the account functions give that clients match on, or that cPanel's
//! documentation shows word for word, in one place so they cannot drift. Billing systems and
//! cPanel's own clients look for `Account Creation Ok` and `USER account removed` (see
//! docs/compatibility.md, "Reasons clients match on"); the reserved-name refusal they look for
//! is the name rules' own (`whmd_domain::names::username::reserved_reason`).

/// createacct's success.
pub const ACCOUNT_CREATED: &str = "Account Creation Ok";

/// modifyacct's success.
pub const ACCOUNT_MODIFIED: &str = "Account Modified";

/// toggle_user_backup_state's success, for the backup system and for the legacy one.
pub const BACKUP_STATE_MODIFIED: &str = "Backup state modified";
pub const LEGACY_BACKUP_STATE_MODIFIED: &str = "Legacy Backup state modified";

/// editquota's success.
pub const QUOTA_SET: &str = "Set quota for user.";

/// suspendacct's and unsuspendacct's failures.
pub const SUSPEND_FAILED: &str = "Failed to suspend account.";
pub const UNSUSPEND_FAILED: &str = "Failed to unsuspend account.";

/// removeacct's success (also the last line of its raw log).
pub fn account_removed(user: &str) -> String {
    format!("{user} account removed")
}

/// passwd's success.
pub fn password_changed(user: &str) -> String {
    format!("Password changed for user “{user}”.")
}
