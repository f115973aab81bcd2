//! [`AddressStore`] on PostgreSQL, and the claim every account write makes on its pool address.

use crate::{PostgresStore, commit, map_error};
use async_trait::async_trait;
use sqlx::postgres::PgRow;
use sqlx::{Postgres, Row, Transaction};
use std::net::Ipv4Addr;
use whmd_domain::StoreError;
use whmd_domain::address::PoolAddress;
use whmd_domain::store::{AddressRemoval, AddressStore, HeldAddress, Refusal};

#[async_trait]
impl AddressStore for PostgresStore {
    async fn addresses(&self) -> Result<Vec<HeldAddress>, StoreError> {
        sqlx::query(
            "SELECT a.ip, a.netmask, a.interface, c.username FROM ip_addresses a \
             LEFT JOIN accounts c ON c.dedicated_ip = a.ip ORDER BY a.sort_key",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_error)?
        .into_iter()
        .map(|row| {
            Ok(HeldAddress {
                address: address_row(&row)?,
                holder: row.try_get("username").map_err(map_error)?,
            })
        })
        .collect()
    }

    async fn add_addresses(&self, addresses: &[PoolAddress]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(map_error)?;
        for a in addresses {
            if !insert_address(&mut tx, a).await? {
                return Err(StoreError::Refused(Refusal::InPool(a.ip.to_string())));
            }
        }
        commit(tx).await
    }

    async fn remove_address(&self, ip: Ipv4Addr) -> Result<AddressRemoval, StoreError> {
        let ip = ip.to_string();
        let mut tx = self.pool.begin().await.map_err(map_error)?;
        // The pool row's lock orders this against a write claiming the address.
        let pooled: Option<String> =
            sqlx::query_scalar("SELECT ip FROM ip_addresses WHERE ip = $1 FOR UPDATE")
                .bind(&ip)
                .fetch_optional(&mut *tx)
                .await
                .map_err(map_error)?;
        if pooled.is_none() {
            return Ok(AddressRemoval::Missing);
        }
        let holder: Option<String> =
            sqlx::query_scalar("SELECT username FROM accounts WHERE dedicated_ip = $1")
                .bind(&ip)
                .fetch_optional(&mut *tx)
                .await
                .map_err(map_error)?;
        if let Some(holder) = holder {
            return Ok(AddressRemoval::InUse(holder));
        }
        sqlx::query("DELETE FROM ip_addresses WHERE ip = $1")
            .bind(&ip)
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
        commit(tx).await?;
        Ok(AddressRemoval::Removed)
    }
}

/// Adds `a` to the pool; `false` when it is there already.
pub(crate) async fn insert_address(
    tx: &mut Transaction<'_, Postgres>,
    a: &PoolAddress,
) -> Result<bool, StoreError> {
    let inserted = sqlx::query(
        "INSERT INTO ip_addresses (ip, sort_key, netmask, interface) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (ip) DO NOTHING",
    )
    .bind(a.ip.to_string())
    .bind(i64::from(u32::from(a.ip)))
    .bind(a.netmask.to_string())
    .bind(&a.interface)
    .execute(&mut **tx)
    .await
    .map_err(map_error)?;
    Ok(inserted.rows_affected() == 1)
}

pub(crate) fn address_row(row: &PgRow) -> Result<PoolAddress, StoreError> {
    let parse = |name: &str| -> Result<Ipv4Addr, StoreError> {
        let text: String = row.try_get(name).map_err(map_error)?;
        text.parse().map_err(|e| StoreError::Internal(Box::new(e)))
    };
    Ok(PoolAddress {
        ip: parse("ip")?,
        netmask: parse("netmask")?,
        interface: row.try_get("interface").map_err(map_error)?,
    })
}

/// The pool address `ip` names, claimed for the account written as `user` (its name before
/// the write, when it exists): `None` when `ip` is not a pool address, a refusal when another
/// account holds it. The pool row is locked first, so writers claiming one address, and its
/// removal, take turns, and each sees what the one before committed.
pub(crate) async fn claim(
    tx: &mut Transaction<'_, Postgres>,
    ip: &str,
    user: &str,
) -> Result<Option<String>, StoreError> {
    let pooled: Option<String> =
        sqlx::query_scalar("SELECT ip FROM ip_addresses WHERE ip = $1 FOR UPDATE")
            .bind(ip)
            .fetch_optional(&mut **tx)
            .await
            .map_err(map_error)?;
    let Some(ip) = pooled else {
        return Ok(None);
    };
    let holder: Option<String> = sqlx::query_scalar(
        "SELECT username FROM accounts WHERE dedicated_ip = $1 AND username <> $2",
    )
    .bind(&ip)
    .bind(user)
    .fetch_optional(&mut **tx)
    .await
    .map_err(map_error)?;
    match holder {
        Some(_) => Err(StoreError::Refused(Refusal::AddressTaken(ip))),
        None => Ok(Some(ip)),
    }
}
