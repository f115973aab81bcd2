//! The backup configuration: saved whole, changed only from what is saved, so that of racing
//! changes made from the same configuration exactly one is kept.

use crate::Names;
use whmd_domain::backup::BackupConfig;
use whmd_domain::store::Conflict;
use whmd_domain::{StoreError, Stores};

fn change(from: &BackupConfig, key: &str, value: &str) -> BackupConfig {
    from.changed(&[(key.to_owned(), value.to_owned())])
        .expect("a valid change")
}

pub async fn backup_config_changes_are_never_lost(stores: &Stores, _names: &Names) {
    let store = &stores.backups;
    let before = store.backup_config().await.expect("read");
    let base = before.clone().unwrap_or_default();
    let changed = change(&base, "backupdays", "1,3");
    store
        .save_backup_config(&changed, before.as_ref())
        .await
        .expect("saved");
    let saved = store.backup_config().await.expect("read");
    assert_eq!(saved.as_ref(), Some(&changed));
    assert_eq!(changed.get("backupdays"), "1,3");

    // A change made from what was there before is refused, and changes nothing.
    let stale = change(&base, "backup_daily_retention", "9");
    let refused = store.save_backup_config(&stale, before.as_ref()).await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(Conflict::Changed))),
        "{refused:?}"
    );
    assert_eq!(store.backup_config().await.expect("read"), saved);

    // Racing changes from the same configuration: one is kept.
    let racing: Vec<BackupConfig> = (1..=8)
        .map(|n| change(&changed, "backup_daily_retention", &n.to_string()))
        .collect();
    let results = futures::future::join_all(
        racing
            .iter()
            .map(|c| store.save_backup_config(c, Some(&changed))),
    )
    .await;
    let kept: Vec<&BackupConfig> = racing
        .iter()
        .zip(&results)
        .filter(|(_, r)| r.is_ok())
        .map(|(c, _)| c)
        .collect();
    assert_eq!(kept.len(), 1, "{results:?}");
    assert!(
        results
            .iter()
            .all(|r| r.is_ok() || matches!(r, Err(StoreError::Conflict(Conflict::Changed))))
    );
    assert_eq!(
        store.backup_config().await.expect("read").as_ref(),
        Some(kept[0])
    );
}
