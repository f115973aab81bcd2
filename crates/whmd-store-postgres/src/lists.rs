//! [`FeatureListStore`] and [`AclListStore`] on PostgreSQL.

use crate::{PostgresStore, commit, map_error};
use async_trait::async_trait;
use sqlx::Row;
use sqlx::postgres::PgRow;
use std::collections::BTreeMap;
use whmd_domain::StoreError;
use whmd_domain::features::FeatureList;
use whmd_domain::store::encoding::{acls_from_json, acls_to_json, from_json, to_json};
use whmd_domain::store::{AclListStore, Conflict, FeatureListStore};
use whmd_wire::AclSet;

#[async_trait]
impl FeatureListStore for PostgresStore {
    async fn feature_list(&self, name: &str) -> Result<Option<FeatureList>, StoreError> {
        sqlx::query("SELECT name, owner, features FROM feature_lists WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_error)?
            .map(feature_list_from_row)
            .transpose()
    }

    async fn feature_lists(&self) -> Result<Vec<FeatureList>, StoreError> {
        sqlx::query("SELECT name, owner, features FROM feature_lists ORDER BY name COLLATE \"C\"")
            .fetch_all(&self.pool)
            .await
            .map_err(map_error)?
            .into_iter()
            .map(feature_list_from_row)
            .collect()
    }

    async fn save_feature_list(&self, list: &FeatureList, replace: bool) -> Result<(), StoreError> {
        let sql = if replace {
            "INSERT INTO feature_lists (name, owner, features) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, features = excluded.features"
        } else {
            "INSERT INTO feature_lists (name, owner, features) VALUES ($1, $2, $3)"
        };
        sqlx::query(sql)
            .bind(&list.name)
            .bind(&list.owner)
            .bind(to_json(&list.features)?)
            .execute(&self.pool)
            .await
            .map_err(map_error)?;
        Ok(())
    }

    async fn update_feature_list(
        &self,
        name: &str,
        owner: &str,
        own_only: bool,
        features: &BTreeMap<String, bool>,
    ) -> Result<FeatureList, StoreError> {
        let mut tx = self.pool.begin().await.map_err(map_error)?;
        // Make sure a row exists, then lock it, so concurrent updates merge one after another.
        sqlx::query(
            "INSERT INTO feature_lists (name, owner, features) VALUES ($1, $2, '{}') \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(owner)
        .execute(&mut *tx)
        .await
        .map_err(map_error)?;
        let row = sqlx::query(
            "SELECT name, owner, features FROM feature_lists WHERE name = $1 FOR UPDATE",
        )
        .bind(name)
        .fetch_one(&mut *tx)
        .await
        .map_err(map_error)?;
        let mut list = feature_list_from_row(row)?;
        if own_only && list.owner != owner {
            return Err(StoreError::Conflict(Conflict::Name));
        }
        list.features
            .extend(features.iter().map(|(k, v)| (k.clone(), *v)));
        sqlx::query("UPDATE feature_lists SET features = $1 WHERE name = $2")
            .bind(to_json(&list.features)?)
            .bind(name)
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
        commit(tx).await?;
        Ok(list)
    }

    async fn remove_feature_list(&self, name: &str) -> Result<bool, StoreError> {
        let removed = sqlx::query("DELETE FROM feature_lists WHERE name = $1")
            .bind(name)
            .execute(&self.pool)
            .await
            .map_err(map_error)?;
        Ok(removed.rows_affected() == 1)
    }
}

#[async_trait]
impl AclListStore for PostgresStore {
    async fn acl_list(&self, name: &str) -> Result<Option<AclSet>, StoreError> {
        let acls: Option<String> = sqlx::query_scalar("SELECT acls FROM acl_lists WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_error)?;
        acls_from_json(acls)
    }

    async fn acl_lists(&self) -> Result<Vec<(String, AclSet)>, StoreError> {
        sqlx::query("SELECT name, acls FROM acl_lists ORDER BY name COLLATE \"C\"")
            .fetch_all(&self.pool)
            .await
            .map_err(map_error)?
            .into_iter()
            .map(acl_list_from_row)
            .collect()
    }

    async fn save_acl_list(&self, name: &str, acls: AclSet) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO acl_lists (name, acls) VALUES ($1, $2) \
             ON CONFLICT (name) DO UPDATE SET acls = excluded.acls",
        )
        .bind(name)
        .bind(acls_to_json(Some(acls))?)
        .execute(&self.pool)
        .await
        .map_err(map_error)?;
        Ok(())
    }
}

pub(crate) fn feature_list_from_row(row: PgRow) -> Result<FeatureList, StoreError> {
    let features: String = row.try_get("features").map_err(map_error)?;
    Ok(FeatureList {
        name: row.try_get("name").map_err(map_error)?,
        owner: row.try_get("owner").map_err(map_error)?,
        features: from_json(&features)?,
    })
}

pub(crate) fn acl_list_from_row(row: PgRow) -> Result<(String, AclSet), StoreError> {
    let name: String = row.try_get("name").map_err(map_error)?;
    let acls = acls_from_json(row.try_get("acls").map_err(map_error)?)?.unwrap_or_default();
    Ok((name, acls))
}
