//! HTTP/1 as billing systems send it. Every connection's bytes pass through [`Lenient`] on
//! their way to hyper, which stays the parser; this module only accepts three things that
//! cPanel's server accepts and hyper refuses, each seen from a real client:
//!
//! - **Stray CRs in the head.** PHP modules (WiseCP, cPanel Extended, Aurora) end their
//!   `Authorization` header with `\n\r`, so curl sends `Authorization: …\n\r\r\n`. A header
//!   line ends at LF (one CR before it belongs to the line end); CRs at the start of a line, and
//!   lines of nothing but CRs, are dropped. Such a head is handed on with CRLF line ends.
//! - **`Transfer-Encoding: chunked` with `Content-Length` and a plain body.** cPanel's own
//!   `xmlapi-php` puts the body inside its header list, so curl's own headers (and its empty
//!   chunked body) follow it. RFC 9112 §6.1 makes chunked win; when the body does not begin
//!   like a chunk, it is read by its `Content-Length` instead, hyper is told
//!   `Connection: close`, and nothing after the body is read: no second request can be
//!   smuggled in behind it.
//! - **Bytes after a whole request that cannot start one** (BoxBilling's variant: curl's header
//!   lines after the body). The request is answered, then the connection closed; hyper runs in
//!   half-close mode so that the end of the stream does not cancel the answer.
//!
//! Everything else reaches hyper byte for byte: a well-formed request is parsed exactly as it
//! would be without this module (a property test holds that), and a malformed one gets hyper's
//! refusal. HTTP/2 (its preface, or ALPN) never comes here.
//!
//! A head is handed on only when it is whole, so hyper cannot time out a first head that never
//! ends (its connection builder waits for enough bytes to tell the protocol): the reader does,
//! with the header timeout. Later heads are hyper's to time (from the end of each answer).

mod framer;
#[cfg(test)]
mod tests;

pub use framer::{Framer, MAX_HEAD, Step};

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Sleep;

/// How much is read from the socket at a time.
const READ_SIZE: usize = 8 * 1024;

/// A connection's byte stream as hyper is to read it; writes go straight through.
#[derive(Debug)]
pub struct Lenient<S> {
    inner: S,
    framer: Framer,
    /// Bytes read from the socket and not yet handed on: `raw[start..end]`. Past `end` is room
    /// for the next read, zeroed once when it was first made rather than before every read.
    raw: Vec<u8>,
    start: usize,
    end: usize,
    /// Bytes the framer decided on and the reader has yet to take.
    out: Out,
    eof: bool,
    /// How long the first head may take, and (once reading began) when it runs out.
    first_head: Option<Duration>,
    deadline: Option<Pin<Box<Sleep>>>,
}

#[derive(Debug)]
enum Out {
    None,
    /// This many bytes of `raw`, as they are.
    Pass(usize),
    /// A rewritten head, from this position.
    Replaced(Vec<u8>, usize),
    /// End of stream, for good.
    Closed,
}

impl<S> Lenient<S> {
    /// The reader of `inner`, whose first request head must arrive whole within
    /// `first_head` (no limit when `None`).
    pub fn new(inner: S, first_head: Option<Duration>) -> Self {
        Self {
            inner,
            framer: Framer::default(),
            raw: Vec::new(),
            start: 0,
            end: 0,
            out: Out::None,
            eof: false,
            first_head,
            deadline: None,
        }
    }

    /// An error once the first head has taken too long; disarmed for good once it came.
    fn check_first_head(&mut self, cx: &mut Context<'_>) -> io::Result<()> {
        if !self.framer.awaits_first_head() {
            self.first_head = None;
            self.deadline = None;
            return Ok(());
        }
        let Some(limit) = self.first_head else {
            return Ok(());
        };
        let deadline = self
            .deadline
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        match deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the request head did not arrive in time",
            )),
            Poll::Pending => Ok(()),
        }
    }

    /// Copies what is decided into `buf`; false when nothing is.
    fn drain(&mut self, buf: &mut ReadBuf<'_>) -> bool {
        match &mut self.out {
            Out::None | Out::Closed => false,
            Out::Pass(n) => {
                let take = (*n).min(buf.remaining());
                buf.put_slice(&self.raw[self.start..self.start + take]);
                self.start += take;
                *n -= take;
                if *n == 0 {
                    self.out = Out::None;
                }
                true
            }
            Out::Replaced(bytes, pos) => {
                let take = (bytes.len() - *pos).min(buf.remaining());
                buf.put_slice(&bytes[*pos..*pos + take]);
                *pos += take;
                if *pos == bytes.len() {
                    self.out = Out::None;
                }
                true
            }
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Lenient<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if buf.remaining() == 0 {
            return Poll::Ready(Ok(()));
        }
        loop {
            if this.drain(buf) {
                return Poll::Ready(Ok(()));
            }
            if matches!(this.out, Out::Closed) {
                return Poll::Ready(Ok(()));
            }
            match this.framer.step(&this.raw[this.start..this.end], this.eof) {
                Step::Pass(n) => this.out = Out::Pass(n),
                Step::Replace(n, bytes) => {
                    tracing::debug!("a request head was read leniently");
                    this.start += n;
                    this.out = Out::Replaced(bytes, 0);
                }
                Step::Close => {
                    this.out = Out::Closed;
                    this.raw = Vec::new();
                    this.start = 0;
                    this.end = 0;
                }
                Step::NeedMore => {
                    this.check_first_head(cx)?;
                    if this.start > 0 {
                        this.raw.copy_within(this.start..this.end, 0);
                        this.end -= this.start;
                        this.start = 0;
                    }
                    let room = this.end + READ_SIZE;
                    if this.raw.len() < room {
                        this.raw.resize(room, 0);
                    }
                    let mut read = ReadBuf::new(&mut this.raw[this.end..room]);
                    let polled = Pin::new(&mut this.inner).poll_read(cx, &mut read);
                    let filled = read.filled().len();
                    this.end += filled;
                    ready!(polled)?;
                    this.eof = filled == 0;
                }
            }
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Lenient<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}
