//! Records by line: getzonerecord, addzonerecord, editzonerecord, removezonerecord, the
//! serial as an optimistic lock, savemxs and listmxs, and the bad input none of them takes.

use super::{adddns, line_of, records, serial};
use crate::accounts::v1;
use crate::harness::Server;
use serde_json::json;

#[tokio::test]
async fn records_are_added_read_edited_and_removed_by_line() {
    let server = Server::start().await;
    let zone = "rec.example.com";
    adddns(&server, zone).await;
    let first = serial(&server, zone).await;
    for query in [
        "name=host&type=A&address=192.0.2.20&ttl=300",
        "name=host&type=AAAA&address=2001:db8::20",
        "name=_dmarc&type=TXT&txtdata=v%3DDMARC1%3B%20p%3Dnone",
        "name=_sip._tcp&type=SRV&priority=10&weight=5&port=5060&target=sip.example.net",
        "name=%40&type=CAA&flag=0&tag=issue&value=letsencrypt.org",
        "name=sub&type=NS&nsdname=ns.example.net",
        "name=20&type=PTR&ptrdname=host.example.net",
        "name=alias&type=CNAME&cname=host.rec.example.com",
    ] {
        let (result, reason, reply) =
            v1(&server, "addzonerecord", &format!("domain={zone}&{query}")).await;
        assert_eq!((result, reason.as_str()), (1, "OK"), "{query}: {reply}");
    }
    let after: u64 = serial(&server, zone).await.parse().expect("serial");
    assert_eq!(
        after,
        first.parse::<u64>().expect("serial") + 8,
        "one bump per change"
    );

    let line = line_of(&server, zone, "A", "host.rec.example.com.").await;
    let (result, reason, got) = v1(
        &server,
        "getzonerecord",
        &format!("domain={zone}&line={line}"),
    )
    .await;
    assert_eq!((result, reason.as_str()), (1, "Record obtained."));
    assert_eq!(
        got["data"]["record"],
        json!([{"Line": line, "name": "host.rec.example.com.", "class": "IN", "ttl": "300", "type": "A", "address": "192.0.2.20"}])
    );
    let txt = line_of(&server, zone, "TXT", "_dmarc.rec.example.com.").await;
    let (_, _, got) = v1(
        &server,
        "getzonerecord",
        &format!("domain={zone}&Line={txt}"),
    )
    .await;
    assert_eq!(got["data"]["record"][0]["txtdata"], "v=DMARC1; p=none");

    // An edit keeps what it does not name.
    let current = serial(&server, zone).await;
    let (result, _, reply) = v1(
        &server,
        "editzonerecord",
        &format!("domain={zone}&line={line}&address=192.0.2.21&serialnum={current}"),
    )
    .await;
    assert_eq!(result, 1, "{reply}");
    let (_, _, got) = v1(
        &server,
        "getzonerecord",
        &format!("domain={zone}&line={line}"),
    )
    .await;
    assert_eq!(
        (
            got["data"]["record"][0]["address"].clone(),
            got["data"]["record"][0]["ttl"].clone()
        ),
        (json!("192.0.2.21"), json!("300"))
    );

    // A stale serial changes nothing.
    let (result, reason, _) = v1(
        &server,
        "removezonerecord",
        &format!("domain={zone}&line={line}&serialnum={current}"),
    )
    .await;
    assert_eq!(
        (result, reason.as_str()),
        (0, "Zone file changed since last read.")
    );
    let now = serial(&server, zone).await;
    let (result, _, _) = v1(
        &server,
        "removezonerecord",
        &format!("domain={zone}&line={line}&serialnum={now}"),
    )
    .await;
    assert_eq!(result, 1);
    assert!(
        !records(&server, zone)
            .await
            .iter()
            .any(|r| r["name"] == "host.rec.example.com." && r["type"] == "A")
    );
}

#[tokio::test]
async fn line_and_record_refusals_have_whm_reasons() {
    let server = Server::start().await;
    let zone = "refuse.example.com";
    adddns(&server, zone).await;
    let before = records(&server, zone).await;
    let www = line_of(&server, zone, "CNAME", "www.refuse.example.com.").await;
    let cases = [
        (
            "getzonerecord",
            "".to_owned(),
            "Must specify a record line.",
        ),
        (
            "getzonerecord",
            "line=2".to_owned(),
            "No record available on selected line.",
        ),
        (
            "getzonerecord",
            "line=5".to_owned(),
            "No record available on selected line.",
        ),
        (
            "removezonerecord",
            "line=4".to_owned(),
            "You cannot remove the SOA record.",
        ),
        (
            "removezonerecord",
            "line=999".to_owned(),
            "Unable to find a record on specified line: 999",
        ),
        (
            "editzonerecord",
            "line=999&address=192.0.2.1".to_owned(),
            "Unable to find a record on specified line: 999",
        ),
        (
            "addzonerecord",
            "name=x&type=A&address=192.0.2.300".to_owned(),
            "Supplied address for A record is invalid",
        ),
        (
            "addzonerecord",
            "name=x&type=CNAME&cname=single".to_owned(),
            "CNAMEs must point a FQDN (Fully Qualified Domain Name).",
        ),
        (
            "addzonerecord",
            "name=x&type=MX&exchange=192.0.2.1&preference=1".to_owned(),
            "IP addresses are not allowable exchange values.",
        ),
        (
            "addzonerecord",
            "name=x&type=MX&exchange=mx.example.net&preference=99999".to_owned(),
            "Supplied preference for MX record is out of range.",
        ),
        (
            "addzonerecord",
            "name=x&type=TXT".to_owned(),
            "No value supplied for TXT record.",
        ),
        (
            "addzonerecord",
            "name=x&type=TXT&txtdata=a%0A%24INCLUDE%20%2Fetc%2Fpasswd".to_owned(),
            "TXT records may not contain line breaks or other control characters.",
        ),
        (
            "addzonerecord",
            "name=www&type=A&address=192.0.2.1".to_owned(),
            "A CNAME record cannot share the name “www.refuse.example.com.” with other records.",
        ),
        (
            "addzonerecord",
            "name=x.other.net.&type=A&address=192.0.2.1".to_owned(),
            "The name “x.other.net.” is not within the zone “refuse.example.com”.",
        ),
        (
            "addzonerecord",
            "name=%24ORIGIN&type=A&address=192.0.2.1".to_owned(),
            "“$ORIGIN” is not a valid domain name.",
        ),
        (
            "addzonerecord",
            "name=a%3Bb&type=A&address=192.0.2.1".to_owned(),
            "“a;b” is not a valid domain name.",
        ),
        (
            "addzonerecord",
            "name=x&type=SOA".to_owned(),
            "The record type “SOA” is not supported.",
        ),
        (
            "addzonerecord",
            "name=ns9&type=NS&nsdname=ns9.refuse.example.com".to_owned(),
            "The nameserver “ns9.refuse.example.com.” lies within the zone and needs an A or AAAA record there.",
        ),
        (
            "editzonerecord",
            format!("line={www}&type=A&address=192.0.2.1&name=ftp"),
            "A CNAME record cannot share the name “ftp.refuse.example.com.” with other records.",
        ),
    ];
    for (function, query, reason) in cases {
        let (result, got, reply) = v1(&server, function, &format!("domain={zone}&{query}")).await;
        assert_eq!(
            (result, got.as_str()),
            (0, reason),
            "{function} {query}: {reply}"
        );
    }
    let long = "l".repeat(64);
    let (result, got, _) = v1(
        &server,
        "addzonerecord",
        &format!("domain={zone}&name={long}&type=A&address=192.0.2.1"),
    )
    .await;
    assert_eq!(
        (result, got),
        (0, format!("“{long}” is not a valid domain name."))
    );
    assert_eq!(
        records(&server, zone).await,
        before,
        "refusals change nothing"
    );
    // Removing every NS record would leave a zone BIND cannot load.
    let ns = line_of(&server, zone, "NS", "refuse.example.com.").await;
    let (result, _, _) = v1(
        &server,
        "removezonerecord",
        &format!("domain={zone}&line={ns}"),
    )
    .await;
    assert_eq!(result, 1);
    let before_last = records(&server, zone).await;
    let ns = line_of(&server, zone, "NS", "refuse.example.com.").await;
    let (result, reason, _) = v1(
        &server,
        "removezonerecord",
        &format!("domain={zone}&line={ns}"),
    )
    .await;
    assert_eq!(
        (result, reason.as_str()),
        (
            0,
            "The zone “refuse.example.com” must keep at least one NS record at its apex."
        )
    );
    assert_eq!(records(&server, zone).await, before_last);
    assert_ne!(before, before_last);
}

#[tokio::test]
async fn the_soa_is_edited_but_its_serial_is_the_zones() {
    let server = Server::start().await;
    let zone = "soa.example.com";
    adddns(&server, zone).await;
    let old = serial(&server, zone).await;
    let (result, _, reply) = v1(
        &server,
        "editzonerecord",
        &format!("domain={zone}&line=4&refresh=7200&rname=admin.soa.example.com&serial=1"),
    )
    .await;
    assert_eq!(result, 1, "{reply}");
    let soa = records(&server, zone)
        .await
        .into_iter()
        .find(|r| r["type"] == "SOA")
        .expect("soa");
    assert_eq!(
        (soa["refresh"].clone(), soa["rname"].clone()),
        (json!("7200"), json!("admin.soa.example.com"))
    );
    assert!(
        soa["serial"]
            .as_str()
            .expect("serial")
            .parse::<u64>()
            .expect("n")
            > old.parse::<u64>().expect("n")
    );
    let (result, reason, _) = v1(
        &server,
        "editzonerecord",
        &format!("domain={zone}&line=4&retry=soon"),
    )
    .await;
    assert_eq!(
        (result, reason.as_str()),
        (0, "Supplied retry for SOA record is out of range.")
    );
}

#[tokio::test]
async fn savemxs_replaces_every_mail_exchanger() {
    let server = Server::start().await;
    let zone = "mx.example.com";
    adddns(&server, zone).await;
    let (result, _, listed) = v1(&server, "listmxs", &format!("domain={zone}")).await;
    assert_eq!(result, 1);
    assert_eq!(listed["data"]["record"][0]["exchange"], "mx.example.com");
    let now = serial(&server, zone).await;
    let (result, _, reply) = v1(&server, "savemxs", &format!("domain={zone}&serialnum={now}&exchange-1=mx1.example.net&preference-1=10&exchange-2=mx2.example.net&preference-2=20&ttl-2=600")).await;
    assert_eq!(result, 1, "{reply}");
    let (_, _, listed) = v1(&server, "listmxs", &format!("domain={zone}")).await;
    let got: Vec<(String, String, String)> = listed["data"]["record"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| {
            (
                r["exchange"].as_str().unwrap_or("").into(),
                r["preference"].as_str().unwrap_or("").into(),
                r["ttl"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("mx1.example.net".into(), "10".into(), "14400".into()),
            ("mx2.example.net".into(), "20".into(), "600".into())
        ]
    );
    let (result, reason, _) = v1(
        &server,
        "savemxs",
        &format!("domain={zone}&serialnum={now}&exchange=mx3.example.net&preference=1"),
    )
    .await;
    assert_eq!(
        (result, reason.as_str()),
        (0, "Zone file changed since last read.")
    );
    let (result, reason, _) = v1(
        &server,
        "savemxs",
        &format!("domain={zone}&exchange=192.0.2.1&preference=1"),
    )
    .await;
    assert_eq!(
        (result, reason.as_str()),
        (0, "IP addresses are not allowable exchange values.")
    );
    let (result, _, none) = v1(&server, "savemxs", &format!("domain={zone}")).await;
    assert_eq!(result, 1, "no exchangers at all is allowed");
    let (_, _, listed) = v1(&server, "listmxs", &format!("domain={zone}")).await;
    assert!(listed.get("data").is_none(), "{listed} after {none}");
    let (result, reason, _) = v1(&server, "listmxs", "domain=absent.example.com").await;
    assert_eq!(
        (result, reason.as_str()),
        (0, "Failed to obtain MX records.")
    );
}
