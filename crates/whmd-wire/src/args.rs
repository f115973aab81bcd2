//! Raw request arguments, parsed by WHM's legacy rules (docs/compatibility.md, "Requests").
//!
//! The query string and the body are one urlencoded stream (query first). Pairs split on `&`,
//! each on its first `=`; `+` is a space; a repeated key keeps its first value under its own
//! name and later ones as `key-0`, `key-1`, …; keys starting with `file-` are dropped. Values
//! are validated later, by the function that reads them.

use percent_encoding::percent_decode;
use serde_json::Value;

/// How many pairs one request may carry. WHM sets no number, but no real call comes close and
/// a 1 MiB body of `a&a&a…` would otherwise allocate half a million keys.
pub const MAX_PAIRS: usize = 20_000;

/// The arguments' map. Hashed with foldhash, seeded at random per process and per map: several
/// times cheaper than SipHash for names this short, and the names come from authenticated
/// callers only, at most [`MAX_PAIRS`] of them.
type IndexMap<K, V> = indexmap::IndexMap<K, V, foldhash::fast::RandomState>;

/// Why a request's arguments could not be read. Each becomes a `result: 0` envelope.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArgsError {
    #[error("The parameter “{0}” is not valid UTF-8.")]
    InvalidUtf8(String),
    #[error("The parameter “{0}” contains a NUL byte.")]
    NulByte(String),
    #[error("The request has more than {MAX_PAIRS} parameters.")]
    TooMany,
    #[error("The request body is not a valid JSON object.")]
    JsonNotObject,
    #[error("The JSON parameter “{0}” holds a nested value, which this function does not accept.")]
    JsonNested(String),
    #[error("The request body is not valid multipart/form-data.")]
    BadMultipart,
}

/// The merged arguments of one call, in the order they arrived. A key whose pair had no `=`
/// maps to `None` (Perl's undefined value), which reads as absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Args {
    pairs: IndexMap<String, Option<String>>,
    repeats: IndexMap<String, usize>,
}

impl Args {
    /// Parses `query` and then `body` as one urlencoded stream.
    pub fn from_form(query: &[u8], body: &[u8]) -> Result<Self, ArgsError> {
        let mut args = Self::default();
        args.extend_form(query)?;
        args.extend_form(body)?;
        Ok(args)
    }

    /// Parses the query string, then a JSON object body (docs/compatibility.md, "Requests").
    /// Scalars become strings (`true` → `1`), an array of scalars becomes repeated keys, `null` is
    /// undefined.
    pub fn from_json(query: &[u8], body: &[u8]) -> Result<Self, ArgsError> {
        let mut args = Self::default();
        args.extend_form(query)?;
        let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) else {
            return Err(ArgsError::JsonNotObject);
        };
        for (key, value) in map {
            if let Value::Array(items) = value {
                for item in items {
                    let item = json_scalar(&key, item)?;
                    args.push(key.clone(), item)?;
                }
            } else {
                let value = json_scalar(&key, value)?;
                args.push(key, value)?;
            }
        }
        Ok(args)
    }

    /// Parses the query string, then the fields of a `multipart/form-data` body, already
    /// split by the caller: each field's name and its value's bytes, file parts left out.
    pub fn from_multipart(
        query: &[u8],
        fields: impl IntoIterator<Item = (String, Vec<u8>)>,
    ) -> Result<Self, ArgsError> {
        let mut args = Self::default();
        args.extend_form(query)?;
        for (key, value) in fields {
            if key.is_empty() {
                continue;
            }
            let value = text(value, |_| key.clone())?;
            args.push(key, Some(value))?;
        }
        Ok(args)
    }

    /// Builds arguments from already-decoded pairs, with the same repeat rule.
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Self, ArgsError> {
        let mut args = Self::default();
        for (k, v) in pairs {
            args.push(k.into(), Some(v.into()))?;
        }
        Ok(args)
    }

    fn extend_form(&mut self, raw: &[u8]) -> Result<(), ArgsError> {
        for pair in raw.split(|b| *b == b'&') {
            if pair.is_empty() {
                continue;
            }
            let (key, value) = match pair.iter().position(|b| *b == b'=') {
                Some(i) => (&pair[..i], Some(&pair[i + 1..])),
                None => (pair, None),
            };
            let key = decode(key, None)?;
            if key.is_empty() {
                continue;
            }
            let value = value.map(|v| decode(v, Some(&key))).transpose()?;
            self.push(key, value)?;
        }
        Ok(())
    }

    fn push(&mut self, key: String, value: Option<String>) -> Result<(), ArgsError> {
        if key.starts_with("file-") {
            return Ok(());
        }
        if self.pairs.len() >= MAX_PAIRS {
            return Err(ArgsError::TooMany);
        }
        if self.pairs.contains_key(&key) {
            let n = self.repeats.entry(key.clone()).or_insert(0);
            let name = format!("{key}-{n}");
            *n += 1;
            self.pairs.insert(name, value);
        } else {
            self.pairs.insert(key, value);
        }
        Ok(())
    }

    /// Sets `key` to `value`, replacing what it held.
    pub fn set(&mut self, key: &str, value: &str) {
        self.pairs.insert(key.to_owned(), Some(value.to_owned()));
    }

    /// Moves the value of `from` to `to`, unless `to` was sent itself.
    pub fn rename(&mut self, from: &str, to: &str) {
        if !self.pairs.contains_key(to)
            && let Some(value) = self.pairs.shift_remove(from)
        {
            self.pairs.insert(to.to_owned(), value);
        }
    }

    /// The value of `key`, or `None` when it is absent or undefined.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs.get(key).and_then(|v| v.as_deref())
    }

    /// Whether the key was sent at all, even without a value.
    pub fn contains(&self, key: &str) -> bool {
        self.pairs.contains_key(key)
    }

    /// Perl truthiness of `key`: absent, empty and `"0"` are false, anything else is true.
    pub fn is_true(&self, key: &str) -> bool {
        perl_true(self.get(key))
    }

    /// Every value sent as `base` or `base-N`, the unsuffixed one first, then by N
    /// (docs/compatibility.md, "Requests").
    pub fn list(&self, base: &str) -> Vec<&str> {
        let mut found: Vec<(i64, &str)> = self
            .pairs
            .iter()
            .filter_map(|(k, v)| {
                let v = v.as_deref()?;
                if k == base {
                    return Some((-1, v));
                }
                let n = k.strip_prefix(base)?.strip_prefix('-')?;
                if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                Some((n.parse().unwrap_or(i64::MAX), v))
            })
            .collect();
        found.sort_by_key(|(n, _)| *n);
        found.into_iter().map(|(_, v)| v).collect()
    }

    /// All pairs, in arrival order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        self.pairs.iter().map(|(k, v)| (k.as_str(), v.as_deref()))
    }

    /// Removes and returns the `api.*` meta-arguments (docs/compatibility.md, "Output controls,
    /// batch and the command line"); what remains are the function's own arguments.
    pub fn take_meta(&mut self) -> Args {
        let is_meta = |k: &String| k.starts_with("api.");
        // Often every argument is a meta-argument (`api.version` alone) or none is: the
        // arguments then move whole, without a copy of each name.
        if self.pairs.keys().all(is_meta) {
            return Args {
                pairs: std::mem::take(&mut self.pairs),
                repeats: IndexMap::default(),
            };
        }
        if !self.pairs.keys().any(is_meta) {
            return Args::default();
        }
        let mut meta = Args::default();
        self.pairs.retain(|k, v| {
            if k.starts_with("api.") {
                meta.pairs.insert(k.clone(), v.take());
                false
            } else {
                true
            }
        });
        meta
    }

    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
}

/// Perl truthiness, which most WHM functions apply to flags (docs/compatibility.md, "Requests").
pub fn perl_true(value: Option<&str>) -> bool {
    matches!(value, Some(v) if !v.is_empty() && v != "0")
}

/// Decodes one name or value: `+` is a space and `%XX` a byte; a `%` not followed by two hex
/// digits stays as it is, as WHM's decoder leaves it.
fn decode(raw: &[u8], key: Option<&str>) -> Result<String, ArgsError> {
    let name =
        |s: &[u8]| key.map_or_else(|| String::from_utf8_lossy(s).into_owned(), str::to_owned);
    let bytes: Vec<u8> = if raw.iter().any(|b| *b == b'%' || *b == b'+') {
        let spaced: Vec<u8> = raw
            .iter()
            .map(|b| if *b == b'+' { b' ' } else { *b })
            .collect();
        percent_decode(&spaced).collect()
    } else {
        raw.to_vec()
    };
    text(bytes, name)
}

/// A value's bytes as text: UTF-8 without NUL bytes, or the refusal naming the parameter
/// (`name` is asked only then).
fn text(bytes: Vec<u8>, name: impl FnOnce(&[u8]) -> String) -> Result<String, ArgsError> {
    if bytes.contains(&0) {
        return Err(ArgsError::NulByte(name(&bytes).replace('\0', "\\0")));
    }
    String::from_utf8(bytes).map_err(|e| ArgsError::InvalidUtf8(name(e.as_bytes())))
}

fn json_scalar(key: &str, value: Value) -> Result<Option<String>, ArgsError> {
    let text = match value {
        Value::Null => return Ok(None),
        Value::Bool(b) => if b { "1" } else { "0" }.to_owned(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s,
        Value::Array(_) | Value::Object(_) => return Err(ArgsError::JsonNested(key.to_owned())),
    };
    if text.contains('\0') {
        return Err(ArgsError::NulByte(key.to_owned()));
    }
    Ok(Some(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(q: &str, b: &str) -> Args {
        Args::from_form(q.as_bytes(), b.as_bytes()).expect("parses")
    }

    #[test]
    fn query_then_body_with_repeats() {
        let a = form("api.version=1&acl=a", "acl=b&acl=c&user=bob");
        assert_eq!(a.get("acl"), Some("a"));
        assert_eq!(a.get("acl-0"), Some("b"));
        assert_eq!(a.get("acl-1"), Some("c"));
        assert_eq!(a.list("acl"), ["a", "b", "c"]);
        assert_eq!(a.get("user"), Some("bob"));
    }

    #[test]
    fn rename_moves_a_value_unless_the_new_name_was_sent() {
        let mut a = form("pass=legacy", "");
        a.rename("pass", "password");
        assert_eq!((a.get("pass"), a.get("password")), (None, Some("legacy")));
        let mut b = form("pass=legacy&password=modern", "");
        b.rename("pass", "password");
        assert_eq!(
            (b.get("pass"), b.get("password")),
            (Some("legacy"), Some("modern"))
        );
    }

    #[test]
    fn explicit_suffixes_reassemble_in_number_order() {
        let a = form("acl-1=two&acl-0=one&acl=zero&aclx-0=no", "");
        assert_eq!(a.list("acl"), ["zero", "one", "two"]);
    }

    #[test]
    fn plus_and_percent_decode() {
        let a = form("a=b+c&d=%20e%2B&f=100%&g=%zz&h%3Dx=1", "");
        assert_eq!(a.get("a"), Some("b c"));
        assert_eq!(a.get("d"), Some(" e+"));
        assert_eq!(a.get("f"), Some("100%"));
        assert_eq!(a.get("g"), Some("%zz"));
        assert_eq!(a.get("h=x"), Some("1"));
    }

    #[test]
    fn pair_without_equals_is_undefined() {
        let a = form("flag&x=", "");
        assert!(a.contains("flag"));
        assert_eq!(a.get("flag"), None);
        assert_eq!(a.get("x"), Some(""));
    }

    #[test]
    fn file_keys_are_dropped() {
        let a = form("file-upload=x&user=bob", "");
        assert!(!a.contains("file-upload"));
        assert_eq!(a.len(), 1);
    }

    #[test]
    fn truthiness_is_perls() {
        for (v, t) in [
            ("", false),
            ("0", false),
            ("1", true),
            ("false", true),
            ("no", true),
            ("00", true),
        ] {
            assert_eq!(perl_true(Some(v)), t, "{v:?}");
        }
        assert!(!perl_true(None));
    }

    #[test]
    fn bad_utf8_and_nul_are_refused() {
        assert_eq!(
            Args::from_form(b"user=%ff", b""),
            Err(ArgsError::InvalidUtf8("user".into()))
        );
        assert_eq!(
            Args::from_form(b"user=a%00b", b""),
            Err(ArgsError::NulByte("user".into()))
        );
        assert!(matches!(
            Args::from_form(b"%ff=1", b""),
            Err(ArgsError::InvalidUtf8(_))
        ));
    }

    #[test]
    fn too_many_pairs_are_refused() {
        let body = "a&".repeat(MAX_PAIRS + 1);
        assert_eq!(
            Args::from_form(b"", body.as_bytes()),
            Err(ArgsError::TooMany)
        );
    }

    #[test]
    fn json_body_scalars_arrays_and_nesting() {
        let a = Args::from_json(
            b"api.version=1",
            br#"{"user":"bob","n":5,"t":true,"z":null,"acl":["x","y"]}"#,
        )
        .expect("parses");
        assert_eq!(a.get("api.version"), Some("1"));
        assert_eq!(a.get("n"), Some("5"));
        assert_eq!(a.get("t"), Some("1"));
        assert_eq!(a.get("z"), None);
        assert_eq!(a.list("acl"), ["x", "y"]);
        assert_eq!(Args::from_json(b"", b"[1]"), Err(ArgsError::JsonNotObject));
        assert_eq!(Args::from_json(b"", b"{"), Err(ArgsError::JsonNotObject));
        assert_eq!(
            Args::from_json(b"", br#"{"a":{"b":1}}"#),
            Err(ArgsError::JsonNested("a".into()))
        );
    }

    #[test]
    fn meta_args_are_split_off() {
        let mut a = form("api.version=1&api.filter.enable=1&user=bob", "");
        let meta = a.take_meta();
        assert_eq!(meta.get("api.version"), Some("1"));
        assert_eq!(meta.get("api.filter.enable"), Some("1"));
        assert_eq!(a.len(), 1);
        let mut only_meta = form("api.version=1&api.version=2", "");
        let meta = only_meta.take_meta();
        assert_eq!(meta.get("api.version"), Some("1"));
        assert_eq!(meta.get("api.version-0"), Some("2"));
        assert!(only_meta.is_empty());
        let mut no_meta = form("user=bob", "");
        assert!(no_meta.take_meta().is_empty());
        assert_eq!(no_meta.get("user"), Some("bob"));
    }
}
