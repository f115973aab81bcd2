//! Kept replies for `Idempotency-Key`: claimed once, replayed, refused for another call,
//! forgotten after a day; of racing claims exactly one runs.

use crate::Names;
use futures::future::join_all;
use whmd_domain::Stores;
use whmd_domain::store::idempotency::{Claim, KEEP_SECONDS, KeyOf};

const NOW: i64 = 1_700_000_000;

/// A claimed key replays its reply to the same call, refuses another call, and belongs to
/// its user alone.
pub async fn keys_replay_and_refuse(stores: &Stores, names: &Names) {
    let s = stores.idempotency.as_ref();
    let user = names.user("idem");
    let key = KeyOf {
        user: &user,
        key: "order-1",
    };
    assert_eq!(
        s.claim(key, "first", "fp-a", NOW).await.expect("claim"),
        Claim::Run
    );
    assert_eq!(
        s.claim(key, "second", "fp-a", NOW + 1)
            .await
            .expect("claim"),
        Claim::Running { since: NOW },
        "a claim before the first call finished"
    );
    s.complete(key, "first", r#"{"body":1}"#)
        .await
        .expect("complete");
    assert_eq!(
        s.claim(key, "third", "fp-a", NOW + 2).await.expect("claim"),
        Claim::Replay(r#"{"body":1}"#.to_owned())
    );
    assert_eq!(
        s.claim(key, "fourth", "fp-b", NOW + 3)
            .await
            .expect("claim"),
        Claim::Mismatch
    );
    let other = names.user("idem2");
    let theirs = KeyOf {
        user: &other,
        key: "order-1",
    };
    assert_eq!(
        s.claim(theirs, "theirs", "fp-b", NOW + 4)
            .await
            .expect("claim"),
        Claim::Run,
        "another user's key of the same name is its own"
    );
}

/// A released claim lets the next call run; a kept reply is forgotten after a day.
pub async fn keys_are_released_and_expire(stores: &Stores, names: &Names) {
    let s = stores.idempotency.as_ref();
    let user = names.user("idem3");
    let key = KeyOf {
        user: &user,
        key: "k",
    };
    assert_eq!(
        s.claim(key, "a", "fp", NOW).await.expect("claim"),
        Claim::Run
    );
    s.release(key, "a").await.expect("release");
    assert_eq!(
        s.claim(key, "b", "fp", NOW).await.expect("claim"),
        Claim::Run
    );
    s.complete(key, "b", "reply").await.expect("complete");
    s.release(key, "b")
        .await
        .expect("a finished claim is not released");
    assert_eq!(
        s.claim(key, "c", "fp", NOW + 10).await.expect("claim"),
        Claim::Replay("reply".to_owned())
    );
    assert_eq!(
        s.claim(key, "d", "other", NOW + KEEP_SECONDS + 1)
            .await
            .expect("claim"),
        Claim::Run,
        "after a day the key is new again"
    );
}

/// Sixteen claims of one key at once: exactly one runs.
pub async fn racing_claims_run_once(stores: &Stores, names: &Names) {
    let s = stores.idempotency.as_ref();
    let user = names.user("idem4");
    let claims = (0..16).map(|n| {
        let user = user.clone();
        let claimant = format!("c{n}");
        async move {
            let key = KeyOf {
                user: &user,
                key: "race",
            };
            s.claim(key, &claimant, "fp", NOW).await.expect("claim")
        }
    });
    let results = join_all(claims).await;
    let runs = results.iter().filter(|c| **c == Claim::Run).count();
    assert_eq!(runs, 1, "{results:?}");
    assert!(
        results
            .iter()
            .all(|c| matches!(c, Claim::Run | Claim::Running { .. })),
        "{results:?}"
    );
}

/// Claims racing releases of one key (a call that could not reach the store lets its claim go
/// as a retry claims it): every claim answers, either running the call or finding it running.
pub async fn claims_race_releases(stores: &Stores, names: &Names) {
    let s = stores.idempotency.as_ref();
    let user = names.user("idem5");
    let rounds = (0..8).map(|n| {
        let user = user.clone();
        let claimant = format!("c{n}");
        async move {
            let key = KeyOf {
                user: &user,
                key: "churn",
            };
            for _ in 0..40 {
                match s
                    .claim(key, &claimant, "fp", NOW)
                    .await
                    .expect("a claim answers")
                {
                    Claim::Run => s.release(key, &claimant).await.expect("release"),
                    Claim::Running { .. } => {}
                    other => panic!("{other:?}"),
                }
            }
        }
    });
    join_all(rounds).await;
}

/// A claim is completed or let go only by the call that made it: a call whose own claim was
/// lost (its commit's outcome unknown) and that lets it go afterwards leaves another call's
/// claim of the key in place.
pub async fn only_the_claimant_settles(stores: &Stores, names: &Names) {
    let s = stores.idempotency.as_ref();
    let user = names.user("idem6");
    let key = KeyOf {
        user: &user,
        key: "mine",
    };
    assert_eq!(
        s.claim(key, "ours", "fp", NOW).await.expect("claim"),
        Claim::Run
    );
    s.release(key, "lost").await.expect("release");
    s.complete(key, "lost", "not ours").await.expect("complete");
    assert_eq!(
        s.claim(key, "retry", "fp", NOW + 1).await.expect("claim"),
        Claim::Running { since: NOW },
        "another call's release or reply leaves the claim as it was"
    );
    s.complete(key, "ours", "ours").await.expect("complete");
    assert_eq!(
        s.claim(key, "retry", "fp", NOW + 2).await.expect("claim"),
        Claim::Replay("ours".to_owned())
    );
}
