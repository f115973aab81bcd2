//! `api.sort` (PROTOCOL.md §4.5): like SQL's `ORDER BY a, b, …`.

use super::Spec;
use super::field::{FieldPath, perl_number, text};
use serde_json::{Map, Value, json};
use std::cmp::Ordering;
use std::net::Ipv4Addr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Lexicographic,
    Caseless,
    Numeric,
    NumericZeroAsMax,
    Ipv4,
}

impl Method {
    /// An unknown method sorts lexicographically, as WHM does (cPanel's own TypeScript
    /// client sends `ipv_4`).
    fn parse(name: &str) -> (Self, &'static str) {
        match name {
            "lexicographic_caseless" => (Self::Caseless, "lexicographic_caseless"),
            "numeric" => (Self::Numeric, "numeric"),
            "numeric_zero_as_max" => (Self::NumericZeroAsMax, "numeric_zero_as_max"),
            "ipv4" => (Self::Ipv4, "ipv4"),
            "alphabet" => (Self::Lexicographic, "alphabet"),
            _ => (Self::Lexicographic, "lexicographic"),
        }
    }
}

struct Key {
    path: Option<FieldPath>,
    method: Method,
    reverse: bool,
}

impl Key {
    fn compare(&self, a: &Value, b: &Value) -> Ordering {
        let value = |r: &Value| {
            self.path
                .as_ref()
                .and_then(|p| p.get(r))
                .and_then(text)
                .map(|t| t.into_owned())
        };
        let (x, y) = (value(a), value(b));
        let (x, y) = (x.as_deref().unwrap_or(""), y.as_deref().unwrap_or(""));
        let order = match self.method {
            Method::Lexicographic => x.as_bytes().cmp(y.as_bytes()),
            Method::Caseless => x.to_lowercase().cmp(&y.to_lowercase()),
            Method::Numeric => perl_number(x).total_cmp(&perl_number(y)),
            Method::NumericZeroAsMax => {
                let key = |s: &str| {
                    let n = perl_number(s);
                    if n == 0.0 { f64::INFINITY } else { n }
                };
                key(x).total_cmp(&key(y))
            }
            Method::Ipv4 => {
                let octets = |s: &str| {
                    s.parse::<Ipv4Addr>()
                        .map(|a| a.octets())
                        .unwrap_or_default()
                };
                octets(x).cmp(&octets(y))
            }
        };
        if self.reverse { order.reverse() } else { order }
    }
}

/// Sorts the records in place; returns `metadata.sort` when verbose.
pub fn apply(spec: &Spec, records: &mut [Value]) -> Option<Value> {
    let mut report = Map::new();
    let mut keys = Vec::new();
    for (id, attrs) in &spec.items {
        let path = attrs.get("field").and_then(|f| FieldPath::parse(f));
        let (method, method_name) = Method::parse(attrs.get("method").map_or("", String::as_str));
        let reverse = attrs
            .get("reverse")
            .is_some_and(|r| !r.is_empty() && r != "0");
        // `field` reports whether the field was valid, not its name (PROTOCOL.md §4.5).
        report.insert(
            id.clone(),
            json!({"field": u8::from(path.is_some()), "method": method_name, "reverse": u8::from(reverse)}),
        );
        // An invalid field is not skipped: it sorts on nothing.
        keys.push(Key {
            path,
            method,
            reverse,
        });
    }
    if !keys.is_empty() {
        records.sort_by(|a, b| {
            keys.iter()
                .map(|k| k.compare(a, b))
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal)
        });
    }
    spec.verbose.then_some(Value::Object(report))
}
