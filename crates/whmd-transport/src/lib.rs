//! Backup destinations: where a finished backup is copied besides the backup directory. A
//! [`Target`] says where; [`Target::connect`] opens it (a directory here, or an SFTP session
//! with its host key checked against the one trusted before); a [`Connection`] checks that it
//! can write there and copies files in, each written under a temporary name and renamed into
//! place, so a copy cut short never looks finished, and reads them back for a restore.

mod local;
mod sftp;

use std::path::{Path, PathBuf};
use std::time::Duration;
use whmd_domain::Secret;

pub use sftp::fingerprint;

/// Where backups are copied.
#[derive(Debug, Clone)]
pub enum Target {
    /// A directory on this server (another disk, a mounted share).
    Local(Local),
    /// A directory on an SFTP server.
    Sftp(Sftp),
}

#[derive(Debug, Clone)]
pub struct Local {
    /// An absolute path.
    pub path: PathBuf,
    /// The path must be a mount point (whmd does not mount it).
    pub mount: bool,
}

#[derive(Debug, Clone)]
pub struct Sftp {
    pub host: String,
    pub port: u16,
    /// The directory, relative to the login's home unless absolute; empty for the home.
    pub path: String,
    pub username: String,
    pub auth: Auth,
    /// How long connecting, and each step after it, may take.
    pub timeout: Duration,
    /// The server's host key fingerprint (`SHA256:…`) trusted before, if any: a server that
    /// shows another key is refused.
    pub host_key: Option<String>,
}

/// How an SFTP login proves itself.
#[derive(Debug, Clone)]
pub enum Auth {
    Password(Secret),
    /// A private key file on this server, and its passphrase if it has one.
    Key {
        file: PathBuf,
        passphrase: Option<Secret>,
    },
}

/// Why a destination could not be used; the text is the reason an API caller reads.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("Could not connect to “{0}”: {1}")]
    Connect(String, String),
    #[error("“{0}” did not answer within {1} seconds.")]
    Timeout(String, u64),
    #[error(
        "The host key of “{host}” changed: it was {trusted}, it is now {seen}. If the server's key was changed on purpose, save the destination again to trust the new key."
    )]
    HostKey {
        host: String,
        trusted: String,
        seen: String,
    },
    #[error("The login “{user}” on “{host}” was refused: {why}")]
    Login {
        user: String,
        host: String,
        why: String,
    },
    #[error("Could not read the private key “{0}”: {1}")]
    Key(String, String),
    #[error("“{0}” is not usable: {1}")]
    Place(String, String),
    #[error("Could not write “{0}”: {1}")]
    Write(String, String),
}

impl Target {
    /// Opens the destination.
    pub async fn connect(&self) -> Result<Connection, Error> {
        match self {
            Self::Local(local) => Ok(Connection::Local(local.clone())),
            Self::Sftp(sftp) => Ok(Connection::Sftp(Box::new(sftp::Session::open(sftp).await?))),
        }
    }
}

/// An open destination.
#[derive(Debug)]
pub enum Connection {
    Local(Local),
    Sftp(Box<sftp::Session>),
}

impl Connection {
    /// The host key the SFTP server showed (`SHA256:…`), to be trusted from now on.
    pub fn host_key(&self) -> Option<&str> {
        match self {
            Self::Local(_) => None,
            Self::Sftp(session) => Some(session.host_key()),
        }
    }

    /// Checks that the directory is there and takes files: a small file is written there and
    /// removed.
    pub async fn check(&self) -> Result<(), Error> {
        match self {
            Self::Local(local) => local::check(local).await,
            Self::Sftp(session) => session.check().await,
        }
    }

    /// Copies the file `from` to `to`, a relative path under the destination's directory
    /// whose directories are made as needed; returns the bytes copied.
    pub async fn put(&self, from: &Path, to: &str) -> Result<u64, Error> {
        match self {
            Self::Local(local) => local::put(local, from, to).await,
            Self::Sftp(session) => session.put(from, to).await,
        }
    }

    /// The size of the file at `path` (relative, as [`Connection::put`] takes it); `None`
    /// when there is no file there.
    pub async fn size(&self, path: &str) -> Result<Option<u64>, Error> {
        parts(path)?;
        match self {
            Self::Local(local) => local::size(local, path).await,
            Self::Sftp(session) => session.size(path).await,
        }
    }

    /// Copies the file at `path` (relative) to the new local file `to` (mode 0600); returns
    /// the bytes copied. A copy cut short removes `to`.
    pub async fn get(&self, path: &str, to: &Path) -> Result<u64, Error> {
        parts(path)?;
        match self {
            Self::Local(local) => local::get(local, path, to).await,
            Self::Sftp(session) => session.get(path, to).await,
        }
    }

    /// The names in the directory `dir` (relative; empty for the destination's own), without
    /// `.` and `..`; none when it is not there.
    pub async fn list(&self, dir: &str) -> Result<Vec<String>, Error> {
        if !dir.is_empty() {
            parts(dir)?;
        }
        match self {
            Self::Local(local) => local::list(local, dir).await,
            Self::Sftp(session) => session.list(dir).await,
        }
    }

    /// Removes `path` (relative) and, for a directory, everything in it, without following
    /// links.
    pub async fn remove_all(&self, path: &str) -> Result<(), Error> {
        parts(path)?;
        match self {
            Self::Local(local) => local::remove_all(local, path).await,
            Self::Sftp(session) => session.remove_all(path).await,
        }
    }

    /// Ends the connection.
    pub async fn close(self) {
        if let Self::Sftp(session) = self {
            (*session).close().await;
        }
    }
}

/// Copies `from` into the new local file `to` (root's alone, never over a file there); a
/// copy cut short removes what it wrote.
async fn copy_into<R>(from: R, to: &Path) -> Result<u64, Error>
where
    R: tokio::io::AsyncRead + Unpin,
{
    let fail = |e: std::io::Error| Error::Write(to.display().to_string(), e.to_string());
    let mut target = tokio::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(to)
        .await
        .map_err(fail)?;
    let mut reader = tokio::io::BufReader::with_capacity(256 << 10, from);
    let copied = async {
        let copied = tokio::io::copy_buf(&mut reader, &mut target).await?;
        target.sync_all().await?;
        Ok(copied)
    }
    .await;
    if copied.is_err() {
        let _ = tokio::fs::remove_file(to).await;
    }
    copied.map_err(fail)
}

/// A name for a file being written, unlikely to be anyone else's.
fn scratch_name(stem: &str) -> String {
    format!(".{stem}.whmd-{:016x}", rand::random::<u64>())
}

/// The parts of a relative path, refusing any that would leave the directory.
fn parts(to: &str) -> Result<Vec<&str>, Error> {
    let parts: Vec<&str> = to.split('/').filter(|p| !p.is_empty()).collect();
    if parts.is_empty() || to.starts_with('/') || parts.iter().any(|p| *p == "." || *p == "..") {
        return Err(Error::Write(to.to_owned(), "not a relative path".into()));
    }
    Ok(parts)
}
