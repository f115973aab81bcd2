//! The store conformance suite on PostgreSQL, when `WHMD_TEST_POSTGRES_URL` names a server
//! (`.ci/run` starts one). Without it these tests say so and pass.

use whmd_store_conformance::{Names, copies_are_exact, run_all};
use whmd_store_postgres::PostgresStore;
use whmd_store_postgres::scratch::create_database;

async fn fresh() -> Option<PostgresStore> {
    let Ok(admin) = std::env::var("WHMD_TEST_POSTGRES_URL") else {
        eprintln!("WHMD_TEST_POSTGRES_URL is not set; PostgreSQL checks skipped");
        return None;
    };
    let name = format!("whmd_conf_{:016x}", rand::random::<u64>());
    let url = create_database(&admin, &name)
        .await
        .expect("a scratch database");
    Some(PostgresStore::open(&url).await.expect("open"))
}

#[tokio::test]
async fn conformance() {
    let Some(store) = fresh().await else { return };
    run_all(&store.stores(), &Names::new("c")).await;
    let Some(target) = fresh().await else { return };
    copies_are_exact(&store.stores(), &target.stores()).await;
}

#[tokio::test]
async fn sqlite_copies_into_postgres() {
    let Some(target) = fresh().await else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let sqlite = whmd_store_sqlite::SqliteStore::open(&format!(
        "sqlite://{}",
        dir.path().join("s.db").display()
    ))
    .await
    .expect("sqlite");
    run_all(&sqlite.stores(), &Names::new("s")).await;
    copies_are_exact(&sqlite.stores(), &target.stores()).await;
}

#[tokio::test]
async fn migrations_run_once_when_replicas_start_together() {
    let Ok(admin) = std::env::var("WHMD_TEST_POSTGRES_URL") else {
        return;
    };
    let name = format!("whmd_mig_{:016x}", rand::random::<u64>());
    let url = create_database(&admin, &name)
        .await
        .expect("a scratch database");
    let (a, b) = tokio::join!(PostgresStore::open(&url), PostgresStore::open(&url));
    let (a, b) = (a.expect("first replica"), b.expect("second replica"));
    a.stores()
        .credentials
        .set_password_hash("root", "$a")
        .await
        .expect("write");
    let seen = b
        .stores()
        .credentials
        .password_hash("root")
        .await
        .expect("read");
    assert_eq!(seen.as_deref(), Some("$a"));
    let again = PostgresStore::open(&url)
        .await
        .expect("a third start runs no migration twice");
    again.close().await;
}

#[tokio::test]
async fn a_server_that_is_not_there_is_unavailable() {
    let result = PostgresStore::open("postgres://nobody@127.0.0.1:1/none").await;
    assert!(
        matches!(result, Err(whmd_domain::StoreError::Unavailable(_))),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_database_that_takes_no_writes_is_not_ready() {
    let Ok(admin) = std::env::var("WHMD_TEST_POSTGRES_URL") else {
        return;
    };
    let name = format!("whmd_ro_{:016x}", rand::random::<u64>());
    let url = create_database(&admin, &name)
        .await
        .expect("a scratch database");
    let store = PostgresStore::open(&url).await.expect("open");
    store
        .stores()
        .health
        .ready()
        .await
        .expect("ready while writable");
    // What a standby is to its clients: every transaction read-only.
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin)
        .await
        .expect("admin");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "ALTER DATABASE {name} SET default_transaction_read_only = on"
    )))
    .execute(&mut conn)
    .await
    .expect("set read-only");
    // The pool's connections end, as they do in a failover; the next ones are read-only.
    sqlx::query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = $1 AND pid <> pg_backend_pid()",
    )
    .bind(&name)
    .execute(&mut conn)
    .await
    .expect("end the pool's connections");
    let stores = store.stores();
    let ready = stores.health.ready().await;
    assert!(
        matches!(ready, Err(whmd_domain::StoreError::Unavailable(_))),
        "{ready:?}"
    );
    let write = stores.credentials.set_password_hash("root", "$a").await;
    assert!(
        matches!(write, Err(whmd_domain::StoreError::Unavailable(_))),
        "a write to a read-only database is unavailable (SQLSTATE 25006): {write:?}"
    );
    // Writable again for new sessions only, as a promoted node is to new connections: the
    // pool must not keep the read-only ones.
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "ALTER DATABASE {name} RESET default_transaction_read_only"
    )))
    .execute(&mut conn)
    .await
    .expect("writable again");
    stores
        .credentials
        .set_password_hash("root", "$b")
        .await
        .expect("a write after the database takes writes again, on a new connection");
    stores.health.ready().await.expect("ready again");
    store.close().await;
}
