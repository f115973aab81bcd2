//! Reading credentials from the `Authorization` header (PROTOCOL.md §2.1).
//!
//! `whm USER:SECRET` in any case of the scheme word, with all whitespace in the rest removed
//! (access hashes are sent with their line breaks stripped, sometimes badly), and
//! `Basic base64(USER:PASS)`. Anything else is not a credential WHM accepts.

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use whmd_domain::Secret;
use whmd_domain::auth::Credentials;

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
