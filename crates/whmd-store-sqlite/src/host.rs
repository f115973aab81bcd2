//! [`HostStore`] on SQLite.

use crate::accounts::{account_columns, account_from_row};
use crate::{SqliteStore, map_error};
use async_trait::async_trait;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;
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
impl HostStore for SqliteStore {
    async fn hosted_accounts(&self, host: &str) -> Result<Vec<HostedAccount>, StoreError> {
        sqlx::query(hosted_select!("WHERE host IN (?, '') ORDER BY uid"))
            .bind(host)
            .fetch_all(&self.pool)
            .await
            .map_err(map_error)?
            .into_iter()
            .map(hosted_from_row)
            .collect()
    }

    async fn hosted_account(&self, uid: u32) -> Result<Option<HostedAccount>, StoreError> {
        sqlx::query(hosted_select!("WHERE uid = ?"))
            .bind(uid)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_error)?
            .map(hosted_from_row)
            .transpose()
    }

    async fn removals(&self, host: &str) -> Result<Vec<Removal>, StoreError> {
        sqlx::query(
            "SELECT uid, username, homedir, host, removed_at FROM host_removals \
             WHERE host IN (?, '') ORDER BY uid",
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
        sqlx::query("DELETE FROM host_removals WHERE uid = ? AND removed_at = ?")
            .bind(uid)
            .bind(removed_at)
            .execute(&self.writer)
            .await
            .map_err(map_error)?;
        Ok(())
    }
}

fn hosted_from_row(row: SqliteRow) -> Result<HostedAccount, StoreError> {
    let password = row.try_get("phc").map_err(map_error)?;
    Ok(HostedAccount {
        account: account_from_row(row)?,
        password,
    })
}

pub(crate) fn removal_from_row(row: &SqliteRow) -> Result<Removal, StoreError> {
    Ok(Removal {
        uid: row.try_get("uid").map_err(map_error)?,
        user: row.try_get("username").map_err(map_error)?,
        homedir: row.try_get("homedir").map_err(map_error)?,
        host: row.try_get("host").map_err(map_error)?,
        removed_at: row.try_get("removed_at").map_err(map_error)?,
    })
}
