//! [`ZoneStore`] on PostgreSQL, and the zone writes account transactions share.

use crate::{PostgresStore, commit, map_error};
use async_trait::async_trait;
use sqlx::postgres::PgRow;
use sqlx::{Postgres, Row, Transaction};
use whmd_domain::StoreError;
use whmd_domain::store::{Conflict, StoredZone, ZoneStore, ZoneSummary, ZoneWrites};

#[async_trait]
impl ZoneStore for PostgresStore {
    async fn zone(&self, name: &str) -> Result<Option<StoredZone>, StoreError> {
        sqlx::query("SELECT name, owner, serial, text FROM zones WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_error)?
            .map(zone_row)
            .transpose()
    }

    async fn zones(&self, owner: Option<&str>) -> Result<Vec<ZoneSummary>, StoreError> {
        let query = match owner {
            Some(owner) => {
                sqlx::query(
                    "SELECT name, owner, serial FROM zones WHERE owner = $1 ORDER BY name COLLATE \"C\"",
                )
                    .bind(owner)
            }
            None => sqlx::query("SELECT name, owner, serial FROM zones ORDER BY name COLLATE \"C\""),
        };
        query
            .fetch_all(&self.pool)
            .await
            .map_err(map_error)?
            .into_iter()
            .map(|row| {
                Ok(ZoneSummary {
                    name: row.try_get("name").map_err(map_error)?,
                    owner: row.try_get("owner").map_err(map_error)?,
                    serial: serial(&row)?,
                })
            })
            .collect()
    }

    async fn put_zone(&self, zone: &StoredZone, replace: bool) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(map_error)?;
        write_zones(&mut tx, &ZoneWrites::put(zone.clone(), replace)).await?;
        commit(tx).await
    }

    async fn update_zone(&self, zone: &StoredZone, expected: u32) -> Result<(), StoreError> {
        let updated = sqlx::query(
            "UPDATE zones SET owner = $1, serial = $2, text = $3 WHERE name = $4 AND serial = $5",
        )
        .bind(&zone.owner)
        .bind(i64::from(zone.serial))
        .bind(&zone.text)
        .bind(&zone.name)
        .bind(i64::from(expected))
        .execute(&self.pool)
        .await
        .map_err(map_error)?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::Conflict(Conflict::Changed));
        }
        Ok(())
    }

    async fn remove_zone(&self, name: &str) -> Result<bool, StoreError> {
        let removed = sqlx::query("DELETE FROM zones WHERE name = $1")
            .bind(name)
            .execute(&self.pool)
            .await
            .map_err(map_error)?;
        Ok(removed.rows_affected() > 0)
    }
}

/// Carries out `writes` in `tx`: removals, then insertions (replacing only when asked, so a
/// taken name is a unique-key `Conflict`).
pub async fn write_zones(
    tx: &mut Transaction<'_, Postgres>,
    writes: &ZoneWrites,
) -> Result<(), StoreError> {
    for (name, serial) in &writes.remove {
        let removed = sqlx::query("DELETE FROM zones WHERE name = $1 AND serial = $2")
            .bind(name)
            .bind(i64::from(*serial))
            .execute(&mut **tx)
            .await
            .map_err(map_error)?;
        if removed.rows_affected() == 0 {
            return Err(StoreError::Conflict(Conflict::Changed));
        }
    }
    let insert = if writes.replace {
        "INSERT INTO zones (name, owner, serial, text) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, serial = excluded.serial, \
         text = excluded.text"
    } else {
        "INSERT INTO zones (name, owner, serial, text) VALUES ($1, $2, $3, $4)"
    };
    for zone in &writes.put {
        sqlx::query(insert)
            .bind(&zone.name)
            .bind(&zone.owner)
            .bind(i64::from(zone.serial))
            .bind(&zone.text)
            .execute(&mut **tx)
            .await
            .map_err(map_error)?;
    }
    Ok(())
}

pub fn zone_row(row: PgRow) -> Result<StoredZone, StoreError> {
    Ok(StoredZone {
        serial: serial(&row)?,
        name: row.try_get("name").map_err(map_error)?,
        owner: row.try_get("owner").map_err(map_error)?,
        text: row.try_get("text").map_err(map_error)?,
    })
}

fn serial(row: &PgRow) -> Result<u32, StoreError> {
    let serial: i64 = row.try_get("serial").map_err(map_error)?;
    u32::try_from(serial).map_err(|e| StoreError::Internal(Box::new(e)))
}
