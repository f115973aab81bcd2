//! Reading arguments into a request type never panics, whatever was sent.

use proptest::prelude::*;
use serde::Deserialize;
use std::collections::BTreeMap;
use whmd_wire::Args;
use whmd_wire::params::{Flag, YesNo, from_args};

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Request {
    user: String,
    n: Option<u32>,
    #[serde(default)]
    f: Flag<true>,
    #[serde(default)]
    y: YesNo<false>,
    #[serde(default)]
    list: Vec<u16>,
    #[serde(flatten)]
    rest: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Strict {
    user: String,
    n: i64,
    #[serde(default)]
    list: Vec<String>,
}

proptest! {
    #[test]
    fn reading_arbitrary_arguments_never_panics(
        pairs in proptest::collection::vec(
            ("(user|n|f|y|list|list-[0-9]|[a-z]{1,3})", "[ -~]{0,6}"),
            0..12,
        )
    ) {
        let args = Args::from_pairs(pairs).expect("pairs");
        let _ = from_args::<Request>(&args);
        let _ = from_args::<Strict>(&args);
    }
}
