//! `api.filter` (docs/compatibility.md, "Output controls, batch and the command line"): records
//! kept when every valid filter matches.

use super::Spec;
use super::field::{FieldPath, all_digits, perl_number, text};
use super::pushdown::{FieldTest, TextTest};
use serde_json::{Map, Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Contains,
    Begins,
    Eq,
    NumEq,
    Lt,
    LtEqual,
    LtHandleUnlimited,
    Gt,
    GtEqual,
    GtHandleUnlimited,
}

impl Kind {
    fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "contains" => Self::Contains,
            "begins" => Self::Begins,
            "eq" => Self::Eq,
            "==" => Self::NumEq,
            "lt" => Self::Lt,
            "lt_equal" => Self::LtEqual,
            "lt_handle_unlimited" => Self::LtHandleUnlimited,
            "gt" => Self::Gt,
            "gt_equal" => Self::GtEqual,
            "gt_handle_unlimited" => Self::GtHandleUnlimited,
            _ => return None,
        })
    }
}

enum Target {
    Field(FieldPath),
    /// `*`: every top-level value, and the elements of top-level arrays.
    Any,
}

struct Filter {
    target: Target,
    kind: Kind,
    term: String,
    term_lower: String,
    term_number: f64,
}

/// The requested filters, read once.
pub struct Filters {
    report: Map<String, Value>,
    filters: Vec<Filter>,
    verbose: bool,
}

impl Filters {
    pub fn read(spec: &Spec) -> Self {
        let (report, filters) = read(spec);
        Self {
            report,
            filters,
            verbose: spec.verbose,
        }
    }

    /// Whether every valid filter matches `record`.
    pub fn matches(&self, record: &Value) -> bool {
        self.filters.iter().all(|f| f.matches(record))
    }

    /// `metadata.filter` when verbose, given how many records there were before filtering.
    pub fn report(&self, before: usize) -> Option<Value> {
        self.verbose
            .then(|| finish_report(self.report.clone(), before))
    }
}

/// The valid filters, and the per-item part of `metadata.filter`.
fn read(spec: &Spec) -> (Map<String, Value>, Vec<Filter>) {
    let mut report = Map::new();
    let mut filters = Vec::new();
    for (id, attrs) in &spec.items {
        let field = attrs.get("field").map(String::as_str).unwrap_or("");
        let type_name = attrs.get("type").map_or("contains", String::as_str);
        // The term is the lowest-numbered argN present.
        let term = attrs
            .iter()
            .filter_map(|(k, v)| Some((k.strip_prefix("arg")?.parse::<u32>().ok()?, v)))
            .min_by_key(|(n, _)| *n)
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let kind = Kind::parse(type_name);
        let target = if field == "*" {
            kind.filter(|k| matches!(k, Kind::Contains | Kind::Begins | Kind::Eq))
                .map(|_| Target::Any)
        } else {
            FieldPath::parse(field).map(Target::Field)
        };
        let usable = !(term.is_empty() && kind != Some(Kind::Eq));
        let valid = kind.is_some() && target.is_some() && usable;
        report.insert(
            id.clone(),
            json!({"valid": u8::from(valid), "field": field, "type": type_name, "arg0": term}),
        );
        if let (Some(kind), Some(target), true) = (kind, target, usable) {
            filters.push(Filter {
                target,
                kind,
                term_lower: term.to_lowercase(),
                term_number: perl_number(&term),
                term,
            });
        }
    }
    (report, filters)
}

fn finish_report(mut report: Map<String, Value>, before: usize) -> Value {
    report.insert("filtered".into(), json!(before));
    Value::Object(report)
}

/// The filters as tests of top-level text fields, for a caller that runs them itself, with
/// `metadata.filter` given the count before filtering; `None` when any valid filter is not
/// such a test (`*`, a nested path, a numeric type, a term that is not ASCII).
pub fn pushdown(
    spec: &Spec,
) -> Option<(
    Vec<FieldTest>,
    impl Fn(usize) -> Value + Send + Sync + use<>,
)> {
    let (report, filters) = read(spec);
    let tests = filters
        .into_iter()
        .map(|f| {
            let Target::Field(path) = &f.target else {
                return None;
            };
            let field = path.top_level_key()?.to_owned();
            let test = match f.kind {
                Kind::Contains if f.term.is_ascii() => TextTest::Contains(f.term_lower),
                Kind::Begins if f.term.is_ascii() => TextTest::Begins(f.term_lower),
                Kind::Eq => TextTest::Eq(f.term),
                _ => return None,
            };
            Some(FieldTest { field, test })
        })
        .collect::<Option<Vec<_>>>()?;
    Some((tests, move |before| finish_report(report.clone(), before)))
}

impl Filter {
    fn matches(&self, record: &Value) -> bool {
        match &self.target {
            Target::Field(path) => match path.get(record) {
                Some(Value::Array(items)) => items.iter().any(|v| self.matches_element(v)),
                Some(Value::Object(_)) => false,
                value => self.matches_value(value),
            },
            Target::Any => match record {
                Value::Object(m) => m.values().any(|v| match v {
                    Value::Array(items) => items.iter().any(|e| self.matches_value(Some(e))),
                    Value::Object(_) => false,
                    v => self.matches_value(Some(v)),
                }),
                _ => false,
            },
        }
    }

    /// An array element: the numeric types compare without WHM's digit checks.
    fn matches_element(&self, v: &Value) -> bool {
        let Some(s) = text(v) else { return false };
        let n = perl_number(&s);
        match self.kind {
            Kind::Lt | Kind::LtHandleUnlimited => n < self.term_number,
            Kind::LtEqual => n <= self.term_number,
            Kind::Gt | Kind::GtHandleUnlimited => n > self.term_number,
            Kind::GtEqual => n >= self.term_number,
            _ => self.matches_value(Some(v)),
        }
    }

    fn matches_value(&self, v: Option<&Value>) -> bool {
        let s = v.and_then(text);
        let s = s.as_deref();
        let t = self.term_number;
        match self.kind {
            Kind::Contains => s.is_some_and(|s| contains_caseless(s, &self.term_lower)),
            Kind::Begins => s.is_some_and(|s| begins_caseless(s, &self.term_lower)),
            Kind::Eq => s == Some(self.term.as_str()),
            Kind::NumEq => s.is_some_and(|s| perl_number(s) == t),
            Kind::Lt => s.is_none_or(|s| !all_digits(s) || perl_number(s) < t),
            Kind::LtEqual => s.is_none_or(|s| !all_digits(s) || perl_number(s) <= t),
            Kind::LtHandleUnlimited => s.is_some_and(|s| {
                !s.eq_ignore_ascii_case("unlimited") && perl_number(s) != 0.0 && perl_number(s) < t
            }),
            Kind::Gt => s.is_some_and(|s| all_digits(s) && perl_number(s) > t),
            Kind::GtEqual => s.is_some_and(|s| all_digits(s) && perl_number(s) >= t),
            Kind::GtHandleUnlimited => s.is_none_or(|s| {
                s.eq_ignore_ascii_case("unlimited") || perl_number(s) == 0.0 || perl_number(s) > t
            }),
        }
    }
}

/// Case-insensitive substring test; ASCII text is compared in place, without allocating.
fn contains_caseless(value: &str, term_lower: &str) -> bool {
    if value.is_ascii() && term_lower.is_ascii() {
        let (v, t) = (value.as_bytes(), term_lower.as_bytes());
        return t.is_empty() || v.windows(t.len()).any(|w| w.eq_ignore_ascii_case(t));
    }
    value.to_lowercase().contains(term_lower)
}

fn begins_caseless(value: &str, term_lower: &str) -> bool {
    if value.is_ascii() && term_lower.is_ascii() {
        return value.len() >= term_lower.len()
            && value.as_bytes()[..term_lower.len()].eq_ignore_ascii_case(term_lower.as_bytes());
    }
    value.to_lowercase().starts_with(term_lower)
}
