//! The restore queue: one waiting or running task per account, taken oldest first and never
//! twice, finished, cleared by state, user and start time; active tasks whose job stopped are
//! failed.

use crate::Names;
use whmd_domain::backup::{RestoreTask, TaskOptions, TaskState};
use whmd_domain::job::{Job, JobState};
use whmd_domain::store::Conflict;
use whmd_domain::{StoreError, Stores};

pub async fn restore_tasks_are_taken_in_order_once(stores: &Stores, names: &Names) {
    let queue = &stores.restore_queue;
    // Other suites' tasks may be there: only this one's are looked at.
    let mine = |tasks: Vec<RestoreTask>| -> Vec<RestoreTask> {
        tasks
            .into_iter()
            .filter(|t| t.user.starts_with(&names.user("")))
            .collect()
    };
    let task = |n: u32, user: &str| RestoreTask {
        id: names.user(&format!("task{n}")),
        user: names.user(user),
        restore_point: "2026-12-06".into(),
        options: TaskOptions {
            subdomains: true,
            destid: "local".into(),
            ..TaskOptions::default()
        },
        state: TaskState::Pending,
        added: i64::from(n),
        start_time: None,
        end_time: None,
        session: None,
        result: String::new(),
    };
    queue.add_restore_task(&task(1, "qa")).await.expect("add");
    queue.add_restore_task(&task(2, "qb")).await.expect("add");
    let twice = queue.add_restore_task(&task(3, "qa")).await;
    assert!(
        matches!(twice, Err(StoreError::Conflict(Conflict::Name))),
        "{twice:?}"
    );
    let listed = mine(queue.restore_tasks().await.expect("list"));
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0], task(1, "qa"));

    // Taken in order; racing takers never get the same task.
    let session = names.user("session");
    stores
        .jobs
        .create_job(&Job {
            id: session.clone(),
            kind: "restore_queue".into(),
            state: JobState::Running,
            holder: "h".into(),
            lease_until: i64::MAX,
            created: 0,
            finished: None,
            log: String::new(),
            error_log: String::new(),
        })
        .await
        .expect("job");
    let mut taken = Vec::new();
    while let Some(t) = queue.start_restore_task(&session, 100).await.expect("take") {
        taken.push(t);
    }
    let mine_taken: Vec<&RestoreTask> = taken
        .iter()
        .filter(|t| t.user.starts_with(&names.user("")))
        .collect();
    assert_eq!(mine_taken.len(), 2);
    assert_eq!(mine_taken[0].id, task(1, "qa").id);
    assert_eq!(
        (mine_taken[0].state, mine_taken[0].start_time),
        (TaskState::Active, Some(100))
    );
    assert_eq!(mine_taken[0].session.as_deref(), Some(session.as_str()));
    queue
        .finish_restore_task(&task(1, "qa").id, TaskState::Completed, 150, "restored")
        .await
        .expect("finish");
    // With the task done, the account may be queued again.
    queue
        .add_restore_task(&task(4, "qa"))
        .await
        .expect("queued again");

    // The job stops: its active task is failed, the others stay.
    stores
        .jobs
        .finish_job(&session, "h", JobState::Failed, 200)
        .await
        .expect("stop");
    let failed = queue
        .fail_orphaned_restore_tasks(300, "stopped")
        .await
        .expect("sweep");
    assert!(failed >= 1);
    let listed = mine(queue.restore_tasks().await.expect("list"));
    let state_of = |id: &str| {
        listed
            .iter()
            .find(|t| t.id == id)
            .map(|t| (t.state, t.result.clone()))
    };
    assert_eq!(
        state_of(&task(1, "qa").id),
        Some((TaskState::Completed, "restored".into()))
    );
    assert_eq!(
        state_of(&task(2, "qb").id),
        Some((TaskState::Failed, "stopped".into()))
    );
    assert_eq!(
        state_of(&task(4, "qa").id).map(|s| s.0),
        Some(TaskState::Pending)
    );

    // Cleared by state, user and start time.
    let qa = names.user("qa");
    assert_eq!(
        queue
            .clear_restore_tasks(&[TaskState::Completed], Some(&qa), Some(99))
            .await
            .expect("clear"),
        0
    );
    assert_eq!(
        queue
            .clear_restore_tasks(&[TaskState::Completed], Some(&qa), Some(100))
            .await
            .expect("clear"),
        1
    );
    assert_eq!(
        queue
            .clear_restore_tasks(&[TaskState::Pending], Some(&qa), None)
            .await
            .expect("clear"),
        1
    );
    let qb = names.user("qb");
    assert_eq!(
        queue
            .clear_restore_tasks(&[TaskState::Failed, TaskState::Completed], Some(&qb), None)
            .await
            .expect("clear"),
        1
    );
    assert!(mine(queue.restore_tasks().await.expect("list")).is_empty());
}
