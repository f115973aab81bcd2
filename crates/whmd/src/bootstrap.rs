//! First start: the data directory, the TLS certificate and the root API token.

use crate::Config;
use anyhow::Context as _;
use std::fs::{DirBuilder, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use whmd_domain::secret::token_digest;
use whmd_domain::store::ApiTokenRecord;
use whmd_domain::time::unix_now;
use whmd_domain::{Secret, StoreError, Stores};

/// The name of the token made at first start.
pub const ROOT_TOKEN_NAME: &str = "whmd-root";

/// Creates the data directory (mode 0700) if it is missing.
pub fn create_private_dir(dir: &Path) -> anyhow::Result<()> {
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("cannot create {}", dir.display()))
}

/// Writes a file only its owner can read (mode 0600), replacing any earlier one.
pub fn write_private(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    // The mode above applies only to a new file; an old one may be wider.
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    file.write_all(contents)?;
    file.sync_all()?;
    Ok(())
}

pub fn root_token_path(data_dir: &Path) -> PathBuf {
    data_dir.join("root.token")
}

/// Makes `token` the root API token if the store has none yet, writes it to `root.token` and
/// returns it so it can be printed once. Later starts return `None`. Safe to run again with the
/// same token after a failure: if an earlier try's insert reached the store although its reply
/// was lost, the stored token is this one and is written out now.
pub async fn ensure_root_token(
    config: &Config,
    stores: &Stores,
    token: &Secret,
) -> anyhow::Result<Option<Secret>> {
    let digest = token_digest(token.expose());
    match stores
        .credentials
        .api_token_by_name("root", ROOT_TOKEN_NAME)
        .await?
    {
        Some(stored) if stored.digest != digest => return Ok(None),
        Some(_) => {}
        None => {
            let record = ApiTokenRecord {
                user: "root".to_owned(),
                name: ROOT_TOKEN_NAME.to_owned(),
                digest,
                create_time: unix_now(),
                expires_at: None,
                acls: None,
                whitelist: None,
            };
            match stores.credentials.insert_api_token(&record, &[]).await {
                Ok(()) => {}
                // Another replica made it first; its token stands.
                Err(StoreError::Conflict(_)) => return Ok(None),
                Err(e) => return Err(e.into()),
            }
        }
    }
    let mut contents = token.expose().as_bytes().to_vec();
    contents.push(b'\n');
    write_private(&root_token_path(&config.data_dir), &contents)?;
    Ok(Some(token.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use whmd_domain::secret::generate_api_token;

    #[tokio::test]
    async fn the_root_token_is_made_once_and_a_retry_of_the_same_token_writes_it_out() {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = Config::ephemeral(dir.path());
        let stores = crate::store::open(&config.database_url)
            .await
            .expect("store");
        let token = generate_api_token();
        let made = ensure_root_token(&config, &stores, &token)
            .await
            .expect("made");
        assert_eq!(made.as_ref().map(Secret::expose), Some(token.expose()));
        std::fs::remove_file(root_token_path(&config.data_dir)).expect("written");

        // The same try again (its first reply lost): the stored token is this one.
        let again = ensure_root_token(&config, &stores, &token)
            .await
            .expect("again");
        assert_eq!(again.as_ref().map(Secret::expose), Some(token.expose()));
        let written = std::fs::read_to_string(root_token_path(&config.data_dir)).expect("file");
        assert_eq!(written.trim(), token.expose());

        // A later start, with a token of its own, leaves the first one standing.
        let later = ensure_root_token(&config, &stores, &generate_api_token())
            .await
            .expect("later");
        assert!(later.is_none());
        let kept = std::fs::read_to_string(root_token_path(&config.data_dir)).expect("file");
        assert_eq!(kept.trim(), token.expose());
    }
}
