//! The zones accounts get: createacct makes one, modifyacct moves it with the domain,
//! removeacct removes it unless `keepdns`, and a taken zone stops createacct.

use super::{adddns, records};
use crate::accounts::{create, v1};
use crate::harness::Server;

#[tokio::test]
async fn an_accounts_zone_follows_its_domain_and_goes_with_it() {
    let server = Server::start().await;
    create(&server, "zoned", "").await;
    let made = records(&server, "zoned.example.com").await;
    assert!(made.iter().any(|r| r["type"] == "A"
        && r["name"] == "zoned.example.com."
        && r["address"] == "127.0.0.1"));
    let listed = server.call("listzones", "api.version=1").await;
    assert_eq!(listed["data"]["zone"][0]["domain"], "zoned.example.com");

    let (result, _, reply) = v1(&server, "modifyacct", "user=zoned&DNS=zoned.example.org").await;
    assert_eq!(result, 1, "{reply}");
    let (result, reason, _) = v1(&server, "dumpzone", "domain=zoned.example.com").await;
    assert_eq!((result, reason.as_str()), (0, "Zone does not exist."));
    let moved = records(&server, "zoned.example.org").await;
    assert!(moved.iter().any(|r| r["type"] == "CNAME"
        && r["name"] == "www.zoned.example.org."
        && r["cname"] == "zoned.example.org"));
    assert!(
        moved
            .iter()
            .all(|r| !r.to_string().contains("zoned.example.com.")),
        "{moved:?}"
    );

    let (result, _, _) = v1(&server, "removeacct", "user=zoned").await;
    assert_eq!(result, 1);
    let (result, reason, _) = v1(&server, "dumpzone", "domain=zoned.example.org").await;
    assert_eq!((result, reason.as_str()), (0, "Zone does not exist."));
}

#[tokio::test]
async fn a_zone_in_the_way_stops_createacct_unless_root_forces_it() {
    let server = Server::start().await;
    adddns(&server, "inway.example.com").await;
    let (result, reason, _) = v1(
        &server,
        "createacct",
        "username=inway&domain=inway.example.com&password=Secret-inway-1",
    )
    .await;
    assert_eq!(result, 0);
    assert_eq!(
        reason,
        "A DNS entry for “inway.example.com” already exists. You must remove this DNS entry from all servers in the DNS cluster to proceed."
    );
    assert!(
        server
            .store()
            .await
            .accounts
            .account("inway")
            .await
            .expect("read")
            .is_none()
    );
    let (result, _, reply) = v1(
        &server,
        "createacct",
        "username=inway&domain=inway.example.com&password=Secret-inway-1&forcedns=1",
    )
    .await;
    assert_eq!(result, 1, "{reply}");
    let zone = server
        .store()
        .await
        .zones
        .zone("inway.example.com")
        .await
        .expect("read")
        .expect("zone");
    assert_eq!(zone.owner, "inway", "the forced zone is the account's");

    adddns(&server, "other.example.net").await;
    let (result, reason, _) = v1(&server, "modifyacct", "user=inway&DNS=other.example.net").await;
    assert_eq!(result, 0);
    assert!(
        reason.starts_with("A DNS entry for “other.example.net” already exists."),
        "{reason}"
    );
    let account = server
        .store()
        .await
        .accounts
        .account("inway")
        .await
        .expect("read")
        .expect("account");
    assert_eq!(account.domain, "inway.example.com", "nothing changed");
}

#[tokio::test]
async fn a_reseller_cannot_put_an_account_inside_anothers_domain() {
    let server = Server::start().await;
    create(&server, "parent", "").await;
    let reseller = server
        .reseller(
            "inres",
            &[whmd_wire::Acl::CREATE_ACCT, whmd_wire::Acl::EDIT_ACCOUNT],
        )
        .await;
    let made = server
        .call_as(
            &reseller,
            "createacct",
            "api.version=1&username=child&domain=shop.parent.example.com&password=Secret-child-1",
        )
        .await;
    assert_eq!(
        made["metadata"]["reason"],
        "Sorry, the domain shop.parent.example.com is owned by another user (parent)"
    );
    assert!(
        server
            .store()
            .await
            .accounts
            .account("child")
            .await
            .expect("read")
            .is_none()
    );
    let own = server
        .call_as(
            &reseller,
            "createacct",
            "api.version=1&username=child&domain=child.example.net&password=Secret-child-1",
        )
        .await;
    assert_eq!(own["metadata"]["result"], 1, "{own}");
    let moved = server
        .call_as(
            &reseller,
            "modifyacct",
            "api.version=1&user=child&DNS=blog.parent.example.com",
        )
        .await;
    assert_eq!(
        moved["metadata"]["reason"],
        "Sorry, the domain blog.parent.example.com is owned by another user (parent)"
    );
}
