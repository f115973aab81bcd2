//! Checks for [`whmd_domain::store::ZoneStore`] and the zone writes that ride on account
//! writes.

use crate::Names;
use crate::accounts::{account, log};
use whmd_domain::store::{AccountChange, Conflict, StoredZone, ZoneSummary, ZoneWrites};
use whmd_domain::{StoreError, Stores};

fn zone(name: &str, owner: &str, serial: u32) -> StoredZone {
    StoredZone {
        name: name.to_owned(),
        owner: owner.to_owned(),
        serial,
        text: format!("; zone {name}\n$TTL 300\n"),
    }
}

pub async fn zones_round_trip_and_guard_their_serial(stores: &Stores, names: &Names) {
    let z = stores.zones.as_ref();
    let owner = names.user("zowner");
    let b = zone(&format!("b.{owner}.example"), &owner, 1);
    let a = zone(&format!("a.{owner}.example"), &owner, u32::MAX);
    z.put_zone(&b, false).await.expect("put b");
    z.put_zone(&a, false).await.expect("put a");
    assert_eq!(
        z.zone(&a.name).await.expect("read"),
        Some(a.clone()),
        "u32 serials survive"
    );
    assert_eq!(z.zone("absent.example").await.expect("read"), None);
    let summary = |s: &StoredZone| ZoneSummary {
        name: s.name.clone(),
        owner: s.owner.clone(),
        serial: s.serial,
    };
    assert_eq!(
        z.zones(Some(&owner)).await.expect("list"),
        vec![summary(&a), summary(&b)],
        "ordered by name"
    );
    assert!(z.zones(None).await.expect("all").contains(&summary(&b)));

    let taken = z.put_zone(&zone(&b.name, "other", 9), false).await;
    assert!(
        matches!(taken, Err(StoreError::Conflict(Conflict::Zone))),
        "{taken:?}"
    );
    assert_eq!(z.zone(&b.name).await.expect("read"), Some(b.clone()));

    let mut edited = b.clone();
    edited.serial = 2;
    edited.text.push_str("; edited\n");
    z.update_zone(&edited, 1).await.expect("guarded update");
    let stale = z.update_zone(&zone(&b.name, &owner, 3), 1).await;
    assert!(
        matches!(stale, Err(StoreError::Conflict(Conflict::Changed))),
        "{stale:?}"
    );
    assert_eq!(z.zone(&b.name).await.expect("read"), Some(edited));
    let gone = z.update_zone(&zone("absent.example", &owner, 2), 1).await;
    assert!(
        matches!(gone, Err(StoreError::Conflict(Conflict::Changed))),
        "{gone:?}"
    );

    let replaced = zone(&b.name, "root", 7);
    z.put_zone(&replaced, true).await.expect("replace");
    assert_eq!(z.zone(&b.name).await.expect("read"), Some(replaced));
    assert!(z.remove_zone(&a.name).await.expect("remove"));
    assert!(!z.remove_zone(&a.name).await.expect("remove again"));
}

pub async fn zones_follow_their_account(stores: &Stores, names: &Names) {
    let accounts = stores.accounts.as_ref();
    let z = stores.zones.as_ref();
    let user = names.user("zacct");
    let acct = account(&user, "root");
    let main = zone(&acct.domain, &user, 10);
    accounts
        .change(
            &AccountChange::create(acct.clone(), "$p", log("CREATE", &user))
                .with_zones(ZoneWrites::put(main.clone(), false)),
        )
        .await
        .expect("create with its zone");
    assert_eq!(z.zone(&main.name).await.expect("read"), Some(main.clone()));

    // A zone name already taken refuses the whole creation.
    let second = account(&names.user("zclash"), "root");
    let clash = zone(&main.name, &second.user, 1);
    let refused = accounts
        .change(
            &AccountChange::create(second.clone(), "$p", log("CREATE", &second.user))
                .with_zones(ZoneWrites::put(clash.clone(), false)),
        )
        .await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(Conflict::Zone))),
        "{refused:?}"
    );
    assert_eq!(accounts.account(&second.user).await.expect("read"), None);
    assert_eq!(z.zone(&main.name).await.expect("read"), Some(main.clone()));

    // Renaming the account moves its zones; zone writes ride along.
    let stored = accounts
        .account(&user)
        .await
        .expect("read")
        .expect("exists");
    let mut renamed = stored.clone();
    renamed.user = names.user("zren");
    renamed.domain = format!("{}.example.com", renamed.user);
    let moved = zone(&renamed.domain, &renamed.user, 11);
    // A zone changed since it was read stops the whole update.
    let stale = ZoneWrites {
        remove: vec![(main.name.clone(), main.serial + 1)],
        put: vec![moved.clone()],
        replace: false,
    };
    let refused = accounts
        .change(&AccountChange::update(&user, renamed.clone(), vec![]).with_zones(stale.clone()))
        .await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(Conflict::Changed))),
        "{refused:?}"
    );
    assert_eq!(accounts.account(&renamed.user).await.expect("read"), None);
    assert_eq!(z.zone(&moved.name).await.expect("read"), None);
    let writes = ZoneWrites {
        remove: vec![(main.name.clone(), main.serial)],
        put: vec![moved.clone()],
        replace: false,
    };
    accounts
        .change(&AccountChange::update(&user, renamed.clone(), vec![]).with_zones(writes.clone()))
        .await
        .expect("rename");
    assert_eq!(z.zone(&main.name).await.expect("read"), None);
    assert_eq!(
        z.zone(&moved.name).await.expect("read"),
        Some(moved.clone())
    );
    let extra = zone(&format!("extra.{}", renamed.domain), &user, 1);
    z.put_zone(&extra, false).await.expect("extra zone");
    let renamed = accounts
        .account(&renamed.user)
        .await
        .expect("read")
        .expect("exists");
    let mut back = renamed.clone();
    back.user = user.clone();
    accounts
        .change(&AccountChange::update(&renamed.user, back.clone(), vec![]))
        .await
        .expect("rename back");
    let owned: Vec<String> = z
        .zones(Some(&user))
        .await
        .expect("list")
        .into_iter()
        .map(|s| s.name)
        .collect();
    let mut expected = vec![moved.name.clone(), extra.name.clone()];
    expected.sort();
    assert_eq!(owned, expected, "the zones came along");

    // Removal drops the account's zones, or hands them to root.
    let keeper = account(&names.user("zkeep"), "root");
    let kept = zone(&keeper.domain, &keeper.user, 1);
    accounts
        .change(
            &AccountChange::create(keeper.clone(), "$p", log("CREATE", &keeper.user))
                .with_zones(ZoneWrites::put(kept.clone(), false)),
        )
        .await
        .expect("create");
    accounts
        .change(&AccountChange::remove(
            &keeper.user,
            true,
            log("REMOVE", &keeper.user),
        ))
        .await
        .expect("remove");
    let after = z.zone(&kept.name).await.expect("read").expect("kept");
    assert_eq!(after.owner, "root");
    accounts
        .change(&AccountChange::remove(&user, false, log("REMOVE", &user)))
        .await
        .expect("remove");
    assert!(z.zones(Some(&user)).await.expect("list").is_empty());
    assert_eq!(z.zone(&moved.name).await.expect("read"), None);

    // Left for the snapshot check: one zone that belongs to no account any more.
    assert!(z.zone(&kept.name).await.expect("read").is_some());
}
