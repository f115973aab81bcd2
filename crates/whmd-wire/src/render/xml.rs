//! XML in the shape of cPanel's XML::Simple output (docs/compatibility.md, "Responses"): no
//! attributes, one child element per hash key, an array as its element repeated, an empty array
//! omitted, an empty string or null as an empty element, booleans as 1/0. Keys come in the reply's
//! own (documented) order, the order of the JSON reply: cPanel's Perl client matches `loadavg` as
//! `<one>…<five>…<fifteen>` (docs/compatibility.md, "Responses").

use serde_json::Value;
use std::fmt::Write;

pub fn to_xml(root: &str, body: &Value) -> String {
    let mut out = String::with_capacity(256);
    element(&mut out, root, body);
    out
}

/// `body` as [`to_xml`] writes it with the list at `path` left out: the document, the offset
/// where the list's elements go and the name they take.
pub(super) fn open(root: &str, body: &Value, path: &[String]) -> (String, usize, String) {
    let mut out = String::with_capacity(256);
    let mut hole = (0, String::new());
    element_around(&mut out, root, body, path, &mut hole);
    (out, hole.0, hole.1)
}

fn element_around(
    out: &mut String,
    name: &str,
    value: &Value,
    path: &[String],
    hole: &mut (usize, String),
) {
    let (Some((next, rest)), Value::Object(map)) = (path.split_first(), value) else {
        if path.is_empty() {
            *hole = (out.len(), element_name(name).into_owned());
        } else {
            element(out, name, value);
        }
        return;
    };
    let name = element_name(name);
    let _ = write!(out, "<{name}>");
    for (key, value) in map {
        if key == next {
            element_around(out, key, value, rest, hole);
        } else {
            element(out, key, value);
        }
    }
    let _ = write!(out, "</{name}>");
}

/// One element (a list's record is one element named after its list).
pub(super) fn element(out: &mut String, name: &str, value: &Value) {
    let name = element_name(name);
    match value {
        Value::Array(items) => {
            for item in items {
                element(out, &name, item);
            }
        }
        Value::Object(map) => {
            let _ = write!(out, "<{name}>");
            for (key, value) in map {
                element(out, key, value);
            }
            let _ = write!(out, "</{name}>");
        }
        Value::Null => {
            let _ = write!(out, "<{name}/>");
        }
        Value::String(s) if s.is_empty() => {
            let _ = write!(out, "<{name}/>");
        }
        Value::String(s) => {
            let _ = write!(out, "<{name}>");
            escape_into(out, s);
            let _ = write!(out, "</{name}>");
        }
        Value::Bool(b) => {
            let _ = write!(out, "<{name}>{}</{name}>", u8::from(*b));
        }
        Value::Number(n) => {
            let _ = write!(out, "<{name}>{n}</{name}>");
        }
    }
}

/// Keys become element names. Characters that would let a key break the document become `_`;
/// a leading digit stays, as XML::Simple leaves it.
fn element_name(key: &str) -> std::borrow::Cow<'_, str> {
    let valid = |(i, c): (usize, char)| {
        c.is_alphanumeric() || c == '_' || (i > 0 && matches!(c, '-' | '.' | ':'))
    };
    if !key.is_empty() && key.chars().enumerate().all(valid) {
        return key.into();
    }
    if key.is_empty() {
        return "_".into();
    }
    key.chars()
        .enumerate()
        .map(|(i, c)| if valid((i, c)) { c } else { '_' })
        .collect::<String>()
        .into()
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry at all are dropped.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn api0_loadavg_shape_in_the_documented_order() {
        let v = json!({"one": "0.10", "five": "0.20", "fifteen": "0.30"});
        assert_eq!(
            to_xml("loadavg", &v),
            "<loadavg><one>0.10</one><five>0.20</five><fifteen>0.30</fifteen></loadavg>"
        );
    }

    #[test]
    fn arrays_repeat_empty_vanish_strings_escape() {
        let v = json!({"app": ["a", "b"], "none": [], "e": "", "n": null, "t": "<&>", "b": true, "o": {}});
        assert_eq!(
            to_xml("applist", &v),
            "<applist><app>a</app><app>b</app><e/><n/><t>&lt;&amp;&gt;</t><b>1</b><o></o></applist>"
        );
    }

    #[test]
    fn hostile_names_cannot_break_out() {
        let v = json!({"a b": 1, "</x><y>": 2, "": 3, "1abc": 4});
        let xml = to_xml("bad<name>", &v);
        assert_eq!(
            xml,
            "<bad_name_><a_b>1</a_b><__x__y_>2</__x__y_><_>3</_><1abc>4</1abc></bad_name_>"
        );
    }
}
