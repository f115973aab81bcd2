//! The output controls, record by record (docs/compatibility.md, "Output controls, batch and
//! the command line").

use super::*;
use serde_json::json;

fn meta(q: &str) -> Args {
    Args::from_form(q.as_bytes(), b"").expect("parses")
}

fn accounts() -> Map<String, Value> {
    let acct: Vec<Value> = (1..=12)
        .map(|i| {
            json!({
                "user": format!("u{i:02}"),
                "owner": if i % 2 == 0 { "root" } else { "res" },
                "diskused": format!("{}M", (i * 7) % 10),
                "maxpop": if i % 3 == 0 { "unlimited".to_owned() } else { (i * 10).to_string() },
                "ip": format!("10.0.{}.{}", i % 3, 20 - i),
                "domains": [format!("u{i:02}.example.com"), format!("alias{i}.example.net")],
            })
        })
        .collect();
    let mut data = Map::new();
    data.insert("acct".into(), Value::Array(acct));
    data
}

fn users(data: &Map<String, Value>) -> Vec<String> {
    data["acct"]
        .as_array()
        .expect("list")
        .iter()
        .map(|r| r["user"].as_str().unwrap_or("?").to_owned())
        .collect()
}

#[test]
fn the_protocol_example() {
    let mut data = accounts();
    let m = meta(
        "api.filter.enable=1&api.filter.verbose=1&api.filter.a.field=owner&api.filter.a.type=eq&api.filter.a.arg0=root\
         &api.sort.enable=1&api.sort.a.field=diskused&api.sort.a.method=numeric&api.sort.a.reverse=1\
         &api.chunk.enable=1&api.chunk.verbose=1&api.chunk.size=2&api.chunk.start=3",
    );
    let md = apply(&m, &mut data, Some("acct"));
    assert_eq!(
        md["filter"],
        json!({"filtered": 12, "a": {"valid": 1, "field": "owner", "type": "eq", "arg0": "root"}})
    );
    assert_eq!(
        md["chunk"],
        json!({"start": 3, "size": 2, "records": 6, "current": 2, "chunks": 3})
    );
    assert!(md.get("sort").is_none(), "no sort record without verbose");
    // root owns u02 u04 … u12; diskused = (i*7)%10: u02 4, u04 8, u06 2, u08 6, u10 0, u12 4.
    // Descending: u04 8, u08 6, u02 4, u12 4, u06 2, u10 0 (stable for ties); page 2 of 2:
    assert_eq!(users(&data), ["u02", "u12"]);
}

#[test]
fn every_filter_type() {
    let cases = [
        ("contains", "maxpop", "UNLIM", 4),
        ("begins", "user", "U1", 3),
        ("eq", "owner", "res", 6),
        ("==", "maxpop", "40", 1),
        // maxpop: 10 20 unl 40 50 unl 70 80 unl 100 110 unl
        ("lt", "maxpop", "50", 7),
        ("lt_equal", "maxpop", "50", 8),
        ("lt_handle_unlimited", "maxpop", "50", 3),
        ("gt", "maxpop", "50", 4),
        ("gt_equal", "maxpop", "50", 5),
        ("gt_handle_unlimited", "maxpop", "50", 8),
    ];
    for (kind, field, term, expected) in cases {
        let mut data = accounts();
        let q = format!(
            "api.filter.enable=1&api.filter.a.field={field}&api.filter.a.type={}&api.filter.a.arg0={term}",
            percent_encoding::utf8_percent_encode(kind, percent_encoding::NON_ALPHANUMERIC)
        );
        apply(&meta(&q), &mut data, None);
        assert_eq!(
            users(&data).len(),
            expected,
            "{kind} {term}: {:?}",
            users(&data)
        );
    }
}

#[test]
fn filters_combine_and_skip_what_is_invalid() {
    let mut data = accounts();
    let q = "api.filter.enable=1&api.filter.verbose=1&api.filter.a.field=owner&api.filter.a.arg0=res\
             &api.filter.b.field=maxpop&api.filter.b.type=lt&api.filter.b.arg0=60\
             &api.filter.c.field=bad..path&api.filter.c.arg0=x&api.filter.d.field=user&api.filter.d.type=nope&api.filter.d.arg0=x\
             &api.filter.e.field=user&api.filter.e.arg0=";
    let md = apply(&meta(q), &mut data, None);
    // owner contains "res" AND maxpop lt 60 (or not a count): u01 u03 u05 (u09 is unlimited: lt matches).
    assert_eq!(users(&data), ["u01", "u03", "u05", "u09"]);
    assert_eq!(md["filter"]["c"]["valid"], 0);
    assert_eq!(md["filter"]["d"]["valid"], 0);
    assert_eq!(md["filter"]["e"]["valid"], 0, "an empty term is ignored");
}

#[test]
fn star_arrays_and_nested_fields() {
    let mut data = accounts();
    apply(
        &meta("api.filter.enable=1&api.filter.a.field=*&api.filter.a.arg0=alias11"),
        &mut data,
        None,
    );
    assert_eq!(users(&data), ["u11"], "* looks into top-level arrays");
    let mut data = accounts();
    apply(
        &meta(
            "api.filter.enable=1&api.filter.a.field=domains.[1]&api.filter.a.type=begins&api.filter.a.arg0=alias1",
        ),
        &mut data,
        None,
    );
    assert_eq!(users(&data), ["u01", "u10", "u11", "u12"]);
    let mut data = accounts();
    apply(
        &meta("api.filter.enable=1&api.filter.a.field=domains&api.filter.a.arg0=u07."),
        &mut data,
        None,
    );
    assert_eq!(
        users(&data),
        ["u07"],
        "an array field matches when any element does"
    );
    let mut data = accounts();
    apply(
        &meta("api.filter.enable=1&api.filter.a.field=*&api.filter.a.type=gt&api.filter.a.arg0=1"),
        &mut data,
        None,
    );
    assert_eq!(
        users(&data).len(),
        12,
        "* only works with contains, begins and eq"
    );
}

#[test]
fn sorts() {
    let order = |q: &str| {
        let mut data = accounts();
        let md = apply(&meta(q), &mut data, None);
        (users(&data), md)
    };
    let (u, _) = order("api.sort.enable=1&api.sort.a.field=ip&api.sort.a.method=ipv4");
    assert_eq!(
        &u[..3],
        ["u12", "u09", "u06"],
        "10.0.0.8 < 10.0.0.11 < 10.0.0.14 by octets"
    );
    let (u, _) = order("api.sort.enable=1&api.sort.a.field=ip&api.sort.a.method=ipv_4");
    assert_eq!(
        &u[..2],
        ["u09", "u06"],
        "an unknown method is lexicographic: 10.0.0.11 < 10.0.0.14"
    );
    let (u, _) =
        order("api.sort.enable=1&api.sort.a.field=maxpop&api.sort.a.method=numeric_zero_as_max");
    assert_eq!(&u[8..], ["u03", "u06", "u09", "u12"], "unlimited (0) last");
    let (u, md) = order(
        "api.sort.enable=1&api.sort.verbose=1&api.sort.a.field=owner&api.sort.b.field=user&api.sort.b.reverse=1",
    );
    assert_eq!(
        &u[..3],
        ["u11", "u09", "u07"],
        "owner (res) then user descending"
    );
    assert_eq!(
        md["sort"]["a"],
        json!({"field": 1, "method": "lexicographic", "reverse": 0})
    );
    let (_, md) = order("api.sort.enable=1&api.sort.verbose=1&api.sort.a.field=bad..x");
    assert_eq!(md["sort"]["a"]["field"], 0);
}

#[test]
fn chunks() {
    let page = |q: &str| {
        let mut data = accounts();
        let md = apply(&meta(q), &mut data, None);
        (users(&data), md.get("chunk").cloned())
    };
    let (u, md) = page("api.chunk.enable=1&api.chunk.verbose=1");
    assert_eq!(
        (u.len(), md.map(|m| m["size"].clone())),
        (12, Some(json!(100)))
    );
    let (u, _) = page("api.chunk.enable=1&api.chunk.size=5&api.chunk.select=3");
    assert_eq!(u, ["u11", "u12"]);
    let (u, md) =
        page("api.chunk.enable=1&api.chunk.verbose=1&api.chunk.size=5&api.chunk.start=40");
    assert_eq!(u.len(), 5, "past the end resets to the start");
    assert_eq!(md.map(|m| m["start"].clone()), Some(json!(1)));
    let (u, _) = page("api.chunk.enable=1&api.chunk.start=-1");
    assert_eq!(u.len(), 12, "@cpanel/api's start=-1 means the first page");
    let (u, _) = page("api.chunk.enable=1&api.chunk.size=abc&api.chunk.start=x");
    assert_eq!(u.len(), 12, "non-numeric values fall back to the defaults");
}

#[test]
fn columns_and_their_report() {
    let mut data = accounts();
    let md = apply(
        &meta("api.columns.enable=1&api.columns.a=user&api.columns.b=owner"),
        &mut data,
        None,
    );
    assert_eq!(data["acct"][0], json!({"user": "u01", "owner": "res"}));
    assert_eq!(md["columns"], json!({"invalid_msg": "None"}));
    let mut data = accounts();
    let md = apply(
        &meta("api.columns.enable=1&api.columns.a=user&api.columns.b=foo&api.columns.c=bar"),
        &mut data,
        None,
    );
    assert_eq!(
        md["columns"],
        json!({"invalid_msg": "“foo” and “bar” are not valid columns.", "invalid": ["foo", "bar"]})
    );
    // Filtering on a column that was cut away matches nothing, as columns run first.
    let mut data = accounts();
    apply(
        &meta(
            "api.columns.enable=1&api.columns.a=user&api.filter.enable=1&api.filter.a.field=owner&api.filter.a.arg0=r",
        ),
        &mut data,
        None,
    );
    assert!(users(&data).is_empty());
}

#[test]
fn nothing_happens_without_enable_or_a_list() {
    let mut data = accounts();
    let md = apply(
        &meta("api.filter.a.field=user&api.filter.a.arg0=u01"),
        &mut data,
        None,
    );
    assert!(md.is_empty());
    assert_eq!(users(&data).len(), 12);
    let mut scalar = Map::new();
    scalar.insert("version".into(), json!("1"));
    assert!(apply(&meta("api.chunk.enable=1"), &mut scalar, None).is_empty());
}

#[test]
fn each_sort_method_by_example() {
    let list = |values: &[&str]| {
        let mut m = Map::new();
        m.insert(
            "acct".into(),
            Value::Array(values.iter().map(|v| json!({"v": v})).collect()),
        );
        m
    };
    let sorted = |method: &str, values: &[&str]| -> Vec<String> {
        let mut d = list(values);
        apply(
            &meta(&format!(
                "api.sort.enable=1&api.sort.a.field=v&api.sort.a.method={method}"
            )),
            &mut d,
            None,
        );
        d["acct"]
            .as_array()
            .expect("list")
            .iter()
            .map(|r| r["v"].as_str().unwrap_or("").to_owned())
            .collect()
    };
    let words = ["b", "B", "a", "10", "9"];
    assert_eq!(
        sorted("lexicographic", &words),
        ["10", "9", "B", "a", "b"],
        "byte order"
    );
    assert_eq!(
        sorted("alphabet", &words),
        ["10", "9", "B", "a", "b"],
        "the same as lexicographic"
    );
    assert_eq!(
        sorted("lexicographic_caseless", &words),
        ["10", "9", "a", "b", "B"],
        "case folded, ties stable"
    );
    assert_eq!(
        sorted("numeric", &["10", "9", "unlimited", "2.5", "14M"]),
        ["unlimited", "2.5", "9", "10", "14M"],
        "non-numbers count as 0"
    );
    assert_eq!(
        sorted("numeric_zero_as_max", &["0", "5", "unlimited", "1"]),
        ["1", "5", "0", "unlimited"]
    );
    assert_eq!(
        sorted("ipv4", &["10.0.0.10", "10.0.0.9", "9.1.1.1"]),
        ["9.1.1.1", "10.0.0.9", "10.0.0.10"]
    );
}

const FIELDS: &[&str] = &["user", "domain", "owner", "ip"];

#[test]
fn simple_text_controls_can_run_in_a_query() {
    let plan = pushdown(
        &meta(
            "api.filter.enable=1&api.filter.verbose=1&api.filter.a.field=domain&api.filter.a.arg0=AbC\
             &api.filter.b.field=user&api.filter.b.type=begins&api.filter.b.arg0=U\
             &api.filter.c.field=ip&api.filter.c.type=eq&api.filter.c.arg0=10.0.0.1\
             &api.filter.d.field=uid&api.filter.d.type=bogus&api.filter.d.arg0=1\
             &api.sort.enable=1&api.sort.a.field=owner&api.sort.b.field=user&api.sort.b.reverse=1&api.sort.b.method=alphabet\
             &api.chunk.enable=1&api.chunk.verbose=1&api.chunk.size=10&api.chunk.select=3",
        ),
        FIELDS,
    )
    .expect("pushed down");
    let test = |field: &str, test| FieldTest {
        field: field.into(),
        test,
    };
    assert_eq!(
        plan.filters,
        [
            test("domain", TextTest::Contains("abc".into())),
            test("user", TextTest::Begins("u".into())),
            test("ip", TextTest::Eq("10.0.0.1".into())),
        ],
        "terms of caseless tests are lowercased; an invalid filter is left out"
    );
    let order = |field: &str, reverse| FieldOrder {
        field: field.into(),
        reverse,
    };
    assert_eq!(plan.order, [order("owner", false), order("user", true)]);
    assert_eq!(plan.window(25), 20..25, "the third page of ten");
    assert_eq!(plan.window(5), 0..5, "past the end, the first page");
    assert!(plan.reports_unfiltered_count());
    let metadata = plan.metadata(40, 25);
    assert_eq!(metadata["filter"]["filtered"], 40);
    assert_eq!(metadata["filter"]["d"]["valid"], 0);
    assert_eq!(
        metadata["chunk"],
        json!({"start": 21, "size": 10, "records": 25, "current": 3, "chunks": 3})
    );
    assert!(!metadata.contains_key("sort"), "sort is not verbose");
}

#[test]
fn other_controls_need_every_record() {
    for q in [
        "api.version=1",
        "api.columns.enable=1&api.columns.a=user&api.chunk.enable=1",
        "api.filter.enable=1&api.filter.a.field=uid&api.filter.a.type=gt&api.filter.a.arg0=5",
        "api.filter.enable=1&api.filter.a.field=*&api.filter.a.arg0=x",
        "api.filter.enable=1&api.filter.a.field=domain&api.filter.a.arg0=%C3%A9",
        "api.filter.enable=1&api.filter.a.field=email&api.filter.a.arg0=x",
        "api.filter.enable=1&api.filter.a.field=domains.[0]&api.filter.a.arg0=x",
        "api.sort.enable=1&api.sort.a.field=user&api.sort.a.method=numeric",
        "api.sort.enable=1&api.sort.a.field=user&api.sort.a.method=lexicographic_caseless",
        "api.sort.enable=1&api.sort.a.field=plan",
    ] {
        assert!(pushdown(&meta(q), FIELDS).is_none(), "{q}");
    }
}

#[test]
fn a_query_gives_what_the_generic_pass_gives() {
    // The same controls both ways over the same records, with the "store" played by a
    // byte-wise sort and ASCII-caseless tests written out here.
    let q = "api.filter.enable=1&api.filter.verbose=1&api.filter.a.field=owner&api.filter.a.arg0=RE\
             &api.sort.enable=1&api.sort.verbose=1&api.sort.a.field=ip&api.sort.a.reverse=1\
             &api.chunk.enable=1&api.chunk.verbose=1&api.chunk.size=2&api.chunk.start=2";
    let mut expected = accounts();
    let expected_meta = apply(&meta(q), &mut expected, Some("acct"));
    let plan = pushdown(&meta(q), FIELDS).expect("pushed down");
    let all = accounts()["acct"].as_array().cloned().unwrap_or_default();
    let mut matching: Vec<Value> = all
        .iter()
        .filter(|r| {
            r["owner"]
                .as_str()
                .is_some_and(|o| o.to_lowercase().contains("re"))
        })
        .cloned()
        .collect();
    matching.sort_by(|a, b| b["ip"].as_str().cmp(&a["ip"].as_str()));
    let window = plan.window(matching.len());
    assert_eq!(
        Value::Array(matching[window].to_vec()),
        expected["acct"],
        "the same page"
    );
    assert_eq!(
        plan.metadata(all.len(), 6),
        expected_meta,
        "the same metadata"
    );
}
