//! [`PackageStore`] on PostgreSQL. Changing or removing a package locks its row first, so a
//! concurrent account write on that package (which takes it `FOR SHARE`, see
//! `admission`) either finishes before or sees the change.

use crate::accounts::{account_columns, account_from_row};
use crate::change::{append_log, write_account};
use crate::{PostgresStore, commit, map_error};
use async_trait::async_trait;
use futures::TryStreamExt;
use sqlx::postgres::PgRow;
use sqlx::{Postgres, Row, Transaction};
use whmd_domain::StoreError;
use whmd_domain::account::Account;
use whmd_domain::package::Package;
use whmd_domain::store::encoding::{from_json, to_json};
use whmd_domain::store::{Conflict, PackageRemoval, PackageStore, REAPPLY_BATCH, Reapply};

#[async_trait]
impl PackageStore for PostgresStore {
    async fn package(&self, name: &str) -> Result<Option<Package>, StoreError> {
        sqlx::query("SELECT name, owner, settings, revision FROM packages WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_error)?
            .map(package_from_row)
            .transpose()
    }

    async fn packages(&self) -> Result<Vec<Package>, StoreError> {
        sqlx::query(
            "SELECT name, owner, settings, revision FROM packages ORDER BY name COLLATE \"C\"",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_error)?
        .into_iter()
        .map(package_from_row)
        .collect()
    }

    async fn create_package(&self, package: &Package) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(map_error)?;
        insert_package(&mut tx, package).await?;
        commit(tx).await
    }

    async fn update_package(
        &self,
        package: &Package,
        create: bool,
        reapply: &Reapply<'_>,
    ) -> Result<Vec<u32>, StoreError> {
        let mut tx = self.pool.begin().await.map_err(map_error)?;
        // The write locks the row; the accounts are read after it, with a fresh snapshot.
        if create {
            insert_package(&mut tx, package).await?;
        } else {
            let updated = sqlx::query(
                "UPDATE packages SET owner = $1, settings = $2, revision = revision + 1 \
                 WHERE name = $3 AND revision = $4",
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
                " FROM accounts WHERE plan = $1 AND username COLLATE \"C\" > $2 \
                 ORDER BY username COLLATE \"C\" LIMIT $3"
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
                write_account(&mut tx, &account.user, &account).await?;
                append_log(&mut tx, &reapplied.log).await?;
                if reapplied.host {
                    host.push(account.uid);
                }
            }
        }
        commit(tx).await?;
        Ok(host)
    }

    async fn remove_package(&self, name: &str) -> Result<PackageRemoval, StoreError> {
        let mut tx = self.pool.begin().await.map_err(map_error)?;
        let exists: Option<i64> =
            sqlx::query_scalar("SELECT 1::BIGINT FROM packages WHERE name = $1 FOR UPDATE")
                .bind(name)
                .fetch_optional(&mut *tx)
                .await
                .map_err(map_error)?;
        if exists.is_none() {
            return Ok(PackageRemoval::NotFound);
        }
        let in_use: Option<i64> =
            sqlx::query_scalar("SELECT 1::BIGINT FROM accounts WHERE plan = $1 LIMIT 1")
                .bind(name)
                .fetch_optional(&mut *tx)
                .await
                .map_err(map_error)?;
        if in_use.is_some() {
            return Ok(PackageRemoval::InUse);
        }
        sqlx::query("DELETE FROM packages WHERE name = $1")
            .bind(name)
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
        commit(tx).await?;
        Ok(PackageRemoval::Removed)
    }
}

pub(crate) async fn insert_package(
    tx: &mut Transaction<'_, Postgres>,
    package: &Package,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO packages (name, owner, settings, revision) VALUES ($1, $2, $3, $4)")
        .bind(&package.name)
        .bind(&package.owner)
        .bind(to_json(&package.settings)?)
        .bind(package.revision)
        .execute(&mut **tx)
        .await
        .map_err(map_error)?;
    Ok(())
}

pub(crate) fn package_from_row(row: PgRow) -> Result<Package, StoreError> {
    let settings: String = row.try_get("settings").map_err(map_error)?;
    Ok(Package {
        name: row.try_get("name").map_err(map_error)?,
        owner: row.try_get("owner").map_err(map_error)?,
        settings: from_json(&settings)?,
        revision: row.try_get("revision").map_err(map_error)?,
    })
}
