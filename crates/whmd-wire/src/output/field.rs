//! Field paths into a record (docs/compatibility.md, "Output controls, batch and the command
//! line"): `name(.name|.[N])*`, where a name descends into an object and `[N]` indexes an array,
//! and Perl's reading of strings as numbers.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

/// A parsed field path. `*` is kept apart: only filters give it a meaning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPath(Vec<Step>);

impl FieldPath {
    /// Parses a path; `None` when it does not have the form (the filter or sort is then
    /// invalid, which WHM ignores or reports).
    pub fn parse(spec: &str) -> Option<Self> {
        let mut steps = Vec::new();
        for (i, part) in spec.split('.').enumerate() {
            if let Some(n) = part.strip_prefix('[').and_then(|p| p.strip_suffix(']')) {
                if i == 0 || n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                steps.push(Step::Index(n.parse().ok()?));
            } else if !part.is_empty()
                && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            {
                steps.push(Step::Key(part.to_owned()));
            } else {
                return None;
            }
        }
        Some(Self(steps))
    }

    /// The key, when the path is one top-level key.
    pub fn top_level_key(&self) -> Option<&str> {
        match self.0.as_slice() {
            [Step::Key(k)] => Some(k),
            _ => None,
        }
    }

    /// The value at this path, `None` when the path leads nowhere (WHM's undef).
    pub fn get<'a>(&self, record: &'a Value) -> Option<&'a Value> {
        self.0.iter().try_fold(record, |v, step| match (step, v) {
            (Step::Key(k), Value::Object(m)) => m.get(k),
            (Step::Index(i), Value::Array(a)) => a.get(*i),
            _ => None,
        })
    }
}

/// A scalar as the text Perl would compare: strings as they are, numbers as written, booleans
/// as 1 or the empty string. Arrays, objects and null have none.
pub fn text(v: &Value) -> Option<std::borrow::Cow<'_, str>> {
    match v {
        Value::String(s) => Some(s.as_str().into()),
        Value::Number(n) => Some(n.to_string().into()),
        Value::Bool(true) => Some("1".into()),
        Value::Bool(false) => Some("".into()),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

/// Perl's numeric value of a string: its leading number (`"14M"` is 14), or 0.
pub fn perl_number(s: &str) -> f64 {
    let t = s.trim_start();
    let bytes = t.as_bytes();
    let mut end = 0;
    if matches!(bytes.first(), Some(b'+' | b'-')) {
        end = 1;
    }
    let digits_start = end;
    while end < bytes.len() && bytes[end].is_ascii_digit() {
        end += 1;
    }
    if end < bytes.len() && bytes[end] == b'.' {
        end += 1;
        while end < bytes.len() && bytes[end].is_ascii_digit() {
            end += 1;
        }
    }
    if end < bytes.len() && matches!(bytes[end], b'e' | b'E') && end > digits_start {
        let mut e = end + 1;
        if matches!(bytes.get(e), Some(b'+' | b'-')) {
            e += 1;
        }
        if bytes.get(e).is_some_and(u8::is_ascii_digit) {
            while e < bytes.len() && bytes[e].is_ascii_digit() {
                e += 1;
            }
            end = e;
        }
    }
    t[..end].parse().unwrap_or(0.0)
}

/// Whether a string is all digits (and not empty), WHM's test for "a plain count".
pub fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths() {
        let r = json!({"a": {"b": [ {"c": 1}, {"c": 2} ]}, "user": "bob"});
        assert_eq!(
            FieldPath::parse("user").and_then(|p| p.get(&r).cloned()),
            Some(json!("bob"))
        );
        assert_eq!(
            FieldPath::parse("a.b.[1].c").and_then(|p| p.get(&r).cloned()),
            Some(json!(2))
        );
        assert_eq!(
            FieldPath::parse("a.b.[5].c").and_then(|p| p.get(&r).cloned()),
            None
        );
        assert_eq!(
            FieldPath::parse("user.x").and_then(|p| p.get(&r).cloned()),
            None
        );
        for bad in ["", "a..b", "[0]", "a.[x]", "a-b", "a.b.", "*"] {
            assert_eq!(FieldPath::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn perl_numbers() {
        for (s, n) in [
            ("14M", 14.0),
            ("unlimited", 0.0),
            ("", 0.0),
            (" 3.5x", 3.5),
            ("-2", -2.0),
            ("1e3", 1000.0),
            ("1e", 1.0),
        ] {
            assert_eq!(perl_number(s), n, "{s}");
        }
        assert!(all_digits("123") && !all_digits("") && !all_digits("12a"));
    }
}
