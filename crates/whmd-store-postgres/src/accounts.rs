//! [`AccountStore`] on PostgreSQL.

use crate::change::apply;
use crate::{PostgresStore, commit, map_error};
use async_trait::async_trait;
use futures::TryStreamExt;
use sqlx::postgres::PgRow;
use sqlx::{AssertSqlSafe, Postgres, Row, Transaction};
use std::collections::BTreeMap;
use whmd_domain::StoreError;
use whmd_domain::account::{Account, AccountingEntry, Suspension};
use whmd_domain::store::encoding::{from_json, reseller_from_columns};
use whmd_domain::store::{
    AccountChange, AccountPage, AccountQuery, AccountStore, Allotted, OwnedCounts, PageWindow,
    Scope,
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
    async fn change(&self, change: &AccountChange) -> Result<Option<Account>, StoreError> {
        let mut tx = self.pool.begin().await.map_err(map_error)?;
        let stored = apply(&mut tx, change).await?;
        commit(tx).await?;
        Ok(stored)
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

    async fn accounts_after(
        &self,
        scope: Scope<'_>,
        after: &str,
        limit: u32,
    ) -> Result<Vec<Account>, StoreError> {
        let sql = match scope {
            Scope::All => concat!(
                "SELECT ",
                account_columns!(),
                " FROM accounts WHERE username COLLATE \"C\" > $1 \
                 ORDER BY username COLLATE \"C\" LIMIT $2"
            ),
            Scope::OwnedBy(_) => concat!(
                "SELECT ",
                account_columns!(),
                " FROM accounts WHERE owner = $3 AND username COLLATE \"C\" > $1 \
                 ORDER BY username COLLATE \"C\" LIMIT $2"
            ),
            Scope::OnPlan(_) => concat!(
                "SELECT ",
                account_columns!(),
                " FROM accounts WHERE plan = $3 AND username COLLATE \"C\" > $1 \
                 ORDER BY username COLLATE \"C\" LIMIT $2"
            ),
        };
        let mut query = sqlx::query(sql).bind(after).bind(i64::from(limit));
        if let Scope::OwnedBy(value) | Scope::OnPlan(value) = scope {
            query = query.bind(value);
        }
        query
            .fetch(&self.pool)
            .map_err(map_error)
            .and_then(|row| std::future::ready(account_from_row(row)))
            .try_collect()
            .await
    }

    async fn accounts_named(&self, users: &[String]) -> Result<Vec<Account>, StoreError> {
        sqlx::query(concat!(
            "SELECT ",
            account_columns!(),
            " FROM accounts WHERE username = ANY($1)"
        ))
        .bind(users)
        .fetch(&self.pool)
        .map_err(map_error)
        .and_then(|row| std::future::ready(account_from_row(row)))
        .try_collect()
        .await
    }

    async fn owned_counts(&self, owner: &str) -> Result<OwnedCounts, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS total, COUNT(suspended_at) AS suspended, \
             COALESCE(SUM(quota_mb), 0)::BIGINT AS disk, COALESCE(SUM(bwlimit), 0)::BIGINT AS bandwidth, \
             COALESCE(SUM(quota_mb) FILTER (WHERE suspended_at IS NULL), 0)::BIGINT AS active_disk, \
             COALESCE(SUM(bwlimit) FILTER (WHERE suspended_at IS NULL), 0)::BIGINT AS active_bandwidth \
             FROM accounts WHERE owner = $1",
        )
        .bind(owner)
        .fetch_one(&self.pool)
        .await
        .map_err(map_error)?;
        let count = |name: &str| -> Result<u64, StoreError> {
            let n: i64 = row.try_get(name).map_err(map_error)?;
            Ok(u64::try_from(n).unwrap_or(0))
        };
        Ok(OwnedCounts {
            total: count("total")?,
            suspended: count("suspended")?,
            allotted: Allotted {
                disk_mb: count("disk")?,
                bandwidth_bytes: count("bandwidth")?,
            },
            allotted_active: Allotted {
                disk_mb: count("active_disk")?,
                bandwidth_bytes: count("active_bandwidth")?,
            },
        })
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
        commit(tx).await?;
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
