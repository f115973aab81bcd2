//! listaccts under output controls. Whether the store runs them (simple text filters and
//! sorts, and the page) or the generic pass over every record does, the answer must be what
//! the generic pass makes of the full listing: the same records in the same order, and the
//! same metadata.

use crate::accounts::create;
use crate::harness::Server;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use whmd_domain::reseller::Reseller;
use whmd_domain::store::AccountChange;
use whmd_wire::{Acl, AclSet, Args};

/// Each is run as given and checked against the generic pass over the listing without its
/// `api.*` arguments.
const QUERIES: &[&str] = &[
    // Run in the store.
    "api.filter.enable=1&api.filter.verbose=1&api.filter.a.field=domain&api.filter.a.type=contains&api.filter.a.arg0=E\
     &api.sort.enable=1&api.sort.verbose=1&api.sort.a.field=domain&api.sort.a.reverse=1\
     &api.chunk.enable=1&api.chunk.verbose=1&api.chunk.size=2&api.chunk.start=2",
    "api.filter.enable=1&api.filter.a.field=user&api.filter.a.type=begins&api.filter.a.arg0=EQ\
     &api.sort.enable=1&api.sort.a.field=owner&api.sort.b.field=user&api.sort.b.reverse=1",
    "api.filter.enable=1&api.filter.verbose=1&api.filter.a.field=owner&api.filter.a.type=eq&api.filter.a.arg0=root\
     &api.chunk.enable=1&api.chunk.verbose=1&api.chunk.select=2&api.chunk.size=3",
    "api.chunk.enable=1&api.chunk.verbose=1&api.chunk.start=1000&api.chunk.size=3",
    "api.filter.enable=1&api.filter.verbose=1&api.filter.a.field=domain&api.filter.a.type=bogus&api.filter.a.arg0=x\
     &api.sort.enable=1&api.sort.verbose=1&api.sort.a.field=ip&api.sort.a.method=alphabet",
    "api.filter.enable=1&api.filter.a.field=domain&api.filter.a.type=eq&api.filter.a.arg0=",
    "api.filter.enable=1&api.filter.a.field=domain&api.filter.a.arg0=%25",
    "want=user,domain&api.filter.enable=1&api.filter.a.field=domain&api.filter.a.arg0=y\
     &api.sort.enable=1&api.sort.a.field=user&api.sort.a.reverse=1",
    "api.filter.enable=1&api.filter.a.field=domain&api.filter.a.arg0=e\
     &api.filter.b.field=user&api.filter.b.type=contains&api.filter.b.arg0=Y&api.chunk.enable=1&api.chunk.size=1",
    // Beyond the store: every record, then the generic pass.
    "api.filter.enable=1&api.filter.a.field=uid&api.filter.a.type=gt&api.filter.a.arg0=1000\
     &api.sort.enable=1&api.sort.a.field=uid&api.sort.a.method=numeric",
    "api.columns.enable=1&api.columns.a=user&api.filter.enable=1&api.filter.a.field=domain&api.filter.a.arg0=e",
    "want=user,domain&api.filter.enable=1&api.filter.a.field=owner&api.filter.a.type=eq&api.filter.a.arg0=root",
    "api.filter.enable=1&api.filter.a.field=domain&api.filter.a.arg0=%C3%A9",
    "api.filter.enable=1&api.filter.a.field=*&api.filter.a.arg0=amy",
    "api.sort.enable=1&api.sort.a.field=nosuch&api.chunk.enable=1&api.chunk.size=2",
    "api.sort.enable=1&api.sort.a.field=user&api.sort.a.method=lexicographic_caseless",
];

async fn listaccts(server: &Server, auth: &str, query: &str) -> Value {
    let url = server.http(&format!("/json-api/listaccts?api.version=1&{query}"));
    let answer = server.send(Method::GET, url, Some(auth), None, None).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    answer.json()
}

#[tokio::test]
async fn controls_run_in_the_store_answer_as_the_generic_pass() {
    let server = Server::start().await;
    create(&server, "pdres", "&reseller=1").await;
    let stores = server.store().await;
    let mut reseller = stores
        .accounts
        .account("pdres")
        .await
        .expect("read")
        .expect("exists");
    reseller.reseller = Some(Reseller::new(
        [Acl::LIST_ACCTS].into_iter().collect::<AclSet>(),
    ));
    stores
        .accounts
        .change(&AccountChange::update("pdres", reseller.clone(), vec![]))
        .await
        .expect("grant list-accts");
    for (user, extra) in [
        ("zed", ""),
        ("amy", "&owner=pdres"),
        ("bo7", ""),
        ("cy", "&owner=pdres"),
        ("dee", ""),
        ("eq1", ""),
        ("eq2", "&owner=pdres"),
        ("fay", ""),
        ("yve", "&owner=pdres"),
    ] {
        create(&server, user, extra).await;
    }
    let reseller = format!("Basic {}", STANDARD.encode("pdres:Secret-pdres-1"));
    for auth in [server.root_auth(), reseller] {
        for query in QUERIES {
            let got = listaccts(&server, &auth, query).await;
            let mut args = Args::from_form(query.as_bytes(), b"").expect("a query");
            let meta = args.take_meta();
            let plain: Vec<String> = args
                .iter()
                .map(|(k, v)| format!("{k}={}", v.unwrap_or_default()))
                .collect();
            let full = listaccts(&server, &auth, &plain.join("&")).await;
            let mut data = full["data"]
                .as_object()
                .cloned()
                .unwrap_or_else(|| panic!("{full}"));
            let controls = whmd_wire::output::apply(&meta, &mut data, Some("acct"));
            assert_eq!(got["data"], Value::Object(data), "data for {query}");
            for key in ["filter", "sort", "chunk", "columns"] {
                assert_eq!(
                    got["metadata"].get(key),
                    controls.get(key),
                    "metadata.{key} for {query}"
                );
            }
            assert_eq!(got["metadata"]["result"], 1, "{query}");
        }
    }
}

/// More accounts than the store hands out at a time, so listings span several batches and
/// sorts and pages fetch their records back.
const MANY: usize = 1_234;

#[tokio::test]
async fn listings_longer_than_a_batch_are_whole_and_exact() {
    let server = Server::start().await;
    create(&server, "mbres", "&reseller=1").await;
    let template = server
        .store()
        .await
        .accounts
        .account("mbres")
        .await
        .expect("read")
        .expect("exists");
    let stores = server.store().await;
    let mut reseller = template.clone();
    reseller.reseller = Some(Reseller::new(
        [Acl::LIST_ACCTS].into_iter().collect::<AclSet>(),
    ));
    stores
        .accounts
        .change(&AccountChange::update("mbres", reseller, vec![]))
        .await
        .expect("grant list-accts");
    let writes = (0..MANY).map(|i| {
        let mut account = template.clone();
        account.user = format!("m{:04}", (i * 7) % MANY);
        account.domain = format!("{}.example.org", account.user);
        account.homedir = format!("/home/{}", account.user);
        account.uid = 0;
        account.owner = if i % 3 == 0 { "mbres" } else { "root" }.to_owned();
        account.reseller = None;
        account.cpuser.insert("MAXPOP".into(), (i % 11).to_string());
        let user = account.user.clone();
        let entry = whmd_domain::account::AccountingEntry::new(0, "CREATE", "root", vec![user]);
        let stores = stores.clone();
        async move {
            stores
                .accounts
                .change(&AccountChange::create(account, "$p", entry))
                .await
                .expect("created");
        }
    });
    futures::future::join_all(writes).await;

    let everything = listaccts(&server, &server.root_auth(), "").await;
    let users: Vec<&str> = everything["data"]["acct"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| r["user"].as_str().expect("a user"))
        .collect();
    assert_eq!(users.len(), MANY + 1, "every account once");
    assert!(users.windows(2).all(|w| w[0] < w[1]), "in username order");
    let reseller = format!("Basic {}", STANDARD.encode("mbres:Secret-mbres-1"));
    let owned = listaccts(&server, &reseller, "want=user,owner").await;
    let owned = owned["data"]["acct"].as_array().expect("records");
    assert_eq!(owned.len(), MANY.div_ceil(3));
    assert!(owned.iter().all(|r| r["owner"] == "mbres"));

    // The generic pass over the whole listing decides: sorts and pages fetch their records
    // back by position, across batches.
    for query in [
        "api.sort.enable=1&api.sort.a.field=maxpop&api.sort.a.method=numeric&api.sort.a.reverse=1\
         &api.chunk.enable=1&api.chunk.verbose=1&api.chunk.size=250&api.chunk.select=3",
        "api.columns.enable=1&api.columns.a=user&api.columns.b=maxpop\
         &api.filter.enable=1&api.filter.verbose=1&api.filter.a.field=maxpop&api.filter.a.type=gt&api.filter.a.arg0=5",
        "api.filter.enable=1&api.filter.a.field=*&api.filter.a.arg0=m00\
         &api.sort.enable=1&api.sort.verbose=1&api.sort.a.field=uid&api.sort.a.method=numeric",
        "search=m1.*&searchtype=user&api.chunk.enable=1&api.chunk.verbose=1&api.chunk.size=100&api.chunk.start=150",
        // Simple enough for the store, but a page too long to read whole: streamed instead.
        "api.filter.enable=1&api.filter.verbose=1&api.filter.a.field=domain&api.filter.a.arg0=1\
         &api.sort.enable=1&api.sort.a.field=domain&api.sort.a.reverse=1\
         &api.chunk.enable=1&api.chunk.verbose=1&api.chunk.size=1001",
        "api.sort.enable=1&api.sort.a.field=owner&api.sort.b.field=user&api.sort.b.reverse=1",
    ] {
        let got = listaccts(&server, &server.root_auth(), query).await;
        let mut args = Args::from_form(query.as_bytes(), b"").expect("a query");
        let meta = args.take_meta();
        let plain: Vec<String> = args
            .iter()
            .map(|(k, v)| format!("{k}={}", v.unwrap_or_default()))
            .collect();
        let full = listaccts(&server, &server.root_auth(), &plain.join("&")).await;
        let mut data = full["data"].as_object().cloned().expect("data");
        let controls = whmd_wire::output::apply(&meta, &mut data, Some("acct"));
        assert_eq!(got["data"], Value::Object(data), "data for {query}");
        for key in ["filter", "sort", "chunk", "columns"] {
            assert_eq!(
                got["metadata"].get(key),
                controls.get(key),
                "metadata.{key} for {query}"
            );
        }
    }
    // Lists in another order than the store's are sorted by key, not built whole.
    let users = server.call("list_users", "api.version=1").await;
    let users: Vec<&str> = users["data"]["users"]
        .as_array()
        .expect("users")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(users.len(), MANY + 2, "every account and root");
    assert!(users.windows(2).all(|w| w[0] < w[1]) && users.contains(&"root"));
    let info = server.call("get_domain_info", "api.version=1").await;
    let domains: Vec<&str> = info["data"]["domains"]
        .as_array()
        .expect("domains")
        .iter()
        .filter_map(|d| d["domain"].as_str())
        .collect();
    assert_eq!(domains.len(), MANY + 1);
    assert!(domains.windows(2).all(|w| w[0] < w[1]), "by domain");
    let paged = server
        .call(
            "get_domain_info",
            "api.version=1&api.chunk.enable=1&api.chunk.size=10&api.chunk.select=3",
        )
        .await;
    let page: Vec<&str> = paged["data"]["domains"]
        .as_array()
        .expect("a page")
        .iter()
        .filter_map(|d| d["domain"].as_str())
        .collect();
    assert_eq!(page, domains[20..30], "a page fetched back in domain order");
    // API 0 and XML carry the same listing.
    let url = server.http("/json-api/listaccts?want=user");
    let api0 = server
        .send(Method::GET, url, Some(&server.root_auth()), None, None)
        .await;
    assert_eq!(api0.json()["acct"].as_array().map(Vec::len), Some(MANY + 1));
    let url = server.http("/xml-api/listaccts?api.version=1&want=user");
    let xml = server
        .send(Method::GET, url, Some(&server.root_auth()), None, None)
        .await;
    assert_eq!(xml.text.matches("<acct><user>").count(), MANY + 1);
    assert!(
        xml.text.ends_with("</metadata></result>"),
        "{}",
        &xml.text[xml.text.len() - 100..]
    );
}
