//! [`SessionStore`] on PostgreSQL.

use crate::{PostgresStore, commit, map_error};
use async_trait::async_trait;
use sqlx::Row;
use sqlx::postgres::PgRow;
use whmd_domain::StoreError;
use whmd_domain::session::Session;
use whmd_domain::store::SessionStore;

#[async_trait]
impl SessionStore for PostgresStore {
    async fn create_session(&self, s: &Session) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(map_error)?;
        sqlx::query("DELETE FROM sessions WHERE expires <= $1")
            .bind(s.created)
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
        insert_session(&mut tx, s).await?;
        commit(tx).await
    }

    async fn session(&self, digest: &str) -> Result<Option<Session>, StoreError> {
        sqlx::query(
            "SELECT digest, username, security_token, created, expires, preauth FROM sessions \
             WHERE digest = $1",
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
            "UPDATE sessions SET preauth = FALSE, expires = $1 \
             WHERE digest = $2 AND preauth AND expires > $3",
        )
        .bind(expires)
        .bind(digest)
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(map_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn touch_session(&self, digest: &str, expires: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE sessions SET expires = GREATEST(expires, $1) WHERE digest = $2 AND NOT preauth",
        )
        .bind(expires)
        .bind(digest)
        .execute(&self.pool)
        .await
        .map_err(map_error)?;
        Ok(())
    }

    async fn remove_session(&self, digest: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM sessions WHERE digest = $1")
            .bind(digest)
            .execute(&self.pool)
            .await
            .map_err(map_error)?;
        Ok(done.rows_affected() == 1)
    }
}

pub(crate) async fn insert_session(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    s: &Session,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sessions (digest, username, security_token, created, expires, preauth) \
         VALUES ($1, $2, $3, $4, $5, $6)",
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

pub(crate) fn session_row(row: PgRow) -> Result<Session, StoreError> {
    Ok(Session {
        digest: row.try_get("digest").map_err(map_error)?,
        user: row.try_get("username").map_err(map_error)?,
        security_token: row.try_get("security_token").map_err(map_error)?,
        created: row.try_get("created").map_err(map_error)?,
        expires: row.try_get("expires").map_err(map_error)?,
        preauth: row.try_get("preauth").map_err(map_error)?,
    })
}
