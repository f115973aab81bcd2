//! The backup configuration: saved whole, changed only from what is saved, so that of racing
//! changes made from the same configuration exactly one is kept; scheduled runs claimed once;
//! destinations saved only from the revision they were read at.

use crate::Names;
use whmd_domain::backup::{BackupConfig, RunState};
use whmd_domain::destination::Destination;
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

/// A day's run is claimed by one holder; another takes it over only once its lease has passed,
/// and then the first can neither renew nor finish it; a finished run is never claimed again.
pub async fn backup_runs_are_claimed_once(stores: &Stores, names: &Names) {
    let store = &stores.backups;
    let host = names.user("host.example.net");
    let day = "2026-12-06";
    assert!(store.backup_run(&host, day).await.expect("read").is_none());
    assert!(
        store
            .claim_backup_run(&host, day, "a", 1000, 1060)
            .await
            .expect("claim")
    );
    assert!(
        !store
            .claim_backup_run(&host, day, "b", 1030, 1090)
            .await
            .expect("held")
    );
    assert!(
        store
            .renew_backup_run(&host, day, "a", 1100)
            .await
            .expect("renew")
    );
    assert!(
        !store
            .claim_backup_run(&host, day, "b", 1090, 1150)
            .await
            .expect("renewed")
    );
    // The lease passes: b takes over, and a holds it no more.
    assert!(
        store
            .claim_backup_run(&host, day, "b", 1101, 1160)
            .await
            .expect("taken over")
    );
    assert!(
        !store
            .renew_backup_run(&host, day, "a", 1200)
            .await
            .expect("lost")
    );
    let lost = store
        .finish_backup_run(&host, day, "a", RunState::Completed, 1102, "a's")
        .await
        .expect("finish");
    assert!(!lost);
    let run = store
        .backup_run(&host, day)
        .await
        .expect("read")
        .expect("a run");
    assert_eq!(
        (run.holder.as_str(), run.state, run.started, run.lease_until),
        ("b", RunState::Running, 1101, 1160)
    );
    assert!(
        store
            .finish_backup_run(&host, day, "b", RunState::Failed, 1120, "2 of 3 accounts")
            .await
            .expect("finish")
    );
    assert!(
        !store
            .claim_backup_run(&host, day, "c", 9999, 10_060)
            .await
            .expect("finished")
    );
    let run = store
        .backup_run(&host, day)
        .await
        .expect("read")
        .expect("a run");
    assert_eq!(
        (run.state, run.finished, run.summary.as_str()),
        (RunState::Failed, Some(1120), "2 of 3 accounts")
    );
    // Another day, or another host's, is a run of its own; racing claims give it to one.
    let other = names.user("other.example.net");
    let claims = futures::future::join_all((0..8).map(|i| {
        store.claim_backup_run(&other, day, if i % 2 == 0 { "x" } else { "y" }, 1000, 1060)
    }))
    .await;
    let won = claims.iter().filter(|c| matches!(c, Ok(true))).count();
    assert_eq!(won, 1, "{claims:?}");
}

/// Destinations round trip whole; a save made from an old revision is refused and changes
/// nothing, as is one of a destination that is gone.
pub async fn backup_destinations_round_trip_and_guard_their_revision(
    stores: &Stores,
    names: &Names,
) {
    let store = &stores.backups;
    let id = names.user("dest");
    let mut destination = Destination {
        id: id.clone(),
        name: names.user("Nightly"),
        kind: "SFTP".into(),
        disabled: false,
        disable_reason: String::new(),
        settings: [("host", "backups.example.com"), ("port", "22")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
        sealed: [("password".to_owned(), "v1.abcd.sealed".to_owned())].into(),
        revision: 0,
    };
    store
        .add_backup_destination(&destination)
        .await
        .expect("added");
    let twice = store.add_backup_destination(&destination).await;
    assert!(
        matches!(twice, Err(StoreError::Conflict(Conflict::Name))),
        "{twice:?}"
    );
    assert_eq!(
        store.backup_destination(&id).await.expect("read"),
        Some(destination.clone())
    );
    assert!(
        store
            .backup_destinations()
            .await
            .expect("list")
            .contains(&destination)
    );

    let stale = destination.clone();
    destination.disabled = true;
    destination.disable_reason = "Could not connect".into();
    destination.settings.insert("port".into(), "2222".into());
    store
        .save_backup_destination(&destination)
        .await
        .expect("saved");
    let saved = store
        .backup_destination(&id)
        .await
        .expect("read")
        .expect("there");
    assert_eq!(saved.revision, 1);
    assert_eq!(
        saved,
        Destination {
            revision: 1,
            ..destination.clone()
        }
    );
    let refused = store.save_backup_destination(&stale).await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(Conflict::Changed))),
        "{refused:?}"
    );
    assert_eq!(
        store.backup_destination(&id).await.expect("read"),
        Some(saved.clone())
    );

    assert!(store.delete_backup_destination(&id).await.expect("deleted"));
    assert!(!store.delete_backup_destination(&id).await.expect("gone"));
    assert_eq!(store.backup_destination(&id).await.expect("read"), None);
    let gone = store.save_backup_destination(&saved).await;
    assert!(
        matches!(gone, Err(StoreError::Conflict(Conflict::Changed))),
        "{gone:?}"
    );
    // One stays, for the copy check.
    store
        .add_backup_destination(&Destination {
            id: names.user("kept"),
            revision: 3,
            ..saved
        })
        .await
        .expect("added");
}
