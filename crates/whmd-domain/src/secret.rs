//! Secrets: API tokens (stored as SHA-512 digests, as cPanel does) and passwords. Root's whmd
//! password is an Argon2id PHC string; an account's (or reseller's) is the SHA-512-crypt hash
//! (`$6$`) that /etc/shadow holds for the system user, as cPanel writes it, so one hash serves
//! both the WHM login and the host. A [`Secret`] never shows itself in `Debug` output or logs.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::Rng;
use sha_crypt::{PasswordHasher as _, PasswordVerifier as ShaCryptVerifier, ShaCrypt};
use sha2::{Digest, Sha512};
use std::fmt;
use std::sync::LazyLock;
use tokio::sync::Semaphore;

/// A secret string. `Debug` prints `[redacted]`; read it with [`Secret::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Whether two secrets are equal, in time that depends on their lengths only.
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A new access hash as cPanel's `~/.accesshash` holds one: 30 lines of 32 hexadecimal digits
/// (docs/compatibility.md, "Authentication").
pub fn generate_access_hash() -> Secret {
    let mut rng = rand::rng();
    let lines: Vec<String> = (0..30)
        .map(|_| hex::encode(rng.random::<[u8; 16]>()))
        .collect();
    Secret::new(lines.join("\n"))
}

/// The digest an access hash is kept as: SHA-512 of its text, every whitespace character
/// removed, as clients send it.
pub fn access_hash_digest(text: &str) -> String {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    token_digest(&compact)
}

/// Whether a secret presented in a `whm` header has an access hash's shape: hexadecimal and
/// longer than an API token.
pub fn looks_like_access_hash(secret: &str) -> bool {
    secret.len() > TOKEN_LEN && secret.bytes().all(|b| b.is_ascii_hexdigit())
}

const TOKEN_ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
pub const TOKEN_LEN: usize = 32;

/// A new API token: 32 characters from `[0-9A-Z]`, like cPanel's (docs/compatibility.md,
/// "Authentication").
pub fn generate_api_token() -> Secret {
    let mut rng = rand::rng();
    let token: String = (0..TOKEN_LEN)
        .map(|_| char::from(TOKEN_ALPHABET[rng.random_range(0..TOKEN_ALPHABET.len())]))
        .collect();
    Secret(token)
}

/// The stored form of an API token: its SHA-512 digest in lowercase hex. Tokens carry 165 bits
/// of randomness, so a fast digest is safe and keeps token checks cheap on every request.
pub fn token_digest(token: &str) -> String {
    hex::encode(Sha512::digest(token.as_bytes()))
}

#[derive(Debug, thiserror::Error)]
#[error("the password could not be hashed: {0}")]
pub struct HashError(String);

/// At most this many password hashes run at once. Each holds a core for milliseconds (and Argon2's
/// 19 MiB for tens of them): more at once would only wait for CPU while holding memory, and an
/// unbounded number would let a flood of logins or createacct calls exhaust memory.
static HASHING: LazyLock<Semaphore> =
    LazyLock::new(|| Semaphore::new(std::thread::available_parallelism().map_or(1, usize::from)));

/// Hashes a password with Argon2id and a random salt, as a PHC string, on the blocking pool.
pub async fn hash_password(password: Secret) -> Result<String, HashError> {
    hash_on_pool(password, hash_now).await
}

/// Hashes an account's password as /etc/shadow keeps it: SHA-512-crypt with 5,000 rounds and
/// a random 16-character salt (`$6$rounds=5000$SALT$HASH`), on the blocking pool.
pub async fn hash_system_password(password: Secret) -> Result<String, HashError> {
    hash_on_pool(password, crypt_now).await
}

/// Whether a stored hash is one the system's crypt(3) reads (`$6$`), as an account's is.
pub fn is_system_hash(stored: &str) -> bool {
    stored.starts_with("$6$")
}

async fn hash_on_pool(
    password: Secret,
    hash: fn(&Secret) -> Result<String, HashError>,
) -> Result<String, HashError> {
    let _permit = HASHING
        .acquire()
        .await
        .map_err(|e| HashError(e.to_string()))?;
    tokio::task::spawn_blocking(move || hash(&password))
        .await
        .map_err(|e| HashError(e.to_string()))?
}

/// Checks a password against a stored hash (a PHC string or a `$6$` crypt hash), on the
/// blocking pool. With no stored hash it
/// still does the work of one check, so a caller cannot time whether a user has a password.
pub async fn verify_password(password: Secret, stored: Option<String>) -> bool {
    let Ok(_permit) = HASHING.acquire().await else {
        return false;
    };
    tokio::task::spawn_blocking(move || verify_now(&password, stored.as_deref()))
        .await
        .unwrap_or(false)
}

fn hash_now(password: &Secret) -> Result<String, HashError> {
    let salt = SaltString::encode_b64(&rand::rng().random::<[u8; 16]>())
        .map_err(|e| HashError(e.to_string()))?;
    Argon2::default()
        .hash_password(password.expose().as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| HashError(e.to_string()))
}

fn crypt_now(password: &Secret) -> Result<String, HashError> {
    // Twelve bytes are sixteen salt characters, the most crypt(3) reads.
    let salt = rand::rng().random::<[u8; 12]>();
    ShaCrypt::SHA512
        .hash_password_with_salt(password.expose().as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| HashError(e.to_string()))
}

fn verify_now(password: &Secret, stored: Option<&str>) -> bool {
    // Most users who log in with a password are accounts, so a missing user costs a check of
    // their kind.
    static DUMMY: LazyLock<String> =
        LazyLock::new(|| crypt_now(&Secret::new("whmd-dummy")).unwrap_or_default());
    let hash = stored.unwrap_or(DUMMY.as_str());
    let password = password.expose().as_bytes();
    let ok = if is_system_hash(hash) {
        ShaCryptVerifier::verify_password(&ShaCrypt::SHA512, password, hash).is_ok()
    } else {
        PasswordHash::new(hash)
            .is_ok_and(|hash| Argon2::default().verify_password(password, &hash).is_ok())
    };
    ok && stored.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_hashes() {
        let hash = generate_access_hash();
        let lines: Vec<&str> = hash.expose().lines().collect();
        assert_eq!(lines.len(), 30);
        assert!(
            lines
                .iter()
                .all(|l| l.len() == 32 && l.bytes().all(|b| b.is_ascii_hexdigit()))
        );
        let compact: String = hash.expose().split_whitespace().collect();
        assert_eq!(compact.len(), 960);
        assert!(looks_like_access_hash(&compact));
        assert_eq!(
            access_hash_digest(hash.expose()),
            access_hash_digest(&compact)
        );
        assert!(!looks_like_access_hash(generate_api_token().expose()));
    }

    #[test]
    fn secrets_compare() {
        assert!(same_secret("/cpsess0123456789", "/cpsess0123456789"));
        assert!(!same_secret("/cpsess0123456789", "/cpsess0123456788"));
        assert!(!same_secret("/cpsess0123456789", "/cpsess012345678"));
        assert!(same_secret("", ""));
    }

    #[test]
    fn tokens_have_cpanels_form() {
        let t = generate_api_token();
        assert_eq!(t.expose().len(), TOKEN_LEN);
        assert!(t.expose().bytes().all(|b| TOKEN_ALPHABET.contains(&b)));
        assert_ne!(t, generate_api_token());
        assert_eq!(token_digest("abc").len(), 128);
    }

    #[test]
    fn passwords_verify_and_redact() {
        let pw = Secret::new("correct horse");
        let hash = hash_now(&pw).expect("hashes");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_now(&pw, Some(&hash)));
        assert!(!verify_now(&Secret::new("wrong"), Some(&hash)));
        assert!(!verify_now(&pw, None));
        assert!(!verify_now(&pw, Some("not a hash")));
        assert_eq!(format!("{pw:?}"), "[redacted]");
    }

    #[test]
    fn system_passwords_are_what_crypt_reads() {
        let pw = Secret::new("correct horse");
        let hash = crypt_now(&pw).expect("hashes");
        let fields: Vec<&str> = hash.split('$').collect();
        assert_eq!(fields[..3], ["", "6", "rounds=5000"], "{hash}");
        assert_eq!(fields[3].len(), 16, "{hash}");
        assert!(is_system_hash(&hash));
        assert!(verify_now(&pw, Some(&hash)));
        assert!(!verify_now(&Secret::new("wrong"), Some(&hash)));
        assert_ne!(hash, crypt_now(&pw).expect("hashes"), "salted");
        // What glibc's crypt(3) (and `openssl passwd -6`) make of the same password and salt,
        // with the default rounds left implicit and spelled out.
        let theirs = "$6$saltsaltsaltsalt$GkzgkzVbauGAKXpOTbypQEKy/9yJWVjcvXvDw7CxoJjnJ1.w.g1rV8bhCVTpHrRrO/h6b3DAwPN3y5qmHXZ1R1";
        assert!(verify_now(&pw, Some(theirs)));
        assert!(verify_now(
            &pw,
            Some(&theirs.replace("$6$", "$6$rounds=5000$"))
        ));
        assert!(!verify_now(&pw, Some("$6$saltsaltsaltsalt$")));
    }
}
