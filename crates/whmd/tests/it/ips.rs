//! IP addresses: the pool (addip, addips, delip, listips), dedicated addresses for packages
//! with IP=y, setsiteip with its zone, and the hosting listings billing systems call
//! (list_users, get_domain_info).

use crate::accounts::{create, v1};
use crate::harness::Server;
use serde_json::{Value, json};
use whmd_wire::Acl;

async fn listed(server: &Server) -> Vec<Value> {
    let (result, _, reply) = v1(server, "listips", "").await;
    assert_eq!(result, 1, "{reply}");
    reply["data"]["ip"].as_array().expect("ip").clone()
}

fn addresses(list: &[Value]) -> Vec<&str> {
    list.iter().map(|r| r["ip"].as_str().expect("ip")).collect()
}

async fn a_records(server: &Server, domain: &str) -> Vec<String> {
    let (_, _, reply) = v1(server, "dumpzone", &format!("domain={domain}")).await;
    reply["data"]["zone"][0]["record"]
        .as_array()
        .expect("records")
        .iter()
        .filter(|r| r["type"] == "A")
        .map(|r| r["address"].as_str().expect("address").to_owned())
        .collect()
}

#[tokio::test]
async fn the_pool_is_added_listed_and_removed() {
    let server = Server::start().await;
    // Only the main address at first.
    let first = listed(&server).await;
    assert_eq!(
        first,
        vec![
            json!({"active": 1, "dedicated": 0, "if": "", "ip": "127.0.0.1", "mainaddr": 1,
            "netmask": "255.255.255.255", "network": "127.0.0.1", "public_ip": "127.0.0.1",
            "removable": 0, "used": 1})
        ]
    );
    let (result, reason, reply) = v1(
        &server,
        "addips",
        "ips=198.51.100.20/30&netmask=255.255.255.0&excludes=198.51.100.22",
    )
    .await;
    assert_eq!((result, reason.as_str()), (1, "Success"), "{reply}");
    assert_eq!(
        reply["metadata"]["output"]["messages"],
        json!(["198.51.100.21/255.255.255.0 has been added."])
    );
    // API 0 addip, one address, with its interface.
    let added = server
        .call(
            "addip",
            "ip=198.51.100.9&netmask=255.255.255.0&ethernetdev=eth0",
        )
        .await;
    assert_eq!(added["addip"][0]["status"], 1, "{added}");
    let list = listed(&server).await;
    assert_eq!(
        addresses(&list),
        vec!["127.0.0.1", "198.51.100.9", "198.51.100.21"],
        "main first, then address order"
    );
    assert_eq!(list[1]["if"], "eth0");
    assert_eq!(list[1]["network"], "198.51.100.0");
    assert_eq!(
        (list[1]["used"].clone(), list[1]["removable"].clone()),
        (json!(0), json!(1))
    );
    // API 0 listips.
    let v0 = server.call("listips", "").await;
    assert_eq!(v0["result"].as_array().map(Vec::len), Some(3), "{v0}");

    let (result, reason, _) = v1(&server, "delip", "ip=198.51.100.9").await;
    assert_eq!(
        (result, reason.as_str()),
        (1, "198.51.100.9 has been removed")
    );
    let v0 = server.call("delip", "ip=198.51.100.21").await;
    assert_eq!(v0["delip"][0]["status"], 1, "{v0}");
    assert_eq!(addresses(&listed(&server).await), vec!["127.0.0.1"]);
}

#[tokio::test]
async fn bad_addresses_are_refused_and_change_nothing() {
    let server = Server::start().await;
    v1(&server, "addip", "ip=198.51.100.5&netmask=255.255.255.0").await;
    let before = listed(&server).await;
    for (function, query, reason) in [
        (
            "addip",
            "ip=300.1.1.1&netmask=255.255.255.0",
            "“300.1.1.1” is not a valid IPv4 address.",
        ),
        (
            "addip",
            "ip=127.0.0.5&netmask=255.255.255.0",
            "“127.0.0.5” is not a valid IPv4 address.",
        ),
        (
            "addip",
            "ip=198.51.100.6&netmask=255.0.255.0",
            "The netmask “255.0.255.0” is not valid.",
        ),
        (
            "addip",
            "ip=198.51.100.6",
            "Provide the “netmask” parameter.",
        ),
        (
            "addip",
            "ip=198.51.100.5&netmask=255.255.255.0",
            "The IP address “198.51.100.5” is already on this server.",
        ),
        (
            "addip",
            "ip=127.0.0.1&netmask=255.255.255.0",
            "“127.0.0.1” is not a valid IPv4 address.",
        ),
        (
            "addips",
            "ips=198.51.100.0/23&netmask=255.255.255.0",
            "The range mask must be from 24 through 30.",
        ),
        (
            "addips",
            "ips=198.51.100.4/30&netmask=255.255.255.0",
            "The IP address “198.51.100.5” is already on this server.",
        ),
        (
            "addips",
            "ips=a.b.c.d&netmask=255.255.255.0",
            "“a.b.c.d” is not a valid IPv4 address or range.",
        ),
        (
            "delip",
            "ip=198.51.100.77",
            "The IP address “198.51.100.77” is not on this server.",
        ),
        (
            "delip",
            "ip=127.0.0.1",
            "The server’s main IP address cannot be removed.",
        ),
        ("delip", "ip=nope", "“nope” is not a valid IPv4 address."),
        (
            "setsiteip",
            "user=nobody&ip=198.51.100.5",
            "“nobody” is not an account or a domain on this server.",
        ),
        (
            "setsiteip",
            "ip=198.51.100.5",
            "You must specify a user or a domain.",
        ),
    ] {
        let (result, got, _) = v1(&server, function, query).await;
        assert_eq!((result, got.as_str()), (0, reason), "{function} {query}");
    }
    create(&server, "siteuser", "").await;
    let (result, got, _) = v1(&server, "setsiteip", "user=siteuser&ip=203.0.113.9").await;
    assert_eq!(
        (result, got.as_str()),
        (
            0,
            "The IP address “203.0.113.9” is not an address of this server."
        )
    );
    assert_eq!(listed(&server).await, before, "nothing changed");
}

#[tokio::test]
async fn packages_with_a_dedicated_address_take_one_from_the_pool() {
    let server = Server::start().await;
    v1(&server, "addpkg", "name=dedicated&ip=1").await;
    // An empty pool: refused, nothing made.
    let (result, reason, _) = v1(
        &server,
        "createacct",
        "username=noip&domain=noip.example.com&password=Pw-noip-123&plan=dedicated",
    )
    .await;
    assert_eq!(
        (result, reason.as_str()),
        (0, "There are no dedicated IP addresses available.")
    );
    v1(
        &server,
        "addips",
        "ips=198.51.100.40/30&netmask=255.255.255.0",
    )
    .await;
    let made = create(&server, "dedione", "&plan=dedicated").await;
    assert_eq!(made["data"]["ip"], "198.51.100.41", "{made}");
    assert_eq!(
        a_records(&server, "dedione.example.com").await[0],
        "198.51.100.41"
    );
    create(&server, "deditwo", "&ip=y").await;
    let list = listed(&server).await;
    let used: Vec<(&str, &Value)> = list
        .iter()
        .map(|r| (r["ip"].as_str().unwrap_or(""), &r["used"]))
        .collect();
    assert_eq!(
        used,
        vec![
            ("127.0.0.1", &json!(1)),
            ("198.51.100.41", &json!(1)),
            ("198.51.100.42", &json!(1))
        ]
    );
    // A held address cannot be removed; the pool is spent.
    let (result, reason, _) = v1(&server, "delip", "ip=198.51.100.41").await;
    assert_eq!(
        (result, reason.as_str()),
        (
            0,
            "The IP address “198.51.100.41” is in use by the account “dedione”."
        )
    );
    let (result, reason, _) = v1(
        &server,
        "createacct",
        "username=dedithree&domain=dedithree.example.com&password=Pw-d3-1234&ip=y",
    )
    .await;
    assert_eq!(
        (result, reason.as_str()),
        (0, "There are no dedicated IP addresses available.")
    );
    // changepackage to the package moves a shared account to a free address, zone and all.
    v1(&server, "addip", "ip=198.51.100.60&netmask=255.255.255.0").await;
    create(&server, "sharedone", "").await;
    let (result, reason, _) = v1(&server, "changepackage", "user=sharedone&pkg=dedicated").await;
    assert_eq!(result, 1, "{reason}");
    let summary = server
        .call("accountsummary", "api.version=1&user=sharedone")
        .await;
    assert_eq!(summary["data"]["acct"][0]["ip"], "198.51.100.60");
    assert_eq!(
        a_records(&server, "sharedone.example.com").await[0],
        "198.51.100.60"
    );
    // Removing the account frees its address.
    v1(&server, "removeacct", "user=dedione").await;
    let (result, ..) = v1(&server, "delip", "ip=198.51.100.41").await;
    assert_eq!(result, 1);
}

#[tokio::test]
async fn setsiteip_moves_an_account_and_its_zone() {
    let server = Server::start().await;
    v1(&server, "addip", "ip=198.51.100.70&netmask=255.255.255.0").await;
    create(&server, "mover", "").await;
    create(&server, "other", "").await;
    assert_eq!(
        a_records(&server, "mover.example.com").await[0],
        "127.0.0.1"
    );
    // FOSSBilling and BoxBilling name the domain, ClientExec the user.
    let (result, reason, _) = v1(
        &server,
        "setsiteip",
        "domain=mover.example.com&ip=198.51.100.70",
    )
    .await;
    assert_eq!((result, reason.as_str()), (1, "OK"));
    let records = a_records(&server, "mover.example.com").await;
    assert!(records.iter().all(|a| a == "198.51.100.70"), "{records:?}");
    // Another account may not take it.
    let (result, reason, _) = v1(&server, "setsiteip", "user=other&ip=198.51.100.70").await;
    assert_eq!(
        (result, reason.as_str()),
        (0, "The IP address “198.51.100.70” is already in use.")
    );
    // API 0, by user, back to the main address.
    let v0 = server.call("setsiteip", "user=mover&ip=127.0.0.1").await;
    assert_eq!(v0["result"][0]["status"], 1, "{v0}");
    assert_eq!(
        a_records(&server, "mover.example.com").await[0],
        "127.0.0.1"
    );
    let (result, ..) = v1(&server, "setsiteip", "user=other&ip=198.51.100.70").await;
    assert_eq!(result, 1, "free again");
}

#[tokio::test]
async fn list_users_and_get_domain_info_show_what_the_caller_may_see() {
    let server = Server::start().await;
    let reseller = server
        .reseller("hostres", &[Acl::LIST_ACCTS, Acl::CREATE_ACCT])
        .await;
    create(&server, "rootowned", "").await;
    let made = server
        .call_as(
            &reseller,
            "createacct",
            "api.version=1&username=resowned&domain=resowned.example.com&password=Pw-res-1234",
        )
        .await;
    assert_eq!(made["metadata"]["result"], 1, "{made}");
    let (_, _, all) = v1(&server, "list_users", "").await;
    assert_eq!(
        all["data"],
        json!({"users": ["hostres", "resowned", "root", "rootowned"]})
    );
    let mine = server
        .call_as(&reseller, "list_users", "api.version=1")
        .await;
    assert_eq!(mine["data"], json!({"users": ["hostres", "resowned"]}));
    let (_, _, info) = v1(&server, "get_domain_info", "").await;
    let first = &info["data"]["domains"][0];
    assert_eq!(
        first,
        &json!({"docroot": "/home/hostres/public_html", "domain": "hostres.example.com",
            "domain_type": "main", "ipv4": "127.0.0.1", "ipv4_ssl": "127.0.0.1", "ipv6": null,
            "ipv6_is_dedicated": 0, "parent_domain": "hostres.example.com", "port": "80",
            "port_ssl": "443", "user": "hostres", "user_owner": "root"})
    );
    let theirs = server
        .call_as(
            &reseller,
            "get_domain_info",
            "api.version=1&api.columns.enable=1&api.columns.a=domain",
        )
        .await;
    assert_eq!(
        theirs["data"]["domains"],
        json!([{"domain": "hostres.example.com"}, {"domain": "resowned.example.com"}])
    );
}

#[tokio::test]
async fn racing_creates_each_get_a_free_address() {
    // Each picks the first free address; those that lose it to another take the next.
    let server = Server::start().await;
    v1(
        &server,
        "addips",
        "ips=198.51.100.80/29&netmask=255.255.255.0",
    )
    .await;
    let creates = (0..6).map(|i| {
        let server = &server;
        async move {
            server
                .call(
                    "createacct",
                    &format!(
                        "api.version=1&username=racer{i}&domain=racer{i}.example.com&password=Pw-racer-{i}1&ip=y"
                    ),
                )
                .await
        }
    });
    let replies = futures::future::join_all(creates).await;
    let mut given: Vec<String> = replies
        .iter()
        .map(|r| {
            assert_eq!(r["metadata"]["result"], 1, "{r}");
            r["data"]["ip"].as_str().expect("ip").to_owned()
        })
        .collect();
    given.sort();
    given.dedup();
    assert_eq!(given.len(), 6, "six different addresses: {given:?}");
}
