//! Secrets whmd must use again later (a backup destination's password or key passphrase), kept
//! encrypted at rest: ChaCha20-Poly1305 under the server's secrets key, a file in the data
//! directory that never enters the store, so a copy of the database alone reveals nothing.
//! Each sealed text is bound to what it belongs to (its associated data), so it cannot be
//! moved to another record.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use sha2::{Digest, Sha256};
use std::fmt;

/// The length of a secrets key, in bytes.
pub const KEY_LEN: usize = 32;
const VERSION: &str = "v1";

/// Why a sealed text could not be opened.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OpenError {
    #[error(
        "it was sealed with another secrets key (key {0}); every replica needs the same secrets key file"
    )]
    OtherKey(String),
    #[error("it is damaged or belongs to another record")]
    Damaged,
}

/// The server's secrets key. `Debug` shows only its id.
pub struct SecretsKey {
    key: LessSafeKey,
    id: String,
}

impl SecretsKey {
    /// The key from its bytes.
    pub fn new(bytes: &[u8; KEY_LEN]) -> Self {
        let unbound = UnboundKey::new(&CHACHA20_POLY1305, bytes)
            .unwrap_or_else(|_| unreachable!("a ChaCha20-Poly1305 key is {KEY_LEN} bytes"));
        Self {
            key: LessSafeKey::new(unbound),
            id: hex::encode(&Sha256::digest(bytes)[..4]),
        }
    }

    /// A new random key's bytes.
    pub fn generate() -> [u8; KEY_LEN] {
        let mut bytes = [0u8; KEY_LEN];
        fill(&mut bytes);
        bytes
    }

    /// A short name for the key (not secret): the start of its SHA-256 digest.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// `plain` encrypted and bound to `context`: `v1.KEYID.BASE64(nonce ‖ ciphertext ‖ tag)`.
    pub fn seal(&self, plain: &str, context: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        fill(&mut nonce);
        let mut data = plain.as_bytes().to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(context.as_bytes()),
                &mut data,
            )
            .unwrap_or_else(|_| unreachable!("sealing fails only beyond 256 GB"));
        let mut out = nonce.to_vec();
        out.extend_from_slice(&data);
        format!("{VERSION}.{}.{}", self.id, STANDARD_NO_PAD.encode(out))
    }

    /// The text [`SecretsKey::seal`] sealed for `context`.
    pub fn open(&self, sealed: &str, context: &str) -> Result<String, OpenError> {
        let mut parts = sealed.splitn(3, '.');
        let (Some(VERSION), Some(id), Some(body)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(OpenError::Damaged);
        };
        if id != self.id {
            return Err(OpenError::OtherKey(id.to_owned()));
        }
        let mut data = STANDARD_NO_PAD
            .decode(body)
            .map_err(|_| OpenError::Damaged)?;
        if data.len() < NONCE_LEN {
            return Err(OpenError::Damaged);
        }
        let mut rest = data.split_off(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(&data).map_err(|_| OpenError::Damaged)?;
        let plain = self
            .key
            .open_in_place(nonce, Aad::from(context.as_bytes()), &mut rest)
            .map_err(|_| OpenError::Damaged)?;
        String::from_utf8(plain.to_vec()).map_err(|_| OpenError::Damaged)
    }
}

impl fmt::Debug for SecretsKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretsKey").field("id", &self.id).finish()
    }
}

fn fill(bytes: &mut [u8]) {
    SystemRandom::new()
        .fill(bytes)
        .unwrap_or_else(|_| panic!("the system's random number generator failed"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_texts_open_only_with_their_key_and_context() {
        let key = SecretsKey::new(&SecretsKey::generate());
        let sealed = key.seal("hunter2", "dest-1");
        assert!(!sealed.contains("hunter2"));
        assert_ne!(
            sealed,
            key.seal("hunter2", "dest-1"),
            "a fresh nonce each time"
        );
        assert_eq!(key.open(&sealed, "dest-1").as_deref(), Ok("hunter2"));
        assert_eq!(key.open(&sealed, "dest-2"), Err(OpenError::Damaged));
        let other = SecretsKey::new(&SecretsKey::generate());
        assert!(matches!(
            other.open(&sealed, "dest-1"),
            Err(OpenError::OtherKey(_))
        ));
        let mut flipped = sealed.clone().into_bytes();
        let last = flipped.len() - 2;
        flipped[last] = if flipped[last] == b'A' { b'B' } else { b'A' };
        let flipped = String::from_utf8(flipped).expect("ascii");
        assert_eq!(key.open(&flipped, "dest-1"), Err(OpenError::Damaged));
        for junk in ["", "v1", "v1.x", "v2.a.b", "v1.{id}.%%%"] {
            let junk = junk.replace("{id}", key.id());
            assert!(key.open(&junk, "dest-1").is_err(), "{junk}");
        }
    }
}
