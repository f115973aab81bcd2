//! [`AccountChange`] on PostgreSQL: one change in one transaction, on a pooled connection.

use crate::accounts::{account_columns, account_from_row};
use crate::addresses::claim;
use crate::admission::admit;
use crate::map_error;
use crate::zones::write_zones;
use sqlx::{Postgres, Transaction};
use whmd_domain::StoreError;
use whmd_domain::account::{Account, AccountingEntry};
use whmd_domain::names::username::dbowner;
use whmd_domain::store::encoding::{limit_columns, reseller_to_columns, to_json};
use whmd_domain::store::{AccountChange, AccountWrite, Conflict};

/// Carries `change` out in `tx`; the account as stored after it, `None` after a removal.
pub(crate) async fn apply(
    tx: &mut Transaction<'_, Postgres>,
    change: &AccountChange,
) -> Result<Option<Account>, StoreError> {
    let time = change.time();
    let stored = match &change.write {
        AccountWrite::Create { account, password } => {
            // A taken username is named first, whatever else is taken too. (A failed statement
            // aborts PostgreSQL's transaction, so this is asked before, not after.)
            if exists(tx, &account.user).await? {
                return Err(StoreError::Conflict(Conflict::Username));
            }
            admit(tx, account, &change.admission, None).await?;
            let stored = insert_account(tx, account).await?;
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
            sqlx::query("UPDATE accounts SET owner = $1 WHERE owner = $2 AND username <> $3")
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

async fn read(
    tx: &mut Transaction<'_, Postgres>,
    user: &str,
) -> Result<Option<Account>, StoreError> {
    sqlx::query(concat!(
        "SELECT ",
        account_columns!(),
        " FROM accounts WHERE username = $1"
    ))
    .bind(user)
    .fetch_optional(&mut **tx)
    .await
    .map_err(map_error)?
    .map(account_from_row)
    .transpose()
}

async fn exists(tx: &mut Transaction<'_, Postgres>, user: &str) -> Result<bool, StoreError> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT 1::BIGINT FROM accounts WHERE username = $1")
            .bind(user)
            .fetch_optional(&mut **tx)
            .await
            .map_err(map_error)?;
    Ok(found.is_some())
}

async fn set_password(
    tx: &mut Transaction<'_, Postgres>,
    user: &str,
    password: &str,
    time: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO passwords (username, phc, updated_at) VALUES ($1, $2, $3) \
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
async fn rename(
    tx: &mut Transaction<'_, Postgres>,
    from: &str,
    to: &str,
) -> Result<(), StoreError> {
    for statement in [
        "UPDATE passwords SET username = $1 WHERE username = $2",
        "UPDATE api_tokens SET username = $1 WHERE username = $2",
        "UPDATE accounts SET owner = $1 WHERE owner = $2",
        "UPDATE packages SET owner = $1 WHERE owner = $2",
        "UPDATE feature_lists SET owner = $1 WHERE owner = $2",
        "UPDATE sessions SET username = $1 WHERE username = $2",
        "UPDATE access_hashes SET username = $1 WHERE username = $2",
        "UPDATE zones SET owner = $1 WHERE owner = $2",
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
    tx: &mut Transaction<'_, Postgres>,
    user: &str,
    keep_zones: bool,
    time: i64,
) -> Result<(), StoreError> {
    let removed = sqlx::query(
        "INSERT INTO host_removals (uid, username, homedir, host, removed_at) \
         SELECT uid, username, homedir, host, $1 FROM accounts WHERE username = $2 \
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
        "DELETE FROM account_usage WHERE uid IN (SELECT uid FROM accounts WHERE username = $1)",
    )
    .bind(user)
    .execute(&mut **tx)
    .await
    .map_err(map_error)?;
    for statement in [
        "DELETE FROM accounts WHERE username = $1",
        "DELETE FROM passwords WHERE username = $1",
        "DELETE FROM api_tokens WHERE username = $1",
        "DELETE FROM sessions WHERE username = $1",
        "DELETE FROM access_hashes WHERE username = $1",
        "UPDATE accounts SET owner = 'root' WHERE owner = $1",
        "UPDATE packages SET owner = 'root' WHERE owner = $1",
        "UPDATE feature_lists SET owner = 'root' WHERE owner = $1",
        if keep_zones {
            "UPDATE zones SET owner = 'root' WHERE owner = $1"
        } else {
            "DELETE FROM zones WHERE owner = $1"
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

pub(crate) async fn insert_account(
    tx: &mut Transaction<'_, Postgres>,
    account: &Account,
) -> Result<Account, StoreError> {
    let suspension = account.suspension.as_ref();
    let (reseller_acls, reseller_limits) = reseller_to_columns(account.reseller.as_ref())?;
    let (quota, bwlimit) = limit_columns(account)?;
    let dedicated = claim(tx, &account.ip, &account.user).await?;
    if account.uid != 0 {
        let tombstoned: Option<i32> =
            sqlx::query_scalar("SELECT 1 FROM host_removals WHERE uid = $1")
                .bind(i64::from(account.uid))
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
         bwlimit, cpuser, domains, dead_domains, homedir_links, host, mtime, revision, dedicated_ip) VALUES ($1, $2, $3, $4, $5, \
         CASE WHEN $6 = 0 THEN nextval('account_uids') ELSE $7 END, \
         $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26)",
        " RETURNING ",
        account_columns!()
    ))
    .bind(&account.user)
    .bind(&account.domain)
    .bind(&account.owner)
    .bind(&account.plan)
    .bind(&account.ip)
    .bind(i64::from(account.uid))
    .bind(i64::from(account.uid))
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
    .bind(dedicated)
    .fetch_one(&mut **tx)
    .await
    .map_err(map_error)?;
    account_from_row(row)
}

pub(crate) async fn append_log(
    tx: &mut Transaction<'_, Postgres>,
    entry: &AccountingEntry,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO accounting_log (time, action, remote_user, fields) VALUES ($1, $2, $3, $4)",
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
    tx: &mut Transaction<'_, Postgres>,
    user: &str,
    account: &Account,
) -> Result<Account, StoreError> {
    let suspension = account.suspension.as_ref();
    let (reseller_acls, reseller_limits) = reseller_to_columns(account.reseller.as_ref())?;
    let (quota, bwlimit) = limit_columns(account)?;
    let dedicated = claim(tx, &account.ip, user).await?;
    let updated = sqlx::query(concat!(
        "UPDATE accounts SET username = $1, domain = $2, owner = $3, plan = $4, ip = $5, homedir = $6, shell = $7, dbowner = $8, \
         quota_mb = $9, suspended_at = $10, suspend_reason = $11, suspend_locked = $12, suspend_leave_ftp = $13, reseller_acls = $14, \
         reseller_limits = $15, bwlimit = $16, cpuser = $17, domains = $18, dead_domains = $19, homedir_links = $20, mtime = $21, \
         dedicated_ip = $22, revision = revision + 1 WHERE username = $23 AND revision = $24",
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
