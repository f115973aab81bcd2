//! [`AccountStore`] on SQLite.

use crate::addresses::claim;
use crate::admission::admit;
use crate::zones::write_zones;
use crate::{SqliteStore, map_error};
use async_trait::async_trait;
use futures::TryStreamExt;
use sqlx::sqlite::SqliteRow;
use sqlx::{AssertSqlSafe, Row, Sqlite, Transaction};
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
impl AccountStore for SqliteStore {
    async fn create_account(
        &self,
        account: &Account,
        password_phc: &str,
        log: &AccountingEntry,
        admission: &Admission,
        zones: &ZoneWrites,
    ) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await.map_err(map_error)?;
        admit(&mut tx, account, admission, None).await?;
        insert_account(&mut tx, account).await?;
        write_zones(&mut tx, zones).await?;
        sqlx::query(
            "INSERT INTO passwords (username, phc, updated_at) VALUES (?, ?, ?) \
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
            " FROM accounts WHERE username = ?"
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
            " FROM accounts WHERE domain = ?"
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
                    " FROM accounts WHERE owner = ? ORDER BY username"
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
                    " FROM accounts ORDER BY username"
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
            " FROM accounts WHERE plan = ? ORDER BY username"
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
            "SELECT username FROM accounts WHERE reseller_acls IS NOT NULL ORDER BY username",
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
        // One read transaction: the counts and the page come from the same snapshot.
        let mut tx = self.pool.begin().await.map_err(map_error)?;
        let (owned, owner) = match &query.owner {
            Some(owner) => (" WHERE owner = ?", vec![owner.clone()]),
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
        let mut order: Vec<String> = query
            .order
            .iter()
            .map(|(column, reverse)| {
                format!(
                    "{}{}",
                    column.sql_name(),
                    if *reverse { " DESC" } else { "" }
                )
            })
            .collect();
        order.push("username".into());
        let sql = format!(
            "SELECT username FROM accounts{filtered} ORDER BY {} LIMIT ? OFFSET ?",
            order.join(", ")
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
            " FROM accounts WHERE username IN (SELECT value FROM json_each(?))"
        ))
        .bind(to_json(&users)?)
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
        // GLOB with a literal prefix uses the index; dbowner forms hold no GLOB metacharacters,
        // and any in `prefix` are escaped by bracketing.
        let pattern: String = prefix
            .chars()
            .map(|c| {
                if matches!(c, '*' | '?' | '[' | ']') {
                    format!("[{c}]")
                } else {
                    c.to_string()
                }
            })
            .collect::<String>()
            + "*";
        sqlx::query_scalar("SELECT username FROM accounts WHERE dbowner GLOB ? ORDER BY username")
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
        let mut tx = self.writer.begin().await.map_err(map_error)?;
        admit(&mut tx, account, admission, Some(user)).await?;
        write_account(&mut tx, user, account).await?;
        if account.user != user {
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
        let mut tx = self.writer.begin().await.map_err(map_error)?;
        write_account(&mut tx, user, account).await?;
        sqlx::query("UPDATE accounts SET owner = ? WHERE owner = ? AND username <> ?")
            .bind(heir)
            .bind(&account.user)
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
        let mut tx = self.writer.begin().await.map_err(map_error)?;
        let removed = sqlx::query(
            "INSERT INTO host_removals (uid, username, homedir, host, removed_at) \
             SELECT uid, username, homedir, host, ? FROM accounts WHERE username = ? \
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
            "DELETE FROM account_usage WHERE uid IN (SELECT uid FROM accounts WHERE username = ?)",
        )
        .bind(user)
        .execute(&mut *tx)
        .await
        .map_err(map_error)?;
        sqlx::query("DELETE FROM accounts WHERE username = ?")
            .bind(user)
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
        for statement in [
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
        let mut tx = self.writer.begin().await.map_err(map_error)?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT 1 FROM accounts WHERE username = ?")
            .bind(user)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_error)?;
        if exists.is_none() {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO passwords (username, phc, updated_at) VALUES (?, ?, ?) \
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
             (SELECT * FROM accounting_log ORDER BY id DESC LIMIT ?) ORDER BY id",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(map_error)?;
        rows.into_iter().map(log_from_row).collect()
    }
}

pub(crate) async fn insert_account(
    tx: &mut Transaction<'_, Sqlite>,
    account: &Account,
) -> Result<(), StoreError> {
    let suspension = account.suspension.as_ref();
    let (reseller_acls, reseller_limits) = reseller_to_columns(account.reseller.as_ref())?;
    let (quota, bwlimit) = limit_columns(account)?;
    let dedicated = claim(tx, &account.ip, &account.user).await?;
    if account.uid != 0 {
        let tombstoned: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM host_removals WHERE uid = ?")
                .bind(account.uid)
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
         bwlimit, cpuser, domains, dead_domains, homedir_links, host, mtime, revision, dedicated_ip) VALUES (?, ?, ?, ?, ?, \
         CASE WHEN ? = 0 THEN (SELECT MAX(uid) + 1 FROM (SELECT COALESCE(MAX(uid), 1000) AS uid FROM accounts \
         UNION ALL SELECT MAX(uid) FROM host_removals)) ELSE ? END, \
         ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
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
    .bind(dedicated)
    .execute(&mut **tx)
    .await
    .map_err(map_error)?;
    Ok(())
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
) -> Result<(), StoreError> {
    let suspension = account.suspension.as_ref();
    let (reseller_acls, reseller_limits) = reseller_to_columns(account.reseller.as_ref())?;
    let (quota, bwlimit) = limit_columns(account)?;
    let dedicated = claim(tx, &account.ip, user).await?;
    let updated = sqlx::query(
        "UPDATE accounts SET username = ?, domain = ?, owner = ?, plan = ?, ip = ?, homedir = ?, shell = ?, dbowner = ?, \
         quota_mb = ?, suspended_at = ?, suspend_reason = ?, suspend_locked = ?, suspend_leave_ftp = ?, reseller_acls = ?, \
         reseller_limits = ?, bwlimit = ?, cpuser = ?, domains = ?, dead_domains = ?, homedir_links = ?, mtime = ?, \
         dedicated_ip = ?, revision = revision + 1 WHERE username = ? AND revision = ?",
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
pub(crate) fn log_from_row(row: SqliteRow) -> Result<AccountingEntry, StoreError> {
    let fields: String = row.try_get("fields").map_err(map_error)?;
    Ok(AccountingEntry {
        time: row.try_get("time").map_err(map_error)?,
        action: row.try_get("action").map_err(map_error)?,
        remote_user: row.try_get("remote_user").map_err(map_error)?,
        fields: from_json(&fields)?,
    })
}

pub(crate) fn account_from_row(row: SqliteRow) -> Result<Account, StoreError> {
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
        uid: row.try_get("uid").map_err(map_error)?,
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

/// ` WHERE …` for the query's owner and filters (empty when there are none), and its binds.
fn where_clause(query: &AccountQuery) -> (String, Vec<String>) {
    let mut tests = Vec::new();
    let mut binds = Vec::new();
    if let Some(owner) = &query.owner {
        tests.push("owner = ?".to_owned());
        binds.push(owner.clone());
    }
    for (column, test) in &query.filters {
        let column = column.sql_name();
        // SQLite's LIKE ignores ASCII case, as the tests do; the columns hold only ASCII.
        let (sql, bind) = match test {
            TextTest::Contains(term) => (like(column), format!("%{}%", escape_like(term))),
            TextTest::Begins(term) => (like(column), format!("{}%", escape_like(term))),
            TextTest::Eq(term) => (format!("{column} = ?"), term.clone()),
        };
        tests.push(sql);
        binds.push(bind);
    }
    if tests.is_empty() {
        return (String::new(), binds);
    }
    (format!(" WHERE {}", tests.join(" AND ")), binds)
}

fn like(column: &str) -> String {
    format!("{column} LIKE ? ESCAPE '\\'")
}

/// The term as literal text inside a LIKE pattern.
fn escape_like(term: &str) -> String {
    let mut escaped = String::with_capacity(term.len());
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

async fn count(
    tx: &mut Transaction<'_, Sqlite>,
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
