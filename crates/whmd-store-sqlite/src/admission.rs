//! [`Admission`] checks, run inside the write's transaction. Writes go through one connection,
//! so nothing else writes between these reads and the write that follows.

use crate::map_error;
use sqlx::{Row, Sqlite, Transaction};
use whmd_domain::StoreError;
use whmd_domain::account::Account;
use whmd_domain::package::DEFAULT;
use whmd_domain::reseller::OwnerUsage;
use whmd_domain::store::{Admission, Conflict, PlanGuard, Refusal};

/// Checks `admission` for `account`; `current` is the name the account is stored under now,
/// when it exists, so that it does not count against its own owner.
pub(crate) async fn admit(
    tx: &mut Transaction<'_, Sqlite>,
    account: &Account,
    admission: &Admission,
    current: Option<&str>,
) -> Result<(), StoreError> {
    if let Some(guard) = &admission.plan {
        check_plan(tx, guard).await?;
    }
    admit_beside_plan(tx, account, admission, current).await
}

/// The package as it was read must still be there, unchanged.
pub(crate) async fn check_plan(
    tx: &mut Transaction<'_, Sqlite>,
    guard: &PlanGuard,
) -> Result<(), StoreError> {
    let stored: Option<i64> = sqlx::query_scalar("SELECT revision FROM packages WHERE name = ?")
        .bind(&guard.name)
        .fetch_optional(&mut **tx)
        .await
        .map_err(map_error)?;
    match (guard.revision, stored) {
        (None, None) if guard.name == DEFAULT => Ok(()),
        (_, None) => Err(StoreError::Refused(Refusal::NoSuchPackage(
            guard.name.clone(),
        ))),
        (read, stored) if read == stored => Ok(()),
        _ => Err(StoreError::Conflict(Conflict::Package)),
    }
}

/// The checks of `admission` other than the package's (a new account's package guard goes
/// into its INSERT: see `change::insert_account`).
pub(crate) async fn admit_beside_plan(
    tx: &mut Transaction<'_, Sqlite>,
    account: &Account,
    admission: &Admission,
    current: Option<&str>,
) -> Result<(), StoreError> {
    if let Some(ip) = &admission.address {
        // Writes take turns: it stays in the pool until this one commits.
        let pooled: Option<String> = sqlx::query_scalar("SELECT ip FROM ip_addresses WHERE ip = ?")
            .bind(ip)
            .fetch_optional(&mut **tx)
            .await
            .map_err(map_error)?;
        if pooled.is_none() {
            return Err(StoreError::Refused(Refusal::NoSuchAddress(ip.clone())));
        }
    }
    if let Some(limits) = &admission.limits {
        let row = sqlx::query(
            // TOTAL sums in floating point, so a reseller's totals saturate rather than
            // overflow; the cast clamps to the largest integer.
            "SELECT COUNT(*) AS accounts, \
             CAST(MIN(TOTAL(quota_mb), 9223372036854775807) AS INTEGER) AS disk, \
             CAST(MIN(TOTAL(bwlimit), 9223372036854775807) AS INTEGER) AS bandwidth, \
             COALESCE(SUM(plan = ?), 0) AS on_plan \
             FROM accounts WHERE owner = ? AND username <> ?",
        )
        .bind(&account.plan)
        .bind(&account.owner)
        .bind(current.unwrap_or(""))
        .fetch_one(&mut **tx)
        .await
        .map_err(map_error)?;
        let get = |name: &str| -> Result<u64, StoreError> {
            let n: i64 = row.try_get(name).map_err(map_error)?;
            Ok(u64::try_from(n).unwrap_or(0))
        };
        let usage = OwnerUsage {
            accounts: get("accounts")?,
            disk_mb: get("disk")?,
            bandwidth_bytes: get("bandwidth")?,
            on_plan: get("on_plan")?,
        };
        limits
            .admit(&usage, account)
            .map_err(|v| StoreError::Refused(v.into()))?;
    }
    Ok(())
}
