//! Credentials: API tokens (by digest) and password hashes.

use super::StoreError;
use async_trait::async_trait;
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
}

#[async_trait]
pub trait CredentialStore: Debug + Send + Sync {
    /// Stores a new token. A token of the same name for the same user is a `Conflict`.
    async fn insert_api_token(&self, token: &ApiTokenRecord) -> Result<(), StoreError>;

    async fn api_token_by_digest(&self, digest: &str)
    -> Result<Option<ApiTokenRecord>, StoreError>;

    async fn api_token_by_name(
        &self,
        user: &str,
        name: &str,
    ) -> Result<Option<ApiTokenRecord>, StoreError>;

    /// The user's password hash (a PHC string), if it has one.
    async fn password_hash(&self, user: &str) -> Result<Option<String>, StoreError>;

    /// Sets or replaces the user's password hash.
    async fn set_password_hash(&self, user: &str, phc: &str) -> Result<(), StoreError>;
}
