//! Checks for [`whmd_domain::store::SnapshotStore`]: a copy keeps every row as it was.

use whmd_domain::store::{AccountChange, Conflict};
use whmd_domain::{StoreError, Stores};

/// Copies `source` (already holding what the other checks wrote) into the empty `target`,
/// which may be another backend, and compares.
pub async fn copies_are_exact(source: &Stores, target: &Stores) {
    let snapshot = source.snapshot.export().await.expect("export");
    assert!(
        !snapshot.accounts.is_empty()
            && !snapshot.tokens.is_empty()
            && !snapshot.log.is_empty()
            && !snapshot.packages.is_empty()
            && !snapshot.feature_lists.is_empty()
            && !snapshot.acl_lists.is_empty()
            && !snapshot.settings.is_empty()
            && !snapshot.hulk_records.is_empty()
            && !snapshot.hulk_blocks.is_empty()
            && !snapshot.hulk_failures.is_empty()
            && !snapshot.sessions.is_empty()
            && !snapshot.access_hashes.is_empty()
            && !snapshot.zones.is_empty()
            && !snapshot.removals.is_empty()
            && !snapshot.destinations.is_empty(),
        "the source holds rows"
    );
    target
        .snapshot
        .import(&snapshot)
        .await
        .expect("import into an empty store");
    let copied = target.snapshot.export().await.expect("export the copy");
    assert_eq!(copied, snapshot, "the copy holds every row as it was");
    assert_eq!(
        target.snapshot.counts().await.expect("counts"),
        snapshot.counts()
    );
    let again = target.snapshot.import(&snapshot).await;
    assert!(
        matches!(again, Err(StoreError::Conflict(Conflict::NotEmpty))),
        "a store that is not empty refuses an import: {again:?}"
    );
    assert_eq!(
        target.snapshot.counts().await.expect("counts"),
        snapshot.counts(),
        "and writes nothing"
    );
    // New accounts after a copy get uids beyond the copied ones.
    let mut fresh = snapshot.accounts[0].clone();
    fresh.user = "aftercopy".into();
    fresh.domain = "aftercopy.example.com".into();
    fresh.uid = 0;
    let log = whmd_domain::account::AccountingEntry::new(0, "CREATE", "root", vec![]);
    target
        .accounts
        .change(&AccountChange::create(fresh.clone(), "$p", log.clone()))
        .await
        .expect("create after the copy");
    let max = snapshot.accounts.iter().map(|a| a.uid).max().unwrap_or(0);
    let made = target
        .accounts
        .account("aftercopy")
        .await
        .expect("read")
        .expect("exists");
    assert!(made.uid > max, "uid {} is past the copied {max}", made.uid);
}
