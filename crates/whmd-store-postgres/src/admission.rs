//! [`Admission`] checks, run inside the write's transaction. Several replicas write at once, so
//! the rows the checks depend on are locked first: the package row `FOR SHARE` (an `editpkg`
//! or `killpkg` in flight finishes first, and one that starts waits for this write), and the
//! owning reseller's row `FOR UPDATE` (two creations for one reseller take turns, and the
//! second counts the first).

use crate::map_error;
use sqlx::{Postgres, Row, Transaction};
use whmd_domain::StoreError;
use whmd_domain::account::Account;
use whmd_domain::package::DEFAULT;
use whmd_domain::reseller::OwnerUsage;
use whmd_domain::store::{Admission, Conflict, Refusal};

/// Checks `admission` for `account`; `current` is the name the account is stored under now,
/// when it exists, so that it does not count against its own owner.
pub(crate) async fn admit(
    tx: &mut Transaction<'_, Postgres>,
    account: &Account,
    admission: &Admission,
    current: Option<&str>,
) -> Result<(), StoreError> {
    if let Some(guard) = &admission.plan {
        let stored: Option<i64> =
            sqlx::query_scalar("SELECT revision FROM packages WHERE name = $1 FOR SHARE")
                .bind(&guard.name)
                .fetch_optional(&mut **tx)
                .await
                .map_err(map_error)?;
        match (guard.revision, stored) {
            (None, None) if guard.name == DEFAULT => {}
            (_, None) => {
                return Err(StoreError::Refused(Refusal::NoSuchPackage(
                    guard.name.clone(),
                )));
            }
            (read, stored) if read == stored => {}
            _ => {
                return Err(StoreError::Conflict(Conflict::Package));
            }
        }
    }
    if let Some(ip) = &admission.address {
        // Locked against its removal until this write commits.
        let pooled: Option<String> =
            sqlx::query_scalar("SELECT ip FROM ip_addresses WHERE ip = $1 FOR UPDATE")
                .bind(ip)
                .fetch_optional(&mut **tx)
                .await
                .map_err(map_error)?;
        if pooled.is_none() {
            return Err(StoreError::Refused(Refusal::NoSuchAddress(ip.clone())));
        }
    }
    if let Some(limits) = &admission.limits {
        sqlx::query("SELECT 1::BIGINT FROM accounts WHERE username = $1 FOR UPDATE")
            .bind(&account.owner)
            .fetch_optional(&mut **tx)
            .await
            .map_err(map_error)?;
        let row = sqlx::query(
            // SUM of BIGINT is NUMERIC: clamped before the cast, a reseller's totals saturate
            // rather than overflow.
            "SELECT COUNT(*)::BIGINT AS accounts, \
             LEAST(COALESCE(SUM(quota_mb), 0), 9223372036854775807)::BIGINT AS disk, \
             LEAST(COALESCE(SUM(bwlimit), 0), 9223372036854775807)::BIGINT AS bandwidth, \
             COUNT(*) FILTER (WHERE plan = $1)::BIGINT AS on_plan \
             FROM accounts WHERE owner = $2 AND username <> $3",
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
