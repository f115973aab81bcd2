//! [`PackageStore`] on SQLite.

use crate::accounts::{account_columns, account_from_row};
use crate::change::append_log;
use crate::{SqliteStore, map_error};
use async_trait::async_trait;
use futures::TryStreamExt;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use whmd_domain::StoreError;
use whmd_domain::account::Account;
use whmd_domain::package::Package;
use whmd_domain::store::encoding::{from_json, to_json};
use whmd_domain::store::{Conflict, PackageRemoval, PackageStore, REAPPLY_BATCH, Reapply};

#[async_trait]
impl PackageStore for SqliteStore {
    async fn package(&self, name: &str) -> Result<Option<Package>, StoreError> {
        sqlx::query("SELECT name, owner, settings, revision FROM packages WHERE name = ?")
            .bind(name)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_error)?
            .map(package_from_row)
            .transpose()
    }

    async fn packages(&self) -> Result<Vec<Package>, StoreError> {
        sqlx::query("SELECT name, owner, settings, revision FROM packages ORDER BY name")
            .fetch_all(&self.pool)
            .await
            .map_err(map_error)?
            .into_iter()
            .map(package_from_row)
            .collect()
    }

    async fn create_package(&self, package: &Package) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await.map_err(map_error)?;
        insert_package(&mut tx, package).await?;
        tx.commit().await.map_err(map_error)
    }

    async fn update_package(
        &self,
        package: &Package,
        create: bool,
        reapply: &Reapply<'_>,
    ) -> Result<Vec<u32>, StoreError> {
        let mut tx = self.writer.begin().await.map_err(map_error)?;
        if create {
            insert_package(&mut tx, package).await?;
        } else {
            let updated = sqlx::query(
                "UPDATE packages SET owner = ?, settings = ?, revision = revision + 1 \
                 WHERE name = ? AND revision = ?",
            )
            .bind(&package.owner)
            .bind(to_json(&package.settings)?)
            .bind(&package.name)
            .bind(package.revision)
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
            if updated.rows_affected() != 1 {
                return Err(StoreError::Conflict(Conflict::Changed));
            }
        }
        let mut host = Vec::new();
        let mut after = String::new();
        loop {
            let batch: Vec<Account> = sqlx::query(concat!(
                "SELECT ",
                account_columns!(),
                " FROM accounts WHERE plan = ? AND username > ? ORDER BY username LIMIT ?"
            ))
            .bind(&package.name)
            .bind(&after)
            .bind(i64::from(REAPPLY_BATCH))
            .fetch(&mut *tx)
            .map_err(map_error)
            .and_then(|row| std::future::ready(account_from_row(row)))
            .try_collect()
            .await?;
            let Some(last) = batch.last() else { break };
            after.clone_from(&last.user);
            for mut account in batch {
                let reapplied = reapply(&mut account);
                crate::change::write_account(&mut tx, &account.user, &account).await?;
                append_log(&mut tx, &reapplied.log).await?;
                if reapplied.host {
                    host.push(account.uid);
                }
            }
        }
        tx.commit().await.map_err(map_error)?;
        Ok(host)
    }

    async fn remove_package(&self, name: &str) -> Result<PackageRemoval, StoreError> {
        let mut tx = self.writer.begin().await.map_err(map_error)?;
        let in_use: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM accounts WHERE plan = ? LIMIT 1")
                .bind(name)
                .fetch_optional(&mut *tx)
                .await
                .map_err(map_error)?;
        if in_use.is_some() {
            return Ok(PackageRemoval::InUse);
        }
        let removed = sqlx::query("DELETE FROM packages WHERE name = ?")
            .bind(name)
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
        tx.commit().await.map_err(map_error)?;
        Ok(if removed.rows_affected() == 1 {
            PackageRemoval::Removed
        } else {
            PackageRemoval::NotFound
        })
    }
}

pub(crate) async fn insert_package(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    package: &Package,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO packages (name, owner, settings, revision) VALUES (?, ?, ?, ?)")
        .bind(&package.name)
        .bind(&package.owner)
        .bind(to_json(&package.settings)?)
        .bind(package.revision)
        .execute(&mut **tx)
        .await
        .map_err(map_error)?;
    Ok(())
}

pub(crate) fn package_from_row(row: SqliteRow) -> Result<Package, StoreError> {
    let settings: String = row.try_get("settings").map_err(map_error)?;
    Ok(Package {
        name: row.try_get("name").map_err(map_error)?,
        owner: row.try_get("owner").map_err(map_error)?,
        settings: from_json(&settings)?,
        revision: row.try_get("revision").map_err(map_error)?,
    })
}
