//! First start: the data directory, the TLS certificate and the root API token.

use crate::Config;
use anyhow::Context as _;
use std::fs::{DirBuilder, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use whmd_domain::secret::{generate_api_token, token_digest};
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

/// Makes the root API token if the store has none yet, writes it to `root.token` and returns
/// it so it can be printed once. Later starts return `None`.
pub async fn ensure_root_token(config: &Config, stores: &Stores) -> anyhow::Result<Option<Secret>> {
    if stores
        .credentials
        .api_token_by_name("root", ROOT_TOKEN_NAME)
        .await?
        .is_some()
    {
        return Ok(None);
    }
    let token = generate_api_token();
    let record = ApiTokenRecord {
        user: "root".to_owned(),
        name: ROOT_TOKEN_NAME.to_owned(),
        digest: token_digest(token.expose()),
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
    let mut contents = token.expose().as_bytes().to_vec();
    contents.push(b'\n');
    write_private(&root_token_path(&config.data_dir), &contents)?;
    Ok(Some(token))
}
