//! [`HulkStore`] on SQLite.

use crate::{SqliteStore, map_error};
use async_trait::async_trait;
use ipnet::IpNet;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, Sqlite, Transaction};
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
impl HulkStore for SqliteStore {
    async fn hulk_config(&self) -> Result<HulkConfig, StoreError> {
        let mut conn = self.pool.acquire().await.map_err(map_error)?;
        config(&mut conn).await
    }

    async fn save_hulk_config(&self, config: &HulkConfig) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO settings (name, value) VALUES (?, ?) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        )
        .bind(CONFIG)
        .bind(to_json(config)?)
        .execute(&self.writer)
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
        tx.commit().await.map_err(map_error)?;
        Ok(state)
    }

    async fn hulk_records(&self, list: HulkList) -> Result<Vec<HulkRecord>, StoreError> {
        sqlx::query("SELECT list, address, comment FROM hulk_lists WHERE list = ? ORDER BY address")
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
        let mut tx = self.writer.begin().await.map_err(map_error)?;
        for r in records {
            sqlx::query(
                "INSERT INTO hulk_lists (list, address, comment) VALUES (?, ?, ?) \
                 ON CONFLICT (list, address) DO UPDATE SET comment = excluded.comment",
            )
            .bind(list.name())
            .bind(whmd_domain::ip::show_range(&r.range))
            .bind(&r.comment)
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
        }
        tx.commit().await.map_err(map_error)
    }

    async fn remove_hulk_records(
        &self,
        list: HulkList,
        ranges: &[IpNet],
    ) -> Result<Vec<IpNet>, StoreError> {
        let mut tx = self.writer.begin().await.map_err(map_error)?;
        let mut removed = Vec::new();
        for range in ranges {
            let done = sqlx::query("DELETE FROM hulk_lists WHERE list = ? AND address = ?")
                .bind(list.name())
                .bind(whmd_domain::ip::show_range(range))
                .execute(&mut *tx)
                .await
                .map_err(map_error)?;
            if done.rows_affected() > 0 {
                removed.push(*range);
            }
        }
        tx.commit().await.map_err(map_error)?;
        Ok(removed)
    }

    async fn record_failure(
        &self,
        f: &Failure,
        windows: &Windows,
    ) -> Result<FailureCounts, StoreError> {
        let mut tx = self.writer.begin().await.map_err(map_error)?;
        let oldest = windows
            .ip_since
            .min(windows.lookback_since)
            .min(windows.user_since);
        sqlx::query("DELETE FROM hulk_failures WHERE time < ?")
            .bind(oldest)
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
        sqlx::query(
            "INSERT INTO hulk_failures (time, username, ip, service, authservice) VALUES (?, ?, ?, ?, ?)",
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
             COALESCE(SUM(ip = ? AND time >= ?), 0) AS by_ip, \
             COALESCE(SUM(ip = ? AND time >= ?), 0) AS by_ip_lookback, \
             COALESCE(SUM(username = ? AND time >= ?), 0) AS by_user \
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
        tx.commit().await.map_err(map_error)?;
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
        let mut tx = self.writer.begin().await.map_err(map_error)?;
        for b in blocks {
            insert_block(&mut tx, b).await?;
        }
        tx.commit().await.map_err(map_error)
    }

    async fn hulk_blocks(&self, now: i64) -> Result<Vec<Block>, StoreError> {
        let mut conn = self.pool.acquire().await.map_err(map_error)?;
        blocks(&mut conn, now).await
    }

    async fn failed_logins(&self, since: i64) -> Result<Vec<Failure>, StoreError> {
        sqlx::query(
            "SELECT time, username, ip, service, authservice FROM hulk_failures \
             WHERE time >= ? ORDER BY id",
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
        let mut tx = self.writer.begin().await.map_err(map_error)?;
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
                        "DELETE FROM hulk_failures WHERE ip = ?",
                        "DELETE FROM hulk_blocks WHERE kind <> 'user' AND key = ?",
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
        tx.commit().await.map_err(map_error)?;
        Ok(removed)
    }
}

async fn config(conn: &mut sqlx::SqliteConnection) -> Result<HulkConfig, StoreError> {
    let text: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE name = ?")
        .bind(CONFIG)
        .fetch_optional(&mut *conn)
        .await
        .map_err(map_error)?;
    text.map_or_else(|| Ok(HulkConfig::default()), |t| from_json(&t))
}

async fn blocks(conn: &mut sqlx::SqliteConnection, now: i64) -> Result<Vec<Block>, StoreError> {
    sqlx::query(
        "SELECT kind, key, since, until, notes FROM hulk_blocks WHERE until > ? ORDER BY since, kind, key",
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
    tx: &mut Transaction<'_, Sqlite>,
    b: &Block,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO hulk_blocks (kind, key, since, until, notes) VALUES (?, ?, ?, ?, ?) \
         ON CONFLICT (kind, key) DO UPDATE SET \
         since = CASE WHEN hulk_blocks.until <= excluded.since THEN excluded.since ELSE hulk_blocks.since END, \
         until = MAX(hulk_blocks.until, excluded.until), notes = excluded.notes",
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

pub(crate) fn block_row(row: SqliteRow) -> Result<Block, StoreError> {
    block_from_columns(
        &row.try_get::<String, _>("kind").map_err(map_error)?,
        row.try_get("key").map_err(map_error)?,
        row.try_get("since").map_err(map_error)?,
        row.try_get("until").map_err(map_error)?,
        row.try_get("notes").map_err(map_error)?,
    )
}

pub(crate) fn failure_row(row: SqliteRow) -> Result<Failure, StoreError> {
    failure_from_columns(
        row.try_get("time").map_err(map_error)?,
        row.try_get("username").map_err(map_error)?,
        &row.try_get::<String, _>("ip").map_err(map_error)?,
        row.try_get("service").map_err(map_error)?,
        row.try_get("authservice").map_err(map_error)?,
    )
}

pub(crate) fn list_row(row: SqliteRow) -> Result<(HulkList, HulkRecord), StoreError> {
    record_from_columns(
        &row.try_get::<String, _>("list").map_err(map_error)?,
        &row.try_get::<String, _>("address").map_err(map_error)?,
        row.try_get("comment").map_err(map_error)?,
    )
}
