//! [`CredentialStore`] on PostgreSQL.

use crate::change::append_log;
use crate::{PostgresStore, commit, map_error};
use async_trait::async_trait;
use sqlx::Row;
use sqlx::postgres::PgRow;
use whmd_domain::StoreError;
use whmd_domain::account::AccountingEntry;
use whmd_domain::store::encoding::{
    acls_from_json, acls_to_json, ranges_from_json, ranges_to_json,
};
use whmd_domain::store::{ApiTokenRecord, CredentialStore};
use whmd_domain::time::unix_now;

/// The columns an [`ApiTokenRecord`] is read from.
macro_rules! token_columns {
    () => {
        "username, name, digest, create_time, expires_at, acls, whitelist_ips"
    };
}
pub(crate) use token_columns;

#[async_trait]
impl CredentialStore for PostgresStore {
    async fn insert_api_token(
        &self,
        t: &ApiTokenRecord,
        log: &[AccountingEntry],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(map_error)?;
        insert_token(&mut tx, t).await?;
        for entry in log {
            append_log(&mut tx, entry).await?;
        }
        commit(tx).await
    }

    async fn api_token_by_digest(
        &self,
        digest: &str,
    ) -> Result<Option<ApiTokenRecord>, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            token_columns!(),
            " FROM api_tokens WHERE digest = $1"
        ))
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
        let row = sqlx::query(concat!(
            "SELECT ",
            token_columns!(),
            " FROM api_tokens WHERE username = $1 AND name = $2"
        ))
        .bind(user)
        .bind(name)
        .fetch_optional(&self.pool)
        .await
        .map_err(map_error)?;
        row.map(token_from_row).transpose()
    }

    async fn api_tokens(&self, user: &str) -> Result<Vec<ApiTokenRecord>, StoreError> {
        sqlx::query(concat!(
            "SELECT ",
            token_columns!(),
            " FROM api_tokens WHERE username = $1 ORDER BY name COLLATE \"C\""
        ))
        .bind(user)
        .fetch_all(&self.pool)
        .await
        .map_err(map_error)?
        .into_iter()
        .map(token_from_row)
        .collect()
    }

    async fn update_api_token(
        &self,
        name: &str,
        t: &ApiTokenRecord,
        log: &[AccountingEntry],
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await.map_err(map_error)?;
        let updated = sqlx::query(
            "UPDATE api_tokens SET name = $1, expires_at = $2, acls = $3, whitelist_ips = $4 \
             WHERE username = $5 AND name = $6",
        )
        .bind(&t.name)
        .bind(t.expires_at)
        .bind(acls_to_json(t.acls)?)
        .bind(ranges_to_json(t.whitelist.as_deref())?)
        .bind(&t.user)
        .bind(name)
        .execute(&mut *tx)
        .await
        .map_err(map_error)?;
        if updated.rows_affected() == 0 {
            return Ok(false);
        }
        for entry in log {
            append_log(&mut tx, entry).await?;
        }
        commit(tx).await?;
        Ok(true)
    }

    async fn revoke_api_tokens(
        &self,
        user: &str,
        names: &[String],
        log: &[AccountingEntry],
    ) -> Result<Vec<String>, StoreError> {
        let mut tx = self.pool.begin().await.map_err(map_error)?;
        let mut revoked = Vec::new();
        for (name, entry) in names.iter().zip(log) {
            let removed = sqlx::query("DELETE FROM api_tokens WHERE username = $1 AND name = $2")
                .bind(user)
                .bind(name)
                .execute(&mut *tx)
                .await
                .map_err(map_error)?;
            if removed.rows_affected() == 1 {
                append_log(&mut tx, entry).await?;
                revoked.push(name.clone());
            }
        }
        commit(tx).await?;
        Ok(revoked)
    }

    async fn set_access_hash(
        &self,
        user: &str,
        digest: &str,
        created: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO access_hashes (username, digest, created) VALUES ($1, $2, $3) \
             ON CONFLICT (username) DO UPDATE SET digest = excluded.digest, created = excluded.created",
        )
        .bind(user)
        .bind(digest)
        .bind(created)
        .execute(&self.pool)
        .await
        .map_err(map_error)?;
        Ok(())
    }

    async fn access_hash(&self, user: &str) -> Result<Option<String>, StoreError> {
        sqlx::query_scalar("SELECT digest FROM access_hashes WHERE username = $1")
            .bind(user)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_error)
    }

    async fn password_hash(&self, user: &str) -> Result<Option<String>, StoreError> {
        sqlx::query_scalar("SELECT phc FROM passwords WHERE username = $1")
            .bind(user)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_error)
    }

    async fn set_password_hash(&self, user: &str, phc: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO passwords (username, phc, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (username) DO UPDATE SET phc = excluded.phc, updated_at = excluded.updated_at",
        )
        .bind(user)
        .bind(phc)
        .bind(unix_now())
        .execute(&self.pool)
        .await
        .map_err(map_error)?;
        Ok(())
    }
}

pub(crate) async fn insert_token(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    t: &ApiTokenRecord,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO api_tokens (username, name, digest, create_time, expires_at, acls, whitelist_ips) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&t.user)
    .bind(&t.name)
    .bind(&t.digest)
    .bind(t.create_time)
    .bind(t.expires_at)
    .bind(acls_to_json(t.acls)?)
    .bind(ranges_to_json(t.whitelist.as_deref())?)
    .execute(&mut **tx)
    .await
    .map_err(map_error)?;
    Ok(())
}

pub(crate) fn token_from_row(row: PgRow) -> Result<ApiTokenRecord, StoreError> {
    Ok(ApiTokenRecord {
        user: row.try_get("username").map_err(map_error)?,
        name: row.try_get("name").map_err(map_error)?,
        digest: row.try_get("digest").map_err(map_error)?,
        create_time: row.try_get("create_time").map_err(map_error)?,
        expires_at: row.try_get("expires_at").map_err(map_error)?,
        acls: acls_from_json(row.try_get("acls").map_err(map_error)?)?,
        whitelist: ranges_from_json(row.try_get("whitelist_ips").map_err(map_error)?)?,
    })
}
