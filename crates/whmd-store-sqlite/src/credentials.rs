//! [`CredentialStore`] on SQLite.

use crate::{SqliteStore, map_error};
use async_trait::async_trait;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use whmd_domain::StoreError;
use whmd_domain::store::encoding::{acls_from_json, acls_to_json};
use whmd_domain::store::{ApiTokenRecord, CredentialStore};
use whmd_domain::time::unix_now;

#[async_trait]
impl CredentialStore for SqliteStore {
    async fn insert_api_token(&self, t: &ApiTokenRecord) -> Result<(), StoreError> {
        let acls = acls_to_json(t.acls)?;
        sqlx::query("INSERT INTO api_tokens (username, name, digest, create_time, expires_at, acls) VALUES (?, ?, ?, ?, ?, ?)")
            .bind(&t.user)
            .bind(&t.name)
            .bind(&t.digest)
            .bind(t.create_time)
            .bind(t.expires_at)
            .bind(acls)
            .execute(&self.writer)
            .await
            .map_err(map_error)?;
        Ok(())
    }

    async fn api_token_by_digest(
        &self,
        digest: &str,
    ) -> Result<Option<ApiTokenRecord>, StoreError> {
        let row = sqlx::query("SELECT username, name, digest, create_time, expires_at, acls FROM api_tokens WHERE digest = ?")
            .bind(digest)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_error)?;
        row.map(token_from_row).transpose()
    }

    async fn api_token_by_name(
        &self,
        user: &str,
        name: &str,
    ) -> Result<Option<ApiTokenRecord>, StoreError> {
        let row = sqlx::query("SELECT username, name, digest, create_time, expires_at, acls FROM api_tokens WHERE username = ? AND name = ?")
            .bind(user)
            .bind(name)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_error)?;
        row.map(token_from_row).transpose()
    }

    async fn password_hash(&self, user: &str) -> Result<Option<String>, StoreError> {
        sqlx::query_scalar("SELECT phc FROM passwords WHERE username = ?")
            .bind(user)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_error)
    }

    async fn set_password_hash(&self, user: &str, phc: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO passwords (username, phc, updated_at) VALUES (?, ?, ?) \
             ON CONFLICT (username) DO UPDATE SET phc = excluded.phc, updated_at = excluded.updated_at",
        )
        .bind(user)
        .bind(phc)
        .bind(unix_now())
        .execute(&self.writer)
        .await
        .map_err(map_error)?;
        Ok(())
    }
}

pub(crate) fn token_from_row(row: SqliteRow) -> Result<ApiTokenRecord, StoreError> {
    let acls = acls_from_json(row.try_get("acls").map_err(map_error)?)?;
    Ok(ApiTokenRecord {
        user: row.try_get("username").map_err(map_error)?,
        name: row.try_get("name").map_err(map_error)?,
        digest: row.try_get("digest").map_err(map_error)?,
        create_time: row.try_get("create_time").map_err(map_error)?,
        expires_at: row.try_get("expires_at").map_err(map_error)?,
        acls,
    })
}
