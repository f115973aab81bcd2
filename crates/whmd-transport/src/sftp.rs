//! An SFTP destination: one SSH session with the `sftp` subsystem (OpenSSH's `sftp-server` or
//! any other). The server's host key is trusted on first use and then required.

use crate::{Auth, Error, Sftp, copy_into, parts, scratch_name};
use russh::client::{self, Handle};
use russh::keys::{HashAlg, PrivateKeyWithHashAlg, PublicKey, load_secret_key};
use russh_sftp::client::SftpSession;
use std::fmt;
use std::future::Future;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncWriteExt, BufReader};

/// How often an idle session asks the server whether it is there.
const KEEPALIVE: Duration = Duration::from_secs(15);

/// The fingerprint OpenSSH shows for a key: `SHA256:` and its base64 digest.
pub fn fingerprint(key: &PublicKey) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

/// Checks the server's key against the trusted one, and keeps what it saw.
struct HostKey {
    trusted: Option<String>,
    seen: Arc<Mutex<Option<String>>>,
}

impl client::Handler for HostKey {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        key: &russh::keys::PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        let seen = fingerprint(&key.public_key());
        let ok = self.trusted.as_ref().is_none_or(|t| *t == seen);
        *self.seen.lock().unwrap_or_else(|p| p.into_inner()) = Some(seen);
        Ok(ok)
    }
}

pub struct Session {
    handle: Handle<HostKey>,
    sftp: SftpSession,
    host: String,
    /// The destination's directory, as the server names it.
    base: String,
    host_key: String,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("host", &self.host)
            .field("base", &self.base)
            .field("host_key", &self.host_key)
            .finish_non_exhaustive()
    }
}

async fn within<T>(sftp: &Sftp, step: impl Future<Output = Result<T, Error>>) -> Result<T, Error> {
    tokio::time::timeout(sftp.timeout, step)
        .await
        .map_err(|_| Error::Timeout(sftp.host.clone(), sftp.timeout.as_secs()))?
}

impl Session {
    pub(crate) async fn open(sftp: &Sftp) -> Result<Self, Error> {
        let address = format!("{}:{}", sftp.host, sftp.port);
        let seen = Arc::new(Mutex::new(None));
        let handler = HostKey {
            trusted: sftp.host_key.clone(),
            seen: Arc::clone(&seen),
        };
        // A run keeps the session while it writes the next archive, which may take long:
        // keepalives hold it open and find a server that is gone; each request has its own
        // timeout.
        let config = Arc::new(client::Config {
            inactivity_timeout: None,
            keepalive_interval: Some(KEEPALIVE),
            keepalive_max: 3,
            ..client::Config::default()
        });
        let mut handle = within(sftp, async {
            client::connect(config, (sftp.host.as_str(), sftp.port), handler)
                .await
                .map_err(|e| {
                    let seen = seen.lock().unwrap_or_else(|p| p.into_inner()).clone();
                    match (e, &sftp.host_key, seen) {
                        (russh::Error::UnknownKey, Some(trusted), Some(seen)) => Error::HostKey {
                            host: sftp.host.clone(),
                            trusted: trusted.clone(),
                            seen,
                        },
                        (e, ..) => Error::Connect(address.clone(), e.to_string()),
                    }
                })
        })
        .await?;
        let host_key = seen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .unwrap_or_default();
        let refused = |why: String| Error::Login {
            user: sftp.username.clone(),
            host: sftp.host.clone(),
            why,
        };
        let result = within(sftp, async {
            match &sftp.auth {
                Auth::Password(password) => handle
                    .authenticate_password(&sftp.username, password.expose())
                    .await
                    .map_err(|e| refused(e.to_string())),
                Auth::Key { file, passphrase } => {
                    let key = load_secret_key(file, passphrase.as_ref().map(|p| p.expose()))
                        .map_err(|e| Error::Key(file.display().to_string(), e.to_string()))?;
                    let hash = handle
                        .best_supported_rsa_hash()
                        .await
                        .map_err(|e| refused(e.to_string()))?
                        .flatten();
                    handle
                        .authenticate_publickey(
                            &sftp.username,
                            PrivateKeyWithHashAlg::new(Arc::new(key), hash),
                        )
                        .await
                        .map_err(|e| refused(e.to_string()))
                }
            }
        })
        .await?;
        if !result.success() {
            return Err(refused(match sftp.auth {
                Auth::Password(_) => "the password was not accepted".into(),
                Auth::Key { .. } => "the key was not accepted".into(),
            }));
        }
        let failed = |e: &dyn fmt::Display| Error::Connect(address.clone(), e.to_string());
        let sftp_session = within(sftp, async {
            let channel = handle
                .channel_open_session()
                .await
                .map_err(|e| failed(&e))?;
            channel
                .request_subsystem(true, "sftp")
                .await
                .map_err(|e| failed(&e))?;
            let session = SftpSession::new(channel.into_stream())
                .await
                .map_err(|e| failed(&e))?;
            session.set_timeout(sftp.timeout.as_secs().max(1));
            Ok(session)
        })
        .await?;
        let wanted = if sftp.path.is_empty() {
            "."
        } else {
            sftp.path.as_str()
        };
        let base = sftp_session
            .canonicalize(wanted)
            .await
            .map_err(|e| Error::Place(sftp.path.clone(), e.to_string()))?;
        Ok(Self {
            handle,
            sftp: sftp_session,
            host: sftp.host.clone(),
            base,
            host_key,
        })
    }

    pub(crate) fn host_key(&self) -> &str {
        &self.host_key
    }

    fn remote(&self, rel: &str) -> String {
        format!("{}/{rel}", self.base.trim_end_matches('/'))
    }

    pub(crate) async fn check(&self) -> Result<(), Error> {
        let meta = self
            .sftp
            .metadata(self.base.as_str())
            .await
            .map_err(|e| Error::Place(self.base.clone(), e.to_string()))?;
        if !meta.is_dir() {
            return Err(Error::Place(self.base.clone(), "not a directory".into()));
        }
        let probe = self.remote(&scratch_name("check"));
        let fail = |e: &dyn fmt::Display| Error::Write(probe.clone(), e.to_string());
        let mut file = self
            .sftp
            .create(probe.as_str())
            .await
            .map_err(|e| fail(&e))?;
        file.write_all(b"whmd\n").await.map_err(|e| fail(&e))?;
        file.close().await.map_err(|e| fail(&e))?;
        self.sftp
            .remove_file(probe.as_str())
            .await
            .map_err(|e| fail(&e))
    }

    pub(crate) async fn put(&self, from: &Path, to: &str) -> Result<u64, Error> {
        let parts = parts(to)?;
        let (name, dirs) = parts
            .split_last()
            .unwrap_or_else(|| unreachable!("parts is never empty"));
        let mut dir = self.base.trim_end_matches('/').to_owned();
        for part in dirs {
            dir = format!("{dir}/{part}");
            if self.sftp.create_dir(dir.as_str()).await.is_err() {
                let is_dir = self
                    .sftp
                    .metadata(dir.as_str())
                    .await
                    .is_ok_and(|m| m.is_dir());
                if !is_dir {
                    return Err(Error::Write(dir, "could not make the directory".into()));
                }
            }
        }
        let target = format!("{dir}/{name}");
        let scratch = format!("{dir}/{}", scratch_name(name));
        let fail = |e: &dyn fmt::Display| Error::Write(target.clone(), e.to_string());
        let copied = async {
            let local = tokio::fs::File::open(from).await.map_err(|e| fail(&e))?;
            let mut remote = self
                .sftp
                .create(scratch.as_str())
                .await
                .map_err(|e| fail(&e))?;
            let mut reader = BufReader::with_capacity(256 << 10, local);
            let copied = tokio::io::copy_buf(&mut reader, &mut remote)
                .await
                .map_err(|e| fail(&e))?;
            remote.close().await.map_err(|e| fail(&e))?;
            // SFTP's rename does not replace: a copy from an earlier try goes first.
            let _ = self.sftp.remove_file(target.as_str()).await;
            self.sftp
                .rename(scratch.as_str(), target.as_str())
                .await
                .map_err(|e| fail(&e))?;
            Ok(copied)
        }
        .await;
        if copied.is_err() {
            let _ = self.sftp.remove_file(scratch.as_str()).await;
        }
        copied
    }

    pub(crate) async fn size(&self, path: &str) -> Result<Option<u64>, Error> {
        let remote = self.remote(path);
        match self.sftp.metadata(remote.as_str()).await {
            Ok(meta) if meta.is_regular() => Ok(Some(meta.len())),
            Ok(_) => Ok(None),
            Err(russh_sftp::client::error::Error::Status(status))
                if status.status_code == russh_sftp::protocol::StatusCode::NoSuchFile =>
            {
                Ok(None)
            }
            Err(e) => Err(Error::Place(remote, e.to_string())),
        }
    }

    pub(crate) async fn get(&self, path: &str, to: &Path) -> Result<u64, Error> {
        let remote = self.remote(path);
        let source = self
            .sftp
            .open(remote.as_str())
            .await
            .map_err(|e| Error::Place(remote.clone(), e.to_string()))?;
        copy_into(source, to).await
    }

    pub(crate) async fn list(&self, dir: &str) -> Result<Vec<String>, Error> {
        let at = if dir.is_empty() {
            self.base.clone()
        } else {
            self.remote(dir)
        };
        match self.sftp.read_dir(at.as_str()).await {
            Ok(entries) => Ok(entries
                .map(|e| e.file_name())
                .filter(|n| n != "." && n != "..")
                .collect()),
            Err(russh_sftp::client::error::Error::Status(status))
                if status.status_code == russh_sftp::protocol::StatusCode::NoSuchFile =>
            {
                Ok(Vec::new())
            }
            Err(e) => Err(Error::Place(at, e.to_string())),
        }
    }

    pub(crate) async fn remove_all(&self, path: &str) -> Result<(), Error> {
        let fail = |at: &str, e: russh_sftp::client::error::Error| {
            Error::Write(at.to_owned(), e.to_string())
        };
        // Depth first, without recursion: directories are removed once emptied.
        let mut pending = vec![(self.remote(path), false)];
        while let Some((at, emptied)) = pending.pop() {
            let meta = self
                .sftp
                .symlink_metadata(at.as_str())
                .await
                .map_err(|e| fail(&at, e))?;
            if !meta.is_dir() {
                self.sftp
                    .remove_file(at.as_str())
                    .await
                    .map_err(|e| fail(&at, e))?;
            } else if emptied {
                self.sftp
                    .remove_dir(at.as_str())
                    .await
                    .map_err(|e| fail(&at, e))?;
            } else {
                let entries = self
                    .sftp
                    .read_dir(at.as_str())
                    .await
                    .map_err(|e| fail(&at, e))?;
                pending.push((at.clone(), true));
                for entry in entries {
                    let name = entry.file_name();
                    if name != "." && name != ".." {
                        pending.push((format!("{at}/{name}"), false));
                    }
                }
            }
        }
        Ok(())
    }

    pub(crate) async fn close(self) {
        let _ = self.sftp.close().await;
        let _ = self
            .handle
            .disconnect(russh::Disconnect::ByApplication, "", "en")
            .await;
    }
}
