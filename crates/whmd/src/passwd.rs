//! `whmd passwd USER`: sets the password used for Basic auth, read from standard input. It
//! writes straight to the store, so it works while the server runs.

use crate::config::StoreFlags;
use crate::store;
use anyhow::{Context as _, bail};
use std::io::BufRead;
use whmd_domain::Secret;
use whmd_domain::secret::hash_password;

pub async fn run(user: &str, flags: &StoreFlags, input: impl BufRead) -> anyhow::Result<()> {
    // Only root holds WHM credentials until reseller accounts exist.
    if user != "root" {
        bail!("“{user}” has no WHM login; only root can have a password so far");
    }
    let password = read_password(input)?;
    let config = flags.resolve()?;
    let stores = store::open(&config.database_url).await?;
    let phc = hash_password(password).await?;
    stores.credentials.set_password_hash(user, &phc).await?;
    Ok(())
}

/// The first line of `input`, without its line ending.
fn read_password(mut input: impl BufRead) -> anyhow::Result<Secret> {
    let mut line = String::new();
    input
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    let password = line.strip_suffix('\n').unwrap_or(&line);
    let password = password.strip_suffix('\r').unwrap_or(password);
    if password.is_empty() {
        bail!("the password is empty");
    }
    Ok(Secret::new(password))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_one_line() {
        let pw = read_password(&b"s3cret pass\r\nmore\n"[..]).expect("reads");
        assert_eq!(pw.expose(), "s3cret pass");
        assert!(read_password(&b"\n"[..]).is_err());
        assert!(read_password(&b""[..]).is_err());
    }
}
