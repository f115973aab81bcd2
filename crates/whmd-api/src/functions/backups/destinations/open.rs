//! A stored destination made usable: its secrets opened with the server's secrets key, its
//! connection made, and the SFTP server's host key trusted on the first connection (saved
//! with the destination; every later connection must show the same key).

use super::fields::HOST_KEY;
use crate::Context;
use std::path::PathBuf;
use std::time::Duration;
use whmd_domain::Secret;
use whmd_domain::destination::Destination;
use whmd_domain::sealed::SecretsKey;
use whmd_transport::{Auth, Connection, Local, Sftp, Target};

/// The destination's secret `name`, opened; `None` when it has none.
fn secret(
    key: &SecretsKey,
    destination: &Destination,
    name: &str,
) -> Result<Option<Secret>, String> {
    destination
        .sealed
        .get(name)
        .map(|sealed| {
            key.open(sealed, &destination.id)
                .map(Secret::new)
                .map_err(|e| {
                    format!(
                        "The {name} of the destination “{}” cannot be read: {e}",
                        destination.name
                    )
                })
        })
        .transpose()
}

/// Where the destination is, with its secrets.
pub fn target(key: &SecretsKey, destination: &Destination) -> Result<Target, String> {
    let setting = |name: &str| {
        destination
            .settings
            .get(name)
            .map_or("", String::as_str)
            .to_owned()
    };
    match destination.kind.as_str() {
        "Local" => Ok(Target::Local(Local {
            path: PathBuf::from(setting("path")),
            mount: setting("mount") == "1",
        })),
        "SFTP" => {
            let auth = if setting("authtype") == "key" {
                Auth::Key {
                    file: PathBuf::from(setting("privatekey")),
                    passphrase: secret(key, destination, "passphrase")?,
                }
            } else {
                Auth::Password(
                    secret(key, destination, "password")?.unwrap_or_else(|| Secret::new("")),
                )
            };
            Ok(Target::Sftp(Sftp {
                host: setting("host"),
                port: setting("port").parse().unwrap_or(22),
                path: setting("path"),
                username: setting("username"),
                auth,
                timeout: Duration::from_secs(setting("timeout").parse().unwrap_or(30)),
                host_key: destination.settings.get(HOST_KEY).cloned(),
            }))
        }
        other => Err(format!(
            "The backup destination type “{other}” is not supported yet."
        )),
    }
}

/// Connects to the destination; a host key seen for the first time is saved with it.
pub async fn connect(ctx: &Context, destination: &Destination) -> Result<Connection, String> {
    let connection = target(&ctx.info.secrets, destination)?
        .connect()
        .await
        .map_err(|e| e.to_string())?;
    if let Some(seen) = connection.host_key()
        && !destination.settings.contains_key(HOST_KEY)
    {
        let mut pinned = destination.clone();
        pinned.settings.insert(HOST_KEY.into(), seen.to_owned());
        // A change made meanwhile wins; the key is then trusted at the next connection.
        if let Err(e) = ctx.stores.backups.save_backup_destination(&pinned).await {
            tracing::debug!(destination = %destination.id, error = %e, "host key not saved");
        }
    }
    Ok(connection)
}
