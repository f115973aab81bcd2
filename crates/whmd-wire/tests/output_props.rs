//! The output pipeline against a plain reference implementation, on random records: filter
//! results, sort order and stability, chunk arithmetic, and the three together.

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use whmd_wire::Args;
use whmd_wire::output::{TextTest, apply, pushdown};

#[derive(Debug, Clone)]
struct Rec {
    user: String,
    n: String,
    owner: &'static str,
    id: usize,
}

fn recs() -> impl Strategy<Value = Vec<Rec>> {
    proptest::collection::vec(
        (
            "[a-zA-Z]{1,5}",
            prop_oneof![Just("unlimited".to_owned()), "[0-9]{1,3}", "[0-9]{1,2}M"],
            prop_oneof![Just("root"), Just("res"), Just("bob")],
        ),
        0..60,
    )
    .prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(id, (user, n, owner))| Rec { user, n, owner, id })
            .collect()
    })
}

fn data(records: &[Rec]) -> Map<String, Value> {
    let list = records
        .iter()
        .map(|r| json!({"user": r.user, "n": r.n, "owner": r.owner, "id": r.id}))
        .collect();
    let mut m = Map::new();
    m.insert("acct".into(), Value::Array(list));
    m
}

fn ids(m: &Map<String, Value>) -> Vec<usize> {
    m["acct"]
        .as_array()
        .expect("list")
        .iter()
        .map(|r| r["id"].as_u64().expect("id") as usize)
        .collect()
}

fn run(records: &[Rec], query: &str) -> Vec<usize> {
    let mut d = data(records);
    apply(
        &Args::from_form(query.as_bytes(), b"").expect("query"),
        &mut d,
        Some("acct"),
    );
    ids(&d)
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Perl's leading number of a string, for the reference.
fn lead(s: &str) -> f64 {
    let end = s.bytes().take_while(u8::is_ascii_digit).count();
    s[..end].parse().unwrap_or(0.0)
}

/// The page WHM's rules select, computed the long way.
fn page(total: usize, size: Option<i64>, start: Option<i64>) -> std::ops::Range<usize> {
    let size = match size {
        Some(s) if s >= 1 => s as usize,
        _ => 100,
    };
    let mut first = match start {
        Some(s) if s > 0 => s as usize,
        _ => 1,
    };
    if first > total {
        first = 1;
    }
    let from = first - 1;
    from..(from + size).min(total)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn contains_and_gt_match_the_reference(records in recs(), term in "[a-z]{1,2}", limit in 0u32..500) {
        let got = run(&records, &format!("api.filter.enable=1&api.filter.a.field=user&api.filter.a.type=contains&api.filter.a.arg0={term}"));
        let want: Vec<usize> = records.iter().filter(|r| r.user.to_lowercase().contains(&term)).map(|r| r.id).collect();
        prop_assert_eq!(got, want);
        let got = run(&records, &format!("api.filter.enable=1&api.filter.a.field=n&api.filter.a.type=gt&api.filter.a.arg0={limit}"));
        let want: Vec<usize> = records.iter().filter(|r| digits(&r.n) && lead(&r.n) > f64::from(limit)).map(|r| r.id).collect();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn sorts_are_stable_and_ordered(records in recs(), reverse in any::<bool>()) {
        let r = u8::from(reverse);
        let got = run(&records, &format!("api.sort.enable=1&api.sort.a.field=owner&api.sort.b.field=n&api.sort.b.method=numeric&api.sort.b.reverse={r}"));
        let mut want = records.clone();
        want.sort_by(|x, y| {
            x.owner.cmp(y.owner).then_with(|| {
                let o = lead(&x.n).total_cmp(&lead(&y.n));
                if reverse { o.reverse() } else { o }
            })
        });
        prop_assert_eq!(got, want.iter().map(|r| r.id).collect::<Vec<_>>());
    }

    #[test]
    fn chunks_follow_the_arithmetic(records in recs(), size in proptest::option::of(-3i64..30), start in proptest::option::of(-3i64..80)) {
        let mut q = String::from("api.chunk.enable=1");
        if let Some(s) = size { q.push_str(&format!("&api.chunk.size={s}")); }
        if let Some(s) = start { q.push_str(&format!("&api.chunk.start={s}")); }
        let got = run(&records, &q);
        let want: Vec<usize> = records[page(records.len(), size, start)].iter().map(|r| r.id).collect();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn the_pipeline_is_filter_then_sort_then_chunk(records in recs(), owner in prop_oneof![Just("root"), Just("res")], size in 1i64..10, start in 1i64..20) {
        let got = run(&records, &format!(
            "api.filter.enable=1&api.filter.a.field=owner&api.filter.a.type=eq&api.filter.a.arg0={owner}\
             &api.sort.enable=1&api.sort.a.field=user&api.sort.a.method=lexicographic_caseless\
             &api.chunk.enable=1&api.chunk.size={size}&api.chunk.start={start}"));
        let mut want: Vec<Rec> = records.iter().filter(|r| r.owner == owner).cloned().collect();
        want.sort_by_key(|r| r.user.to_lowercase());
        let range = page(want.len(), Some(size), Some(start));
        prop_assert_eq!(got, want[range].iter().map(|r| r.id).collect::<Vec<_>>());
    }

    #[test]
    fn arbitrary_controls_never_panic(records in recs(), query in "(api\\.(filter|sort|chunk|columns)\\.(enable|verbose|[a-c]\\.(field|type|arg0|method|reverse)|size|start|select|[a-c])=[a-z0-9*.\\[\\]_=<>-]{0,8}&){0,12}") {
        let mut d = data(&records);
        let meta = Args::from_form(query.as_bytes(), b"").expect("query");
        let _ = apply(&meta, &mut d, Some("acct"));
    }

    #[test]
    fn a_pushed_down_query_gives_what_the_pipeline_gives(
        records in recs(),
        filters in proptest::collection::vec(
            (prop_oneof![Just("user"), Just("owner")], prop_oneof![Just("contains"), Just("begins"), Just("eq")], "[a-zA-Z]{0,2}"),
            0..3,
        ),
        sorts in proptest::collection::vec((prop_oneof![Just("user"), Just("owner")], any::<bool>()), 0..3),
        chunk in proptest::option::of((proptest::option::of(-2i64..12), proptest::option::of(-2i64..40), proptest::option::of(-1i64..6))),
        verbose in any::<bool>(),
    ) {
        let v = u8::from(verbose);
        let mut q = format!("api.filter.enable=1&api.filter.verbose={v}&api.sort.enable=1&api.sort.verbose={v}");
        for (i, (field, kind, term)) in filters.iter().enumerate() {
            let id = (b'a' + i as u8) as char;
            q.push_str(&format!("&api.filter.{id}.field={field}&api.filter.{id}.type={kind}&api.filter.{id}.arg0={term}"));
        }
        for (i, (field, reverse)) in sorts.iter().enumerate() {
            let id = (b'a' + i as u8) as char;
            q.push_str(&format!("&api.sort.{id}.field={field}&api.sort.{id}.reverse={}", u8::from(*reverse)));
        }
        if let Some((size, start, select)) = chunk {
            q.push_str(&format!("&api.chunk.enable=1&api.chunk.verbose={v}"));
            for (key, value) in [("size", size), ("start", start), ("select", select)] {
                if let Some(n) = value { q.push_str(&format!("&api.chunk.{key}={n}")); }
            }
        }
        let meta = Args::from_form(q.as_bytes(), b"").expect("query");
        let mut expected = data(&records);
        let expected_meta = apply(&meta, &mut expected, Some("acct"));

        // What a store does with the plan: ASCII-caseless tests, a stable byte-wise sort, the
        // window, over the records in their listed order.
        let plan = pushdown(&meta, &["user", "owner"]).expect("these controls can run in a query");
        let field = |r: &Rec, f: &str| if f == "user" { r.user.clone() } else { r.owner.to_owned() };
        let mut matching: Vec<&Rec> = records
            .iter()
            .filter(|r| plan.filters.iter().all(|t| {
                let value = field(r, &t.field);
                match &t.test {
                    TextTest::Contains(term) => value.to_ascii_lowercase().contains(term.as_str()),
                    TextTest::Begins(term) => value.to_ascii_lowercase().starts_with(term.as_str()),
                    TextTest::Eq(term) => value == *term,
                }
            }))
            .collect();
        matching.sort_by(|a, b| {
            plan.order
                .iter()
                .map(|o| {
                    let order = field(a, &o.field).as_bytes().cmp(field(b, &o.field).as_bytes());
                    if o.reverse { order.reverse() } else { order }
                })
                .find(|o| o.is_ne())
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        let page: Vec<usize> = matching[plan.window(matching.len())].iter().map(|r| r.id).collect();
        prop_assert_eq!(page, ids(&expected), "{}", q);
        prop_assert_eq!(plan.metadata(records.len(), matching.len()), expected_meta, "{}", q);
    }
}
