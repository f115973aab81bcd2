//! [`AccountStore`] on PostgreSQL.

use crate::addresses::claim;
use crate::admission::admit;
use crate::zones::write_zones;
use crate::{PostgresStore, map_error};
use async_trait::async_trait;
use futures::TryStreamExt;
use sqlx::postgres::PgRow;
use sqlx::{AssertSqlSafe, Postgres, Row, Transaction};
use std::collections::BTreeMap;
use whmd_domain::StoreError;
use whmd_domain::account::{Account, AccountingEntry, Suspension};
use whmd_domain::names::username::dbowner;
use whmd_domain::store::encoding::{
    from_json, limit_columns, reseller_from_columns, reseller_to_columns, to_json,
};
use whmd_domain::store::{
    AccountPage, AccountQuery, AccountStore, Admission, PageWindow, ZoneWrites,
};
use whmd_wire::output::TextTest;

/// The columns an [`Account`] is read from, in one place for every query.
macro_rules! account_columns {
    () => {
        "username, domain, owner, plan, ip, uid, homedir, shell, quota_mb, suspended_at, suspend_reason, suspend_locked, \
         suspend_leave_ftp, reseller_acls, reseller_limits, cpuser, domains, dead_domains, homedir_links, host, mtime, revision"
    };
}
pub(crate) use account_columns;

#[async_trait]
impl AccountStore for PostgresStore {
    async fn create_account(
        &self,
        account: &Account,
        password_phc: &str,
        log: &AccountingEntry,
        admission: &Admission,
        zones: &ZoneWrites,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(map_error)?;
        admit(&mut tx, account, admission, None).await?;
        insert_account(&mut tx, account).await?;
        write_zones(&mut tx, zones).await?;
        sqlx::query(
            "INSERT INTO passwords (username, phc, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (username) DO UPDATE SET phc = excluded.phc, updated_at = excluded.updated_at",
        )
        .bind(&account.user)
        .bind(password_phc)
        .bind(log.time)
        .execute(&mut *tx)
        .await
        .map_err(map_error)?;
        append_log(&mut tx, log).await?;
        tx.commit().await.map_err(map_error)
    }

    async fn account(&self, user: &str) -> Result<Option<Account>, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            account_columns!(),
            " FROM accounts WHERE username = $1"
        ))
        .bind(user)
        .fetch_optional(&self.pool)
        .await
        .map_err(map_error)?;
        row.map(account_from_row).transpose()
    }

    async fn account_by_domain(&self, domain: &str) -> Result<Option<Account>, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            account_columns!(),
            " FROM accounts WHERE domain = $1"
        ))
        .bind(domain)
        .fetch_optional(&self.pool)
        .await
        .map_err(map_error)?;
        row.map(account_from_row).transpose()
    }

    async fn accounts(&self, owner: Option<&str>) -> Result<Vec<Account>, StoreError> {
        // Rows are decoded as they arrive, not all held first.
        match owner {
            Some(owner) => {
                sqlx::query(concat!(
                    "SELECT ",
                    account_columns!(),
                    " FROM accounts WHERE owner = $1 ORDER BY username COLLATE \"C\""
                ))
                .bind(owner)
                .fetch(&self.pool)
                .map_err(map_error)
                .and_then(|row| std::future::ready(account_from_row(row)))
                .try_collect()
                .await
            }
            None => {
                sqlx::query(concat!(
                    "SELECT ",
                    account_columns!(),
                    " FROM accounts ORDER BY username COLLATE \"C\""
                ))
                .fetch(&self.pool)
                .map_err(map_error)
                .and_then(|row| std::future::ready(account_from_row(row)))
                .try_collect()
                .await
            }
        }
    }

    async fn accounts_on_plan(&self, plan: &str) -> Result<Vec<Account>, StoreError> {
        sqlx::query(concat!(
            "SELECT ",
            account_columns!(),
            " FROM accounts WHERE plan = $1 ORDER BY username COLLATE \"C\""
        ))
        .bind(plan)
        .fetch(&self.pool)
        .map_err(map_error)
        .and_then(|row| std::future::ready(account_from_row(row)))
        .try_collect()
        .await
    }

    async fn resellers(&self) -> Result<Vec<String>, StoreError> {
        sqlx::query_scalar(
            "SELECT username FROM accounts WHERE reseller_acls IS NOT NULL ORDER BY username COLLATE \"C\"",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_error)
    }

    async fn account_page(
        &self,
        query: &AccountQuery,
        window: &PageWindow<'_>,
    ) -> Result<AccountPage, StoreError> {
        // One snapshot for the counts and the page.
        let mut tx = self.pool.begin().await.map_err(map_error)?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
        let (owned, owner) = match &query.owner {
            Some(owner) => (" WHERE owner = $1", vec![owner.clone()]),
            None => ("", vec![]),
        };
        let unfiltered = count(
            &mut tx,
            format!("SELECT COUNT(*) FROM accounts{owned}"),
            &owner,
        )
        .await?;
        let (filtered, binds) = where_clause(query);
        let matching = count(
            &mut tx,
            format!("SELECT COUNT(*) FROM accounts{filtered}"),
            &binds,
        )
        .await?;
        let range = window(matching);
        // Byte order, as SQLite's and the output controls' comparisons are.
        let mut order: Vec<String> = query
            .order
            .iter()
            .map(|(column, reverse)| {
                format!(
                    "{} COLLATE \"C\"{}",
                    column.sql_name(),
                    if *reverse { " DESC" } else { "" }
                )
            })
            .collect();
        order.push("username COLLATE \"C\"".into());
        let sql = format!(
            "SELECT username FROM accounts{filtered} ORDER BY {} LIMIT ${} OFFSET ${}",
            order.join(", "),
            binds.len() + 1,
            binds.len() + 2
        );
        // Only column names from AccountColumn and placeholders are spliced in.
        let mut page = sqlx::query_scalar::<_, String>(AssertSqlSafe(sql));
        for b in &binds {
            page = page.bind(b);
        }
        let users = page
            .bind(i64::try_from(range.len()).unwrap_or(i64::MAX))
            .bind(i64::try_from(range.start).unwrap_or(i64::MAX))
            .fetch_all(&mut *tx)
            .await
            .map_err(map_error)?;
        let rows = sqlx::query(concat!(
            "SELECT ",
            account_columns!(),
            " FROM accounts WHERE username = ANY($1)"
        ))
        .bind(&users)
        .fetch_all(&mut *tx)
        .await
        .map_err(map_error)?;
        tx.commit().await.map_err(map_error)?;
        let accounts = rows
            .into_iter()
            .map(account_from_row)
            .collect::<Result<_, _>>()?;
        Ok(AccountPage::in_order(
            unfiltered, matching, &users, accounts,
        ))
    }

    async fn users_with_db_prefix(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        // LIKE with a literal prefix uses the text_pattern_ops index; its wildcards are escaped.
        let pattern: String = prefix
            .chars()
            .flat_map(|c| match c {
                '\\' | '%' | '_' => vec!['\\', c],
                c => vec![c],
            })
            .chain(['%'])
            .collect();
        sqlx::query_scalar("SELECT username FROM accounts WHERE dbowner LIKE $1 ORDER BY username")
            .bind(pattern)
            .fetch_all(&self.pool)
            .await
            .map_err(map_error)
    }

    async fn update_account(
        &self,
        user: &str,
        account: &Account,
        log: &[AccountingEntry],
        admission: &Admission,
        zones: &ZoneWrites,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(map_error)?;
        admit(&mut tx, account, admission, Some(user)).await?;
        write_account(&mut tx, user, account).await?;
        if account.user != user {
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
                    .bind(&account.user)
                    .bind(user)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_error)?;
            }
        }
        write_zones(&mut tx, zones).await?;
        for entry in log {
            append_log(&mut tx, entry).await?;
        }
        tx.commit().await.map_err(map_error)
    }

    async fn demote_reseller(
        &self,
        user: &str,
        account: &Account,
        heir: &str,
        log: &[AccountingEntry],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(map_error)?;
        write_account(&mut tx, user, account).await?;
        sqlx::query("UPDATE accounts SET owner = $1 WHERE owner = $2 AND username <> $2")
            .bind(heir)
            .bind(&account.user)
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
        for entry in log {
            append_log(&mut tx, entry).await?;
        }
        tx.commit().await.map_err(map_error)
    }

    async fn remove_account(
        &self,
        user: &str,
        log: &AccountingEntry,
        keep_zones: bool,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await.map_err(map_error)?;
        let removed = sqlx::query(
            "INSERT INTO host_removals (uid, username, homedir, host, removed_at) \
             SELECT uid, username, homedir, host, $1 FROM accounts WHERE username = $2 \
             ON CONFLICT (uid) DO UPDATE SET username = excluded.username, homedir = excluded.homedir, \
             host = excluded.host, removed_at = excluded.removed_at",
        )
        .bind(log.time)
        .bind(user)
        .execute(&mut *tx)
        .await
        .map_err(map_error)?;
        if removed.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query(
            "DELETE FROM account_usage WHERE uid IN (SELECT uid FROM accounts WHERE username = $1)",
        )
        .bind(user)
        .execute(&mut *tx)
        .await
        .map_err(map_error)?;
        sqlx::query("DELETE FROM accounts WHERE username = $1")
            .bind(user)
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
        for statement in [
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
                .execute(&mut *tx)
                .await
                .map_err(map_error)?;
        }
        append_log(&mut tx, log).await?;
        tx.commit().await.map_err(map_error)?;
        Ok(true)
    }

    async fn set_account_password(
        &self,
        user: &str,
        password_phc: &str,
        log: &AccountingEntry,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await.map_err(map_error)?;
        let exists: Option<i64> =
            sqlx::query_scalar("SELECT 1::BIGINT FROM accounts WHERE username = $1")
                .bind(user)
                .fetch_optional(&mut *tx)
                .await
                .map_err(map_error)?;
        if exists.is_none() {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO passwords (username, phc, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (username) DO UPDATE SET phc = excluded.phc, updated_at = excluded.updated_at",
        )
        .bind(user)
        .bind(password_phc)
        .bind(log.time)
        .execute(&mut *tx)
        .await
        .map_err(map_error)?;
        append_log(&mut tx, log).await?;
        tx.commit().await.map_err(map_error)?;
        Ok(true)
    }

    async fn accounting_log(&self, limit: u32) -> Result<Vec<AccountingEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT time, action, remote_user, fields FROM \
             (SELECT * FROM accounting_log ORDER BY id DESC LIMIT $1) AS recent ORDER BY id",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(map_error)?;
        rows.into_iter().map(log_from_row).collect()
    }
}

pub(crate) async fn insert_account(
    tx: &mut Transaction<'_, Postgres>,
    account: &Account,
) -> Result<(), StoreError> {
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
            return Err(StoreError::Conflict(format!("uid {}", account.uid)));
        }
    }
    sqlx::query(
        "INSERT INTO accounts (username, domain, owner, plan, ip, uid, homedir, shell, dbowner, quota_mb, \
         suspended_at, suspend_reason, suspend_locked, suspend_leave_ftp, reseller_acls, reseller_limits, \
         bwlimit, cpuser, domains, dead_domains, homedir_links, host, mtime, revision, dedicated_ip) VALUES ($1, $2, $3, $4, $5, \
         CASE WHEN $6 = 0 THEN nextval('account_uids') ELSE $7 END, \
         $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26)",
    )
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
    .execute(&mut **tx)
    .await
    .map_err(map_error)?;
    Ok(())
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
) -> Result<(), StoreError> {
    let suspension = account.suspension.as_ref();
    let (reseller_acls, reseller_limits) = reseller_to_columns(account.reseller.as_ref())?;
    let (quota, bwlimit) = limit_columns(account)?;
    let dedicated = claim(tx, &account.ip, user).await?;
    let updated = sqlx::query(
        "UPDATE accounts SET username = $1, domain = $2, owner = $3, plan = $4, ip = $5, homedir = $6, shell = $7, dbowner = $8, \
         quota_mb = $9, suspended_at = $10, suspend_reason = $11, suspend_locked = $12, suspend_leave_ftp = $13, reseller_acls = $14, \
         reseller_limits = $15, bwlimit = $16, cpuser = $17, domains = $18, dead_domains = $19, homedir_links = $20, mtime = $21, \
         dedicated_ip = $22, revision = revision + 1 WHERE username = $23 AND revision = $24",
    )
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
    .execute(&mut **tx)
    .await
    .map_err(map_error)?;
    if updated.rows_affected() != 1 {
        return Err(StoreError::Conflict(format!(
            "account {user} at revision {}",
            account.revision
        )));
    }
    Ok(())
}

/// One accounting-log row.
pub(crate) fn log_from_row(row: PgRow) -> Result<AccountingEntry, StoreError> {
    let fields: String = row.try_get("fields").map_err(map_error)?;
    Ok(AccountingEntry {
        time: row.try_get("time").map_err(map_error)?,
        action: row.try_get("action").map_err(map_error)?,
        remote_user: row.try_get("remote_user").map_err(map_error)?,
        fields: from_json(&fields)?,
    })
}

pub(crate) fn account_from_row(row: PgRow) -> Result<Account, StoreError> {
    let get_text =
        |name: &str| -> Result<String, StoreError> { row.try_get(name).map_err(map_error) };
    let suspended_at: Option<i64> = row.try_get("suspended_at").map_err(map_error)?;
    let suspension = match suspended_at {
        Some(time) => Some(Suspension {
            time,
            reason: row
                .try_get::<Option<String>, _>("suspend_reason")
                .map_err(map_error)?
                .unwrap_or_default(),
            locked: row.try_get("suspend_locked").map_err(map_error)?,
            leave_ftp_enabled: row.try_get("suspend_leave_ftp").map_err(map_error)?,
        }),
        None => None,
    };
    let quota: Option<i64> = row.try_get("quota_mb").map_err(map_error)?;
    Ok(Account {
        user: get_text("username")?,
        domain: get_text("domain")?,
        owner: get_text("owner")?,
        plan: get_text("plan")?,
        ip: get_text("ip")?,
        uid: u32::try_from(row.try_get::<i64, _>("uid").map_err(map_error)?)
            .map_err(|e| StoreError::Internal(Box::new(e)))?,
        homedir: get_text("homedir")?,
        shell: get_text("shell")?,
        quota_mb: quota.map(|q| u64::try_from(q).unwrap_or(0)),
        suspension,
        reseller: reseller_from_columns(
            row.try_get("reseller_acls").map_err(map_error)?,
            row.try_get("reseller_limits").map_err(map_error)?,
        )?,
        cpuser: from_json::<BTreeMap<String, String>>(&get_text("cpuser")?)?,
        domains: from_json(&get_text("domains")?)?,
        dead_domains: from_json(&get_text("dead_domains")?)?,
        homedir_links: from_json(&get_text("homedir_links")?)?,
        host: get_text("host")?,
        mtime: row.try_get("mtime").map_err(map_error)?,
        revision: row.try_get("revision").map_err(map_error)?,
    })
}

/// ` WHERE …` for the query's owner and filters (empty when there are none), and its binds,
/// numbered from `$1`.
fn where_clause(query: &AccountQuery) -> (String, Vec<String>) {
    let mut tests = Vec::new();
    let mut binds = Vec::new();
    if let Some(owner) = &query.owner {
        binds.push(owner.clone());
        tests.push(format!("owner = ${}", binds.len()));
    }
    for (column, test) in &query.filters {
        let column = column.sql_name();
        let term = match test {
            TextTest::Contains(term) | TextTest::Begins(term) | TextTest::Eq(term) => term,
        };
        binds.push(term.clone());
        let n = binds.len();
        tests.push(match test {
            TextTest::Contains(_) => format!("strpos(lower({column}), ${n}) > 0"),
            TextTest::Begins(_) => format!("strpos(lower({column}), ${n}) = 1"),
            TextTest::Eq(_) => format!("{column} = ${n}"),
        });
    }
    if tests.is_empty() {
        return (String::new(), binds);
    }
    (format!(" WHERE {}", tests.join(" AND ")), binds)
}

async fn count(
    tx: &mut Transaction<'_, Postgres>,
    sql: String,
    binds: &[String],
) -> Result<usize, StoreError> {
    let mut query = sqlx::query_scalar::<_, i64>(AssertSqlSafe(sql));
    for b in binds {
        query = query.bind(b);
    }
    let n = query.fetch_one(&mut **tx).await.map_err(map_error)?;
    Ok(usize::try_from(n).unwrap_or(0))
}
