//! `api.sort` (docs/compatibility.md, "Output controls, batch and the command line"): like SQL's
//! `ORDER BY a, b, …`.

use super::Spec;
use super::field::{FieldPath, perl_number, text};
use super::pushdown::FieldOrder;
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

/// One record's value for one key, computed once before sorting.
#[derive(Debug, PartialEq, PartialOrd)]
enum SortValue {
    Text(String),
    Number(f64),
    Octets([u8; 4]),
}

impl Key {
    fn value(&self, record: &Value) -> SortValue {
        let found = self
            .path
            .as_ref()
            .and_then(|p| p.get(record))
            .and_then(text);
        let s = found.as_deref().unwrap_or("");
        match self.method {
            Method::Lexicographic => SortValue::Text(s.to_owned()),
            Method::Caseless => SortValue::Text(s.to_lowercase()),
            Method::Numeric => SortValue::Number(perl_number(s)),
            Method::NumericZeroAsMax => {
                let n = perl_number(s);
                SortValue::Number(if n == 0.0 { f64::INFINITY } else { n })
            }
            Method::Ipv4 => SortValue::Octets(
                s.parse::<Ipv4Addr>()
                    .map(|a| a.octets())
                    .unwrap_or_default(),
            ),
        }
    }

    fn compare(&self, a: &SortValue, b: &SortValue) -> Ordering {
        let order = match (a, b) {
            (SortValue::Text(x), SortValue::Text(y)) => x.as_bytes().cmp(y.as_bytes()),
            (SortValue::Number(x), SortValue::Number(y)) => x.total_cmp(y),
            (SortValue::Octets(x), SortValue::Octets(y)) => x.cmp(y),
            _ => Ordering::Equal,
        };
        if self.reverse { order.reverse() } else { order }
    }
}

/// The requested order, read once.
pub struct Order {
    report: Value,
    keys: Vec<Key>,
    verbose: bool,
}

/// One record's values for every key, computed once before sorting.
#[derive(Default)]
pub struct SortValues(Vec<SortValue>);

impl Order {
    pub fn read(spec: &Spec) -> Self {
        let (report, keys) = read(spec);
        Self {
            report,
            keys,
            verbose: spec.verbose,
        }
    }

    pub fn values(&self, record: &Value) -> SortValues {
        SortValues(self.keys.iter().map(|k| k.value(record)).collect())
    }

    /// Sorts records by their values, stably: positions with equal values keep their order.
    pub fn sort(&self, entries: &mut [(SortValues, usize)]) {
        entries.sort_by(|(a, _), (b, _)| {
            self.keys
                .iter()
                .zip(a.0.iter().zip(&b.0))
                .map(|(k, (x, y))| k.compare(x, y))
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal)
        });
    }

    /// `metadata.sort` when verbose.
    pub fn report(&self) -> Option<Value> {
        self.verbose.then(|| self.report.clone())
    }
}

/// The sort keys, and `metadata.sort`.
fn read(spec: &Spec) -> (Value, Vec<Key>) {
    let mut report = Map::new();
    let mut keys = Vec::new();
    for (id, attrs) in &spec.items {
        let path = attrs.get("field").and_then(|f| FieldPath::parse(f));
        let (method, method_name) = Method::parse(attrs.get("method").map_or("", String::as_str));
        let reverse = attrs
            .get("reverse")
            .is_some_and(|r| !r.is_empty() && r != "0");
        // `field` reports whether the field was valid, not its name (docs/compatibility.md, "Output
        // controls, batch and the command line").
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
    (Value::Object(report), keys)
}

/// The keys as byte-wise orders of top-level text fields, for a caller that sorts itself
/// (stably: ties keep the order it listed them in), with `metadata.sort`; `None` when any key
/// is something else.
pub fn pushdown(spec: &Spec) -> Option<(Vec<FieldOrder>, Value)> {
    let (report, keys) = read(spec);
    let order = keys
        .iter()
        .map(|k| {
            let field = k.path.as_ref()?.top_level_key()?.to_owned();
            (k.method == Method::Lexicographic).then_some(FieldOrder {
                field,
                reverse: k.reverse,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    Some((order, report))
}
