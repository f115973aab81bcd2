//! The request framer behind [`super::Lenient`]: it follows HTTP/1 request boundaries in the
//! bytes a client sends and decides, piece by piece, what hyper is to read. Well-formed bytes
//! pass through unchanged; the three quirks of billing clients described in the module above
//! are rewritten or cut off; everything else is handed on untouched for hyper to judge.
//!
//! It does no I/O: [`Framer::step`] looks at the bytes not yet handed on and says what to do
//! with the first of them, so it is tested on byte strings alone.

/// The HTTP/2 connection preface (RFC 9113 §3.4): a connection that starts with it is not ours.
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// The longest request head the framer reads before handing the connection to hyper as it is.
/// Real heads are a few hundred bytes; hyper applies its own, larger limit to what passes.
pub const MAX_HEAD: usize = 64 * 1024;

/// The most hex digits a chunk size may have (a `u64`).
const MAX_CHUNK_DIGITS: usize = 16;

/// What to do with the start of the unread input.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// Hand on the next `n` bytes as they are.
    Pass(usize),
    /// Drop the next `n` bytes and hand on these instead.
    Replace(usize, Vec<u8>),
    /// Nothing can be decided until more bytes arrive (or the peer closes).
    NeedMore,
    /// The connection ends here for hyper: it gets end-of-stream, and the rest is dropped.
    Close,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before anything was read: an HTTP/2 preface means `Raw`.
    Start,
    /// A request head is next; `after_request` once a whole request went before it.
    Head { after_request: bool },
    /// A body of known length; `close` ends the connection after it.
    Length { remaining: u64, close: bool },
    /// Inside a chunked body.
    Chunked(Chunk),
    /// Everything passes unchanged from here on.
    Raw,
    /// Nothing more is handed on.
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chunk {
    Size,
    Data(u64),
    DataEnd,
    Trailer,
}

/// Follows one connection's requests.
#[derive(Debug)]
pub struct Framer {
    state: State,
}

impl Default for Framer {
    fn default() -> Self {
        Self {
            state: State::Start,
        }
    }
}

impl Framer {
    /// Decides what to do with the start of `input`, the bytes not yet handed on. `eof` says
    /// the peer has closed, so no more will come: then nothing is left waiting.
    /// Whether the connection's first request head is still to come whole.
    pub fn awaits_first_head(&self) -> bool {
        matches!(
            self.state,
            State::Start
                | State::Head {
                    after_request: false
                }
        )
    }

    pub fn step(&mut self, input: &[u8], eof: bool) -> Step {
        if input.is_empty() {
            return match self.state {
                State::Closed => Step::Close,
                _ if eof => Step::Close,
                _ => Step::NeedMore,
            };
        }
        let step = match self.state {
            State::Start => self.start(input),
            State::Head { after_request } => self.head(input, after_request),
            State::Length { remaining, close } => {
                let n = clamp(remaining, input.len());
                let remaining = remaining - n as u64;
                self.state = match (remaining, close) {
                    (0, true) => State::Closed,
                    (0, false) => State::Head {
                        after_request: true,
                    },
                    _ => State::Length { remaining, close },
                };
                Step::Pass(n)
            }
            State::Chunked(chunk) => self.chunked(chunk, input),
            State::Raw => Step::Pass(input.len()),
            State::Closed => Step::Close,
        };
        match step {
            // At the end of the stream nothing more will come to decide by: what is left goes
            // to hyper as it is, and hyper answers it (or not) by its own rules.
            Step::NeedMore if eof => {
                self.state = State::Raw;
                Step::Pass(input.len())
            }
            step => step,
        }
    }

    fn start(&mut self, input: &[u8]) -> Step {
        let n = input.len().min(H2_PREFACE.len());
        if input[..n] != H2_PREFACE[..n] {
            self.state = State::Head {
                after_request: false,
            };
            return self.head(input, false);
        }
        if n < H2_PREFACE.len() {
            return Step::NeedMore;
        }
        self.state = State::Raw;
        Step::Pass(input.len())
    }

    fn head(&mut self, input: &[u8], after_request: bool) -> Step {
        let Some(head) = Head::read(input) else {
            if input.len() > MAX_HEAD {
                self.state = State::Raw;
                return Step::Pass(input.len());
            }
            // Bytes after a whole request that cannot begin another are no request (a billing
            // client's header lines that followed its body): the connection ends after the
            // answer. The first request of a connection goes to hyper, which refuses it.
            if after_request && first_line(input).is_some_and(|l| !is_request_line(l)) {
                self.state = State::Closed;
                return Step::Close;
            }
            return Step::NeedMore;
        };
        if !is_request_line(head.request_line(input)) {
            if after_request {
                self.state = State::Closed;
                return Step::Close;
            }
            self.state = State::Raw;
            return Step::Pass(input.len());
        }
        let framing = match Framing::of(&head, input) {
            Some(f) => f,
            None => {
                self.state = State::Raw;
                return Step::Pass(input.len());
            }
        };
        let body = &input[head.len..];
        let (state, close) = match framing {
            Framing::None | Framing::Length(0) => (
                State::Head {
                    after_request: true,
                },
                false,
            ),
            Framing::Length(n) => (
                State::Length {
                    remaining: n,
                    close: false,
                },
                false,
            ),
            Framing::Chunked => (State::Chunked(Chunk::Size), false),
            // Both headers: RFC 9112 §6.1 makes chunked win, but xmlapi-php sends an ordinary
            // body of Content-Length bytes. Its first bytes decide: a body that does not begin
            // like a chunk is read by its length, and the connection is closed after the
            // answer so that nothing after the body can be taken for a request.
            Framing::Both(n) => match chunk_start(body) {
                None => return Step::NeedMore,
                Some(true) => (State::Chunked(Chunk::Size), false),
                Some(false) => (
                    if n == 0 {
                        State::Closed
                    } else {
                        State::Length {
                            remaining: n,
                            close: true,
                        }
                    },
                    true,
                ),
            },
        };
        self.state = state;
        if close {
            return Step::Replace(head.len, head.rewrite(input, true));
        }
        if head.clean {
            Step::Pass(head.len)
        } else {
            Step::Replace(head.len, head.rewrite(input, false))
        }
    }

    fn chunked(&mut self, chunk: Chunk, input: &[u8]) -> Step {
        match chunk {
            Chunk::Size | Chunk::Trailer => {
                let Some(end) = memchr::memchr(b'\n', input) else {
                    if input.len() > MAX_HEAD {
                        self.state = State::Raw;
                        return Step::Pass(input.len());
                    }
                    return Step::NeedMore;
                };
                let line = trim_cr(&input[..end]);
                self.state = if chunk == Chunk::Trailer {
                    if line.is_empty() {
                        State::Head {
                            after_request: true,
                        }
                    } else {
                        State::Chunked(Chunk::Trailer)
                    }
                } else {
                    match chunk_size(line) {
                        Some(0) => State::Chunked(Chunk::Trailer),
                        Some(n) => State::Chunked(Chunk::Data(n)),
                        // hyper refuses a bad size itself.
                        None => State::Raw,
                    }
                };
                Step::Pass(end + 1)
            }
            Chunk::Data(remaining) => {
                let n = clamp(remaining, input.len());
                let remaining = remaining - n as u64;
                self.state = State::Chunked(if remaining == 0 {
                    Chunk::DataEnd
                } else {
                    Chunk::Data(remaining)
                });
                Step::Pass(n)
            }
            Chunk::DataEnd => {
                let end = match input {
                    [b'\r', b'\n', ..] => 2,
                    [b'\n', ..] => 1,
                    [b'\r'] => return Step::NeedMore,
                    _ => {
                        self.state = State::Raw;
                        return Step::Pass(input.len());
                    }
                };
                self.state = State::Chunked(Chunk::Size);
                Step::Pass(end)
            }
        }
    }
}

fn clamp(remaining: u64, available: usize) -> usize {
    usize::try_from(remaining).map_or(available, |r| r.min(available))
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// The first line of `input` without its line end, once it is complete.
fn first_line(input: &[u8]) -> Option<&[u8]> {
    let start = input
        .iter()
        .position(|b| !matches!(b, b'\r' | b'\n'))
        .unwrap_or(input.len());
    let rest = &input[start..];
    memchr::memchr(b'\n', rest).map(|end| trim_cr(&rest[..end]))
}

/// `METHOD SP target SP HTTP/d.d`, the shape of RFC 9112's request line.
fn is_request_line(line: &[u8]) -> bool {
    let mut parts = line.split(|b| *b == b' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    !method.is_empty()
        && method.iter().all(|b| is_tchar(*b))
        && !target.is_empty()
        && target.iter().all(|b| b.is_ascii_graphic())
        && matches!(version, [b'H', b'T', b'T', b'P', b'/', a, b'.', b] if a.is_ascii_digit() && b.is_ascii_digit())
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// A chunk-size line's size: hex digits, then optional extensions.
fn chunk_size(line: &[u8]) -> Option<u64> {
    let digits = line.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    let rest = &line[digits..];
    if digits == 0
        || digits > MAX_CHUNK_DIGITS
        || !(rest.is_empty() || matches!(rest[0], b';' | b' ' | b'\t'))
    {
        return None;
    }
    let text = std::str::from_utf8(&line[..digits]).ok()?;
    u64::from_str_radix(text, 16).ok()
}

/// Whether a body begins like a chunked one: hex digits, then a line end or an extension.
/// `None` until enough bytes are there to tell.
fn chunk_start(body: &[u8]) -> Option<bool> {
    let digits = body.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    if digits > MAX_CHUNK_DIGITS {
        return Some(false);
    }
    body.get(digits)
        .map(|b| digits > 0 && matches!(b, b'\r' | b'\n' | b';' | b' ' | b'\t'))
}

/// One complete request head, found by lenient line rules: lines end at LF; one CR before it
/// belongs to the line end; a line of nothing but CRs is a stray, not the end of the head; CRs
/// at the start of a line are strays too. `curl` sends `Name: value\n\r\r\n` for a header its
/// caller ended with `\n\r`: the header, then a stray CR, then the next line.
#[derive(Debug)]
struct Head {
    /// Bytes up to and including the blank line.
    len: usize,
    /// Each line's content (no line end, no stray CRs) as a range of the input, the request
    /// line first; stray lines are left out.
    lines: Vec<(usize, usize)>,
    /// Every line ended in CRLF and none held stray CRs: the bytes can pass as they are.
    clean: bool,
}

impl Head {
    fn read(input: &[u8]) -> Option<Head> {
        let mut lines = Vec::new();
        let mut clean = true;
        let mut pos = 0;
        // Empty lines before the request line are allowed (RFC 9112 §2.2) and left in place.
        while let Some(n) = match &input[pos..] {
            [b'\r', b'\n', ..] => Some(2),
            [b'\n', ..] => Some(1),
            _ => None,
        } {
            pos += n;
        }
        loop {
            let end = pos + memchr::memchr(b'\n', &input[pos..])?;
            let line = &input[pos..end];
            let crlf = line.last() == Some(&b'\r');
            let content = trim_cr(line);
            let strays = content.iter().take_while(|b| **b == b'\r').count();
            if content.is_empty() {
                return Some(Head {
                    len: end + 1,
                    lines,
                    clean: clean && crlf,
                });
            }
            clean &= crlf && strays == 0;
            if strays < content.len() {
                lines.push((pos + strays, pos + content.len()));
            }
            pos = end + 1;
        }
    }

    fn request_line<'a>(&self, input: &'a [u8]) -> &'a [u8] {
        self.lines.first().map_or(&[], |&(a, b)| &input[a..b])
    }

    /// The header lines as (name, value), the value without surrounding blanks.
    fn headers<'a>(&self, input: &'a [u8]) -> impl Iterator<Item = (&'a [u8], &'a [u8])> {
        self.lines.iter().skip(1).map(move |&(a, b)| {
            let line = &input[a..b];
            match memchr::memchr(b':', line) {
                Some(i) => (&line[..i], line[i + 1..].trim_ascii()),
                None => (line, &[][..]),
            }
        })
    }

    /// The head again with CRLF line ends and without stray CRs; with `close`, without
    /// `Transfer-Encoding` and `Connection` and with `Connection: close`.
    fn rewrite(&self, input: &[u8], close: bool) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len + 20);
        for (i, &(a, b)) in self.lines.iter().enumerate() {
            let line = &input[a..b];
            if close && i > 0 {
                let name = line.split(|c| *c == b':').next().unwrap_or_default();
                if name.eq_ignore_ascii_case(b"transfer-encoding")
                    || name.eq_ignore_ascii_case(b"connection")
                {
                    continue;
                }
            }
            out.extend_from_slice(line);
            out.extend_from_slice(b"\r\n");
        }
        if close {
            out.extend_from_slice(b"Connection: close\r\n");
        }
        out.extend_from_slice(b"\r\n");
        out
    }
}

/// How a request's body is delimited, as hyper will read it.
#[derive(Debug, PartialEq, Eq)]
enum Framing {
    None,
    Length(u64),
    Chunked,
    /// `Transfer-Encoding: chunked` and `Content-Length` together.
    Both(u64),
}

impl Framing {
    /// `None` for a head hyper must judge itself: an unreadable or disagreeing
    /// `Content-Length`, a transfer coding other than chunked last, a `CONNECT`.
    fn of(head: &Head, input: &[u8]) -> Option<Framing> {
        if head.request_line(input).starts_with(b"CONNECT ") {
            return None;
        }
        let mut length: Option<u64> = None;
        let mut chunked = None;
        for (name, value) in head.headers(input) {
            if name.eq_ignore_ascii_case(b"content-length") {
                if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
                    return None;
                }
                let n = std::str::from_utf8(value).ok()?.parse::<u64>().ok()?;
                if length.is_some_and(|l| l != n) {
                    return None;
                }
                length = Some(n);
            } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
                let last = value.rsplit(|c| *c == b',').next().unwrap_or_default();
                chunked = Some(last.trim_ascii().eq_ignore_ascii_case(b"chunked"));
            }
        }
        Some(match (chunked, length) {
            (Some(false), _) => return None,
            (Some(true), Some(n)) => Framing::Both(n),
            (Some(true), None) => Framing::Chunked,
            (None, Some(n)) => Framing::Length(n),
            (None, None) => Framing::None,
        })
    }
}
