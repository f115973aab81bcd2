//! Our output held against the examples in cPanel's own documentation pages for modifyacct,
//! validate_system_user and toggle_user_backup_state
//! (<https://api.docs.cpanel.net/openapi/whm/operation/modifyacct/> and the others): every key
//! an example shows is in our reply, with the same JSON type. The examples' shapes (their keys
//! and the type of each value, not their text) are kept in `golden_shapes/`. Given the saved
//! pages in `WHMD_SEEDS`, `the_shapes_are_the_pages_examples` checks them against the pages
//! (and with `WHMD_BLESS=1` writes them).

use super::{create, v1};
use crate::harness::Server;
use serde_json::Value;
use std::path::PathBuf;

/// The pages, the example each shape is taken from (the one holding this key), and the
/// shape file.
const PAGES: &[(&str, &str, &str)] = &[
    ("modifyacct.txt", "result", "modifyacct.json"),
    (
        "validate_system_user.txt",
        "data",
        "validate_system_user.json",
    ),
    (
        "toggle_user_backup_state.txt",
        "data",
        "toggle_user_backup_state.json",
    ),
];

fn shape_path(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/it/accounts/golden_shapes")
        .join(file)
}

/// A committed shape.
fn shape(file: &str) -> Value {
    let text = std::fs::read_to_string(shape_path(file)).expect("the shape file");
    serde_json::from_str(&text).expect("a JSON shape")
}

/// The shape of `v`: its keys, the first element of each array, and `<TYPE>` for each value.
fn shape_of(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            Value::Object(m.iter().map(|(k, v)| (k.clone(), shape_of(v))).collect())
        }
        Value::Array(a) => Value::Array(a.first().map(shape_of).into_iter().collect()),
        other => Value::String(format!("<{}>", kind(other))),
    }
}

#[test]
fn the_shapes_are_the_pages_examples() {
    let Some(dir) = std::env::var_os("WHMD_SEEDS").map(PathBuf::from) else {
        return;
    };
    for (page, key, file) in PAGES {
        let text = std::fs::read_to_string(dir.join(page)).expect("the page");
        let example = examples(&text)
            .into_iter()
            .find(|e| e.get(*key).is_some())
            .expect("the JSON example");
        let made = format!("{:#}\n", shape_of(&example));
        if std::env::var_os("WHMD_BLESS").is_some() {
            std::fs::write(shape_path(file), &made).expect("write");
        } else {
            let committed = std::fs::read_to_string(shape_path(file)).unwrap_or_default();
            assert_eq!(
                committed, made,
                "{file} is not the shape of {page}'s example"
            );
        }
    }
}

/// The JSON examples of a page, parsed leniently (the pages have trailing commas).
fn examples(text: &str) -> Vec<Value> {
    let mut examples = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let at_line_start = i == 0 || bytes[i - 1] == b'\n';
        if bytes[i] == b'{'
            && at_line_start
            && let Some(end) = matching_brace(bytes, i)
        {
            if let Ok(v) = serde_json::from_str::<Value>(&strip_trailing_commas(&text[i..=end])) {
                examples.push(v);
            }
            i = end;
        }
        i += 1;
    }
    examples
}

fn matching_brace(bytes: &[u8], start: usize) -> Option<usize> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (offset, b) in bytes[start..].iter().enumerate() {
        match (in_string, escaped, b) {
            (true, true, _) => escaped = false,
            (true, false, b'\\') => escaped = true,
            (true, false, b'"') => in_string = false,
            (true, false, _) => {}
            (false, _, b'"') => in_string = true,
            (false, _, b'{') => depth += 1,
            (false, _, b'}') => {
                depth -= 1;
                if depth == 0 {
                    return Some(start + offset);
                }
            }
            _ => {}
        }
    }
    None
}

fn strip_trailing_commas(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let chars: Vec<char> = json.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if *c == ','
            && chars[i + 1..]
                .iter()
                .find(|c| !c.is_whitespace())
                .is_some_and(|n| matches!(n, ']' | '}'))
        {
            continue;
        }
        out.push(*c);
    }
    out
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Every key of `shape` is in `ours` with the same type, recursively; `skip` names paths whose
/// type we chose differently (see docs/compatibility.md).
fn same_shape(shape: &Value, ours: &Value, path: &str, skip: &[&str], problems: &mut Vec<String>) {
    if skip.contains(&path) {
        return;
    }
    let expected = match shape {
        Value::String(marker) => marker.trim_start_matches('<').trim_end_matches('>'),
        other => kind(other),
    };
    if expected != kind(ours) {
        problems.push(format!(
            "{path}: the example has {expected}, we have {}",
            kind(ours)
        ));
        return;
    }
    match (shape, ours) {
        (Value::Object(s), Value::Object(o)) => {
            for (k, v) in s {
                match o.get(k) {
                    Some(ov) => same_shape(v, ov, &format!("{path}.{k}"), skip, problems),
                    None => problems.push(format!("{path}.{k}: missing")),
                }
            }
        }
        (Value::Array(s), Value::Array(o)) => {
            if let (Some(sv), Some(ov)) = (s.first(), o.first()) {
                same_shape(sv, ov, &format!("{path}[0]"), skip, problems);
            }
        }
        _ => {}
    }
}

fn assert_same_shape(seed: &Value, ours: &Value, skip: &[&str]) {
    let mut problems = Vec::new();
    same_shape(seed, ours, "", skip, &mut problems);
    assert!(problems.is_empty(), "{problems:#?}\nours: {ours:#}");
}

/// The arguments the modifyacct page's example was made with, so its output can match.
const SEED_MODIFY: &str = "user=username&contactemail=username%40example.com&MAXMONGREL=4&bogus_food=y&bogus_appetite=normal&bogus_name=Quarks&maxaddon=unlimited&maxpark=unlimited";

#[tokio::test]
async fn modifyacct_api0_matches_the_seed() {
    let seed = &shape("modifyacct.json");
    let server = Server::start().await;
    let created = server
        .call(
            "createacct",
            "api.version=1&username=username&domain=example.com&password=Pw-123456",
        )
        .await;
    assert_eq!(created["metadata"]["result"], 1, "{created}");
    let ours = server.call("modifyacct", SEED_MODIFY).await;
    assert_eq!(ours["result"][0]["statusmsg"], "Account Modified");
    assert_same_shape(seed, &ours, &[]);
    let cpuser = &ours["result"][0]["newcfg"]["cpuser"];
    assert_eq!(cpuser["bogus_food"], "y", "unknown keys round-trip");
    assert_eq!(cpuser["bogus_name"], "Quarks");
    assert_eq!(cpuser["MAXMONGREL"], "4");
    assert_eq!(ours["result"][0]["newcfg"]["setshell"], "unmodified");
}

#[tokio::test]
async fn modifyacct_of_a_new_account_has_every_cpuser_key_of_the_seed() {
    // Not only the keys the call sets: a new account's cpuser holds all that the example
    // shows, whatever the arguments (the seed's `bogus_*` keys are its own arguments).
    let seed = &shape("modifyacct.json");
    let server = Server::start().await;
    create(&server, "username", "").await;
    let ours = server
        .call(
            "modifyacct",
            "user=username&contactemail=username%40example.com",
        )
        .await;
    let cpuser = &ours["result"][0]["newcfg"]["cpuser"];
    let missing: Vec<&String> = seed["result"][0]["newcfg"]["cpuser"]
        .as_object()
        .expect("cpuser")
        .keys()
        .filter(|k| !k.starts_with("bogus_") && cpuser.get(k.as_str()).is_none())
        .collect();
    assert!(missing.is_empty(), "missing {missing:?}: {cpuser}");
}

#[tokio::test]
async fn modifyacct_api1_carries_newcfg_as_data() {
    let seed = &shape("modifyacct.json");
    let server = Server::start().await;
    create(&server, "username", "").await;
    let (result, reason, ours) = v1(&server, "modifyacct", SEED_MODIFY).await;
    assert_eq!((result, reason.as_str()), (1, "Account Modified"));
    assert_same_shape(&seed["result"][0]["newcfg"], &ours["data"], &[]);
    assert!(ours["metadata"]["output"]["messages"].is_array());
    assert!(ours["metadata"]["output"]["warnings"].is_array());
}

#[tokio::test]
async fn validate_system_user_matches_the_seed() {
    let seed = &shape("validate_system_user.json");
    let server = Server::start().await;
    let ours = server
        .call("validate_system_user", "api.version=1&user=username")
        .await;
    // The page shows metadata.result as the string "1"; whmd sends the number every other
    // function and client uses (docs/compatibility.md).
    assert_same_shape(seed, &ours, &[".metadata.result"]);
    assert_eq!(ours["data"]["valid_for_new"], 1);
    assert_eq!(ours["data"]["exists"], 0);
    assert_eq!(ours["metadata"]["reason"], "OK");
}

#[tokio::test]
async fn toggle_user_backup_state_matches_the_seed() {
    let seed = &shape("toggle_user_backup_state.json");
    let server = Server::start().await;
    create(&server, "username", "").await;
    let ours = server
        .call(
            "toggle_user_backup_state",
            "api.version=1&user=username&legacy=0",
        )
        .await;
    assert_same_shape(seed, &ours, &[]);
    assert_eq!(ours["metadata"]["reason"], "Backup state modified");
    // New accounts are backed up, so the first toggle turns it off, as in the example.
    assert_eq!(ours["data"]["toggle_status"], 0);
}
