//! [`HostStore`] on PostgreSQL.

use crate::accounts::{account_columns, account_from_row};
use crate::{PostgresStore, map_error};
use async_trait::async_trait;
use sqlx::Row;
use sqlx::postgres::PgRow;
use whmd_domain::StoreError;
use whmd_domain::store::{HostStore, HostedAccount, Removal};

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
}

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
