//! Group commit for account changes. SQLite has one writer, and a durable commit waits for the
//! disk; when changes arrive while the writer is busy, the ones waiting are applied together in
//! one transaction and made durable by one commit. A change that fails (a conflict, a refusal)
//! is answered with its failure and the transaction is made again without it, so it takes
//! nothing of the others with it. Every caller still gets its answer only after the commit. A change that was handed over is carried out even if its caller goes away, as a
//! commit already on its way to the disk would be.

use crate::change::apply;
use crate::map_error;
use sqlx::SqlitePool;
use tokio::sync::{mpsc, oneshot};
use whmd_domain::StoreError;
use whmd_domain::account::Account;
use whmd_domain::store::AccountChange;

/// The most changes one transaction carries.
const MOST: usize = 64;

type Answer = Result<Option<Account>, StoreError>;

struct Job {
    change: AccountChange,
    reply: oneshot::Sender<Answer>,
}

/// Hands changes to the task that applies them; cloned with the store.
#[derive(Debug, Clone)]
pub(crate) struct Batcher {
    jobs: mpsc::Sender<Job>,
}

impl Batcher {
    /// Starts the task that applies changes through `writer`; it ends when the last
    /// `Batcher` is dropped.
    pub(crate) fn start(writer: SqlitePool) -> Self {
        let (jobs, queue) = mpsc::channel(1024);
        tokio::spawn(run(writer, queue));
        Self { jobs }
    }

    pub(crate) async fn apply(&self, change: &AccountChange) -> Answer {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            change: change.clone(),
            reply,
        };
        self.jobs.send(job).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

fn stopped() -> StoreError {
    StoreError::Unavailable("the store's writer has stopped".into())
}

async fn run(writer: SqlitePool, mut queue: mpsc::Receiver<Job>) {
    let mut jobs = Vec::with_capacity(MOST);
    while queue.recv_many(&mut jobs, MOST).await > 0 {
        let answers = commit(&writer, &jobs).await;
        for (job, answer) in jobs.drain(..).zip(answers) {
            // A caller that went away no longer wants its answer.
            let _ = job.reply.send(answer);
        }
    }
}

/// Applies `jobs` in one transaction: an answer per job, in order. Nearly every batch has no
/// failing change and costs no savepoints; when one fails, the batch is made again with each
/// change in a savepoint of its own, so that any further failure costs nothing more.
async fn commit(writer: &SqlitePool, jobs: &[Job]) -> Vec<Answer> {
    let mut tx = match writer.begin().await {
        Ok(tx) => tx,
        Err(e) => return lost(&map_error(e), jobs.len()),
    };
    let mut stored = Vec::with_capacity(jobs.len());
    for (i, job) in jobs.iter().enumerate() {
        // Returning drops `tx`, which rolls it back.
        match apply(&mut tx, &job.change).await {
            Ok(account) => stored.push(account),
            Err(e @ StoreError::Unavailable(_)) => return lost(&e, jobs.len()),
            Err(e) if jobs.len() == 1 => return vec![Err(e)],
            Err(e) => {
                drop(tx);
                return carefully(writer, jobs, (i, e)).await;
            }
        }
    }
    match tx.commit().await {
        Ok(()) => stored.into_iter().map(Ok).collect(),
        Err(e) => lost(&map_error(e), jobs.len()),
    }
}

/// The batch again without the change that failed, each other change in a savepoint.
async fn carefully(writer: &SqlitePool, jobs: &[Job], failed: (usize, StoreError)) -> Vec<Answer> {
    let (failed_at, failure) = failed;
    let mut answers = without(writer, jobs, failed_at).await;
    answers[failed_at] = Err(failure);
    answers
}

/// Answers for every job but `skip` (whose place holds a placeholder).
async fn without(writer: &SqlitePool, jobs: &[Job], skip: usize) -> Vec<Answer> {
    let mut tx = match writer.begin().await {
        Ok(tx) => tx,
        Err(e) => return lost(&map_error(e), jobs.len()),
    };
    let mut answers = Vec::with_capacity(jobs.len());
    for (i, job) in jobs.iter().enumerate() {
        if i == skip {
            answers.push(Ok(None));
            continue;
        }
        let answer = match savepoint(&mut tx, "SAVEPOINT change").await {
            Ok(()) => apply(&mut tx, &job.change).await,
            Err(e) => return lost(&e, jobs.len()),
        };
        let undone = match &answer {
            Err(e @ StoreError::Unavailable(_)) => return lost(e, jobs.len()),
            Err(_) => savepoint(&mut tx, "ROLLBACK TO change").await,
            Ok(_) => Ok(()),
        };
        if let Err(e) = undone {
            return lost(&e, jobs.len());
        }
        if let Err(e) = savepoint(&mut tx, "RELEASE change").await {
            return lost(&e, jobs.len());
        }
        answers.push(answer);
    }
    match tx.commit().await {
        Ok(()) => answers,
        Err(e) => lost(&map_error(e), jobs.len()),
    }
}

async fn savepoint(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    statement: &'static str,
) -> Result<(), StoreError> {
    sqlx::query(statement)
        .execute(&mut **tx)
        .await
        .map_err(map_error)?;
    Ok(())
}

/// A transaction that failed as a whole: every change of it is answered with the failure.
fn lost(e: &StoreError, jobs: usize) -> Vec<Answer> {
    (0..jobs).map(|_| Err(again(e))).collect()
}

/// The failure of a transaction, for each change it undid.
fn again(e: &StoreError) -> StoreError {
    let text = match std::error::Error::source(e) {
        Some(source) => format!("{e}: {source}"),
        None => e.to_string(),
    };
    match e {
        StoreError::Unavailable(_) => StoreError::Unavailable(text.into()),
        _ => StoreError::Internal(text.into()),
    }
}
