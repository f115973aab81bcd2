//! Throwaway databases, for tests and benchmarks that share one PostgreSQL server: each gets a
//! database of its own, so they can run in parallel.

use crate::map_error;
use sqlx::Connection;
use sqlx::postgres::PgConnection;
use whmd_domain::StoreError;

/// Creates a new, empty database on the server `admin_url` points at and returns its URL.
pub async fn create_database(admin_url: &str, name: &str) -> Result<String, StoreError> {
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(StoreError::Internal(
            format!("“{name}” is not a plain database name").into(),
        ));
    }
    let mut admin = PgConnection::connect(admin_url).await.map_err(map_error)?;
    // A name cannot be a bind parameter; it was checked above.
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .map_err(map_error)?;
    admin.close().await.map_err(map_error)?;
    let (base, _) = admin_url
        .rsplit_once('/')
        .ok_or_else(|| StoreError::Internal("a URL without a database".into()))?;
    Ok(format!("{base}/{name}"))
}
