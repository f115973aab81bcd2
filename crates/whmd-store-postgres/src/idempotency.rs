//! [`IdempotencyStore`] on PostgreSQL.

use crate::{PostgresStore, commit, map_error};
use async_trait::async_trait;
use sqlx::Row;
use whmd_domain::StoreError;
use whmd_domain::store::IdempotencyStore;
use whmd_domain::store::idempotency::{Claim, KEEP_SECONDS, KeyOf, found};

#[async_trait]
impl IdempotencyStore for PostgresStore {
    async fn claim(
        &self,
        key: KeyOf<'_>,
        claimant: &str,
        fingerprint: &str,
        now: i64,
    ) -> Result<Claim, StoreError> {
        let mut tx = self.pool.begin().await.map_err(map_error)?;
        sqlx::query("DELETE FROM idempotency WHERE created < $1")
            .bind(now - KEEP_SECONDS)
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
        // The key's row may be released (deleted) between a conflicting insert and the read
        // that follows it, each statement seeing what is committed when it starts: the key is
        // then free, and the insert is tried again.
        let claim = loop {
            let inserted = sqlx::query(
                "INSERT INTO idempotency (username, key, claimant, fingerprint, created) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            )
            .bind(key.user)
            .bind(key.key)
            .bind(claimant)
            .bind(fingerprint)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
            if inserted.rows_affected() == 1 {
                break Claim::Run;
            }
            let row = sqlx::query(
                "SELECT fingerprint, created, reply FROM idempotency \
                 WHERE username = $1 AND key = $2",
            )
            .bind(key.user)
            .bind(key.key)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_error)?;
            if let Some(row) = row {
                break found(
                    fingerprint,
                    row.try_get("fingerprint").map_err(map_error)?,
                    row.try_get("created").map_err(map_error)?,
                    row.try_get("reply").map_err(map_error)?,
                );
            }
        };
        commit(tx).await?;
        Ok(claim)
    }

    async fn complete(
        &self,
        key: KeyOf<'_>,
        claimant: &str,
        reply: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE idempotency SET reply = $1 \
             WHERE username = $2 AND key = $3 AND claimant = $4",
        )
        .bind(reply)
        .bind(key.user)
        .bind(key.key)
        .bind(claimant)
        .execute(&self.pool)
        .await
        .map_err(map_error)?;
        Ok(())
    }

    async fn release(&self, key: KeyOf<'_>, claimant: &str) -> Result<(), StoreError> {
        sqlx::query(
            "DELETE FROM idempotency \
             WHERE username = $1 AND key = $2 AND claimant = $3 AND reply IS NULL",
        )
        .bind(key.user)
        .bind(key.key)
        .bind(claimant)
        .execute(&self.pool)
        .await
        .map_err(map_error)?;
        Ok(())
    }
}
