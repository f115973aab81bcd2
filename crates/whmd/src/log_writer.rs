//! Where whmd's log lines go: a buffer that a thread of its own writes out in batches, at most
//! every [`GATHER`], so a request that logs (the access log: one line per request at the
//! default level) appends to memory and never wakes a thread or makes a system call of its own.
//!
//! Lines are never dropped: when [`LIMIT`] bytes wait, a request that logs waits for the
//! writer, so under sustained overload the log slows requests rather than lose access-log
//! lines. The [`Flush`] guard writes what is left when whmd exits.

use std::io::{self, Write};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;
use tracing_subscriber::fmt::MakeWriter;

/// How long a line may wait before the writer takes it.
pub const GATHER: Duration = Duration::from_millis(50);

/// Bytes waiting that make the writer take them at once rather than at the end of [`GATHER`].
const EAGER: usize = 256 * 1024;

/// Bytes waiting beyond which a line waits for the writer.
pub const LIMIT: usize = 16 * 1024 * 1024;

/// The handle log lines are written through (a [`MakeWriter`] for tracing's formatter).
#[derive(Debug, Clone)]
pub struct LogWriter {
    shared: Arc<Shared>,
}

/// Ends the writer thread when dropped, once every line written before has been written out.
#[derive(Debug)]
pub struct Flush {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

#[derive(Debug)]
struct Shared {
    state: Mutex<State>,
    /// Bytes waiting beyond which a line waits ([`LIMIT`]).
    limit: usize,
    /// Bytes waiting that wake the writer before the end of its gathering ([`EAGER`]).
    eager: usize,
    /// The writer thread waits on it for lines.
    lines: Condvar,
    /// Lines wait on it for room when [`LIMIT`] is reached.
    room: Condvar,
}

#[derive(Debug, Default)]
struct State {
    pending: Vec<u8>,
    closing: bool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Starts the writer thread, writing to `out`.
pub fn start<W: Write + Send + 'static>(out: W) -> io::Result<(LogWriter, Flush)> {
    start_with(out, GATHER, LIMIT)
}

fn start_with<W: Write + Send + 'static>(
    mut out: W,
    gather: Duration,
    limit: usize,
) -> io::Result<(LogWriter, Flush)> {
    let shared = Arc::new(Shared {
        state: Mutex::default(),
        limit,
        eager: EAGER.min(limit / 2).max(1),
        lines: Condvar::new(),
        room: Condvar::new(),
    });
    let writer = LogWriter {
        shared: shared.clone(),
    };
    let thread = {
        let shared = shared.clone();
        std::thread::Builder::new()
            .name("whmd-log".into())
            .spawn(move || write_out(&shared, &mut out, gather))?
    };
    Ok((
        writer,
        Flush {
            shared,
            thread: Some(thread),
        },
    ))
}

/// The writer thread: waits for a first line, gathers for up to `gather`, writes the batch.
fn write_out(shared: &Shared, out: &mut dyn Write, gather: Duration) {
    let mut batch = Vec::new();
    loop {
        let mut state = shared.lock();
        while state.pending.is_empty() && !state.closing {
            state = shared.lines.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        if !state.closing {
            state = shared
                .lines
                .wait_timeout_while(state, gather, |s| {
                    s.pending.len() < shared.eager && !s.closing
                })
                .map(|(state, _)| state)
                .unwrap_or_else(|e| e.into_inner().0);
        }
        std::mem::swap(&mut state.pending, &mut batch);
        let done = state.closing && batch.is_empty();
        drop(state);
        shared.room.notify_all();
        if done {
            return;
        }
        // A log that cannot be written has nowhere to report it; the lines are lost, as they
        // would be on a closed terminal.
        let _ = out.write_all(&batch).and_then(|()| out.flush());
        batch.clear();
    }
}

impl Write for &LogWriter {
    fn write(&mut self, line: &[u8]) -> io::Result<usize> {
        let shared = &self.shared;
        let mut state = shared.lock();
        while state.pending.len() >= shared.limit && !state.closing {
            state = shared.room.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        let before = state.pending.len();
        state.pending.extend_from_slice(line);
        let after = state.pending.len();
        drop(state);
        // The thread is woken by the first line of a batch and when a batch grows large, not
        // by every line.
        if before == 0 || (before < shared.eager && after >= shared.eager) {
            shared.lines.notify_one();
        }
        Ok(line.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for LogWriter {
    type Writer = &'a LogWriter;

    fn make_writer(&'a self) -> Self::Writer {
        self
    }
}

impl Drop for Flush {
    fn drop(&mut self) {
        self.shared.lock().closing = true;
        self.shared.lines.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A sink the test reads back, counting the writes it was given.
    #[derive(Clone, Default)]
    struct Sink {
        bytes: Arc<Mutex<Vec<u8>>>,
        writes: Arc<AtomicUsize>,
        delay: Duration,
    }

    impl Write for Sink {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            std::thread::sleep(self.delay);
            self.writes.fetch_add(1, Ordering::SeqCst);
            self.bytes.lock().expect("sink").extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn lines(sink: &Sink) -> Vec<String> {
        let bytes = sink.bytes.lock().expect("sink").clone();
        String::from_utf8(bytes)
            .expect("utf-8")
            .lines()
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn every_line_is_written_whole_and_in_order_by_exit() {
        let sink = Sink::default();
        let (writer, flush) =
            start_with(sink.clone(), Duration::from_secs(60), LIMIT).expect("start");
        for i in 0..1000 {
            (&writer)
                .write_all(format!("line {i}\n").as_bytes())
                .expect("write");
        }
        drop(flush);
        let got = lines(&sink);
        assert_eq!(got.len(), 1000);
        assert!(
            got.iter()
                .enumerate()
                .all(|(i, l)| *l == format!("line {i}"))
        );
        // Gathered into batches, not a write per line.
        assert!(sink.writes.load(Ordering::SeqCst) < 10);
    }

    #[test]
    fn lines_from_many_threads_do_not_interleave() {
        let sink = Sink::default();
        let (writer, flush) =
            start_with(sink.clone(), Duration::from_millis(1), LIMIT).expect("start");
        std::thread::scope(|s| {
            for t in 0..8 {
                let mut writer = &writer;
                s.spawn(move || {
                    for i in 0..500 {
                        let line = format!("thread {t} line {i} {}\n", "x".repeat(i % 97));
                        writer.write_all(line.as_bytes()).expect("write");
                    }
                });
            }
        });
        drop(flush);
        let got = lines(&sink);
        assert_eq!(got.len(), 4000);
        for t in 0..8 {
            let mine: Vec<&String> = got
                .iter()
                .filter(|l| l.starts_with(&format!("thread {t} ")))
                .collect();
            assert_eq!(mine.len(), 500);
            for (i, l) in mine.iter().enumerate() {
                assert_eq!(**l, format!("thread {t} line {i} {}", "x".repeat(i % 97)));
            }
        }
    }

    #[test]
    fn a_slow_sink_makes_lines_wait_instead_of_growing_the_buffer() {
        let sink = Sink {
            delay: Duration::from_millis(2),
            ..Sink::default()
        };
        let limit = 4096;
        let (writer, flush) =
            start_with(sink.clone(), Duration::from_millis(1), limit).expect("start");
        let line = [b'y'; 99];
        for _ in 0..2000 {
            (&writer).write_all(&line).expect("write");
            (&writer).write_all(b"\n").expect("write");
            let waiting = writer.shared.lock().pending.len();
            assert!(waiting <= limit + line.len(), "{waiting} bytes waiting");
        }
        drop(flush);
        assert_eq!(lines(&sink).len(), 2000);
    }

    #[test]
    fn a_line_is_written_within_the_gathering_time_without_exiting() {
        let sink = Sink::default();
        let (writer, _flush) =
            start_with(sink.clone(), Duration::from_millis(10), LIMIT).expect("start");
        (&writer).write_all(b"alone\n").expect("write");
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while lines(&sink).is_empty() {
            assert!(
                std::time::Instant::now() < deadline,
                "the line was never written"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(lines(&sink), ["alone"]);
    }
}
