//! Property-based fuzzing of the request parsers: arbitrary input never panics, and what
//! clients encode properly always decodes to what they meant.

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use proptest::prelude::*;
use whmd_wire::{Args, Document, Target};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn form_parser_never_panics(query in proptest::collection::vec(any::<u8>(), 0..512),
                                body in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = Args::from_form(&query, &body);
    }

    #[test]
    fn json_parser_never_panics(query in proptest::collection::vec(any::<u8>(), 0..128),
                                body in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = Args::from_json(&query, &body);
    }

    #[test]
    fn json_shaped_bodies_never_panic(body in r#"\{("[a-z.\-]{0,6}":(\d{1,3}|"[^"\\]{0,8}"|true|null|\[("x"|1|\[\]|\{\})?\]|\{\}),?){0,6}\}"#) {
        let _ = Args::from_json(b"", body.as_bytes());
    }

    #[test]
    fn encoded_pairs_round_trip(pairs in proptest::collection::vec(("[a-z][a-z0-9_.]{0,8}", "\\PC{0,16}"), 0..16)) {
        let query: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{}={}", k, utf8_percent_encode(v, NON_ALPHANUMERIC)))
            .collect();
        let args = Args::from_form(query.join("&").as_bytes(), b"").expect("well-formed input parses");
        let mut seen = std::collections::HashMap::<&str, usize>::new();
        for (k, v) in &pairs {
            let n = seen.entry(k.as_str()).or_insert(0);
            let key = if *n == 0 { k.clone() } else { format!("{k}-{}", *n - 1) };
            *n += 1;
            // A later explicit `k-N` can collide with a generated one; skip those cases.
            if pairs.iter().filter(|(other, _)| *other == key).count() > usize::from(key != *k) {
                continue;
            }
            prop_assert_eq!(args.get(&key), Some(v.as_str()));
        }
    }

    #[test]
    fn path_parser_never_panics_and_never_climbs(path in "(/|[a-z.%0-9+-]{1,12}){0,12}") {
        if let Ok(doc) = Document::parse(&path) {
            let rest = match &doc.target {
                Target::Api { function, .. } => function.clone(),
                Target::Other(p) => p.clone(),
            };
            prop_assert!(!rest.split('/').any(|s| s == ".." || s == "." || s.is_empty()) || rest.is_empty());
            prop_assert!(!rest.contains(['\r', '\n', '\0']));
        }
    }

    #[test]
    fn arbitrary_paths_never_panic(path in "\\PC{0,64}") {
        let _ = Document::parse(&path);
    }
}
