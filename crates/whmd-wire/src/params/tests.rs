use super::from_args;
use crate::params::{Flag, YesNo};
use crate::{Args, WhmError};
use serde::Deserialize;
use std::collections::BTreeMap;

fn args(query: &str) -> Args {
    Args::from_form(query.as_bytes(), b"").expect("parses")
}

#[derive(Debug, Deserialize)]
struct Account {
    user: String,
    domain: Option<String>,
    #[serde(default)]
    quota: Option<u32>,
    #[serde(rename = "reseller-only", default)]
    reseller_only: Flag<false>,
    #[serde(default)]
    showpass: YesNo<true>,
    #[serde(default)]
    keep: Flag<true>,
    #[serde(default)]
    acl: Vec<String>,
}

fn reason(e: WhmError) -> String {
    e.to_string()
}

#[test]
fn fields_read_by_name_with_whms_conventions() {
    let a: Account = from_args(&args(
        "user=bob&domain=&quota=50&reseller-only=1&showpass=n&keep=&acl=a&acl=&acl-5=c",
    ))
    .expect("reads");
    assert_eq!(a.user, "bob");
    assert_eq!(a.domain, None, "an empty value is absent for an Option");
    assert_eq!(a.quota, Some(50));
    assert!(a.reseller_only.get());
    assert!(!a.showpass.get());
    assert!(a.keep.get(), "an empty flag takes its default");
    assert_eq!(a.acl, ["a", "", "c"], "a list keeps its empty members");
}

#[test]
fn absent_fields_take_their_defaults() {
    let a: Account = from_args(&args("user=bob")).expect("reads");
    assert_eq!((a.domain, a.quota), (None, None));
    assert!(!a.reseller_only.get() && a.showpass.get() && a.keep.get());
    assert!(a.acl.is_empty());
}

#[test]
fn missing_and_empty_required_fields_use_cpanels_texts() {
    let missing = from_args::<Account>(&args("domain=x")).expect_err("refused");
    assert_eq!(reason(missing), "Provide the “user” parameter.");
    let empty = from_args::<Account>(&args("user=")).expect_err("refused");
    assert_eq!(reason(empty), "The value of “user” may not be empty.");
    let undefined = from_args::<Account>(&args("user")).expect_err("refused");
    assert_eq!(reason(undefined), "Provide the “user” parameter.");
}

#[test]
fn a_bad_number_names_its_parameter() {
    let e = from_args::<Account>(&args("user=bob&quota=lots")).expect_err("refused");
    assert_eq!(
        reason(e),
        "The “quota” parameter must be a number, not “lots”."
    );
}

#[test]
fn the_first_field_declared_is_reported_first() {
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Two {
        first: u32,
        second: u32,
    }
    let e = from_args::<Two>(&args("second=x&first=y")).expect_err("refused");
    assert_eq!(
        reason(e),
        "The “first” parameter must be a number, not “y”."
    );
}

#[test]
fn a_flattened_map_takes_the_other_arguments_as_sent() {
    #[derive(Debug, Deserialize)]
    struct Open {
        user: String,
        #[serde(flatten)]
        rest: BTreeMap<String, String>,
    }
    let o: Open = from_args(&args("user=bob&MAXPOP=5&LANG=&undefined")).expect("reads");
    assert_eq!(o.user, "bob");
    let rest: Vec<_> = o
        .rest
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(rest, [("LANG", ""), ("MAXPOP", "5")]);
    let e = from_args::<Open>(&args("user=&x=1")).expect_err("refused");
    assert_eq!(reason(e), "The value of “user” may not be empty.");
}

#[test]
fn a_validated_type_refuses_with_its_own_reason() {
    #[derive(Debug, Deserialize)]
    #[serde(try_from = "String")]
    struct Lower(#[allow(dead_code)] String);
    impl TryFrom<String> for Lower {
        type Error = String;
        fn try_from(s: String) -> Result<Self, String> {
            if s.chars().all(|c| c.is_ascii_lowercase()) {
                Ok(Self(s))
            } else {
                Err(format!("“{s}” is not lower case."))
            }
        }
    }
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct One {
        name: Lower,
    }
    let e = from_args::<One>(&args("name=Bob")).expect_err("refused");
    assert_eq!(reason(e), "“Bob” is not lower case.");
}

#[test]
fn no_arguments_reads_as_unit() {
    from_args::<()>(&args("anything=1")).expect("reads");
}

#[test]
fn sent_tells_an_empty_argument_from_an_absent_one() {
    use crate::params::Sent;
    #[derive(Debug, Deserialize)]
    struct Root {
        #[serde(default)]
        force: Sent,
        #[serde(default)]
        homedir: Sent,
    }
    let r: Root = from_args(&args("force=&homedir=/home2/bob")).expect("reads");
    assert!(r.force.is_sent() && r.force.value().is_none());
    assert_eq!(r.homedir.value(), Some("/home2/bob"));
    let none: Root = from_args(&args("")).expect("reads");
    assert!(!none.force.is_sent());
}
