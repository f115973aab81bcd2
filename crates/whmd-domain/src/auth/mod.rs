//! Authentication: credentials from a request become a [`Principal`], or a refusal.
//!
//! A refusal never says why (wrong secret, unknown user, expired token): the caller gets the same
//! 403 either way (docs/compatibility.md, "Authentication"). The reason goes to the log and the
//! audit log only. Brute-force protection ([`HulkGuard`]) is consulted first: a blocked caller is
//! refused before its credentials are looked at, and every failure from an address that is not
//! whitelisted is counted.

mod cache;
mod memo;
mod sessions;
mod successes;

pub use cache::TTL as TOKEN_CACHE_TTL;
pub use sessions::SessionStart;

use crate::audit::{AuditEvent, AuditSink, Method};
use crate::hulk::{Failure, Gate, HulkGuard};
use crate::ip;
use crate::names::is_system_username;
use crate::secret::{
    access_hash_digest, looks_like_access_hash, same_secret, token_digest, verify_password,
};
use crate::time::unix_now;
use crate::{AuthMethod, Principal, Secret, StoreError, Stores};
use cache::{Proof, TokenCache};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;
use successes::RecentSuccesses;
use whmd_wire::AclSet;

/// What a request presented.
#[derive(Debug, Clone)]
pub enum Credentials {
    /// `Authorization: whm USER:TOKEN`.
    ApiToken { user: String, token: Secret },
    /// `Authorization: Basic …`.
    Password { user: String, password: Secret },
    /// The `whostmgrsession` cookie and the security token of the request's path.
    Session {
        secret: Secret,
        security_token: Option<String>,
    },
}

impl Credentials {
    /// The user the credentials claim to be (a session's secret begins with it).
    pub fn user(&self) -> &str {
        match self {
            Self::ApiToken { user, .. } | Self::Password { user, .. } => user,
            Self::Session { secret, .. } => secret.expose().split(':').next().unwrap_or(""),
        }
    }

    fn method(&self) -> Method {
        match self {
            Self::ApiToken { token, .. } if looks_like_access_hash(token.expose()) => {
                Method::AccessHash
            }
            Self::ApiToken { .. } => Method::ApiToken,
            Self::Password { .. } => Method::Password,
            Self::Session { .. } => Method::Session,
        }
    }
}

/// Settings of authentication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthPolicy {
    /// How long a login session lasts without being used, in seconds.
    pub session_timeout: i64,
    /// Whether legacy access hashes are accepted; off unless configured, as current cPanel
    /// does.
    pub access_hash: bool,
}

impl Default for AuthPolicy {
    fn default() -> Self {
        Self {
            session_timeout: 3600,
            access_hash: false,
        }
    }
}

/// Why credentials were refused, as far as the caller may tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// Brute-force protection refused the caller before its credentials were looked at.
    Blocked,
    /// The credentials proved nothing.
    Invalid,
}

/// Why credentials proved nothing: for the log and the audit log, never for the caller.
type Refused = &'static str;

#[derive(Debug, Clone)]
pub struct Authenticator {
    /// Tells this authenticator's per-thread memos from another's.
    id: u64,
    stores: Stores,
    policy: AuthPolicy,
    tokens: Arc<TokenCache>,
    hulk: Arc<HulkGuard>,
    audit: Arc<dyn AuditSink>,
    successes: Arc<RecentSuccesses>,
}

impl Authenticator {
    pub fn new(stores: Stores, policy: AuthPolicy, audit: Arc<dyn AuditSink>) -> Self {
        Self {
            id: memo::authenticator_id(),
            hulk: Arc::new(HulkGuard::new(stores.clone())),
            stores,
            policy,
            tokens: Arc::new(TokenCache::new(cache::TTL)),
            audit,
            successes: Arc::default(),
        }
    }

    /// Forgets every remembered token proof and brute-force state; called after anything that
    /// may have changed credentials, privileges or blocks.
    pub fn forget(&self) {
        self.tokens.clear();
        self.hulk.forget();
    }

    /// The principal these credentials prove when presented from `peer`, the refusal, or a
    /// store failure (which must not read as a refusal). Every outcome is audited.
    pub async fn authenticate(
        &self,
        credentials: Credentials,
        peer: IpAddr,
    ) -> Result<Result<Principal, Denied>, StoreError> {
        let peer = ip::canonical(peer);
        // One reading of the monotonic clock for the caches this call consults; the wall
        // clock is read only where a time is compared with a stored one.
        let clock = Instant::now();
        if let Some(principal) = self.remembered(&credentials, peer, clock) {
            return Ok(Ok(principal));
        }
        // Boxed: most calls are answered above, and their future need not hold the store's
        // reads.
        Box::pin(self.look_up(credentials, peer, clock)).await
    }

    /// The principal of a call the caches answer alone: an API token remembered as valid,
    /// presented from an address brute-force protection lets through, its success audited.
    /// This thread's memo of the same call is asked first. Anything else, every refusal
    /// included, is looked up.
    fn remembered(
        &self,
        credentials: &Credentials,
        peer: IpAddr,
        clock: Instant,
    ) -> Option<Principal> {
        let Credentials::ApiToken { user, token } = credentials else {
            return None;
        };
        if credentials.method() != Method::ApiToken || !is_system_username(user) {
            return None;
        }
        let key = cache::key(token.expose());
        // Read before the caches, so that a clear while they are read voids the memo.
        let epoch = memo::Epoch {
            authenticator: self.id,
            tokens: self.tokens.generation(),
            hulk: self.hulk.generation(),
        };
        if let Some(principal) = memo::recall(epoch, &key, user, peer, clock) {
            return Some(principal);
        }
        let (hulk, hulk_until) = self.hulk.remembered(clock)?;
        if matches!(hulk.gate(peer, user, unix_now), Gate::Refused(_)) {
            return None;
        }
        let (proof, proof_until) = self.tokens.get(&key, user, clock)?;
        let expires_at = proof.expires_at;
        let principal = proof_holds(proof, peer).ok()?;
        let principal = self.succeeded(principal, peer, Method::ApiToken, clock);
        memo::note(memo::Memo {
            epoch,
            key,
            peer,
            until: hulk_until.min(proof_until),
            expires_at,
            principal: principal.clone(),
        });
        Some(principal)
    }

    /// A call whose caller must be looked up: brute-force protection, then the credentials.
    async fn look_up(
        &self,
        credentials: Credentials,
        peer: IpAddr,
        clock: Instant,
    ) -> Result<Result<Principal, Denied>, StoreError> {
        let user = credentials.user();
        let method = credentials.method();
        let gate = self.hulk.gate(peer, user, clock).await?;
        if let Gate::Refused(reason) = gate {
            tracing::info!(%user, %peer, reason, "login blocked by brute-force protection");
            self.audit.record(AuditEvent::LoginBlocked {
                user: user.to_owned(),
                ip: peer,
                reason,
            });
            return Ok(Err(Denied::Blocked));
        }
        let outcome = if is_system_username(user) {
            match &credentials {
                Credentials::ApiToken { token, .. } if method == Method::AccessHash => {
                    self.by_access_hash(user, token).await?
                }
                Credentials::ApiToken { token, .. } => {
                    self.by_token(user, token, peer, clock).await?
                }
                Credentials::Password { password, .. } => {
                    self.by_password(user, password.clone()).await?
                }
                Credentials::Session {
                    secret,
                    security_token,
                } => {
                    self.by_session(secret, security_token.as_deref(), unix_now())
                        .await?
                }
            }
        } else {
            Err("invalid user name")
        };
        match outcome {
            Ok(principal) => Ok(Ok(self.succeeded(principal, peer, method, clock))),
            Err(reason) => {
                tracing::info!(%user, reason, "authentication refused");
                self.audit.record(AuditEvent::LoginFailed {
                    user: user.to_owned(),
                    ip: peer,
                    method,
                    reason: reason.to_owned(),
                });
                // Whitelisted addresses are never counted.
                if gate == Gate::Open {
                    self.count_failure(user.to_owned(), peer, method, unix_now())
                        .await?;
                }
                Ok(Err(Denied::Invalid))
            }
        }
    }

    /// A login that succeeded, audited the first time in a while for its user, address and
    /// method.
    fn succeeded(
        &self,
        principal: Principal,
        peer: IpAddr,
        method: Method,
        clock: Instant,
    ) -> Principal {
        if self
            .successes
            .first_in_period(&principal.user, peer, method, clock)
        {
            self.audit.record(AuditEvent::LoginSucceeded {
                user: principal.user.clone(),
                ip: peer,
                method,
            });
        }
        principal
    }

    async fn count_failure(
        &self,
        user: String,
        peer: IpAddr,
        method: Method,
        now: i64,
    ) -> Result<(), StoreError> {
        let failure = Failure {
            time: now,
            user,
            ip: peer,
            service: "whostmgr".into(),
            authservice: method.name().into(),
        };
        for block in self.hulk.record_failure(&failure).await? {
            tracing::warn!(kind = block.kind.name(), key = %block.key, until = block.until, "brute-force lockout");
            self.audit.record(AuditEvent::Lockout {
                kind: block.kind.name().into(),
                key: block.key,
                until: block.until,
            });
        }
        Ok(())
    }

    async fn by_token(
        &self,
        user: &str,
        token: &Secret,
        peer: IpAddr,
        clock: Instant,
    ) -> Result<Result<Principal, Refused>, StoreError> {
        if token.expose().is_empty() {
            return Ok(Err("no token given"));
        }
        let key = cache::key(token.expose());
        let proof = match self.tokens.get(&key, user, clock) {
            Some((proof, _)) => proof,
            // Boxed: most calls are answered from the cache, and their future need not hold
            // the store's reads.
            None => match Box::pin(self.token_proof(user, token, key)).await? {
                Ok(proof) => proof,
                Err(refused) => return Ok(Err(refused)),
            },
        };
        Ok(proof_holds(proof, peer))
    }

    /// What the store says `token` proves for `user`, remembered under `key`.
    async fn token_proof(
        &self,
        user: &str,
        token: &Secret,
        key: cache::Key,
    ) -> Result<Result<Proof, Refused>, StoreError> {
        let generation = self.tokens.generation();
        let digest = token_digest(token.expose());
        let record = self.stores.credentials.api_token_by_digest(&digest).await?;
        let Some(record) = record.filter(|r| r.user == user) else {
            return Ok(Err("unknown token"));
        };
        let Some(own) = self.acls_of(user).await? else {
            return Ok(Err("user holds no WHM privileges"));
        };
        let proof = Proof {
            principal: Principal {
                user: user.to_owned(),
                acls: record.acls.map_or(own, |t| own.narrowed_by(t)),
                method: AuthMethod::ApiToken {
                    name: record.name,
                    limited: record.acls.is_some(),
                },
            },
            expires_at: record.expires_at,
            whitelist: record.whitelist,
        };
        self.tokens.insert(generation, key, proof.clone());
        Ok(Ok(proof))
    }

    async fn by_password(
        &self,
        user: &str,
        password: Secret,
    ) -> Result<Result<Principal, Refused>, StoreError> {
        let stored = self.stores.credentials.password_hash(user).await?;
        if !verify_password(password, stored).await {
            return Ok(Err("wrong password or no password set"));
        }
        let Some(acls) = self.acls_of(user).await? else {
            return Ok(Err("user holds no WHM privileges"));
        };
        Ok(Ok(Principal {
            user: user.to_owned(),
            acls,
            method: AuthMethod::Password,
        }))
    }

    /// A legacy access hash, when the configuration allows them. It is compared with the
    /// stored digest in constant time, against a digest that matches nothing when the user
    /// has none.
    async fn by_access_hash(
        &self,
        user: &str,
        hash: &Secret,
    ) -> Result<Result<Principal, Refused>, StoreError> {
        if !self.policy.access_hash {
            return Ok(Err("access hashes are not enabled"));
        }
        let stored = self.stores.credentials.access_hash(user).await?;
        let presented = access_hash_digest(hash.expose());
        let matches = same_secret(&presented, stored.as_deref().unwrap_or(&"-".repeat(128)));
        if !matches || stored.is_none() {
            return Ok(Err("wrong access hash"));
        }
        let Some(acls) = self.acls_of(user).await? else {
            return Ok(Err("user holds no WHM privileges"));
        };
        Ok(Ok(Principal {
            user: user.to_owned(),
            acls,
            method: AuthMethod::AccessHash,
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

/// Whether a token's proof still holds for a call from `peer`: not expired, and the address on
/// the token's whitelist when it has one.
fn proof_holds(proof: Proof, peer: IpAddr) -> Result<Principal, Refused> {
    if proof.expires_at.is_some_and(|t| t <= unix_now()) {
        return Err("token expired");
    }
    if let Some(ranges) = &proof.whitelist
        && !ip::is_in(peer, ranges)
    {
        return Err("address not on the token's whitelist");
    }
    Ok(proof.principal)
}
