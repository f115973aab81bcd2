//! [`IdempotencyStore`] on SQLite.

use crate::{SqliteStore, map_error};
use async_trait::async_trait;
use sqlx::Row;
use whmd_domain::StoreError;
use whmd_domain::store::IdempotencyStore;
use whmd_domain::store::idempotency::{Claim, KEEP_SECONDS, KeyOf, found};

#[async_trait]
impl IdempotencyStore for SqliteStore {
    async fn claim(
        &self,
        key: KeyOf<'_>,
        claimant: &str,
        fingerprint: &str,
        now: i64,
    ) -> Result<Claim, StoreError> {
        let mut tx = self.writer.begin().await.map_err(map_error)?;
        sqlx::query("DELETE FROM idempotency WHERE created < ?")
            .bind(now - KEEP_SECONDS)
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
        let inserted = sqlx::query(
            "INSERT INTO idempotency (username, key, claimant, fingerprint, created) \
             VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        )
        .bind(key.user)
        .bind(key.key)
        .bind(claimant)
        .bind(fingerprint)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(map_error)?;
        let claim = if inserted.rows_affected() == 1 {
            Claim::Run
        } else {
            let row = sqlx::query(
                "SELECT fingerprint, created, reply FROM idempotency \
                 WHERE username = ? AND key = ?",
            )
            .bind(key.user)
            .bind(key.key)
            .fetch_one(&mut *tx)
            .await
            .map_err(map_error)?;
            found(
                fingerprint,
                row.try_get("fingerprint").map_err(map_error)?,
                row.try_get("created").map_err(map_error)?,
                row.try_get("reply").map_err(map_error)?,
            )
        };
        tx.commit().await.map_err(map_error)?;
        Ok(claim)
    }

    async fn complete(
        &self,
        key: KeyOf<'_>,
        claimant: &str,
        reply: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE idempotency SET reply = ? WHERE username = ? AND key = ? AND claimant = ?",
        )
        .bind(reply)
        .bind(key.user)
        .bind(key.key)
        .bind(claimant)
        .execute(&self.writer)
        .await
        .map_err(map_error)?;
        Ok(())
    }

    async fn release(&self, key: KeyOf<'_>, claimant: &str) -> Result<(), StoreError> {
        sqlx::query(
            "DELETE FROM idempotency \
             WHERE username = ? AND key = ? AND claimant = ? AND reply IS NULL",
        )
        .bind(key.user)
        .bind(key.key)
        .bind(claimant)
        .execute(&self.writer)
        .await
        .map_err(map_error)?;
        Ok(())
    }
}
