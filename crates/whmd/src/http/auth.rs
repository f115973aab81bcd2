//! Reading credentials from the `Authorization` header (docs/compatibility.md, "Authentication").
//!
//! `whm USER:SECRET` in any case of the scheme word, and `Basic base64(USER:PASS)`. Anything
//! else is not a credential WHM accepts. Whitespace inside the secret is removed only when
//! what is left is a legacy access hash (sent with its line breaks stripped, sometimes
//! badly); a user name or an API token with whitespace inside is refused.

use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, COOKIE};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use percent_encoding::percent_decode_str;
use whmd_domain::Secret;
use whmd_domain::auth::Credentials;
use whmd_domain::secret::looks_like_access_hash;
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
        rest.trim_start()
            .split_once(':')
            .filter(|(user, _)| !user.contains(char::is_whitespace))
            .and_then(|(user, secret)| {
                let secret = secret.trim();
                let token = if secret.contains(char::is_whitespace) {
                    let joined: String = secret.chars().filter(|c| !c.is_whitespace()).collect();
                    looks_like_access_hash(&joined).then_some(joined)?
                } else {
                    secret.to_owned()
                };
                Some(Credentials::ApiToken {
                    user: user.to_owned(),
                    token: Secret::new(token),
                })
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
    fn whm_scheme_any_case() {
        for header in [
            "whm root:ABC",
            "WHM root:ABC",
            "Whm  root:ABC ",
            "whm root: ABC",
        ] {
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
    fn only_an_access_hash_loses_its_whitespace() {
        let line = "0123456789abcdef0123456789abcdef";
        let hash = format!("whm root:{line} {line} \t{line}");
        match parse(&hash) {
            HeaderAuth::Present(Credentials::ApiToken { token, .. }) => {
                assert_eq!(token.expose(), line.repeat(3));
            }
            other => panic!("{other:?}"),
        }
        for header in ["whm ro ot:ABC", "whm root:A B\tC", "whm ro\tot:ABC"] {
            assert!(matches!(parse(header), HeaderAuth::Malformed), "{header}");
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
