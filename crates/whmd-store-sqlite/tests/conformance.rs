//! The store conformance suite on SQLite, plus what only SQLite has to prove.

use whmd_store_conformance::{Names, copies_are_exact, run_all};
use whmd_store_sqlite::SqliteStore;

async fn open() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("whmd.db").display());
    (dir, SqliteStore::open(&url).await.expect("open store"))
}

#[tokio::test]
async fn conformance() {
    let (_dir, store) = open().await;
    run_all(&store.stores(), &Names::new("c")).await;
    let (_target_dir, target) = open().await;
    copies_are_exact(&store.stores(), &target.stores()).await;
}

#[tokio::test]
async fn reopening_runs_no_migration_twice_and_keeps_data() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("whmd.db").display());
    let store = SqliteStore::open(&url).await.expect("first open");
    store
        .stores()
        .credentials
        .set_password_hash("root", "$x")
        .await
        .expect("write");
    store.close().await;
    let store = SqliteStore::open(&url).await.expect("second open");
    let got = store
        .stores()
        .credentials
        .password_hash("root")
        .await
        .expect("read");
    assert_eq!(got.as_deref(), Some("$x"));
}

#[tokio::test]
async fn two_handles_on_one_file_both_write() {
    // `whmd passwd` writes while the server holds the database open.
    let (dir, server) = open().await;
    let url = format!("sqlite://{}", dir.path().join("whmd.db").display());
    let cli = SqliteStore::open(&url).await.expect("second handle");
    cli.stores()
        .credentials
        .set_password_hash("root", "$cli")
        .await
        .expect("cli write");
    let got = server
        .stores()
        .credentials
        .password_hash("root")
        .await
        .expect("server read");
    assert_eq!(got.as_deref(), Some("$cli"));
}

#[tokio::test]
async fn a_path_that_cannot_exist_is_an_error_not_a_panic() {
    let result = SqliteStore::open("sqlite:///proc/whmd-no-such-dir/whmd.db").await;
    assert!(result.is_err());
}
