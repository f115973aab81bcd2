//! Login sessions (docs/compatibility.md, "Authentication"): made by a password login or by
//! `create_user_session`, used with the `whostmgrsession` cookie and the security token in the
//! path, ended by logging out or by going unused for the session timeout.

use super::{Authenticator, Refused};
use crate::audit::AuditEvent;
use crate::secret::{same_secret, token_digest};
use crate::session::{PREAUTH_SECS, Session, new_secret};
use crate::time::unix_now;
use crate::{AuthMethod, Principal, Secret, StoreError};
use std::net::IpAddr;

/// A session just made: what the caller needs to use it.
#[derive(Debug, Clone)]
pub struct SessionStart {
    /// The cookie value.
    pub secret: Secret,
    /// `/cpsessNNNNNNNNNN`.
    pub security_token: String,
    pub expires: i64,
}

impl Authenticator {
    /// A session for `principal`, who has just proved itself (with a password).
    pub async fn start_session(
        &self,
        principal: &Principal,
        peer: IpAddr,
    ) -> Result<SessionStart, StoreError> {
        let now = unix_now();
        let start = self
            .new_session(&principal.user, "login", now, false)
            .await?;
        self.audit.record(AuditEvent::SessionStarted {
            user: principal.user.clone(),
            ip: peer,
            how: "login".into(),
        });
        Ok(start)
    }

    /// A pre-authenticated session for `user`, for `create_user_session`: its login URL makes
    /// it a normal session once, within five minutes.
    pub async fn preauthorise(&self, user: &str, by: &str) -> Result<SessionStart, StoreError> {
        let now = unix_now();
        let start = self
            .new_session(user, "create_user_session", now, true)
            .await?;
        tracing::info!(%user, by, "session made for a login URL");
        Ok(start)
    }

    async fn new_session(
        &self,
        user: &str,
        origin: &str,
        now: i64,
        preauth: bool,
    ) -> Result<SessionStart, StoreError> {
        let secret = new_secret(user, origin);
        let expires = now
            + if preauth {
                PREAUTH_SECS
            } else {
                self.policy.session_timeout
            };
        let session = Session::new(user, &secret, now, expires, preauth);
        self.stores.sessions.create_session(&session).await?;
        Ok(SessionStart {
            secret,
            security_token: session.security_token,
            expires,
        })
    }

    /// Redeems a login URL: the pre-authenticated session becomes a normal one, once. Its user,
    /// or `None` when the URL is unknown, used, expired or for another security token.
    pub async fn redeem(
        &self,
        secret: &Secret,
        security_token: &str,
        peer: IpAddr,
    ) -> Result<Option<String>, StoreError> {
        let now = unix_now();
        let digest = token_digest(secret.expose());
        let Some(session) = self.stores.sessions.session(&digest).await? else {
            return Ok(None);
        };
        if !same_secret(&session.security_token, security_token) {
            return Ok(None);
        }
        let expires = now + self.policy.session_timeout;
        if !self
            .stores
            .sessions
            .redeem_session(&digest, now, expires)
            .await?
        {
            return Ok(None);
        }
        self.audit.record(AuditEvent::SessionStarted {
            user: session.user.clone(),
            ip: peer,
            how: "login_url".into(),
        });
        Ok(Some(session.user))
    }

    /// Ends the session the cookie names, if the security token is its own.
    pub async fn end_session(
        &self,
        secret: &Secret,
        security_token: Option<&str>,
        peer: IpAddr,
    ) -> Result<bool, StoreError> {
        let digest = token_digest(secret.expose());
        let Some(session) = self.stores.sessions.session(&digest).await? else {
            return Ok(false);
        };
        if !security_token.is_some_and(|t| same_secret(&session.security_token, t)) {
            return Ok(false);
        }
        let ended = self.stores.sessions.remove_session(&digest).await?;
        if ended {
            self.audit.record(AuditEvent::SessionEnded {
                user: session.user,
                ip: peer,
            });
        }
        Ok(ended)
    }

    /// The principal a session cookie proves with the request's security token.
    pub(super) async fn by_session(
        &self,
        secret: &Secret,
        security_token: Option<&str>,
        now: i64,
    ) -> Result<Result<Principal, Refused>, StoreError> {
        let digest = token_digest(secret.expose());
        let Some(session) = self.stores.sessions.session(&digest).await? else {
            return Ok(Err("unknown session"));
        };
        // A cookie alone is not enough: the request must carry the session's security token
        // (cPanel's "Security Token Failure").
        if !security_token.is_some_and(|t| same_secret(&session.security_token, t)) {
            return Ok(Err("security token does not match the session"));
        }
        if session.preauth {
            return Ok(Err("session not yet redeemed by its login URL"));
        }
        if session.expires <= now {
            return Ok(Err("session expired"));
        }
        let Some(acls) = self.acls_of(&session.user).await? else {
            return Ok(Err("user holds no WHM privileges"));
        };
        // Used, it lasts another timeout; written at most once per half timeout.
        if session.expires - now < self.policy.session_timeout / 2 {
            self.stores
                .sessions
                .touch_session(&digest, now + self.policy.session_timeout)
                .await?;
        }
        Ok(Ok(Principal {
            user: session.user,
            acls,
            method: AuthMethod::Session,
        }))
    }
}
