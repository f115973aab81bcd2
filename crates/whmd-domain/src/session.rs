//! WHM login sessions (docs/compatibility.md, "Authentication"): a secret the browser keeps in the
//! `whostmgrsession` cookie, and a security token (`/cpsessNNNNNNNNNN`) every request of the
//! session carries in its path. Only a digest of the secret is stored. A session made by
//! `create_user_session` starts "pre-authenticated": its login URL turns it into a normal
//! session once, within five minutes.

use crate::Secret;
use crate::secret::token_digest;
use rand::Rng;

/// How long a login URL from `create_user_session` stays usable.
pub const PREAUTH_SECS: i64 = 300;

/// The cookie that carries the session secret.
pub const COOKIE: &str = "whostmgrsession";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The digest of the secret ([`token_digest`]).
    pub digest: String,
    pub user: String,
    /// `/cpsess` and ten digits.
    pub security_token: String,
    pub created: i64,
    /// When it ends unless used again (each use pushes it on).
    pub expires: i64,
    /// Made by `create_user_session` and not yet redeemed by its login URL.
    pub preauth: bool,
}

/// A new session secret for `user`, in cPanel's shape: `user:<16 letters>:<origin>,<hex>`.
pub fn new_secret(user: &str, origin: &str) -> Secret {
    const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    let name: String = (0..16)
        .map(|_| char::from(LETTERS[rng.random_range(0..LETTERS.len())]))
        .collect();
    let hex = hex::encode(rng.random::<[u8; 16]>());
    Secret::new(format!("{user}:{name}:{origin},{hex}"))
}

/// A new security token: `/cpsess` and ten digits.
pub fn new_security_token() -> String {
    let mut rng = rand::rng();
    let digits: String = (0..10)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect();
    format!("/cpsess{digits}")
}

impl Session {
    /// A session of `user` for `secret`, from `now` until `expires`.
    pub fn new(user: &str, secret: &Secret, now: i64, expires: i64, preauth: bool) -> Self {
        Self {
            digest: token_digest(secret.expose()),
            user: user.to_owned(),
            security_token: new_security_token(),
            created: now,
            expires,
            preauth,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_and_tokens_have_cpanels_shape() {
        let secret = new_secret("bob", "create_user_session");
        let parts: Vec<&str> = secret.expose().split(':').collect();
        assert_eq!(parts[0], "bob");
        assert_eq!(parts[1].len(), 16);
        assert!(parts[2].starts_with("create_user_session,"));
        let token = new_security_token();
        assert_eq!(token.len(), "/cpsess".len() + 10);
        assert!(token["/cpsess".len()..].bytes().all(|b| b.is_ascii_digit()));
        let session = Session::new("bob", &secret, 10, 20, false);
        assert_eq!(session.digest, token_digest(secret.expose()));
        assert_ne!(
            new_secret("bob", "x").expose(),
            new_secret("bob", "x").expose()
        );
    }
}
