//! Whole zones: adddns, listzones, dumpzone, killdns, resetzone, and the nameserver lookups.

use super::{adddns, records, serial};
use crate::accounts::{create, v1};
use crate::harness::Server;
use serde_json::json;

#[tokio::test]
async fn dumpzone_gives_every_line_in_whm_shapes() {
    let server = Server::start().await;
    adddns(&server, "shapes.example.com").await;
    let (result, reason, reply) = v1(&server, "dumpzone", "zone=shapes.example.com.db").await;
    assert_eq!((result, reason.as_str()), (1, "Zone Serialized"), "{reply}");
    let records = reply["data"]["zone"][0]["record"]
        .as_array()
        .expect("records");
    assert_eq!(records[0]["Line"], 1);
    assert_eq!(records[0]["type"], ":RAW");
    assert_eq!(records[0]["name"], "");
    assert!(records[0]["raw"].as_str().expect("raw").starts_with(';'));
    assert_eq!(
        records[2],
        json!({"Line": 3, "type": "$TTL", "ttl": "14400", "name": ""})
    );
    let soa = &records[3];
    assert_eq!(
        (soa["Line"].clone(), soa["Lines"].clone()),
        (json!(4), json!(7))
    );
    for (key, value) in [
        ("type", "SOA"),
        ("name", "shapes.example.com."),
        ("class", "IN"),
        ("ttl", "86400"),
        ("rname", "hostmaster.shapes.example.com"),
        ("refresh", "3600"),
        ("retry", "1800"),
        ("expire", "1209600"),
        ("minimum", "86400"),
    ] {
        assert_eq!(soa[key], value, "{key} in {soa}");
    }
    assert!(soa["serial"].as_str().expect("serial").ends_with("00"));
    assert_eq!(
        records[4],
        json!({"Line": 11, "type": ":RAW", "raw": "", "name": "", "ttl": "86400"})
    );
    let ns = &records[5];
    assert_eq!(ns["type"], "NS");
    assert!(ns["nsdname"].is_string());
    let of = |kind: &str, name: &str| {
        records
            .iter()
            .find(|r| r["type"] == kind && r["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{kind} {name}"))
    };
    assert_eq!(of("A", "shapes.example.com.")["address"], "192.0.2.10");
    let mx = of("MX", "shapes.example.com.");
    assert_eq!(
        (mx["preference"].clone(), mx["exchange"].clone()),
        (json!("0"), json!("shapes.example.com"))
    );
    for label in ["mail", "www", "ftp"] {
        assert_eq!(
            of("CNAME", &format!("{label}.shapes.example.com."))["cname"],
            "shapes.example.com"
        );
    }
}

#[tokio::test]
async fn adddns_refuses_with_whm_reasons_and_changes_nothing() {
    let server = Server::start().await;
    adddns(&server, "taken.example.com").await;
    let before = records(&server, "taken.example.com").await;
    for (query, reason) in [
        (
            "domain=bad_domain&ip=192.0.2.1",
            "Sorry, that's an invalid domain",
        ),
        (
            "domain=192.0.2.1&ip=192.0.2.1",
            "Sorry, that's an invalid domain",
        ),
        (
            "domain=a%0Ab.example.com&ip=192.0.2.1",
            "Sorry, that's an invalid domain",
        ),
        (
            "domain=whmd.test&ip=192.0.2.1",
            "Sorry, you can not add a DNS record for the system hostname.",
        ),
        (
            "domain=new.example.com&ip=300.1.1.1",
            "Sorry, the IP address appears to be invalid.",
        ),
        (
            "domain=new.example.com",
            "Sorry, the IP address appears to be invalid.",
        ),
        (
            "domain=new.example.com&ip=192.0.2.1&ipv6=zz",
            "Sorry, the IP address appears to be invalid.",
        ),
        (
            "domain=new.example.com&ip=192.0.2.1&template=..%2Fetc",
            "The zone template “../etc” does not exist.",
        ),
        (
            "domain=new.example.com&ip=192.0.2.1&trueowner=nobody",
            "You do not have access to an account named “nobody”.",
        ),
    ] {
        let (result, got, reply) = v1(&server, "adddns", query).await;
        assert_eq!((result, got.as_str()), (0, reason), "{query}: {reply}");
    }
    let (result, _, listed) = v1(&server, "listzones", "").await;
    assert_eq!(result, 1);
    assert_eq!(
        listed["data"]["zone"],
        json!([{"domain": "taken.example.com", "zonefile": "taken.example.com.db"}])
    );
    assert_eq!(records(&server, "taken.example.com").await, before);
}

#[tokio::test]
async fn a_reseller_cannot_take_or_see_another_users_zone() {
    let server = Server::start().await;
    adddns(&server, "roots.example.com").await;
    let reseller = server
        .reseller(
            "dnsres",
            &[
                whmd_wire::Acl::CREATE_DNS,
                whmd_wire::Acl::MANAGE_DNS_RECORDS,
                whmd_wire::Acl::KILL_DNS,
            ],
        )
        .await;
    let taken = server
        .call_as(
            &reseller,
            "adddns",
            "api.version=1&domain=roots.example.com&ip=192.0.2.1",
        )
        .await;
    assert_eq!(
        taken["metadata"]["reason"],
        "Sorry, the domain roots.example.com is owned by another user (root)"
    );
    for (function, query) in [
        ("dumpzone", "domain=roots.example.com"),
        ("killdns", "domain=roots.example.com"),
    ] {
        let reply = server
            .call_as(&reseller, function, &format!("api.version=1&{query}"))
            .await;
        assert_eq!(
            reply["metadata"]["reason"], "Zone does not exist.",
            "{function}"
        );
    }
    let own = server
        .call_as(
            &reseller,
            "adddns",
            "api.version=1&domain=mine.example.com&ip=192.0.2.1",
        )
        .await;
    assert_eq!(
        own["metadata"]["reason"],
        "Added mine.example.com ok belonging to user dnsres"
    );
    let again = server
        .call_as(
            &reseller,
            "adddns",
            "api.version=1&domain=mine.example.com&ip=192.0.2.1",
        )
        .await;
    assert_eq!(
        again["metadata"]["reason"],
        "Sorry, a DNS entry for mine.example.com already exists"
    );
    // An account's domain stays its owner's after its zone is gone.
    create(&server, "other", "").await;
    let (result, _, _) = v1(&server, "killdns", "domain=other.example.com").await;
    assert_eq!(result, 1);
    let hijack = server
        .call_as(
            &reseller,
            "adddns",
            "api.version=1&domain=other.example.com&ip=192.0.2.1",
        )
        .await;
    assert_eq!(
        hijack["metadata"]["reason"],
        "Sorry, the domain other.example.com is owned by another user (other)"
    );
    // Nor may it take over a name inside another's domain or zone.
    for (domain, owner) in [
        ("www2.other.example.com", "other"),
        ("sub.roots.example.com", "root"),
    ] {
        let inside = server
            .call_as(
                &reseller,
                "adddns",
                &format!("api.version=1&domain={domain}&ip=192.0.2.1"),
            )
            .await;
        assert_eq!(
            inside["metadata"]["reason"],
            format!("Sorry, the domain {domain} is owned by another user ({owner})")
        );
    }
    let listed = server
        .call_as(&reseller, "listzones", "api.version=1")
        .await;
    assert_eq!(
        listed["data"]["zone"],
        json!([
            {"domain": "dnsres.example.com", "zonefile": "dnsres.example.com.db"},
            {"domain": "mine.example.com", "zonefile": "mine.example.com.db"},
        ]),
        "its own account's zone and the one it added"
    );
}

#[tokio::test]
async fn listzones_without_zones_has_no_data_and_killdns_removes_one() {
    let server = Server::start().await;
    let (result, _, empty) = v1(&server, "listzones", "").await;
    assert_eq!(result, 1);
    assert!(empty.get("data").is_none(), "{empty}");
    adddns(&server, "gone.example.com").await;
    let (result, reason, _) = v1(&server, "killdns", "").await;
    assert_eq!((result, reason.as_str()), (0, "A domain is required."));
    let (result, _, killed) = v1(&server, "killdns", "domain=gone.example.com").await;
    assert_eq!(result, 1, "{killed}");
    assert!(
        killed["metadata"]["output"]["raw"]
            .as_str()
            .expect("raw")
            .contains("gone.example.com")
    );
    let (result, reason, _) = v1(&server, "dumpzone", "domain=gone.example.com").await;
    assert_eq!((result, reason.as_str()), (0, "Zone does not exist."));
    let (result, reason, _) = v1(&server, "dumpzone", "").await;
    assert_eq!(
        (result, reason.as_str()),
        (0, "You must specify a zone to dump.")
    );
}

#[tokio::test]
async fn resetzone_rebuilds_from_the_template_with_a_later_serial() {
    let server = Server::start().await;
    adddns(&server, "reset.example.com").await;
    let first = serial(&server, "reset.example.com").await;
    let (result, _, _) = v1(
        &server,
        "addzonerecord",
        "domain=reset.example.com&name=extra&type=A&address=192.0.2.77",
    )
    .await;
    assert_eq!(result, 1);
    let (result, _, reply) = v1(&server, "resetzone", "domain=reset.example.com").await;
    assert_eq!(result, 1, "{reply}");
    let after = records(&server, "reset.example.com").await;
    assert!(
        !after
            .iter()
            .any(|r| r["name"] == "extra.reset.example.com.")
    );
    assert!(
        after
            .iter()
            .any(|r| r["type"] == "A" && r["address"] == "192.0.2.10"),
        "the zone's own address is kept"
    );
    let now: u64 = serial(&server, "reset.example.com")
        .await
        .parse()
        .expect("number");
    assert!(now > first.parse::<u64>().expect("number") + 1);
}

#[tokio::test]
async fn nameservers_are_configured_and_served_names_resolve_without_the_network() {
    let server = Server::start().await;
    let (result, _, config) = v1(&server, "get_nameserver_config", "").await;
    assert_eq!(result, 1);
    assert_eq!(
        config["data"]["nameservers"],
        json!(["ns1.test", "ns2.test"])
    );
    adddns(&server, "served.example.com").await;
    let (result, _, reply) = v1(
        &server,
        "addzonerecord",
        "domain=served.example.com&name=ns1&type=A&address=192.0.2.53",
    )
    .await;
    assert_eq!(result, 1, "{reply}");
    let (result, _, found) = v1(&server, "lookupnsip", "host=ns1.served.example.com").await;
    assert_eq!(result, 1, "{found}");
    assert_eq!(found["data"]["ip"], "192.0.2.53");
    let (result, reason, _) = v1(&server, "lookupnsip", "host=bad%20name").await;
    assert_eq!(
        (result, reason.as_str()),
        (0, "“bad name” is not a valid host name.")
    );
}

#[tokio::test]
async fn each_template_gives_its_records() {
    let server = Server::start().await;
    let kinds = |records: &[serde_json::Value], name: &str| -> Vec<String> {
        records
            .iter()
            .filter(|r| r["name"] == name)
            .map(|r| r["type"].as_str().unwrap_or("").to_owned())
            .collect()
    };
    for (template, apex, ftp, mail) in [
        (
            "standard",
            vec!["SOA", "NS", "NS", "A", "MX"],
            vec!["CNAME"],
            vec!["CNAME"],
        ),
        ("simple", vec!["SOA", "NS", "NS", "A"], vec![], vec![]),
        (
            "standardvirtualftp",
            vec!["SOA", "NS", "NS", "A", "MX"],
            vec!["A"],
            vec!["CNAME"],
        ),
    ] {
        let domain = format!("{template}.example.com");
        let (result, _, reply) = v1(
            &server,
            "adddns",
            &format!("domain={domain}&ip=192.0.2.10&template={template}"),
        )
        .await;
        assert_eq!(result, 1, "{reply}");
        let records = records(&server, &domain).await;
        assert_eq!(kinds(&records, &format!("{domain}.")), apex, "{template}");
        assert_eq!(
            kinds(&records, &format!("ftp.{domain}.")),
            ftp,
            "{template}"
        );
        assert_eq!(
            kinds(&records, &format!("mail.{domain}.")),
            mail,
            "{template}"
        );
        assert_eq!(
            kinds(&records, &format!("www.{domain}.")),
            ["CNAME"],
            "{template}"
        );
    }
    let (result, _, reply) = v1(
        &server,
        "adddns",
        "domain=six.example.com&ip=192.0.2.10&ipv6=2001:db8::6",
    )
    .await;
    assert_eq!(result, 1, "{reply}");
    let records = records(&server, "six.example.com").await;
    assert!(
        records
            .iter()
            .any(|r| r["type"] == "AAAA" && r["address"] == "2001:db8::6")
    );
}

#[tokio::test]
async fn api0_forms() {
    let server = Server::start().await;
    let added = server
        .call("adddns", "domain=old.example.com&ip=192.0.2.10")
        .await;
    assert_eq!(
        added,
        json!({"result": [{"status": 1, "statusmsg": "Added old.example.com ok belonging to user root"}]})
    );
    let dumped = server.call("dumpzone", "domain=old.example.com").await;
    assert_eq!(dumped["result"][0]["status"], 1);
    assert_eq!(dumped["result"][0]["statusmsg"], "Zone Serialized");
    assert_eq!(dumped["result"][0]["record"][3]["type"], "SOA");
    assert_eq!(dumped["result"][0]["record"][3]["Lines"], 7);
    let listed = server.call("listzones", "").await;
    assert_eq!(
        listed,
        json!({"zone": [{"domain": "old.example.com", "zonefile": "old.example.com.db"}]})
    );
    let record = server
        .call(
            "addzonerecord",
            "domain=old.example.com&name=v0&type=A&address=192.0.2.11",
        )
        .await;
    assert_eq!(record["result"][0]["status"], 1, "{record}");
    let missing = server.call("dumpzone", "domain=none.example.com").await;
    assert_eq!(
        missing,
        json!({"result": [{"status": 0, "statusmsg": "Zone does not exist."}]})
    );
    let killed = server.call("killdns", "domain=old.example.com").await;
    assert_eq!(killed["result"][0]["status"], 1, "{killed}");
    assert!(killed["result"][0]["rawout"].is_string());
}
