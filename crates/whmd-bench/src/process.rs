//! The servers under load, each its own process so that its memory can be read from /proc and
//! the load generator's work is not counted as its own.

use anyhow::{Context as _, bail};
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

/// A running server and the two addresses it listens on.
#[derive(Debug)]
pub struct Server {
    child: Child,
    pub http: SocketAddr,
    pub https: SocketAddr,
}

/// Resident memory of a process, in KiB: now and at its peak.
#[derive(Debug, Clone, Copy)]
pub struct Rss {
    pub current_kib: u64,
    pub peak_kib: u64,
}

impl Server {
    /// `whmd serve` on `data_dir` (its store there, or at `database_url`), with the bench
    /// certificate, its log (standard error) going to `whmd.log` there, at `log_level`
    /// (whmd's default when `None`).
    pub async fn whmd(
        whmd: &Path,
        data_dir: &Path,
        database_url: Option<&str>,
        cert: &Path,
        key: &Path,
        log_level: Option<&str>,
    ) -> anyhow::Result<Self> {
        let (http, https) = (free_addr()?, free_addr()?);
        std::fs::create_dir_all(data_dir)?;
        let mut command = Command::new(whmd);
        command
            .arg("serve")
            .arg("--data-dir")
            .arg(data_dir)
            .arg("--http")
            .arg(http.to_string())
            .arg("--https")
            .arg(https.to_string())
            .arg("--hostname")
            .arg("localhost")
            .arg("--tls-cert")
            .arg(cert)
            .arg("--tls-key")
            .arg(key)
            .stderr(std::fs::File::create(data_dir.join("whmd.log"))?);
        if let Some(level) = log_level {
            command.env("WHMD_LOG", level);
        }
        if let Some(url) = database_url {
            command.arg("--database-url").arg(url);
        }
        Self::spawn(command, http, https).await
    }

    /// This program's own `baseline` subcommand.
    pub async fn baseline(cert: &Path, key: &Path) -> anyhow::Result<Self> {
        let (http, https) = (free_addr()?, free_addr()?);
        let mut command = Command::new(std::env::current_exe()?);
        command
            .arg("baseline")
            .arg("--http")
            .arg(http.to_string())
            .arg("--https")
            .arg(https.to_string())
            .arg("--tls-cert")
            .arg(cert)
            .arg("--tls-key")
            .arg(key);
        Self::spawn(command, http, https).await
    }

    async fn spawn(
        mut command: Command,
        http: SocketAddr,
        https: SocketAddr,
    ) -> anyhow::Result<Self> {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("cannot start {:?}", command.as_std().get_program()))?;
        let started = Instant::now();
        while tokio::net::TcpStream::connect(http).await.is_err() {
            if let Some(status) = child.try_wait()? {
                bail!("the server exited at start: {status}");
            }
            if started.elapsed() > Duration::from_secs(60) {
                bail!("the server did not listen on {http} within a minute");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(Self { child, http, https })
    }

    /// The CPU time (user and system) the server has used.
    pub fn cpu(&self) -> anyhow::Result<Duration> {
        cpu_of(
            &self
                .child
                .id()
                .context("the server has exited")?
                .to_string(),
        )
    }

    /// The process's resident memory, from /proc.
    pub fn rss(&self) -> anyhow::Result<Rss> {
        let pid = self.child.id().context("the server has exited")?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
        let field = |name: &str| -> anyhow::Result<u64> {
            let line = status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .with_context(|| format!("/proc/{pid}/status has no {name}"))?;
            Ok(line.trim().trim_end_matches("kB").trim().parse()?)
        };
        Ok(Rss {
            current_kib: field("VmRSS:")?,
            peak_kib: field("VmHWM:")?,
        })
    }

    pub async fn stop(mut self) -> anyhow::Result<()> {
        self.child.start_kill()?;
        self.child.wait().await?;
        Ok(())
    }
}

/// A loopback address with a port that was free a moment ago.
fn free_addr() -> anyhow::Result<SocketAddr> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    Ok(listener.local_addr()?)
}

/// The CPU time (user and system) process `pid` (or `self`) has used, from /proc/PID/stat: its
/// 14th and 15th fields, in clock ticks of 10 ms (Linux's USER_HZ).
pub fn cpu_of(pid: &str) -> anyhow::Result<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The command name, in parentheses, may hold spaces; the fields after it start at the 3rd.
    let after_name = stat
        .rsplit_once(')')
        .with_context(|| format!("/proc/{pid}/stat has no command name"))?
        .1;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |n: usize| -> anyhow::Result<u64> {
        let field = fields
            .get(n - 3)
            .with_context(|| format!("/proc/{pid}/stat has no field {n}"))?;
        Ok(field.parse()?)
    };
    Ok(Duration::from_millis(10 * (ticks(14)? + ticks(15)?)))
}
