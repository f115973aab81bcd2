//! Checks for [`whmd_domain::store::HostStore`]: what a host reads to converge, and the
//! tombstones removals leave for it.

use crate::Names;
use crate::accounts::{account, log};
use whmd_domain::account::Account;
use whmd_domain::store::{AccountChange, Conflict, Removal, Usage};
use whmd_domain::{StoreError, Stores};

async fn create(stores: &Stores, account: &Account, password: &str) -> Account {
    stores
        .accounts
        .change(&AccountChange::create(
            account.clone(),
            password,
            log("CREATE", &account.user),
        ))
        .await
        .expect("create");
    stores
        .accounts
        .account(&account.user)
        .await
        .expect("read")
        .expect("stored")
}

pub async fn hosts_read_their_accounts(stores: &Stores, names: &Names) {
    let here = format!("{}.host-a.example.com", names.user("h"));
    let there = format!("{}.host-b.example.com", names.user("h"));
    let mut mine = account(&names.user("hmine"), "root");
    mine.host = here.clone();
    let mine = create(stores, &mine, "$6$rounds=5000$salt$hash").await;
    let mut theirs = account(&names.user("htheirs"), "root");
    theirs.host = there.clone();
    let theirs = create(stores, &theirs, "$p").await;
    let mut anyones = account(&names.user("hany"), "root");
    anyones.host = String::new();
    let anyones = create(stores, &anyones, "$p").await;

    let served: Vec<(String, Option<String>)> = stores
        .host
        .hosted_accounts(&here)
        .await
        .expect("read")
        .into_iter()
        .filter(|h| h.account.user.starts_with(&names.user("h")))
        .map(|h| (h.account.user, h.password))
        .collect();
    let mut expected = vec![
        (
            mine.user.clone(),
            Some("$6$rounds=5000$salt$hash".to_owned()),
        ),
        (anyones.user.clone(), Some("$p".to_owned())),
    ];
    expected.sort_by_key(|(user, _)| {
        if *user == mine.user {
            mine.uid
        } else {
            anyones.uid
        }
    });
    assert_eq!(
        served, expected,
        "a host serves its own accounts and those naming no host, by uid, with passwords"
    );
    let found = stores
        .host
        .hosted_account(theirs.uid)
        .await
        .expect("read")
        .expect("found by uid");
    assert_eq!(found.account, theirs);
    assert_eq!(found.password.as_deref(), Some("$p"));
    assert_eq!(
        stores.host.hosted_account(u32::MAX).await.expect("read"),
        None
    );
}

pub async fn removals_leave_tombstones(stores: &Stores, names: &Names) {
    let here = format!("{}.host-c.example.com", names.user("t"));
    let mut gone = account(&names.user("tgone"), "root");
    gone.host = here.clone();
    let gone = create(stores, &gone, "$p").await;
    assert_eq!(stores.host.removals(&here).await.expect("read"), vec![]);
    let mut entry = log("REMOVE", &gone.user);
    entry.time = 1_700_000_123;
    stores
        .accounts
        .change(&AccountChange::remove(&gone.user, false, entry.clone()))
        .await
        .expect("remove");
    let tombstone = Removal {
        uid: gone.uid,
        user: gone.user.clone(),
        homedir: gone.homedir.clone(),
        host: here.clone(),
        removed_at: 1_700_000_123,
    };
    assert_eq!(
        stores.host.removals(&here).await.expect("read"),
        vec![tombstone.clone()],
        "the removal's own transaction leaves its tombstone"
    );
    assert_eq!(
        stores.host.hosted_account(gone.uid).await.expect("read"),
        None
    );

    // A tombstoned uid is not handed out again, nor taken by name, until the host is done.
    let next = create(stores, &account(&names.user("tnext"), "root"), "$p").await;
    assert!(next.uid > gone.uid, "{} after {}", next.uid, gone.uid);
    let mut reuse = account(&names.user("treuse"), "root");
    reuse.uid = gone.uid;
    let refused = stores
        .accounts
        .change(&AccountChange::create(
            reuse.clone(),
            "$p",
            log("CREATE", &reuse.user),
        ))
        .await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(Conflict::Uid))),
        "{refused:?}"
    );
    assert_eq!(
        stores.accounts.account(&reuse.user).await.expect("read"),
        None
    );

    // Only the tombstone that was carried out is forgotten.
    stores
        .host
        .forget_removal(gone.uid, 1)
        .await
        .expect("forget another");
    assert_eq!(
        stores.host.removals(&here).await.expect("read"),
        vec![tombstone]
    );
    stores
        .host
        .forget_removal(gone.uid, 1_700_000_123)
        .await
        .expect("forget");
    assert_eq!(stores.host.removals(&here).await.expect("read"), vec![]);
    // Removing what is not there leaves nothing.
    assert!(matches!(
        stores
            .accounts
            .change(&AccountChange::remove(&gone.user, false, entry.clone()))
            .await,
        Err(StoreError::Conflict(Conflict::NoAccount))
    ));
    assert_eq!(stores.host.removals(&here).await.expect("read"), vec![]);
}

pub async fn usage_follows_its_account(stores: &Stores, names: &Names) {
    let measured = create(stores, &account(&names.user("umeasured"), "root"), "$p").await;
    let usage = |disk_bytes, inodes| Usage {
        uid: measured.uid,
        disk_bytes,
        inodes,
    };
    let nobody = Usage {
        uid: u32::MAX - 1,
        disk_bytes: 1,
        inodes: 1,
    };
    stores
        .host
        .record_usage(&[usage(4096, 3), nobody], 1)
        .await
        .expect("record");
    let read = |uids: Vec<u32>| async move { stores.host.usage(&uids).await.expect("read") };
    assert_eq!(
        read(vec![measured.uid, nobody.uid]).await,
        vec![usage(4096, 3)],
        "figures of a uid no account has are not kept"
    );
    // Sizes beyond what a signed column holds saturate rather than fail.
    stores
        .host
        .record_usage(&[usage(u64::MAX, 7)], 2)
        .await
        .expect("record again");
    assert_eq!(
        read(vec![measured.uid]).await,
        vec![usage(i64::MAX.unsigned_abs(), 7)]
    );
    assert_eq!(read(vec![]).await, vec![]);
    stores
        .accounts
        .change(&AccountChange::remove(
            &measured.user,
            false,
            log("REMOVE", &measured.user),
        ))
        .await
        .expect("remove");
    assert_eq!(
        read(vec![measured.uid]).await,
        vec![],
        "they go with the account"
    );
}
