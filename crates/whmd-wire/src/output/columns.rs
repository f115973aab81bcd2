//! `api.columns` (docs/compatibility.md, "Output controls, batch and the command line"): only the
//! named top-level keys stay in each record.

use super::Spec;
use serde_json::{Value, json};

/// The named columns, read once: each record keeps only them.
pub struct Columns {
    wanted: Vec<String>,
    /// `metadata.columns`, from the first record's keys.
    report: Option<Value>,
}

impl Columns {
    pub fn read(spec: &Spec) -> Self {
        // Every sub-key but `enable` names a column, `verbose` included (a WHM quirk).
        let wanted = spec
            .options
            .iter()
            .filter(|(k, _)| *k != "enable")
            .map(|(_, v)| v.clone())
            .chain(
                spec.items
                    .values()
                    .flat_map(|attrs| attrs.values().cloned()),
            )
            .collect();
        Self {
            wanted,
            report: None,
        }
    }

    /// Cuts `record` to the columns. Which keys exist is read from the first record cut.
    pub fn cut(&mut self, record: &mut Value) {
        if self.report.is_none() {
            self.report = Some(self.report_for(record));
        }
        if let Value::Object(m) = record {
            m.retain(|k, _| self.wanted.iter().any(|w| w == k));
        }
    }

    /// `metadata.columns`, which WHM always sends when columns are enabled.
    pub fn report(&self) -> Value {
        self.report
            .clone()
            .unwrap_or_else(|| self.report_for(&Value::Null))
    }

    fn report_for(&self, first: &Value) -> Value {
        let exists = |w: &str| first.as_object().is_some_and(|m| m.contains_key(w));
        let invalid: Vec<&str> = self
            .wanted
            .iter()
            .map(String::as_str)
            .filter(|w| !exists(w))
            .collect();
        let quoted: Vec<String> = invalid.iter().map(|c| format!("“{c}”")).collect();
        let message = match quoted.as_slice() {
            [] => "None".to_owned(),
            [one] => format!("{one} is not a valid column."),
            [init @ .., last] => format!("{} and {last} are not valid columns.", init.join(", ")),
        };
        let mut report = json!({"invalid_msg": message});
        if !invalid.is_empty() {
            report["invalid"] = json!(invalid);
        }
        report
    }
}
