//! [`AccountChange`] on SQLite: one change in one transaction, on the writer connection.

use crate::accounts::{account_columns, account_from_row};
use crate::addresses::claim;
use crate::admission::{admit, admit_beside_plan, check_plan};
use crate::map_error;
use crate::zones::write_zones;
use sqlx::{Sqlite, Transaction};
use whmd_domain::StoreError;
use whmd_domain::account::{Account, AccountingEntry};
use whmd_domain::names::username::dbowner;
use whmd_domain::package::DEFAULT;
use whmd_domain::store::encoding::{limit_columns, reseller_to_columns, to_json};
use whmd_domain::store::{AccountChange, AccountWrite, Conflict, PlanGuard, Refusal};

/// Carries `change` out in `tx`; the account as stored after it, `None` after a removal.
pub(crate) async fn apply(
    tx: &mut Transaction<'_, Sqlite>,
    change: &AccountChange,
) -> Result<Option<Account>, StoreError> {
    let time = change.time();
    let stored = match &change.write {
        AccountWrite::Create { account, password } => {
            admit_beside_plan(tx, account, &change.admission, None).await?;
            let guard = change.admission.plan.as_ref();
            let stored = match insert_account(tx, account, guard).await {
                // A taken username is named first, whatever else is taken too. (A failed
                // statement leaves SQLite's transaction usable.)
                Err(StoreError::Conflict(_)) if exists(tx, &account.user).await? => {
                    return Err(StoreError::Conflict(Conflict::Username));
                }
                stored => stored?,
            };
            set_password(tx, &account.user, password, time).await?;
            Some(stored)
        }
        AccountWrite::Update { user, account } => {
            admit(tx, account, &change.admission, Some(user)).await?;
            let stored = write_account(tx, user, account).await?;
            if account.user == *user {
                Some(stored)
            } else {
                // The accounts it owned, itself among them when it owns itself, follow the
                // new name: read it again after they have.
                rename(tx, user, &account.user).await?;
                read(tx, &account.user).await?
            }
        }
        AccountWrite::Demote {
            user,
            account,
            heir,
        } => {
            admit(tx, account, &change.admission, Some(user)).await?;
            let stored = write_account(tx, user, account).await?;
            sqlx::query("UPDATE accounts SET owner = ? WHERE owner = ? AND username <> ?")
                .bind(heir)
                .bind(&account.user)
                .bind(&account.user)
                .execute(&mut **tx)
                .await
                .map_err(map_error)?;
            Some(stored)
        }
        AccountWrite::Password { user, password } => {
            let Some(stored) = read(tx, user).await? else {
                return Err(StoreError::Conflict(Conflict::NoAccount));
            };
            set_password(tx, user, password, time).await?;
            Some(stored)
        }
        AccountWrite::Remove { user, keep_zones } => {
            remove(tx, user, *keep_zones, time).await?;
            None
        }
    };
    write_zones(tx, &change.zones).await?;
    for entry in &change.log {
        append_log(tx, entry).await?;
    }
    Ok(stored)
}

async fn read(tx: &mut Transaction<'_, Sqlite>, user: &str) -> Result<Option<Account>, StoreError> {
    sqlx::query(concat!(
        "SELECT ",
        account_columns!(),
        " FROM accounts WHERE username = ?"
    ))
    .bind(user)
    .fetch_optional(&mut **tx)
    .await
    .map_err(map_error)?
    .map(account_from_row)
    .transpose()
}

async fn exists(tx: &mut Transaction<'_, Sqlite>, user: &str) -> Result<bool, StoreError> {
    let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM accounts WHERE username = ?")
        .bind(user)
        .fetch_optional(&mut **tx)
        .await
        .map_err(map_error)?;
    Ok(found.is_some())
}

async fn set_password(
    tx: &mut Transaction<'_, Sqlite>,
    user: &str,
    password: &str,
    time: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO passwords (username, phc, updated_at) VALUES (?, ?, ?) \
         ON CONFLICT (username) DO UPDATE SET phc = excluded.phc, updated_at = excluded.updated_at",
    )
    .bind(user)
    .bind(password)
    .bind(time)
    .execute(&mut **tx)
    .await
    .map_err(map_error)?;
    Ok(())
}

/// Moves what belongs to `from` to its new name `to`.
async fn rename(tx: &mut Transaction<'_, Sqlite>, from: &str, to: &str) -> Result<(), StoreError> {
    for statement in [
        "UPDATE passwords SET username = ? WHERE username = ?",
        "UPDATE api_tokens SET username = ? WHERE username = ?",
        "UPDATE accounts SET owner = ? WHERE owner = ?",
        "UPDATE packages SET owner = ? WHERE owner = ?",
        "UPDATE feature_lists SET owner = ? WHERE owner = ?",
        "UPDATE sessions SET username = ? WHERE username = ?",
        "UPDATE access_hashes SET username = ? WHERE username = ?",
        "UPDATE zones SET owner = ? WHERE owner = ?",
    ] {
        sqlx::query(statement)
            .bind(to)
            .bind(from)
            .execute(&mut **tx)
            .await
            .map_err(map_error)?;
    }
    Ok(())
}

/// Removes the account and what is only its own, leaving the host a tombstone.
async fn remove(
    tx: &mut Transaction<'_, Sqlite>,
    user: &str,
    keep_zones: bool,
    time: i64,
) -> Result<(), StoreError> {
    let removed = sqlx::query(
        "INSERT INTO host_removals (uid, username, homedir, host, removed_at) \
         SELECT uid, username, homedir, host, ? FROM accounts WHERE username = ? \
         ON CONFLICT (uid) DO UPDATE SET username = excluded.username, homedir = excluded.homedir, \
         host = excluded.host, removed_at = excluded.removed_at",
    )
    .bind(time)
    .bind(user)
    .execute(&mut **tx)
    .await
    .map_err(map_error)?;
    if removed.rows_affected() == 0 {
        return Err(StoreError::Conflict(Conflict::NoAccount));
    }
    sqlx::query(
        "DELETE FROM account_usage WHERE uid IN (SELECT uid FROM accounts WHERE username = ?)",
    )
    .bind(user)
    .execute(&mut **tx)
    .await
    .map_err(map_error)?;
    for statement in [
        "DELETE FROM accounts WHERE username = ?",
        "DELETE FROM passwords WHERE username = ?",
        "DELETE FROM api_tokens WHERE username = ?",
        "DELETE FROM sessions WHERE username = ?",
        "DELETE FROM access_hashes WHERE username = ?",
        "UPDATE accounts SET owner = 'root' WHERE owner = ?",
        "UPDATE packages SET owner = 'root' WHERE owner = ?",
        "UPDATE feature_lists SET owner = 'root' WHERE owner = ?",
        if keep_zones {
            "UPDATE zones SET owner = 'root' WHERE owner = ?"
        } else {
            "DELETE FROM zones WHERE owner = ?"
        },
    ] {
        sqlx::query(statement)
            .bind(user)
            .execute(&mut **tx)
            .await
            .map_err(map_error)?;
    }
    Ok(())
}

/// Stores a new account, as written. The checks that need a read go into the INSERT itself,
/// each a round trip saved on the one writer: the package guard (`guard`, the package as it was
/// read; no row is written when it no longer holds, and the check is then run alone for its
/// reason), and the pool address (claimed when `ip` is one; the unique `dedicated_ip` refuses
/// a second holder).
pub(crate) async fn insert_account(
    tx: &mut Transaction<'_, Sqlite>,
    account: &Account,
    guard: Option<&PlanGuard>,
) -> Result<Account, StoreError> {
    let suspension = account.suspension.as_ref();
    let (reseller_acls, reseller_limits) = reseller_to_columns(account.reseller.as_ref())?;
    let (quota, bwlimit) = limit_columns(account)?;
    if account.uid != 0 {
        let tombstoned: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM host_removals WHERE uid = ?")
                .bind(account.uid)
                .fetch_optional(&mut **tx)
                .await
                .map_err(map_error)?;
        if tombstoned.is_some() {
            return Err(StoreError::Conflict(Conflict::Uid));
        }
    }
    let row = sqlx::query(concat!(
        "INSERT INTO accounts (username, domain, owner, plan, ip, uid, homedir, shell, dbowner, quota_mb, \
         suspended_at, suspend_reason, suspend_locked, suspend_leave_ftp, reseller_acls, reseller_limits, \
         bwlimit, cpuser, domains, dead_domains, homedir_links, host, mtime, revision, dedicated_ip) SELECT ?, ?, ?, ?, ?, \
         CASE WHEN ? = 0 THEN (SELECT MAX(uid) + 1 FROM (SELECT COALESCE(MAX(uid), 1000) AS uid FROM accounts \
         UNION ALL SELECT MAX(uid) FROM host_removals)) ELSE ? END, \
         ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT ip FROM ip_addresses WHERE ip = ?) \
         WHERE ?27 IS NULL OR ((SELECT revision FROM packages WHERE name = ?27) IS ?28 \
         AND (?28 IS NOT NULL OR ?27 = ?29))",
        " RETURNING ",
        account_columns!()
    ))
    .bind(&account.user)
    .bind(&account.domain)
    .bind(&account.owner)
    .bind(&account.plan)
    .bind(&account.ip)
    .bind(account.uid)
    .bind(account.uid)
    .bind(&account.homedir)
    .bind(&account.shell)
    .bind(dbowner(&account.user))
    .bind(quota)
    .bind(suspension.map(|s| s.time))
    .bind(suspension.map(|s| s.reason.as_str()))
    .bind(suspension.is_some_and(|s| s.locked))
    .bind(suspension.is_some_and(|s| s.leave_ftp_enabled))
    .bind(reseller_acls)
    .bind(reseller_limits)
    .bind(bwlimit)
    .bind(to_json(&account.cpuser)?)
    .bind(to_json(&account.domains)?)
    .bind(to_json(&account.dead_domains)?)
    .bind(to_json(&account.homedir_links)?)
    .bind(&account.host)
    .bind(account.mtime)
    .bind(account.revision)
    .bind(&account.ip)
    .bind(guard.map(|g| g.name.as_str()))
    .bind(guard.and_then(|g| g.revision))
    .bind(DEFAULT)
    .fetch_optional(&mut **tx)
    .await
    .map_err(|e| match map_error(e) {
        StoreError::Conflict(Conflict::Address) => {
            StoreError::Refused(Refusal::AddressTaken(account.ip.clone()))
        }
        other => other,
    })?;
    match (row, guard) {
        (Some(row), _) => account_from_row(row),
        (None, Some(guard)) => {
            check_plan(tx, guard).await?;
            Err(StoreError::Internal(
                "the package guard refused a write that its check lets through".into(),
            ))
        }
        (None, None) => Err(StoreError::Internal("the account was not written".into())),
    }
}

pub(crate) async fn append_log(
    tx: &mut Transaction<'_, Sqlite>,
    entry: &AccountingEntry,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO accounting_log (time, action, remote_user, fields) VALUES (?, ?, ?, ?)",
    )
    .bind(entry.time)
    .bind(&entry.action)
    .bind(&entry.remote_user)
    .bind(to_json(&entry.fields)?)
    .execute(&mut **tx)
    .await
    .map_err(map_error)?;
    Ok(())
}

/// Replaces the row stored as `user` by `account`, guarded by the revision it was read at.
pub(crate) async fn write_account(
    tx: &mut Transaction<'_, Sqlite>,
    user: &str,
    account: &Account,
) -> Result<Account, StoreError> {
    let suspension = account.suspension.as_ref();
    let (reseller_acls, reseller_limits) = reseller_to_columns(account.reseller.as_ref())?;
    let (quota, bwlimit) = limit_columns(account)?;
    let dedicated = claim(tx, &account.ip, user).await?;
    let updated = sqlx::query(concat!(
        "UPDATE accounts SET username = ?, domain = ?, owner = ?, plan = ?, ip = ?, homedir = ?, shell = ?, dbowner = ?, \
         quota_mb = ?, suspended_at = ?, suspend_reason = ?, suspend_locked = ?, suspend_leave_ftp = ?, reseller_acls = ?, \
         reseller_limits = ?, bwlimit = ?, cpuser = ?, domains = ?, dead_domains = ?, homedir_links = ?, mtime = ?, \
         dedicated_ip = ?, revision = revision + 1 WHERE username = ? AND revision = ?",
        " RETURNING ",
        account_columns!()
    ))
    .bind(&account.user)
    .bind(&account.domain)
    .bind(&account.owner)
    .bind(&account.plan)
    .bind(&account.ip)
    .bind(&account.homedir)
    .bind(&account.shell)
    .bind(dbowner(&account.user))
    .bind(quota)
    .bind(suspension.map(|s| s.time))
    .bind(suspension.map(|s| s.reason.as_str()))
    .bind(suspension.is_some_and(|s| s.locked))
    .bind(suspension.is_some_and(|s| s.leave_ftp_enabled))
    .bind(reseller_acls)
    .bind(reseller_limits)
    .bind(bwlimit)
    .bind(to_json(&account.cpuser)?)
    .bind(to_json(&account.domains)?)
    .bind(to_json(&account.dead_domains)?)
    .bind(to_json(&account.homedir_links)?)
    .bind(account.mtime)
    .bind(dedicated)
    .bind(user)
    .bind(account.revision)
    .fetch_optional(&mut **tx)
    .await
    .map_err(map_error)?;
    let Some(row) = updated else {
        return Err(StoreError::Conflict(if exists(tx, user).await? {
            Conflict::Changed
        } else {
            Conflict::NoAccount
        }));
    };
    account_from_row(row)
}
