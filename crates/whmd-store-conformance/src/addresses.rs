//! The address pool: adding and removing addresses, and accounts claiming them in their own
//! writes, alone, under races too.

use crate::Names;
use crate::accounts::{account, log};
use futures::future::join_all;
use std::net::Ipv4Addr;
use whmd_domain::address::PoolAddress;
use whmd_domain::store::{AccountChange, AddressRemoval, Admission, Refusal};
use whmd_domain::{StoreError, Stores};

fn pool(last: u8) -> PoolAddress {
    PoolAddress {
        ip: Ipv4Addr::new(198, 51, 100, last),
        netmask: Ipv4Addr::new(255, 255, 255, 0),
        interface: "eth0".into(),
    }
}

fn taken<T>(result: &Result<T, StoreError>) -> bool {
    matches!(result, Err(StoreError::Refused(Refusal::AddressTaken(_))))
}

pub async fn the_pool_is_added_to_listed_and_removed(stores: &Stores, _names: &Names) {
    let s = stores.addresses.as_ref();
    s.add_addresses(&[pool(10), pool(9)]).await.expect("add");
    // One already there refuses the whole call.
    let again = s.add_addresses(&[pool(11), pool(9)]).await;
    assert!(
        matches!(&again, Err(StoreError::Refused(Refusal::InPool(ip))) if ip == "198.51.100.9"),
        "{again:?}"
    );
    let listed: Vec<PoolAddress> = s
        .addresses()
        .await
        .expect("list")
        .into_iter()
        .map(|h| {
            assert_eq!(h.holder, None);
            h.address
        })
        .collect();
    assert_eq!(
        listed,
        vec![pool(9), pool(10)],
        "address order, nothing of the refused call"
    );
    assert_eq!(
        s.remove_address(pool(10).ip).await.expect("remove"),
        AddressRemoval::Removed
    );
    assert_eq!(
        s.remove_address(pool(10).ip).await.expect("remove"),
        AddressRemoval::Missing
    );
}

pub async fn accounts_hold_pool_addresses_alone(stores: &Stores, names: &Names) {
    let a = stores.accounts.as_ref();
    let s = stores.addresses.as_ref();
    s.add_addresses(&[pool(20)]).await.expect("add");
    let ip = pool(20).ip.to_string();
    let mut first = account(&names.user("ipone"), "root");
    first.ip = ip.clone();
    let create = |acct: whmd_domain::account::Account| async move {
        a.change(&AccountChange::create(
            acct.clone(),
            "$p",
            log("CREATE", &acct.user),
        ))
        .await
    };
    create(first.clone()).await.expect("the first holds it");
    let mut second = account(&names.user("iptwo"), "root");
    second.ip = ip.clone();
    assert!(
        taken(&create(second.clone()).await),
        "a second account may not"
    );
    assert!(a.account(&second.user).await.expect("read").is_none());
    let held = s.addresses().await.expect("list");
    let holder = held.iter().find(|h| h.address.ip == pool(20).ip);
    assert_eq!(
        holder.and_then(|h| h.holder.clone()),
        Some(first.user.clone())
    );
    assert_eq!(
        s.remove_address(pool(20).ip).await.expect("remove"),
        AddressRemoval::InUse(first.user.clone())
    );
    // Its own updates and a rename keep it; an account moved onto it is refused.
    let stored = a.account(&first.user).await.expect("read").expect("stored");
    let mut renamed = stored.clone();
    renamed.user = names.user("ipthree");
    renamed.domain = format!("{}.example.com", renamed.user);
    a.change(&AccountChange::update(
        &first.user,
        renamed.clone(),
        vec![log("MODIFY", &renamed.user)],
    ))
    .await
    .expect("a rename keeps the address");
    second.ip = "192.0.2.1".into();
    create(second.clone()).await.expect("on the shared address");
    let update = |from: String, acct: whmd_domain::account::Account| async move {
        a.change(&AccountChange::update(
            &from,
            acct.clone(),
            vec![log("MODIFY", &acct.user)],
        ))
        .await
    };
    let mut moved = a
        .account(&second.user)
        .await
        .expect("read")
        .expect("stored");
    moved.ip = ip.clone();
    let refused = update(second.user.clone(), moved.clone()).await;
    assert!(taken(&refused), "{refused:?}");
    // Once the holder leaves it, another can claim it.
    let mut left = a
        .account(&renamed.user)
        .await
        .expect("read")
        .expect("stored");
    left.ip = "192.0.2.1".into();
    update(renamed.user.clone(), left)
        .await
        .expect("back to the shared address");
    update(second.user.clone(), moved)
        .await
        .expect("free again, it can be claimed");
    a.change(&AccountChange::remove(
        &second.user,
        false,
        log("REMOVE", &second.user),
    ))
    .await
    .expect("remove");
    assert_eq!(
        s.remove_address(pool(20).ip).await.expect("remove"),
        AddressRemoval::Removed,
        "the removed account's address is free"
    );
}

/// Eight accounts claim one address at once: exactly one holds it.
pub async fn one_address_one_holder_under_racing_creates(stores: &Stores, names: &Names) {
    let a = stores.accounts.as_ref();
    stores
        .addresses
        .add_addresses(&[pool(30)])
        .await
        .expect("add");
    let attempts = (0..8).map(|i| {
        let mut customer = account(&names.user(&format!("iprace{i}")), "root");
        customer.ip = pool(30).ip.to_string();
        async move {
            a.change(&AccountChange::create(
                customer.clone(),
                "$p",
                log("CREATE", &customer.user),
            ))
            .await
        }
    });
    let results = join_all(attempts).await;
    let won = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(won, 1, "{results:?}");
    assert!(
        results.iter().all(|r| r.is_ok() || taken(r)),
        "the others are refused for the address: {results:?}"
    );
}

/// An address removed from the pool while an account is moved onto it: either the account
/// holds it and the removal is refused, or the write is refused and the address is gone;
/// never an account on an address the server no longer has.
pub async fn removal_and_claim_do_not_cross(stores: &Stores, names: &Names) {
    let a = stores.accounts.as_ref();
    let s = stores.addresses.as_ref();
    for round in 0..5u8 {
        let address = pool(40 + round);
        s.add_addresses(std::slice::from_ref(&address))
            .await
            .expect("add");
        let ip = address.ip.to_string();
        let mut customer = account(&names.user(&format!("ipgone{round}")), "root");
        customer.ip = ip.clone();
        let change = AccountChange::create(customer.clone(), "$p", log("CREATE", &customer.user))
            .admitted(Admission {
                address: Some(ip.clone()),
                ..Admission::NONE
            });
        let (created, removed) = futures::join!(a.change(&change), s.remove_address(address.ip));
        match (&created, removed.expect("removal answers")) {
            (Ok(_), AddressRemoval::InUse(_))
            | (Err(StoreError::Refused(Refusal::NoSuchAddress(_))), AddressRemoval::Removed) => {}
            other => panic!("round {round}: {other:?}"),
        }
    }
    // Removed first: the write is refused, and nothing of it is stored.
    let address = pool(50);
    s.add_addresses(std::slice::from_ref(&address))
        .await
        .expect("add");
    s.remove_address(address.ip).await.expect("remove");
    let mut late = account(&names.user("iplate"), "root");
    late.ip = address.ip.to_string();
    let refused = a
        .change(
            &AccountChange::create(late.clone(), "$p", log("CREATE", &late.user)).admitted(
                Admission {
                    address: Some(late.ip.clone()),
                    ..Admission::NONE
                },
            ),
        )
        .await;
    assert!(
        matches!(refused, Err(StoreError::Refused(Refusal::NoSuchAddress(_)))),
        "{refused:?}"
    );
    assert!(a.account(&late.user).await.expect("read").is_none());
}
