//! Credentials: API tokens (by digest) and password hashes.

use super::StoreError;
use crate::account::AccountingEntry;
use async_trait::async_trait;
use ipnet::IpNet;
use std::fmt::Debug;
use whmd_wire::AclSet;

/// One API token as stored: never the token itself, only its digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiTokenRecord {
    pub user: String,
    pub name: String,
    /// SHA-512 hex of the token ([`crate::secret::token_digest`]).
    pub digest: String,
    pub create_time: i64,
    /// Unix time after which the token is refused; `None` never expires.
    pub expires_at: Option<i64>,
    /// The privileges the token is limited to; `None` inherits all of its owner's.
    pub acls: Option<AclSet>,
    /// The addresses the token may be used from; `None` for any.
    pub whitelist: Option<Vec<IpNet>>,
}

#[async_trait]
pub trait CredentialStore: Debug + Send + Sync {
    /// Stores a new token, writing `log`. A token of the same name for the same user is a
    /// `Conflict`.
    async fn insert_api_token(
        &self,
        token: &ApiTokenRecord,
        log: &[AccountingEntry],
    ) -> Result<(), StoreError>;

    /// The user's tokens, ordered by name.
    async fn api_tokens(&self, user: &str) -> Result<Vec<ApiTokenRecord>, StoreError>;

    /// Replaces the user's token called `name` by `token`, which may carry a new name (a name
    /// the user already has is a `Conflict`), writing `log`. `false` when there is no such
    /// token.
    async fn update_api_token(
        &self,
        name: &str,
        token: &ApiTokenRecord,
        log: &[AccountingEntry],
    ) -> Result<bool, StoreError>;

    /// Removes the user's tokens called `names`, each with its entry from `log` (matched by
    /// position); returns the names that existed.
    async fn revoke_api_tokens(
        &self,
        user: &str,
        names: &[String],
        log: &[AccountingEntry],
    ) -> Result<Vec<String>, StoreError>;

    async fn api_token_by_digest(&self, digest: &str)
    -> Result<Option<ApiTokenRecord>, StoreError>;

    async fn api_token_by_name(
        &self,
        user: &str,
        name: &str,
    ) -> Result<Option<ApiTokenRecord>, StoreError>;

    /// Sets or replaces the user's access hash, kept as its digest.
    async fn set_access_hash(
        &self,
        user: &str,
        digest: &str,
        created: i64,
    ) -> Result<(), StoreError>;

    /// The digest of the user's access hash, if it has one.
    async fn access_hash(&self, user: &str) -> Result<Option<String>, StoreError>;

    /// The user's password hash (a PHC string, or for an account a `$6$` crypt hash), if it has
    /// one.
    async fn password_hash(&self, user: &str) -> Result<Option<String>, StoreError>;

    /// Sets or replaces the user's password hash.
    async fn set_password_hash(&self, user: &str, phc: &str) -> Result<(), StoreError>;
}
