//! The document a request names, normalised as cpsrvd does (docs/compatibility.md, "Requests").
//!
//! The path is percent-decoded (`+` stays a plus), CR, LF and NUL are refused, empty and `.`
//! segments vanish and `..` folds without climbing above the root. A first segment of
//! `cpsess` followed only by `[A-Za-z0-9_]` is the security token; a `cPanel_magic_revision_*`
//! segment after it is dropped too.

use percent_encoding::percent_decode_str;

/// The two API document families; each also decides the format of its errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiFormat {
    Json,
    Xml,
}

/// What the normalised path points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `json-api/FUNCTION` or `xml-api/FUNCTION`. The function is whatever follows, possibly
    /// empty or with slashes; the registry decides whether it exists.
    Api { format: ApiFormat, function: String },
    /// Any other document, such as `login`, as its segments joined by `/`.
    Other(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The `cpsessNNNNNNNNNN` segment, when the path began with one.
    pub security_token: Option<String>,
    pub target: Target,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error("The request path contains a carriage return, line feed or NUL byte.")]
    ControlCharacter,
    #[error("The request path is not valid UTF-8.")]
    InvalidUtf8,
}

impl Document {
    /// Normalises a raw request path (without its query string).
    pub fn parse(raw: &str) -> Result<Self, PathError> {
        let decoded = percent_decode_str(raw)
            .decode_utf8()
            .map_err(|_| PathError::InvalidUtf8)?;
        if decoded.contains(['\r', '\n', '\0']) {
            return Err(PathError::ControlCharacter);
        }
        let mut segments: Vec<&str> = Vec::new();
        for segment in decoded.split('/') {
            match segment {
                "" | "." => {}
                ".." => {
                    segments.pop();
                }
                s => segments.push(s),
            }
        }
        let mut rest = segments.as_slice();
        let mut security_token = None;
        if let Some((first, tail)) = rest.split_first()
            && is_security_token(first)
        {
            security_token = Some((*first).to_owned());
            rest = tail;
            if let Some((next, tail)) = rest.split_first()
                && next.starts_with("cPanel_magic_revision_")
            {
                rest = tail;
            }
        }
        let target = match rest.split_first() {
            Some((&"json-api", function)) => Target::Api {
                format: ApiFormat::Json,
                function: function.join("/"),
            },
            Some((&"xml-api", function)) => Target::Api {
                format: ApiFormat::Xml,
                function: function.join("/"),
            },
            _ => Target::Other(rest.join("/")),
        };
        Ok(Self {
            security_token,
            target,
        })
    }
}

fn is_security_token(segment: &str) -> bool {
    segment
        .strip_prefix("cpsess")
        .is_some_and(|rest| rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(format: ApiFormat, function: &str) -> Target {
        Target::Api {
            format,
            function: function.to_owned(),
        }
    }

    #[test]
    fn plain_api_paths() {
        let d = Document::parse("/json-api/listaccts").expect("parses");
        assert_eq!(d.target, api(ApiFormat::Json, "listaccts"));
        assert_eq!(d.security_token, None);
        let d = Document::parse("/xml-api/loadavg/").expect("parses");
        assert_eq!(d.target, api(ApiFormat::Xml, "loadavg"));
    }

    #[test]
    fn security_token_and_magic_revision() {
        let d = Document::parse("/cpsess0123456789/cPanel_magic_revision_123/json-api/version")
            .expect("parses");
        assert_eq!(d.security_token.as_deref(), Some("cpsess0123456789"));
        assert_eq!(d.target, api(ApiFormat::Json, "version"));
        // Not a token: other characters after the prefix.
        let d = Document::parse("/cpsess-1/json-api/version").expect("parses");
        assert_eq!(d.security_token, None);
        assert_eq!(d.target, Target::Other("cpsess-1/json-api/version".into()));
    }

    #[test]
    fn dots_fold_and_never_climb() {
        let d = Document::parse("/json-api/../x").expect("parses");
        assert_eq!(d.target, Target::Other("x".into()));
        let d = Document::parse("/../../json-api/./version").expect("parses");
        assert_eq!(d.target, api(ApiFormat::Json, "version"));
        let d = Document::parse("//json-api//%2e%2e/json-api/applist").expect("parses");
        assert_eq!(d.target, api(ApiFormat::Json, "applist"));
    }

    #[test]
    fn control_characters_and_bad_utf8_are_refused() {
        assert_eq!(
            Document::parse("/json-api/a%00b"),
            Err(PathError::ControlCharacter)
        );
        assert_eq!(
            Document::parse("/json-api/a%0d%0ab"),
            Err(PathError::ControlCharacter)
        );
        assert_eq!(
            Document::parse("/json-api/%ff"),
            Err(PathError::InvalidUtf8)
        );
    }

    #[test]
    fn plus_stays_in_paths() {
        let d = Document::parse("/json-api/a+b").expect("parses");
        assert_eq!(d.target, api(ApiFormat::Json, "a+b"));
    }
}
