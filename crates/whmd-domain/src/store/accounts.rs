//! Accounts and their accounting log. Every change writes its log entries in the same
//! transaction, so the log never disagrees with the accounts.

use super::StoreError;
use crate::account::{Account, AccountingEntry};
use async_trait::async_trait;
use std::fmt::Debug;

#[async_trait]
pub trait AccountStore: Debug + Send + Sync {
    /// Stores a new account with its password hash. A taken username or main domain is a
    /// `Conflict`, and then nothing is written.
    async fn create_account(
        &self,
        account: &Account,
        password_phc: &str,
        log: &AccountingEntry,
    ) -> Result<(), StoreError>;

    async fn account(&self, user: &str) -> Result<Option<Account>, StoreError>;

    async fn account_by_domain(&self, domain: &str) -> Result<Option<Account>, StoreError>;

    /// Every account, or those `owner` owns, ordered by username.
    async fn accounts(&self, owner: Option<&str>) -> Result<Vec<Account>, StoreError>;

    /// The usernames whose database-owner form starts with `prefix` (the shared-prefix rule).
    async fn users_with_db_prefix(&self, prefix: &str) -> Result<Vec<String>, StoreError>;

    /// Replaces the account stored as `user` by `account`, which may carry a new username
    /// (then its password and tokens move with it), and bumps its revision. Fails with
    /// `Conflict` when the stored revision is no longer `account.revision` (someone changed it
    /// since it was read) or when a new username or domain is taken; then nothing is written.
    async fn update_account(
        &self,
        user: &str,
        account: &Account,
        log: &[AccountingEntry],
    ) -> Result<(), StoreError>;

    /// Removes the account, its password and tokens; the accounts it owned pass to root.
    /// `false` when there was none.
    async fn remove_account(&self, user: &str, log: &AccountingEntry) -> Result<bool, StoreError>;

    /// Replaces the account's password hash; `false` when there is no such account.
    async fn set_account_password(
        &self,
        user: &str,
        password_phc: &str,
        log: &AccountingEntry,
    ) -> Result<bool, StoreError>;

    /// The newest `limit` accounting entries, oldest first.
    async fn accounting_log(&self, limit: u32) -> Result<Vec<AccountingEntry>, StoreError>;
}
