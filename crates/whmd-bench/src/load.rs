//! The load generator: a fixed number of keep-alive HTTP/1.1 connections, each sending its next
//! request as soon as the last answer is read, over plain HTTP or TLS. Latency is taken per
//! request; only requests that start after the warm-up count.

use anyhow::{Context as _, bail};
use http_body_util::{BodyExt, Empty};
use hyper::Request;
use hyper::body::Bytes;
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use memchr::memmem;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// Where the load goes: an address, over TLS or not, with the `Authorization` header to send.
#[derive(Clone)]
pub struct Target {
    pub addr: SocketAddr,
    pub tls: Option<TlsConnector>,
    pub authorization: Option<Arc<str>>,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("addr", &self.addr)
            .field("tls", &self.tls.is_some())
            .finish_non_exhaustive()
    }
}

/// A TLS client that trusts exactly the certificate in `cert` (PEM).
pub fn tls_connector(cert: &Path) -> anyhow::Result<TlsConnector> {
    let mut roots = rustls::RootCertStore::empty();
    for der in CertificateDer::pem_file_iter(cert).context("reading the certificate")? {
        roots.add(der.context("parsing the certificate")?)?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(TlsConnector::from(Arc::new(config)))
}

/// Which request a path is for: the connection sending it, and its number on that connection
/// and over all of them.
#[derive(Debug, Clone, Copy)]
pub struct Slot {
    pub connection: usize,
    pub on_connection: u64,
    pub overall: u64,
}

/// Builds the path and query of one request.
pub type PathFn = Arc<dyn Fn(Slot) -> String + Send + Sync>;

/// One kind of request, the text every good answer holds, and how many connections send it.
#[derive(Clone)]
pub struct Load {
    pub path: PathFn,
    pub expect: &'static str,
    pub concurrency: usize,
    pub warmup: Duration,
    pub duration: Duration,
    /// The window stays open until at least this many requests have counted.
    pub min_requests: u64,
}

/// What one run measured.
#[derive(Debug, Clone, Copy)]
pub struct Measured {
    /// Requests answered inside the measuring window.
    pub requests: u64,
    /// Requests answered in the whole run, warm-up included.
    pub sent: u64,
    pub elapsed: Duration,
    pub p50: Duration,
    pub p99: Duration,
    /// CPU time (user and system) the server spent over the whole run, where it was read.
    pub server_cpu: Option<Duration>,
    /// CPU time (user and system) this process, the load generator, spent over the run.
    pub client_cpu: Option<Duration>,
}

impl Measured {
    pub fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    /// The server's CPU time per request answered, where it was read.
    pub fn cpu_per_request(&self) -> Option<Duration> {
        self.per_request(self.server_cpu?)
    }

    /// The load generator's CPU time per request answered, where it was read.
    pub fn client_cpu_per_request(&self) -> Option<Duration> {
        self.per_request(self.client_cpu?)
    }

    fn per_request(&self, cpu: Duration) -> Option<Duration> {
        let sent = u32::try_from(self.sent).ok().filter(|n| *n > 0)?;
        Some(cpu / sent)
    }
}

/// Runs `load` against `target`. Any answer that is not a 200 holding `expect` ends the run
/// with an error: a figure taken over failures would mean nothing.
pub async fn run(target: &Target, load: &Load) -> anyhow::Result<Measured> {
    let sequence = Arc::new(AtomicU64::new(0));
    let counted = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let window_start = start + load.warmup;
    let deadline = window_start + load.duration;
    let mut workers = tokio::task::JoinSet::new();
    for connection in 0..load.concurrency {
        let (target, load) = (target.clone(), load.clone());
        let (sequence, counted) = (sequence.clone(), counted.clone());
        workers.spawn(async move {
            let window = (window_start, deadline);
            worker(&target, &load, connection, &sequence, &counted, window).await
        });
    }
    let mut latencies = Vec::new();
    let mut last_end = window_start;
    while let Some(joined) = workers.join_next().await {
        let (mut times, end) = joined.context("a load worker panicked")??;
        latencies.append(&mut times);
        last_end = last_end.max(end);
    }
    if latencies.is_empty() {
        bail!("no request completed inside the measuring window");
    }
    latencies.sort_unstable();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
    Ok(Measured {
        requests: latencies.len() as u64,
        sent: sequence.load(Ordering::Relaxed),
        elapsed: last_end.saturating_duration_since(window_start),
        p50: at(0.50),
        p99: at(0.99),
        server_cpu: None,
        client_cpu: None,
    })
}

/// One connection's loop. Returns the latencies it counted and when its last one ended.
async fn worker(
    target: &Target,
    load: &Load,
    connection: usize,
    sequence: &AtomicU64,
    counted: &AtomicU64,
    (window_start, deadline): (Instant, Instant),
) -> anyhow::Result<(Vec<Duration>, Instant)> {
    let tcp = TcpStream::connect(target.addr).await?;
    tcp.set_nodelay(true)?;
    let mut sender = match &target.tls {
        Some(tls) => {
            let name = ServerName::try_from("localhost")?;
            handshake(tls.connect(name, tcp).await?).await?
        }
        None => handshake(tcp).await?,
    };
    let mut times = Vec::new();
    let mut last_end = window_start;
    for on_connection in 0.. {
        let now = Instant::now();
        if now >= deadline && counted.load(Ordering::Relaxed) >= load.min_requests {
            break;
        }
        let slot = Slot {
            connection,
            on_connection,
            overall: sequence.fetch_add(1, Ordering::Relaxed),
        };
        let path = (load.path)(slot);
        let mut request = Request::get(&path).header("host", "localhost");
        if let Some(auth) = &target.authorization {
            request = request.header("authorization", auth.as_ref());
        }
        // The connection task may still be finishing the last exchange.
        sender.ready().await?;
        let sent = Instant::now();
        let response = sender
            .send_request(request.body(Empty::<Bytes>::new())?)
            .await?;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        let ended = Instant::now();
        if status != 200 || memmem::find(&body, load.expect.as_bytes()).is_none() {
            let shown = String::from_utf8_lossy(&body[..body.len().min(400)]).into_owned();
            bail!("{path} answered {status}: {shown}");
        }
        if sent >= window_start {
            times.push(ended - sent);
            last_end = ended;
            counted.fetch_add(1, Ordering::Relaxed);
        }
    }
    Ok((times, last_end))
}

async fn handshake<S>(stream: S) -> anyhow::Result<http1::SendRequest<Empty<Bytes>>>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (sender, connection) = http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    Ok(sender)
}
