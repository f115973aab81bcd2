//! [`HostStore`] on PostgreSQL.

use crate::accounts::{account_columns, account_from_row};
use crate::{PostgresStore, commit, map_error};
use async_trait::async_trait;
use sqlx::postgres::PgRow;
use sqlx::{AssertSqlSafe, Row};
use std::collections::HashSet;
use whmd_domain::StoreError;
use whmd_domain::store::{HostStore, HostedAccount, Removal, Usage};

/// An account's columns and its password hash.
macro_rules! hosted_select {
    ($rest:literal) => {
        concat!(
            "SELECT ",
            account_columns!(),
            ", (SELECT phc FROM passwords p WHERE p.username = accounts.username) AS phc FROM accounts ",
            $rest
        )
    };
}

#[async_trait]
impl HostStore for PostgresStore {
    async fn hosted_accounts(&self, host: &str) -> Result<Vec<HostedAccount>, StoreError> {
        sqlx::query(hosted_select!("WHERE host IN ($1, '') ORDER BY uid"))
            .bind(host)
            .fetch_all(&self.pool)
            .await
            .map_err(map_error)?
            .into_iter()
            .map(hosted_from_row)
            .collect()
    }

    async fn hosted_account(&self, uid: u32) -> Result<Option<HostedAccount>, StoreError> {
        sqlx::query(hosted_select!("WHERE uid = $1"))
            .bind(i64::from(uid))
            .fetch_optional(&self.pool)
            .await
            .map_err(map_error)?
            .map(hosted_from_row)
            .transpose()
    }

    async fn removals(&self, host: &str) -> Result<Vec<Removal>, StoreError> {
        sqlx::query(
            "SELECT uid, username, homedir, host, removed_at FROM host_removals \
             WHERE host IN ($1, '') ORDER BY uid",
        )
        .bind(host)
        .fetch_all(&self.pool)
        .await
        .map_err(map_error)?
        .iter()
        .map(removal_from_row)
        .collect()
    }

    async fn forget_removal(&self, uid: u32, removed_at: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM host_removals WHERE uid = $1 AND removed_at = $2")
            .bind(i64::from(uid))
            .bind(removed_at)
            .execute(&self.pool)
            .await
            .map_err(map_error)?;
        Ok(())
    }

    async fn record_usage(&self, usage: &[Usage], measured_at: i64) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(map_error)?;
        for u in usage {
            let to_i64 = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
            sqlx::query(
                "INSERT INTO account_usage (uid, disk_bytes, inodes, measured_at) \
                 SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM accounts WHERE uid = $5) \
                 ON CONFLICT (uid) DO UPDATE SET disk_bytes = excluded.disk_bytes, \
                 inodes = excluded.inodes, measured_at = excluded.measured_at",
            )
            .bind(i64::from(u.uid))
            .bind(to_i64(u.disk_bytes))
            .bind(to_i64(u.inodes))
            .bind(measured_at)
            .bind(i64::from(u.uid))
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
        }
        commit(tx).await
    }

    async fn usage(&self, uids: &[u32]) -> Result<Vec<Usage>, StoreError> {
        if uids.is_empty() {
            return Ok(Vec::new());
        }
        // A page names its uids; a long listing reads the whole (one row per account) table
        // once rather than in many pieces.
        let sql = if uids.len() <= USAGE_IN_LIST {
            let list: Vec<String> = uids.iter().map(u32::to_string).collect();
            format!(
                "SELECT uid, disk_bytes, inodes FROM account_usage WHERE uid IN ({})",
                list.join(",")
            )
        } else {
            "SELECT uid, disk_bytes, inodes FROM account_usage".to_owned()
        };
        let wanted: HashSet<u32> = uids.iter().copied().collect();
        let mut found = Vec::new();
        for row in sqlx::query(AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await
            .map_err(map_error)?
        {
            let n = |name: &str| -> Result<u64, StoreError> {
                let v: i64 = row.try_get(name).map_err(map_error)?;
                Ok(u64::try_from(v).unwrap_or(0))
            };
            let uid = u32::try_from(n("uid")?).map_err(|e| StoreError::Internal(Box::new(e)))?;
            if wanted.contains(&uid) {
                found.push(Usage {
                    uid,
                    disk_bytes: n("disk_bytes")?,
                    inodes: n("inodes")?,
                });
            }
        }
        Ok(found)
    }
}

/// The most uids [`HostStore::usage`] names in its query.
const USAGE_IN_LIST: usize = 500;

fn hosted_from_row(row: PgRow) -> Result<HostedAccount, StoreError> {
    let password = row.try_get("phc").map_err(map_error)?;
    Ok(HostedAccount {
        account: account_from_row(row)?,
        password,
    })
}

pub(crate) fn removal_from_row(row: &PgRow) -> Result<Removal, StoreError> {
    Ok(Removal {
        uid: u32::try_from(row.try_get::<i64, _>("uid").map_err(map_error)?)
            .map_err(|e| StoreError::Internal(Box::new(e)))?,
        user: row.try_get("username").map_err(map_error)?,
        homedir: row.try_get("homedir").map_err(map_error)?,
        host: row.try_get("host").map_err(map_error)?,
        removed_at: row.try_get("removed_at").map_err(map_error)?,
    })
}
