//! The access log: one line per request, in the layout of every other log line
//! (`whmd::log_format`), written by hand straight into the log writer's buffer.
//!
//! It is the one line written for every request, and through tracing's event machinery (its
//! fields visited one by one, the method and peer formatted through `Display`, the line built
//! apart and then copied) it cost about a seventh of whmd's own request handling under load.
//! It still obeys `WHMD_LOG` as an event of target `whmd::http` at level `INFO` would.

use crate::log_format;
use crate::log_writer::LogWriter;
use axum::http::Method;
use std::cell::RefCell;
use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::SystemTime;
use tracing::Level;

/// Where the lines go, and whether the level is coloured (standard error is a terminal).
#[derive(Debug)]
struct Sink {
    out: LogWriter,
    ansi: bool,
}

static SINK: OnceLock<Sink> = OnceLock::new();

/// Sends access-log lines to `out`; until this is called (in-process tests), none are written.
/// The first call wins.
pub fn install(out: LogWriter, ansi: bool) {
    let _ = SINK.set(Sink { out, ansi });
}

/// What the line says of one request. Facts the request never got as far as are left out.
#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    pub method: &'a Method,
    pub path: &'a str,
    pub peer: Option<SocketAddr>,
    pub function: Option<&'a str>,
    pub api_version: Option<&'a str>,
    pub user: Option<&'a str>,
    pub result: Option<u8>,
    pub status: u16,
    pub micros: u64,
}

/// The target the lines are filtered as (`WHMD_LOG=whmd::http=warn` turns them off).
pub const TARGET: &str = "whmd::http";

/// Writes `entry`'s line, if the log filter lets it through and a sink is installed.
pub fn write(entry: &Entry<'_>) {
    if !tracing::enabled!(target: TARGET, Level::INFO) {
        return;
    }
    let Some(sink) = SINK.get() else { return };
    thread_local! {
        // One buffer per thread, kept: a line allocates nothing.
        static LINE: RefCell<String> = RefCell::new(String::with_capacity(256));
    }
    LINE.with_borrow_mut(|line| {
        line.clear();
        entry.line(line, SystemTime::now(), sink.ansi);
        // The writer only appends to memory; it cannot fail.
        let _ = (&sink.out).write_all(line.as_bytes());
    });
}

impl Entry<'_> {
    /// Appends the line, as `whmd::log_format::Lines` writes an event with these fields.
    pub fn line(&self, line: &mut String, now: SystemTime, ansi: bool) {
        // Writing to a `String` cannot fail.
        let _ = log_format::write_head(line, now, Level::INFO, ansi);
        line.push_str(TARGET);
        line.push_str(": request done method=");
        line.push_str(self.method.as_str());
        line.push_str(" path=");
        log_format::push_quoted(line, self.path);
        if let Some(peer) = self.peer {
            line.push_str(" peer=");
            push_peer(line, peer);
        }
        for (name, value) in [
            (" function=", self.function),
            (" api_version=", self.api_version),
            (" user=", self.user),
        ] {
            if let Some(value) = value {
                line.push_str(name);
                log_format::push_quoted(line, value);
            }
        }
        if let Some(result) = self.result {
            line.push_str(" result=");
            log_format::push_number(line, result.into());
        }
        line.push_str(" status=");
        log_format::push_number(line, self.status.into());
        line.push_str(" micros=");
        log_format::push_number(line, self.micros);
        line.push('\n');
    }
}

/// A peer's address as `SocketAddr` displays it: an IPv4 address and port written by hand.
fn push_peer(line: &mut String, peer: SocketAddr) {
    let SocketAddr::V4(v4) = peer else {
        use std::fmt::Write as _;
        // Writing to a `String` cannot fail.
        let _ = write!(line, "{peer}");
        return;
    };
    for (i, octet) in v4.ip().octets().into_iter().enumerate() {
        if i > 0 {
            line.push('.');
        }
        log_format::push_number(line, octet.into());
    }
    line.push(':');
    log_format::push_number(line, v4.port().into());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log_format::{Fields, Lines};
    use std::io;
    use std::sync::{Arc, Mutex};
    use tracing_subscriber::fmt::MakeWriter;

    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Sink {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().expect("sink").extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Sink {
        type Writer = Sink;

        fn make_writer(&'a self) -> Self::Writer {
            self.clone()
        }
    }

    /// The line `Lines` writes for the same request as a tracing event, without its time.
    fn as_an_event(entry: &Entry<'_>, ansi: bool) -> String {
        let sink = Sink::default();
        let subscriber = tracing_subscriber::fmt()
            .event_format(Lines { ansi })
            .fmt_fields(Fields)
            .with_writer(sink.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!(
                target: TARGET,
                method = %entry.method,
                path = entry.path,
                peer = entry.peer.map(tracing::field::display),
                function = entry.function,
                api_version = entry.api_version,
                user = entry.user,
                result = entry.result,
                status = entry.status,
                micros = entry.micros,
                "request done"
            );
        });
        let text = String::from_utf8(sink.0.lock().expect("sink").clone()).expect("utf-8");
        untimed(&text)
    }

    fn untimed(line: &str) -> String {
        line.split_once('Z')
            .map_or(line, |(_, rest)| rest)
            .to_owned()
    }

    #[test]
    fn lines_read_as_the_event_would() {
        let full = Entry {
            method: &Method::GET,
            path: "/cpsess0123456789/json-api/version",
            peer: Some("127.0.0.1:5555".parse().expect("address")),
            function: Some("version"),
            api_version: Some("1"),
            user: Some("root"),
            result: Some(1),
            status: 200,
            micros: 1127,
        };
        let bare = Entry {
            method: &Method::DELETE,
            path: "/odd \"path\"\n",
            peer: None,
            function: None,
            api_version: None,
            user: None,
            result: None,
            status: 405,
            micros: 0,
        };
        let peers = [
            "0.0.0.0:0",
            "10.0.20.3:80",
            "255.255.255.255:65535",
            "192.0.2.100:1009",
            "[::1]:2087",
            "[2001:db8::7]:65535",
        ];
        let mut entries = vec![full, bare];
        for peer in peers {
            entries.push(Entry {
                peer: Some(peer.parse().expect("address")),
                result: Some(0),
                ..full
            });
        }
        for entry in &entries {
            for ansi in [false, true] {
                let mut line = String::new();
                entry.line(&mut line, SystemTime::now(), ansi);
                assert_eq!(untimed(&line), as_an_event(entry, ansi), "{entry:?}");
            }
        }
        let mut line = String::new();
        full.line(&mut line, SystemTime::UNIX_EPOCH, false);
        assert_eq!(
            line,
            "1970-01-01T00:00:00.000000Z  INFO whmd::http: request done method=GET \
             path=\"/cpsess0123456789/json-api/version\" peer=127.0.0.1:5555 \
             function=\"version\" api_version=\"1\" user=\"root\" result=1 status=200 \
             micros=1127\n"
        );
    }
}
