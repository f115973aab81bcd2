//! [`HulkStore`] on PostgreSQL.

use crate::{PostgresStore, commit, map_error};
use async_trait::async_trait;
use ipnet::IpNet;
use sqlx::postgres::PgRow;
use sqlx::{Postgres, Row, Transaction};
use std::net::IpAddr;
use whmd_domain::StoreError;
use whmd_domain::hulk::{
    Block, Failure, FailureCounts, HulkConfig, HulkList, HulkRecord, HulkState, Windows,
};
use whmd_domain::store::HulkStore;
use whmd_domain::store::encoding::{
    block_from_columns, failure_from_columns, from_json, record_from_columns, to_json,
};

const CONFIG: &str = "cphulk";

#[async_trait]
impl HulkStore for PostgresStore {
    async fn hulk_config(&self) -> Result<HulkConfig, StoreError> {
        let mut conn = self.pool.acquire().await.map_err(map_error)?;
        config(&mut conn).await
    }

    async fn save_hulk_config(&self, config: &HulkConfig) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO settings (name, value) VALUES ($1, $2) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        )
        .bind(CONFIG)
        .bind(to_json(config)?)
        .execute(&self.pool)
        .await
        .map_err(map_error)?;
        Ok(())
    }

    async fn hulk_state(&self, now: i64) -> Result<HulkState, StoreError> {
        let mut tx = self.pool.begin().await.map_err(map_error)?;
        let config = config(&mut tx).await?;
        let mut state = HulkState {
            config,
            ..HulkState::default()
        };
        for row in sqlx::query("SELECT list, address, comment FROM hulk_lists")
            .fetch_all(&mut *tx)
            .await
            .map_err(map_error)?
        {
            let (list, record) = list_row(row)?;
            match list {
                HulkList::White => state.white.push(record.range),
                HulkList::Black => state.black.push(record.range),
            }
        }
        state.blocks = blocks(&mut tx, now).await?;
        commit(tx).await?;
        Ok(state)
    }

    async fn hulk_records(&self, list: HulkList) -> Result<Vec<HulkRecord>, StoreError> {
        sqlx::query("SELECT list, address, comment FROM hulk_lists WHERE list = $1 ORDER BY address COLLATE \"C\"")
            .bind(list.name())
            .fetch_all(&self.pool)
            .await
            .map_err(map_error)?
            .into_iter()
            .map(|row| list_row(row).map(|(_, r)| r))
            .collect()
    }

    async fn add_hulk_records(
        &self,
        list: HulkList,
        records: &[HulkRecord],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(map_error)?;
        for r in records {
            sqlx::query(
                "INSERT INTO hulk_lists (list, address, comment) VALUES ($1, $2, $3) \
                 ON CONFLICT (list, address) DO UPDATE SET comment = excluded.comment",
            )
            .bind(list.name())
            .bind(whmd_domain::ip::show_range(&r.range))
            .bind(&r.comment)
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
        }
        commit(tx).await
    }

    async fn remove_hulk_records(
        &self,
        list: HulkList,
        ranges: &[IpNet],
    ) -> Result<Vec<IpNet>, StoreError> {
        let mut tx = self.pool.begin().await.map_err(map_error)?;
        let mut removed = Vec::new();
        for range in ranges {
            let done = sqlx::query("DELETE FROM hulk_lists WHERE list = $1 AND address = $2")
                .bind(list.name())
                .bind(whmd_domain::ip::show_range(range))
                .execute(&mut *tx)
                .await
                .map_err(map_error)?;
            if done.rows_affected() > 0 {
                removed.push(*range);
            }
        }
        commit(tx).await?;
        Ok(removed)
    }

    async fn record_failure(
        &self,
        f: &Failure,
        windows: &Windows,
    ) -> Result<FailureCounts, StoreError> {
        let mut tx = self.pool.begin().await.map_err(map_error)?;
        let oldest = windows
            .ip_since
            .min(windows.lookback_since)
            .min(windows.user_since);
        sqlx::query("DELETE FROM hulk_failures WHERE time < $1")
            .bind(oldest)
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
        sqlx::query(
            "INSERT INTO hulk_failures (time, username, ip, service, authservice) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(f.time)
        .bind(&f.user)
        .bind(f.ip.to_string())
        .bind(&f.service)
        .bind(&f.authservice)
        .execute(&mut *tx)
        .await
        .map_err(map_error)?;
        let row = sqlx::query(
            "SELECT \
             COUNT(*) FILTER (WHERE ip = $1 AND time >= $2) AS by_ip, \
             COUNT(*) FILTER (WHERE ip = $3 AND time >= $4) AS by_ip_lookback, \
             COUNT(*) FILTER (WHERE username = $5 AND time >= $6) AS by_user \
             FROM hulk_failures",
        )
        .bind(f.ip.to_string())
        .bind(windows.ip_since)
        .bind(f.ip.to_string())
        .bind(windows.lookback_since)
        .bind(&f.user)
        .bind(windows.user_since)
        .fetch_one(&mut *tx)
        .await
        .map_err(map_error)?;
        commit(tx).await?;
        let get = |name: &str| -> Result<u64, StoreError> {
            let n: i64 = row.try_get(name).map_err(map_error)?;
            Ok(u64::try_from(n).unwrap_or(0))
        };
        Ok(FailureCounts {
            by_ip: get("by_ip")?,
            by_ip_lookback: get("by_ip_lookback")?,
            by_user: get("by_user")?,
        })
    }

    async fn add_blocks(&self, blocks: &[Block]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(map_error)?;
        for b in blocks {
            insert_block(&mut tx, b).await?;
        }
        commit(tx).await
    }

    async fn hulk_blocks(&self, now: i64) -> Result<Vec<Block>, StoreError> {
        let mut conn = self.pool.acquire().await.map_err(map_error)?;
        blocks(&mut conn, now).await
    }

    async fn failed_logins(&self, since: i64) -> Result<Vec<Failure>, StoreError> {
        sqlx::query(
            "SELECT time, username, ip, service, authservice FROM hulk_failures \
             WHERE time >= $1 ORDER BY id",
        )
        .bind(since)
        .fetch_all(&self.pool)
        .await
        .map_err(map_error)?
        .into_iter()
        .map(failure_row)
        .collect()
    }

    async fn flush_hulk(&self, ips: Option<&[IpAddr]>) -> Result<u64, StoreError> {
        let mut tx = self.pool.begin().await.map_err(map_error)?;
        let mut removed = 0;
        match ips {
            None => {
                for sql in ["DELETE FROM hulk_failures", "DELETE FROM hulk_blocks"] {
                    removed += sqlx::query(sql)
                        .execute(&mut *tx)
                        .await
                        .map_err(map_error)?
                        .rows_affected();
                }
            }
            Some(ips) => {
                for ip in ips {
                    for sql in [
                        "DELETE FROM hulk_failures WHERE ip = $1",
                        "DELETE FROM hulk_blocks WHERE kind <> 'user' AND key = $1",
                    ] {
                        removed += sqlx::query(sql)
                            .bind(ip.to_string())
                            .execute(&mut *tx)
                            .await
                            .map_err(map_error)?
                            .rows_affected();
                    }
                }
            }
        }
        commit(tx).await?;
        Ok(removed)
    }
}

async fn config(conn: &mut sqlx::PgConnection) -> Result<HulkConfig, StoreError> {
    let text: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE name = $1")
        .bind(CONFIG)
        .fetch_optional(&mut *conn)
        .await
        .map_err(map_error)?;
    text.map_or_else(|| Ok(HulkConfig::default()), |t| from_json(&t))
}

async fn blocks(conn: &mut sqlx::PgConnection, now: i64) -> Result<Vec<Block>, StoreError> {
    sqlx::query(
        "SELECT kind, key, since, until, notes FROM hulk_blocks WHERE until > $1 ORDER BY since, kind, key",
    )
    .bind(now)
    .fetch_all(&mut *conn)
    .await
    .map_err(map_error)?
    .into_iter()
    .map(block_row)
    .collect()
}

pub(crate) async fn insert_block(
    tx: &mut Transaction<'_, Postgres>,
    b: &Block,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO hulk_blocks (kind, key, since, until, notes) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (kind, key) DO UPDATE SET \
         since = CASE WHEN hulk_blocks.until <= excluded.since THEN excluded.since ELSE hulk_blocks.since END, \
         until = GREATEST(hulk_blocks.until, excluded.until), notes = excluded.notes",
    )
    .bind(b.kind.name())
    .bind(&b.key)
    .bind(b.since)
    .bind(b.until)
    .bind(&b.notes)
    .execute(&mut **tx)
    .await
    .map_err(map_error)?;
    Ok(())
}

pub(crate) fn block_row(row: PgRow) -> Result<Block, StoreError> {
    block_from_columns(
        &row.try_get::<String, _>("kind").map_err(map_error)?,
        row.try_get("key").map_err(map_error)?,
        row.try_get("since").map_err(map_error)?,
        row.try_get("until").map_err(map_error)?,
        row.try_get("notes").map_err(map_error)?,
    )
}

pub(crate) fn failure_row(row: PgRow) -> Result<Failure, StoreError> {
    failure_from_columns(
        row.try_get("time").map_err(map_error)?,
        row.try_get("username").map_err(map_error)?,
        &row.try_get::<String, _>("ip").map_err(map_error)?,
        row.try_get("service").map_err(map_error)?,
        row.try_get("authservice").map_err(map_error)?,
    )
}

pub(crate) fn list_row(row: PgRow) -> Result<(HulkList, HulkRecord), StoreError> {
    record_from_columns(
        &row.try_get::<String, _>("list").map_err(map_error)?,
        &row.try_get::<String, _>("address").map_err(map_error)?,
        row.try_get("comment").map_err(map_error)?,
    )
}
