//! `api.columns` (docs/compatibility.md, "Output controls, batch and the command line"): only the
//! named top-level keys stay in each record.

use super::Spec;
use serde_json::{Value, json};

/// Cuts every record to the named columns; returns `metadata.columns`, which WHM always sends
/// when columns are enabled.
pub fn apply(spec: &Spec, records: &mut [Value]) -> Value {
    // Every sub-key but `enable` names a column, `verbose` included (a WHM quirk).
    let wanted: Vec<&str> = spec
        .options
        .iter()
        .filter(|(k, _)| *k != "enable")
        .map(|(_, v)| v.as_str())
        .chain(
            spec.items
                .values()
                .flat_map(|attrs| attrs.values().map(String::as_str)),
        )
        .collect();
    // Which keys exist is read from the first record.
    let existing = match records.first() {
        Some(Value::Object(m)) => m.keys().cloned().collect::<Vec<_>>(),
        _ => Vec::new(),
    };
    let invalid: Vec<&str> = wanted
        .iter()
        .copied()
        .filter(|w| !existing.iter().any(|e| e == w))
        .collect();
    for record in records.iter_mut() {
        if let Value::Object(m) = record {
            m.retain(|k, _| wanted.contains(&k.as_str()));
        }
    }
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
