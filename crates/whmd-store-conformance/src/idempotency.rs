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
    assert_eq!(s.claim(key, "fp-a", NOW).await.expect("claim"), Claim::Run);
    assert_eq!(
        s.claim(key, "fp-a", NOW + 1).await.expect("claim"),
        Claim::Running { since: NOW },
        "a claim before the first call finished"
    );
    s.complete(key, r#"{"body":1}"#).await.expect("complete");
    assert_eq!(
        s.claim(key, "fp-a", NOW + 2).await.expect("claim"),
        Claim::Replay(r#"{"body":1}"#.to_owned())
    );
    assert_eq!(
        s.claim(key, "fp-b", NOW + 3).await.expect("claim"),
        Claim::Mismatch
    );
    let other = names.user("idem2");
    let theirs = KeyOf {
        user: &other,
        key: "order-1",
    };
    assert_eq!(
        s.claim(theirs, "fp-b", NOW + 4).await.expect("claim"),
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
    assert_eq!(s.claim(key, "fp", NOW).await.expect("claim"), Claim::Run);
    s.release(key).await.expect("release");
    assert_eq!(s.claim(key, "fp", NOW).await.expect("claim"), Claim::Run);
    s.complete(key, "reply").await.expect("complete");
    s.release(key)
        .await
        .expect("a finished claim is not released");
    assert_eq!(
        s.claim(key, "fp", NOW + 10).await.expect("claim"),
        Claim::Replay("reply".to_owned())
    );
    assert_eq!(
        s.claim(key, "other", NOW + KEEP_SECONDS + 1)
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
    let claims = (0..16).map(|_| {
        let user = user.clone();
        async move {
            let key = KeyOf {
                user: &user,
                key: "race",
            };
            s.claim(key, "fp", NOW).await.expect("claim")
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
    let rounds = (0..8).map(|_| {
        let user = user.clone();
        async move {
            let key = KeyOf {
                user: &user,
                key: "churn",
            };
            for _ in 0..40 {
                match s.claim(key, "fp", NOW).await.expect("a claim answers") {
                    Claim::Run => s.release(key).await.expect("release"),
                    Claim::Running { .. } => {}
                    other => panic!("{other:?}"),
                }
            }
        }
    });
    join_all(rounds).await;
}
