//! [`SessionStore`] on SQLite.

use crate::{SqliteStore, map_error};
use async_trait::async_trait;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use whmd_domain::StoreError;
use whmd_domain::session::Session;
use whmd_domain::store::SessionStore;

#[async_trait]
impl SessionStore for SqliteStore {
    async fn create_session(&self, s: &Session) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await.map_err(map_error)?;
        sqlx::query("DELETE FROM sessions WHERE expires <= ?")
            .bind(s.created)
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
        insert_session(&mut tx, s).await?;
        tx.commit().await.map_err(map_error)
    }

    async fn session(&self, digest: &str) -> Result<Option<Session>, StoreError> {
        sqlx::query(
            "SELECT digest, username, security_token, created, expires, preauth FROM sessions \
             WHERE digest = ?",
        )
        .bind(digest)
        .fetch_optional(&self.pool)
        .await
        .map_err(map_error)?
        .map(session_row)
        .transpose()
    }

    async fn redeem_session(
        &self,
        digest: &str,
        now: i64,
        expires: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE sessions SET preauth = 0, expires = ? \
             WHERE digest = ? AND preauth = 1 AND expires > ?",
        )
        .bind(expires)
        .bind(digest)
        .bind(now)
        .execute(&self.writer)
        .await
        .map_err(map_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn touch_session(&self, digest: &str, expires: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE sessions SET expires = MAX(expires, ?) WHERE digest = ? AND preauth = 0",
        )
        .bind(expires)
        .bind(digest)
        .execute(&self.writer)
        .await
        .map_err(map_error)?;
        Ok(())
    }

    async fn remove_session(&self, digest: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM sessions WHERE digest = ?")
            .bind(digest)
            .execute(&self.writer)
            .await
            .map_err(map_error)?;
        Ok(done.rows_affected() == 1)
    }
}

pub(crate) async fn insert_session(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    s: &Session,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sessions (digest, username, security_token, created, expires, preauth) \
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(&s.digest)
    .bind(&s.user)
    .bind(&s.security_token)
    .bind(s.created)
    .bind(s.expires)
    .bind(s.preauth)
    .execute(&mut **tx)
    .await
    .map_err(map_error)?;
    Ok(())
}

pub(crate) fn session_row(row: SqliteRow) -> Result<Session, StoreError> {
    Ok(Session {
        digest: row.try_get("digest").map_err(map_error)?,
        user: row.try_get("username").map_err(map_error)?,
        security_token: row.try_get("security_token").map_err(map_error)?,
        created: row.try_get("created").map_err(map_error)?,
        expires: row.try_get("expires").map_err(map_error)?,
        preauth: row.try_get("preauth").map_err(map_error)?,
    })
}
