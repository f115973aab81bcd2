//! Zone files: what whmd renders parses back to the same zone, files written by hand or by
//! other tools import, and nothing a request can put in a record escapes its line.

use proptest::prelude::*;
use std::collections::HashMap;
use whmd_dns::{Entry, ParseError, RData, Record, Template, TemplateInput, Zone, parse, render};

fn template(kind: Template, ipv6: bool) -> Zone {
    kind.zone(&TemplateInput {
        domain: "example.com",
        ipv4: "192.0.2.10".parse().expect("ip"),
        ipv6: ipv6.then(|| "2001:db8::10".parse().expect("ip")),
        nameservers: &["ns1.example.com".to_owned(), "ns2.example.net".to_owned()],
        rname: "hostmaster.example.com",
        serial: 2026120300,
        header: "; whmd zone for example.com",
    })
    .expect("template")
}

/// Has BIND's own checker load the zone file, where BIND is installed. `.ci/run` installs it
/// and sets `WHMD_REQUIRE_BIND`, which turns a missing checker into a failure.
fn check_with_bind(text: &str) {
    let checker = ["/usr/bin/named-checkzone", "/usr/sbin/named-checkzone"]
        .into_iter()
        .find(|path| std::path::Path::new(path).exists());
    let Some(checker) = checker else {
        assert!(
            std::env::var_os("WHMD_REQUIRE_BIND").is_none(),
            "WHMD_REQUIRE_BIND is set but named-checkzone is missing"
        );
        return;
    };
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("example.com.db");
    std::fs::write(&file, text).expect("zone file written");
    let out = std::process::Command::new(checker)
        .args(["-q", "-k", "fail", "-n", "fail", "example.com"])
        .arg(&file)
        .output()
        .expect("named-checkzone runs");
    assert!(
        out.status.success(),
        "named-checkzone refused the zone:\n{}{}\n{text}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn with(zone: &Zone, pairs: &[(&str, &str)]) -> Zone {
    let map: HashMap<&str, &str> = pairs.iter().copied().collect();
    let record = Record::from_fields(zone.origin(), 300, |k| map.get(k).copied()).expect("record");
    zone.add(record).expect("added")
}

#[test]
fn templates_render_and_parse_back() {
    for kind in [
        Template::Standard,
        Template::Simple,
        Template::StandardVirtualFtp,
    ] {
        for ipv6 in [false, true] {
            let zone = template(kind, ipv6);
            let text = render(&zone);
            check_with_bind(&text);
            assert_eq!(parse("example.com", &text), Ok(zone), "{text}");
        }
    }
}

#[test]
fn the_standard_template_reads_as_whm_writes_it() {
    let text = render(&template(Template::Standard, false));
    let expected = "\
; whmd zone for example.com
; Zone file for example.com
$TTL 14400
example.com.\t86400\tIN\tSOA\tns1.example.com.\thostmaster.example.com.\t(
\t\t\t\t\t\t2026120300\t;Serial Number
\t\t\t\t\t\t3600\t;refresh
\t\t\t\t\t\t1800\t;retry
\t\t\t\t\t\t1209600\t;expire
\t\t\t\t\t\t86400\t;minimum
\t\t\t\t\t\t)

example.com.\t86400\tIN\tNS\tns1.example.com.
example.com.\t86400\tIN\tNS\tns2.example.net.

ns1.example.com.\t14400\tIN\tA\t192.0.2.10
example.com.\t14400\tIN\tA\t192.0.2.10

example.com.\t14400\tIN\tMX\t0\texample.com.

mail.example.com.\t14400\tIN\tCNAME\texample.com.
www.example.com.\t14400\tIN\tCNAME\texample.com.
ftp.example.com.\t14400\tIN\tCNAME\texample.com.
";
    assert_eq!(text, expected);
}

#[test]
fn every_type_round_trips_with_awkward_data() {
    let zone = template(Template::Simple, false);
    let zone = with(
        &zone,
        &[
            ("type", "TXT"),
            ("name", "q"),
            ("txtdata", "say \"hi\"; \\ back $INCLUDE /etc/passwd"),
        ],
    );
    let zone = with(
        &zone,
        &[
            ("type", "TXT"),
            ("name", "long"),
            ("txtdata", &"v=DKIM1; p=".repeat(40)),
        ],
    );
    let zone = with(
        &zone,
        &[("type", "TXT"), ("name", "utf"), ("txtdata", "café ☕")],
    );
    let zone = with(
        &zone,
        &[
            ("type", "CAA"),
            ("name", "@"),
            ("flag", "128"),
            ("tag", "iodef"),
            ("value", "mailto:\"x\"@example.com"),
        ],
    );
    let zone = with(
        &zone,
        &[
            ("type", "SRV"),
            ("name", "_sip._tcp"),
            ("priority", "10"),
            ("weight", "5"),
            ("port", "5060"),
            ("target", "sip.example.net"),
        ],
    );
    let zone = with(
        &zone,
        &[
            ("type", "SRV"),
            ("name", "_none._tcp"),
            ("priority", "0"),
            ("weight", "0"),
            ("port", "0"),
            ("target", "."),
        ],
    );
    let zone = with(
        &zone,
        &[
            ("type", "PTR"),
            ("name", "10"),
            ("ptrdname", "host.example.net."),
        ],
    );
    let zone = with(
        &zone,
        &[("type", "AAAA"), ("name", "v6"), ("address", "2001:DB8::1")],
    );
    let zone = with(
        &zone,
        &[
            ("type", "MX"),
            ("name", "@"),
            ("preference", "20"),
            ("exchange", "mx.example.net"),
        ],
    );
    let zone = with(
        &zone,
        &[
            ("type", "NS"),
            ("name", "sub"),
            ("nsdname", "ns.example.net"),
        ],
    );
    let text = render(&zone);
    assert_eq!(
        text.lines().count(),
        zone.numbered().map(|(_, e)| e.lines()).sum::<usize>()
    );
    for line in text.lines() {
        assert!(
            !line.starts_with('$') || line.starts_with("$TTL "),
            "{line}"
        );
        assert!(line.is_ascii(), "{line}");
    }
    check_with_bind(&text);
    assert_eq!(parse("example.com", &text), Ok(zone));
}

#[test]
fn hand_written_files_import() {
    let text = r#"
; imported
$TTL 1h
$ORIGIN example.com.
@   IN  SOA ns1.example.net. admin.example.com. ( 2024010101 ; serial
        2h 30m 2w 1d )
    IN  NS  ns1.example.net.
        NS  ns2.example.net.
www 300 A 192.0.2.1
        AAAA 2001:db8::1
mail    IN 600 MX 10 mx   ; relative exchange
$ORIGIN sub.example.com.
host    A   192.0.2.2
txt TXT "part one" "part\"two\"" \195\169plain
"#;
    let zone = parse("example.com", text).expect("imports");
    let records: Vec<&Record> = zone.records().collect();
    assert_eq!(records.len(), 8);
    let RData::Soa(soa) = &records[0].data else {
        panic!("soa first")
    };
    assert_eq!(
        (soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum),
        (2024010101, 7200, 1800, 1_209_600, 86_400)
    );
    assert_eq!(records[0].ttl, 3600);
    assert_eq!(records[2].name, "example.com");
    assert_eq!(
        (records[3].name.as_str(), records[3].ttl),
        ("www.example.com", 300)
    );
    assert_eq!(
        (records[4].name.as_str(), records[4].ttl),
        ("www.example.com", 3600)
    );
    assert_eq!(
        records[5].data,
        RData::Mx {
            preference: 10,
            exchange: "mx.example.com".into()
        }
    );
    assert_eq!(records[6].name, "host.sub.example.com");
    assert!(
        matches!(&records[7].data, RData::Txt(chunks) if chunks.len() == 3 && chunks[1] == "part\"two\"" && chunks[2] == "éplain")
    );
    assert_eq!(zone.entries()[0], Entry::Comment(String::new()));
    assert_eq!(parse("example.com", &render(&zone)), Ok(zone));
}

#[test]
fn unsafe_or_unsupported_files_are_refused_with_their_line() {
    let head = "$TTL 300\nexample.com. IN SOA ns.example.net. a.example.com. 1 2 3 4 5\nexample.com. IN NS ns.example.net.\n";
    let cases = [
        (
            "$INCLUDE /etc/passwd",
            "The directive “$INCLUDE” is not supported.",
        ),
        (
            "$GENERATE 1-9 h$ A 192.0.2.$",
            "The directive “$GENERATE” is not supported.",
        ),
        (
            "x IN HINFO a b",
            "The record type “HINFO” is not supported.",
        ),
        (
            "x IN TXT \"open",
            "A quoted string does not end on its line.",
        ),
        ("x IN TXT ( \"a\"", "A parenthesis is never closed."),
        ("x IN TXT )", "A parenthesis closes that was never opened."),
        (
            "x.other.net. IN A 192.0.2.1",
            "The name “x.other.net.” is not within the zone “example.com”.",
        ),
        (
            "x CH A 192.0.2.1",
            "Only records of class “IN” are supported.",
        ),
        ("x IN A 192.0.2", "Supplied address for A record is invalid"),
        ("x IN TXT \"\\255\"", "The text is not UTF-8."),
    ];
    for (line, message) in cases {
        let text = format!("{head}{line}\n");
        assert_eq!(
            parse("example.com", &text),
            Err(ParseError::Line {
                line: 4,
                message: message.into()
            }),
            "{line}"
        );
    }
    let no_soa = "example.com. 300 IN NS ns.example.net.\n";
    assert!(matches!(
        parse("example.com", no_soa),
        Err(ParseError::Zone(_))
    ));
}

fn label() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9-]{0,10}[a-z0-9]"
}

fn record_fields() -> impl Strategy<Value = Vec<(String, String)>> {
    let v = |pairs: &[(&str, String)]| {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect::<Vec<_>>()
    };
    prop_oneof![
        (label(), any::<[u8; 4]>()).prop_map(move |(n, ip)| v(&[
            ("type", "A".into()),
            ("name", n),
            ("address", std::net::Ipv4Addr::from(ip).to_string())
        ])),
        (label(), any::<[u8; 16]>()).prop_map(move |(n, ip)| v(&[
            ("type", "AAAA".into()),
            ("name", n),
            ("address", std::net::Ipv6Addr::from(ip).to_string())
        ])),
        (label(), "\\PC{1,300}").prop_map(move |(n, t)| v(&[
            ("type", "TXT".into()),
            ("name", n),
            ("txtdata", t)
        ])),
        (label(), any::<u16>(), label()).prop_map(move |(n, p, x)| v(&[
            ("type", "MX".into()),
            ("name", n),
            ("preference", p.to_string()),
            ("exchange", format!("{x}.example.net"))
        ])),
        (label(), any::<u8>(), "\\PC{0,40}").prop_map(move |(n, f, val)| v(&[
            ("type", "CAA".into()),
            ("name", n),
            ("flag", f.to_string()),
            ("tag", "issue".into()),
            ("value", val)
        ])),
        (label(), any::<(u16, u16, u16)>(), label()).prop_map(move |(n, (p, w, port), t)| v(&[
            ("type", "SRV".into()),
            ("name", format!("_{n}._tcp")),
            ("priority", p.to_string()),
            ("weight", w.to_string()),
            ("port", port.to_string()),
            ("target", format!("{t}.example.net"))
        ])),
    ]
}

fn random_zone(all: &[Vec<(String, String)>], ttl: u32) -> Zone {
    let mut zone = template(Template::Standard, true);
    for fields in all {
        let map: HashMap<&str, &str> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let ttl = ttl.to_string();
        let record = Record::from_fields(zone.origin(), 300, |k| {
            if k == "ttl" {
                Some(ttl.as_str())
            } else {
                map.get(k).copied()
            }
        });
        if let Ok(record) = record
            && let Ok(next) = zone.add(record)
        {
            zone = next;
        }
    }
    zone
}

proptest! {
    #[test]
    fn any_zone_whmd_accepts_renders_and_parses_back(all in proptest::collection::vec(record_fields(), 0..12), ttl in 0u32..=2_147_483_647) {
        let zone = random_zone(&all, ttl);
        prop_assert_eq!(parse("example.com", &render(&zone)), Ok(zone));
    }

    #[test]
    fn parsing_anything_never_panics(text in "(\\PC|[\\n\\t;()\"\\\\$]){0,400}") {
        let _ = parse("example.com", &text);
    }
}

proptest! {
    // Each case starts BIND's checker, so fewer of them.
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn any_zone_whmd_accepts_loads_in_bind(all in proptest::collection::vec(record_fields(), 1..12), ttl in 0u32..=2_147_483_647) {
        check_with_bind(&render(&random_zone(&all, ttl)));
    }
}
