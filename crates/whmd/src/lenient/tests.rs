//! The framer on byte strings: the quirks it accepts, what it leaves to hyper, and (under
//! proptest) that well-formed requests, however they are split into reads, pass unchanged.

use super::framer::{Framer, MAX_HEAD, Step};
use proptest::prelude::*;

/// What hyper would read from `chunks` arriving one after another, and whether the framer
/// ended the connection before the peer did.
fn run(chunks: &[&[u8]]) -> (Vec<u8>, bool) {
    let mut framer = Framer::default();
    let mut raw = Vec::new();
    let mut out = Vec::new();
    let mut next = chunks.iter();
    let mut eof = false;
    loop {
        match framer.step(&raw, eof) {
            Step::Pass(n) => {
                assert!(n > 0 && n <= raw.len());
                out.extend(raw.drain(..n));
            }
            Step::Replace(n, bytes) => {
                raw.drain(..n);
                out.extend(bytes);
            }
            Step::Close => return (out, !eof),
            Step::NeedMore => match next.next() {
                Some(chunk) => raw.extend_from_slice(chunk),
                None => eof = true,
            },
        }
    }
}

fn one(bytes: &[u8]) -> (Vec<u8>, bool) {
    run(&[bytes])
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_header_ended_by_lf_and_a_stray_cr_is_read_as_a_header() {
    let sent = b"GET /json-api/version HTTP/1.1\r\nHost: h\r\nAuthorization: Basic cm9vdDp4\n\r\r\nAccept: */*\r\n\r\n";
    let (out, closed) = one(sent);
    assert_eq!(
        text(&out),
        "GET /json-api/version HTTP/1.1\r\nHost: h\r\nAuthorization: Basic cm9vdDp4\r\nAccept: */*\r\n\r\n"
    );
    assert!(!closed);
    // As the last header, before the blank line.
    let sent = b"GET / HTTP/1.1\r\nHost: h\r\nAuthorization: Basic cm9vdDp4\n\r\r\n\r\n";
    assert_eq!(
        text(&one(sent).0),
        "GET / HTTP/1.1\r\nHost: h\r\nAuthorization: Basic cm9vdDp4\r\n\r\n"
    );
    // A CR at the start of the next header line.
    let sent = b"GET / HTTP/1.1\r\nAuthorization: Basic x\n\rHost: h\r\n\r\n";
    assert_eq!(
        text(&one(sent).0),
        "GET / HTTP/1.1\r\nAuthorization: Basic x\r\nHost: h\r\n\r\n"
    );
}

#[test]
fn a_plain_body_behind_both_framing_headers_is_read_by_its_length_and_the_rest_dropped() {
    let sent = b"POST /json-api/listaccts HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nAuthorization: WHM root:x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 13\r\n\r\napi.version=1\r\nAccept: */*\r\nExpect: 100-continue\r\n\r\n0\r\n\r\n";
    let (out, closed) = one(sent);
    assert_eq!(
        text(&out),
        "POST /json-api/listaccts HTTP/1.1\r\nHost: h\r\nAuthorization: WHM root:x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 13\r\nConnection: close\r\n\r\napi.version=1"
    );
    assert!(closed);
    // Split anywhere, the same.
    for at in 1..sent.len() {
        assert_eq!(run(&[&sent[..at], &sent[at..]]).0, out, "split at {at}");
    }
}

#[test]
fn a_real_chunked_body_behind_both_headers_stays_chunked() {
    let sent = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\nGET / HTTP/1.1\r\n\r\n";
    let (out, closed) = one(sent);
    assert_eq!(out, sent);
    assert!(!closed);
}

#[test]
fn header_lines_after_a_whole_request_end_the_connection() {
    let sent = b"POST /json-api/version HTTP/1.1\r\nHost: h\r\nContent-Length: 13\r\n\r\napi.version=1\r\nHost: h\r\nAccept: */*\r\n\r\n";
    let (out, closed) = one(sent);
    assert_eq!(
        text(&out),
        "POST /json-api/version HTTP/1.1\r\nHost: h\r\nContent-Length: 13\r\n\r\napi.version=1"
    );
    assert!(closed);
    // The same bytes in a second read, after the answer.
    let at = sent.len() - 32;
    assert_eq!(run(&[&sent[..at], &sent[at..]]), (out, true));
}

#[test]
fn malformed_first_requests_and_bad_framing_reach_hyper_unchanged() {
    for sent in [
        &b"NOT A REQUEST\r\n\r\n"[..],
        b"GET / HTTP/1.1\r\nX: a\rb\r\n\r\n",
        b"GET / HTTP/1.1\r\nX: a\0b\r\n\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
        b"POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n",
        b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
        b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nshort",
        b"CONNECT h:443 HTTP/1.1\r\n\r\nanything",
        b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x12\x04",
    ] {
        let (out, closed) = one(sent);
        assert_eq!(text(&out), text(sent));
        assert!(!closed, "{}", text(sent));
    }
}

#[test]
fn an_oversized_head_goes_to_hyper_as_it_is() {
    let mut sent = b"GET / HTTP/1.1\r\nX: ".to_vec();
    sent.resize(MAX_HEAD + 10, b'a');
    let (out, closed) = one(&sent);
    assert_eq!(out, sent);
    assert!(!closed);
}

/// A well-formed request: method, target, headers, and a body sent by length or in chunks.
fn request() -> impl Strategy<Value = Vec<u8>> {
    let name = "[A-Za-z][A-Za-z0-9-]{0,12}".prop_filter("framing headers are chosen below", |n| {
        !["content-length", "transfer-encoding", "connection"]
            .contains(&n.to_ascii_lowercase().as_str())
    });
    let value = "[ -~]{0,40}".prop_map(|v| v.trim().to_owned());
    (
        prop::sample::select(vec!["GET", "POST", "HEAD"]),
        "/[a-z0-9_./?=&%-]{0,40}",
        prop::collection::vec((name, value), 0..8),
        prop::collection::vec(any::<u8>(), 0..300),
        prop::option::of(prop::collection::vec(1usize..64, 1..6)),
    )
        .prop_map(|(method, target, headers, body, chunks)| {
            let mut r = format!("{method} {target} HTTP/1.1\r\n").into_bytes();
            for (n, v) in headers {
                r.extend(format!("{n}: {v}\r\n").bytes());
            }
            match chunks {
                None if body.is_empty() => r.extend(b"\r\n"),
                None => {
                    r.extend(format!("Content-Length: {}\r\n\r\n", body.len()).bytes());
                    r.extend(&body);
                }
                Some(sizes) => {
                    r.extend(b"Transfer-Encoding: chunked\r\n\r\n");
                    let mut rest = &body[..];
                    for size in sizes.into_iter().cycle() {
                        if rest.is_empty() {
                            break;
                        }
                        let (chunk, tail) = rest.split_at(size.min(rest.len()));
                        r.extend(format!("{:x}\r\n", chunk.len()).bytes());
                        r.extend(chunk);
                        r.extend(b"\r\n");
                        rest = tail;
                    }
                    r.extend(b"0\r\n\r\n");
                }
            }
            r
        })
}

proptest! {
    #[test]
    fn well_formed_requests_pass_unchanged(
        requests in prop::collection::vec(request(), 1..5),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..6),
    ) {
        let sent = requests.concat();
        let mut at: Vec<usize> = cuts.iter().map(|i| i.index(sent.len() + 1)).collect();
        at.sort_unstable();
        let mut chunks = Vec::new();
        let mut from = 0;
        for a in at {
            chunks.push(&sent[from..a]);
            from = a;
        }
        chunks.push(&sent[from..]);
        let (out, closed) = run(&chunks);
        prop_assert_eq!(out, sent);
        prop_assert!(!closed);
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_come_out_in_order(
        sent in prop::collection::vec(any::<u8>(), 0..600),
        cut in any::<prop::sample::Index>(),
    ) {
        let at = cut.index(sent.len() + 1);
        let (out, _) = run(&[&sent[..at], &sent[at..]]);
        prop_assert!(out.len() <= sent.len() + 64);
    }
}
