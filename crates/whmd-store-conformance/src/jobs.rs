//! Background jobs: logged and finished by their holder alone, failed once their lease passes.

use crate::Names;
use whmd_domain::job::{Job, JobState};
use whmd_domain::store::Conflict;
use whmd_domain::{StoreError, Stores};

pub async fn jobs_are_logged_by_their_holder_and_fail_when_it_is_gone(
    stores: &Stores,
    names: &Names,
) {
    let store = &stores.jobs;
    let job = |id: &str, lease_until: i64| Job {
        id: names.user(id),
        kind: "transfer".into(),
        state: JobState::Running,
        holder: "a".into(),
        lease_until,
        created: 1000,
        finished: None,
        log: String::new(),
        error_log: String::new(),
    };
    let first = job("job1", 1060);
    store.create_job(&first).await.expect("create");
    let again = store.create_job(&first).await;
    assert!(
        matches!(again, Err(StoreError::Conflict(Conflict::Name))),
        "{again:?}"
    );
    assert!(
        store
            .log_job(&first.id, "a", "one\n", false, 1100)
            .await
            .expect("log")
    );
    assert!(
        store
            .log_job(&first.id, "a", "oops\n", true, 1120)
            .await
            .expect("log")
    );
    assert!(
        !store
            .log_job(&first.id, "b", "not mine\n", false, 9999)
            .await
            .expect("log")
    );
    let read = store.job(&first.id).await.expect("read").expect("a job");
    assert_eq!(
        (read.log.as_str(), read.error_log.as_str()),
        ("one\noops\n", "oops\n")
    );
    assert_eq!(read.lease_until, 1120);
    assert!(
        !store
            .finish_job(&first.id, "b", JobState::Completed, 1130)
            .await
            .expect("finish")
    );
    assert!(
        store
            .finish_job(&first.id, "a", JobState::Completed, 1130)
            .await
            .expect("finish")
    );
    assert!(
        !store
            .log_job(&first.id, "a", "late\n", false, 1200)
            .await
            .expect("log")
    );
    let read = store.job(&first.id).await.expect("read").expect("a job");
    assert_eq!(
        (read.state, read.finished),
        (JobState::Completed, Some(1130))
    );

    // A running job whose lease passed is failed, once; a live one is not.
    let lapsed = job("job2", 1500);
    let live = job("job3", 5000);
    store.create_job(&lapsed).await.expect("create");
    store.create_job(&live).await.expect("create");
    let failed = store.fail_lapsed_jobs(2000, "gone\n").await.expect("sweep");
    assert!(failed.contains(&lapsed.id), "{failed:?}");
    assert!(!failed.contains(&live.id) && !failed.contains(&first.id));
    assert!(
        store
            .fail_lapsed_jobs(2000, "gone\n")
            .await
            .expect("sweep")
            .iter()
            .all(|id| *id != lapsed.id)
    );
    let read = store.job(&lapsed.id).await.expect("read").expect("a job");
    assert_eq!(
        (read.state, read.finished, read.error_log.as_str()),
        (JobState::Failed, Some(2000), "gone\n")
    );
    assert!(
        !store
            .log_job(&lapsed.id, "a", "late\n", false, 9999)
            .await
            .expect("log")
    );
    assert_eq!(
        store
            .job(&live.id)
            .await
            .expect("read")
            .expect("a job")
            .state,
        JobState::Running
    );
    assert!(
        store
            .job(&names.user("nojob"))
            .await
            .expect("read")
            .is_none()
    );
}
