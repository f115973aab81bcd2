//! Authentication: credentials from a request become a [`Principal`], or nothing.
//!
//! A refusal never says why (wrong secret, unknown user, expired token): the caller gets the
//! same 403 either way (PROTOCOL.md §2.4). The reason goes to the log only.

mod cache;

pub use cache::TTL as TOKEN_CACHE_TTL;

use crate::names::is_system_username;
use crate::secret::{token_digest, verify_password};
use crate::time::unix_now;
use crate::{AuthMethod, Principal, Secret, StoreError, Stores};
use cache::TokenCache;
use std::sync::Arc;
use whmd_wire::AclSet;

/// What a request presented.
#[derive(Debug, Clone)]
pub enum Credentials {
    /// `Authorization: whm USER:TOKEN`.
    ApiToken { user: String, token: Secret },
    /// `Authorization: Basic …`.
    Password { user: String, password: Secret },
}

impl Credentials {
    pub fn user(&self) -> &str {
        match self {
            Self::ApiToken { user, .. } | Self::Password { user, .. } => user,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Authenticator {
    stores: Stores,
    tokens: Arc<TokenCache>,
}

impl Authenticator {
    pub fn new(stores: Stores) -> Self {
        Self {
            stores,
            tokens: Arc::new(TokenCache::new(cache::TTL)),
        }
    }

    /// Forgets every remembered token proof; called after anything that may have changed
    /// credentials or privileges.
    pub fn forget(&self) {
        self.tokens.clear();
    }

    /// The principal these credentials prove, `Ok(None)` when they prove nothing, or a store
    /// failure (which must not read as a refusal).
    pub async fn authenticate(
        &self,
        credentials: Credentials,
    ) -> Result<Option<Principal>, StoreError> {
        if !is_system_username(credentials.user()) {
            tracing::info!(reason = "invalid user name", "authentication refused");
            return Ok(None);
        }
        match credentials {
            Credentials::ApiToken { user, token } => self.by_token(user, &token).await,
            Credentials::Password { user, password } => self.by_password(user, password).await,
        }
    }

    async fn by_token(
        &self,
        user: String,
        token: &Secret,
    ) -> Result<Option<Principal>, StoreError> {
        if token.expose().is_empty() {
            tracing::info!(%user, reason = "no token given", "authentication refused");
            return Ok(None);
        }
        let digest = token_digest(token.expose());
        if let Some(principal) = self.tokens.get(&digest, &user) {
            return Ok(Some(principal));
        }
        let generation = self.tokens.generation();
        let record = self.stores.credentials.api_token_by_digest(&digest).await?;
        let Some(record) = record.filter(|r| r.user == user) else {
            tracing::info!(%user, reason = "unknown token", "authentication refused");
            return Ok(None);
        };
        if record.expires_at.is_some_and(|t| t <= unix_now()) {
            tracing::info!(%user, token = %record.name, reason = "token expired", "authentication refused");
            return Ok(None);
        }
        let Some(own) = self.acls_of(&user).await? else {
            tracing::info!(%user, reason = "user holds no WHM privileges", "authentication refused");
            return Ok(None);
        };
        let acls = record.acls.map_or(own, |t| own.narrowed_by(t));
        let principal = Principal {
            user,
            acls,
            method: AuthMethod::ApiToken { name: record.name },
        };
        self.tokens
            .insert(generation, digest, principal.clone(), record.expires_at);
        Ok(Some(principal))
    }

    async fn by_password(
        &self,
        user: String,
        password: Secret,
    ) -> Result<Option<Principal>, StoreError> {
        let stored = self.stores.credentials.password_hash(&user).await?;
        let ok = verify_password(password, stored).await;
        if !ok {
            tracing::info!(%user, reason = "wrong password or no password set", "authentication refused");
            return Ok(None);
        }
        let Some(acls) = self.acls_of(&user).await? else {
            tracing::info!(%user, reason = "user holds no WHM privileges", "authentication refused");
            return Ok(None);
        };
        Ok(Some(Principal {
            user,
            acls,
            method: AuthMethod::Password,
        }))
    }

    /// The user's own WHM privileges: root holds `all`, a reseller its list, anyone else none.
    /// A suspended reseller holds none.
    async fn acls_of(&self, user: &str) -> Result<Option<AclSet>, StoreError> {
        if user == "root" {
            return Ok(Some(AclSet::root()));
        }
        let account = self.stores.accounts.account(user).await?;
        Ok(account
            .filter(|a| a.suspension.is_none())
            .and_then(|a| a.reseller_acls()))
    }
}
