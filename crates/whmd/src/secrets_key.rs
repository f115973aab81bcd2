//! The secrets key file (`--secrets-key`, by default `DATA_DIR/secrets.key`): 64 hexadecimal
//! digits, root's alone, made at first start. It seals what whmd keeps encrypted in the store
//! (backup destinations' passwords and key passphrases), so it never goes into the store
//! itself; replicas sharing a PostgreSQL store need the same file.

use anyhow::{Context as _, bail};
use std::fs::OpenOptions;
use std::io::Write as _;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;
use whmd_domain::sealed::{KEY_LEN, SecretsKey};

/// The key in `path`, made there first when there is none.
pub fn load_or_make(path: &Path) -> anyhow::Result<SecretsKey> {
    let bytes = SecretsKey::generate();
    match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(mut file) => {
            file.write_all(format!("{}\n", hex::encode(bytes)).as_bytes())
                .and_then(|()| file.sync_all())
                .with_context(|| format!("cannot write {}", path.display()))?;
            tracing::info!(path = %path.display(), "made a new secrets key");
            return Ok(SecretsKey::new(&bytes));
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e).with_context(|| format!("cannot make {}", path.display())),
    }
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the secrets key {}", path.display()))?;
    let mode = std::fs::metadata(path)?.permissions().mode();
    if mode & 0o077 != 0 {
        tracing::warn!(path = %path.display(), mode = format!("{:o}", mode & 0o777), "the secrets key is readable by others than its owner");
    }
    let mut key = [0u8; KEY_LEN];
    if hex::decode_to_slice(text.trim(), &mut key).is_err() {
        bail!(
            "{} is not a secrets key ({} hexadecimal digits)",
            path.display(),
            KEY_LEN * 2
        );
    }
    Ok(SecretsKey::new(&key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_made_once_and_read_back() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("secrets.key");
        let made = load_or_make(&path).expect("made");
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let read = load_or_make(&path).expect("read");
        assert_eq!(made.id(), read.id());
        let sealed = made.seal("s3cret", "d");
        assert_eq!(read.open(&sealed, "d").as_deref(), Ok("s3cret"));
        std::fs::write(&path, "not hex\n").expect("write");
        assert!(load_or_make(&path).is_err());
    }
}
