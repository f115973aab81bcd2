//! Reading credentials from the `Authorization` header (PROTOCOL.md §2.1).
//!
//! `whm USER:SECRET` in any case of the scheme word, with all whitespace in the rest removed
//! (access hashes are sent with their line breaks stripped, sometimes badly), and
//! `Basic base64(USER:PASS)`. Anything else is not a credential WHM accepts.

use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, COOKIE};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use percent_encoding::percent_decode_str;
use whmd_domain::Secret;
use whmd_domain::auth::Credentials;
use whmd_domain::session::COOKIE as SESSION_COOKIE;

#[derive(Debug)]
pub enum HeaderAuth {
    Missing,
    /// A header that names no accepted scheme or does not decode.
    Malformed,
    Present(Credentials),
}

pub fn from_headers(headers: &HeaderMap) -> HeaderAuth {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return HeaderAuth::Missing;
    };
    let Ok(value) = value.to_str() else {
        return HeaderAuth::Malformed;
    };
    let value = value.trim();
    let (scheme, rest) = value.split_once(char::is_whitespace).unwrap_or((value, ""));
    let parsed = if scheme.eq_ignore_ascii_case("whm") {
        let rest: String = rest.chars().filter(|c| !c.is_whitespace()).collect();
        rest.split_once(':')
            .map(|(user, token)| Credentials::ApiToken {
                user: user.to_owned(),
                token: Secret::new(token),
            })
    } else if scheme.eq_ignore_ascii_case("basic") {
        STANDARD
            .decode(rest.trim())
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .and_then(|text| {
                text.split_once(':')
                    .map(|(user, password)| Credentials::Password {
                        user: user.to_owned(),
                        password: Secret::new(password),
                    })
            })
    } else {
        None
    };
    parsed.map_or(HeaderAuth::Malformed, HeaderAuth::Present)
}

/// The longest session cookie value read; a longer one is not a session of whmd's.
const MAX_COOKIE: usize = 512;

/// What the `Cookie` headers say of a session.
#[derive(Debug)]
pub enum SessionCookie {
    Missing,
    /// Present but unreadable (too long, not UTF-8 once decoded).
    Malformed,
    Present(Secret),
}

/// The `whostmgrsession` cookie, percent-decoded.
pub fn session_cookie(headers: &HeaderMap) -> SessionCookie {
    for header in headers.get_all(COOKIE) {
        let Ok(text) = header.to_str() else {
            return SessionCookie::Malformed;
        };
        for pair in text.split(';') {
            let Some((name, value)) = pair.trim().split_once('=') else {
                continue;
            };
            if name != SESSION_COOKIE {
                continue;
            }
            if value.is_empty() || value.len() > MAX_COOKIE {
                return SessionCookie::Malformed;
            }
            return match percent_decode_str(value).decode_utf8() {
                Ok(v) if !v.contains(['\0', '\r', '\n']) => SessionCookie::Present(Secret::new(v)),
                _ => SessionCookie::Malformed,
            };
        }
    }
    SessionCookie::Missing
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn parse(value: &str) -> HeaderAuth {
        let mut headers = HeaderMap::new();
        headers.insert(
            AUTHORIZATION,
            HeaderValue::from_str(value).expect("header value"),
        );
        from_headers(&headers)
    }

    #[test]
    fn whm_scheme_any_case_with_whitespace_stripped() {
        for header in ["whm root:ABC", "WHM root:ABC", "Whm  root:A B\tC"] {
            match parse(header) {
                HeaderAuth::Present(Credentials::ApiToken { user, token }) => {
                    assert_eq!(user, "root");
                    assert_eq!(token.expose(), "ABC");
                }
                other => panic!("{header}: {other:?}"),
            }
        }
    }

    #[test]
    fn basic_splits_on_the_first_colon() {
        let header = format!("Basic {}", STANDARD.encode("root:pa:ss"));
        match parse(&header) {
            HeaderAuth::Present(Credentials::Password { user, password }) => {
                assert_eq!(user, "root");
                assert_eq!(password.expose(), "pa:ss");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn session_cookies() {
        let cookie = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(COOKIE, HeaderValue::from_str(value).expect("header value"));
            session_cookie(&headers)
        };
        match cookie("a=b; whostmgrsession=root%3Aabc%2C12; c=d") {
            SessionCookie::Present(s) => assert_eq!(s.expose(), "root:abc,12"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(cookie("a=b"), SessionCookie::Missing));
        assert!(matches!(
            cookie(&format!("whostmgrsession={}", "x".repeat(600))),
            SessionCookie::Malformed
        ));
        assert!(matches!(
            cookie("whostmgrsession=%ff"),
            SessionCookie::Malformed
        ));
        assert!(matches!(
            cookie("whostmgrsession="),
            SessionCookie::Malformed
        ));
    }

    #[test]
    fn malformed_headers() {
        for header in [
            "Basic !!!",
            "Basic cm9vdA==",
            "whm root",
            "cpanel root:ABC",
            "Bearer x",
            "",
        ] {
            assert!(matches!(parse(header), HeaderAuth::Malformed), "{header}");
        }
        assert!(matches!(
            from_headers(&HeaderMap::new()),
            HeaderAuth::Missing
        ));
    }
}
