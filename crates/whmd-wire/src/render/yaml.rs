//! YAML, the command-line tools' default output: a document start, then the tree as block
//! mappings and sequences. Strings that YAML would read as something else are quoted.

use serde_json::Value;
use std::fmt::Write;

pub fn to_yaml(body: &Value) -> String {
    let mut out = String::from("---\n");
    match body {
        Value::Object(m) if !m.is_empty() => block(&mut out, body, 0),
        Value::Array(a) if !a.is_empty() => block(&mut out, body, 0),
        scalar => {
            out.truncate(3);
            out.push(' ');
            inline(&mut out, scalar);
            out.push('\n');
        }
    }
    out
}

/// Writes a non-empty mapping or sequence, one entry per line at `indent`.
fn block(out: &mut String, value: &Value, indent: usize) {
    let pad = " ".repeat(indent);
    match value {
        Value::Object(m) => {
            for (k, v) in m {
                let _ = write!(out, "{pad}{}:", key(k));
                entry(out, v, indent + 2);
            }
        }
        Value::Array(items) => {
            for v in items {
                let _ = write!(out, "{pad}-");
                entry(out, v, indent + 2);
            }
        }
        _ => {}
    }
}

/// The rest of a line after `key:` or `-`: an inline scalar or empty collection, or a
/// newline and a nested block.
fn entry(out: &mut String, v: &Value, indent: usize) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            block(out, v, indent);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            block(out, v, indent);
        }
        _ => {
            out.push(' ');
            inline(out, v);
            out.push('\n');
        }
    }
}

fn inline(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push('~'),
        Value::Bool(b) => out.push_str(if *b { "1" } else { "0" }),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => out.push_str(&scalar(s)),
        Value::Array(_) => out.push_str("[]"),
        Value::Object(_) => out.push_str("{}"),
    }
}

fn key(k: &str) -> String {
    scalar(k)
}

/// A string as a plain scalar when YAML reads it back as the same string, else quoted.
fn scalar(s: &str) -> String {
    let plain = !s.is_empty()
        && !s.starts_with(|c: char| c.is_whitespace() || "-?:,[]{}#&*!|>'\"%@`~".contains(c))
        && !s.ends_with(char::is_whitespace)
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.contains(|c: char| c.is_control())
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "null" | "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n"
        )
        && s.parse::<f64>().is_err();
    if plain {
        return s.to_owned();
    }
    let mut q = String::with_capacity(s.len() + 2);
    q.push('"');
    for c in s.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            '\n' => q.push_str("\\n"),
            '\r' => q.push_str("\\r"),
            '\t' => q.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(q, "\\u{:04x}", u32::from(c));
            }
            c => q.push(c),
        }
    }
    q.push('"');
    q
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn envelope() {
        let v = json!({"data": {"version": "11.120.0.16", "app": ["a", "b"], "none": [], "n": null},
                       "metadata": {"result": 1, "reason": "OK"}});
        assert_eq!(
            to_yaml(&v),
            "---\ndata:\n  version: 11.120.0.16\n  app:\n    - a\n    - b\n  none: []\n  \"n\": ~\nmetadata:\n  result: 1\n  reason: OK\n"
        );
    }

    #[test]
    fn quoting() {
        for (s, q) in [
            ("plain text", "plain text"),
            ("", "\"\""),
            ("123", "\"123\""),
            ("yes", "\"yes\""),
            ("a: b", "\"a: b\""),
            ("- x", "\"- x\""),
            ("line\nbreak", "\"line\\nbreak\""),
            ("“curly” quotes", "“curly” quotes"),
            (" lead", "\" lead\""),
        ] {
            assert_eq!(scalar(s), q, "{s:?}");
        }
        let nested = json!({"acct": [{"user": "bob", "ipv6": []}]});
        assert_eq!(
            to_yaml(&nested),
            "---\nacct:\n  -\n    user: bob\n    ipv6: []\n"
        );
    }
}
