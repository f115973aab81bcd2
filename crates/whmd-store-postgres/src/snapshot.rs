//! [`SnapshotStore`] on PostgreSQL.

use crate::accounts::{account_columns, account_from_row, log_from_row};
use crate::addresses::{address_row, insert_address};
use crate::backups::{destination_from_row, insert_destination};
use crate::change::{append_log, insert_account};
use crate::credentials::{insert_token, token_columns, token_from_row};
use crate::host::removal_from_row;
use crate::hulk::{block_row, failure_row, insert_block, list_row};
use crate::lists::{acl_list_from_row, feature_list_from_row};
use crate::packages::{insert_package, package_from_row};
use crate::sessions::{insert_session, session_row};
use crate::zones::{write_zones, zone_row};
use crate::{PostgresStore, commit, map_error};
use async_trait::async_trait;
use sqlx::Row;
use whmd_domain::StoreError;
use whmd_domain::store::encoding::{acls_to_json, to_json};
use whmd_domain::store::snapshot::{AccessHashRow, Counts, PasswordRow, Snapshot};
use whmd_domain::store::{Conflict, SnapshotStore, ZoneWrites};

#[async_trait]
impl SnapshotStore for PostgresStore {
    async fn export(&self) -> Result<Snapshot, StoreError> {
        // One snapshot, so the tables agree with each other.
        let mut tx = self.pool.begin().await.map_err(map_error)?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
        let accounts = sqlx::query(concat!(
            "SELECT ",
            account_columns!(),
            " FROM accounts ORDER BY username"
        ))
        .fetch_all(&mut *tx)
        .await
        .map_err(map_error)?
        .into_iter()
        .map(account_from_row)
        .collect::<Result<_, _>>()?;
        let tokens = sqlx::query(concat!(
            "SELECT ",
            token_columns!(),
            " FROM api_tokens ORDER BY username, name"
        ))
        .fetch_all(&mut *tx)
        .await
        .map_err(map_error)?
        .into_iter()
        .map(token_from_row)
        .collect::<Result<_, _>>()?;
        let passwords =
            sqlx::query("SELECT username, phc, updated_at FROM passwords ORDER BY username")
                .fetch_all(&mut *tx)
                .await
                .map_err(map_error)?
                .into_iter()
                .map(|row| {
                    Ok(PasswordRow {
                        user: row.try_get("username").map_err(map_error)?,
                        phc: row.try_get("phc").map_err(map_error)?,
                        updated_at: row.try_get("updated_at").map_err(map_error)?,
                    })
                })
                .collect::<Result<_, StoreError>>()?;
        let log =
            sqlx::query("SELECT time, action, remote_user, fields FROM accounting_log ORDER BY id")
                .fetch_all(&mut *tx)
                .await
                .map_err(map_error)?
                .into_iter()
                .map(log_from_row)
                .collect::<Result<_, _>>()?;
        let packages = sqlx::query(
            "SELECT name, owner, settings, revision FROM packages ORDER BY name COLLATE \"C\"",
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(map_error)?
        .into_iter()
        .map(package_from_row)
        .collect::<Result<_, _>>()?;
        let feature_lists = sqlx::query(
            "SELECT name, owner, features FROM feature_lists ORDER BY name COLLATE \"C\"",
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(map_error)?
        .into_iter()
        .map(feature_list_from_row)
        .collect::<Result<_, _>>()?;
        let acl_lists = sqlx::query("SELECT name, acls FROM acl_lists ORDER BY name COLLATE \"C\"")
            .fetch_all(&mut *tx)
            .await
            .map_err(map_error)?
            .into_iter()
            .map(acl_list_from_row)
            .collect::<Result<_, _>>()?;
        let settings = sqlx::query("SELECT name, value FROM settings ORDER BY name COLLATE \"C\"")
            .fetch_all(&mut *tx)
            .await
            .map_err(map_error)?
            .into_iter()
            .map(|row| {
                Ok((
                    row.try_get("name").map_err(map_error)?,
                    row.try_get("value").map_err(map_error)?,
                ))
            })
            .collect::<Result<_, StoreError>>()?;
        let hulk_records = sqlx::query(
            "SELECT list, address, comment FROM hulk_lists ORDER BY list COLLATE \"C\", address COLLATE \"C\"",
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(map_error)?
        .into_iter()
        .map(list_row)
        .collect::<Result<_, _>>()?;
        let hulk_blocks = sqlx::query(
            "SELECT kind, key, since, until, notes FROM hulk_blocks ORDER BY kind COLLATE \"C\", key COLLATE \"C\"",
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(map_error)?
        .into_iter()
        .map(block_row)
        .collect::<Result<_, _>>()?;
        let hulk_failures = sqlx::query(
            "SELECT time, username, ip, service, authservice FROM hulk_failures ORDER BY id",
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(map_error)?
        .into_iter()
        .map(failure_row)
        .collect::<Result<_, _>>()?;
        let sessions = sqlx::query(
            "SELECT digest, username, security_token, created, expires, preauth FROM sessions ORDER BY digest COLLATE \"C\"",
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(map_error)?
        .into_iter()
        .map(session_row)
        .collect::<Result<_, _>>()?;
        let access_hashes = sqlx::query(
            "SELECT username, digest, created FROM access_hashes ORDER BY username COLLATE \"C\"",
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(map_error)?
        .into_iter()
        .map(|row| {
            Ok(AccessHashRow {
                user: row.try_get("username").map_err(map_error)?,
                digest: row.try_get("digest").map_err(map_error)?,
                created: row.try_get("created").map_err(map_error)?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
        let zones =
            sqlx::query("SELECT name, owner, serial, text FROM zones ORDER BY name COLLATE \"C\"")
                .fetch_all(&mut *tx)
                .await
                .map_err(map_error)?
                .into_iter()
                .map(zone_row)
                .collect::<Result<_, _>>()?;
        let addresses =
            sqlx::query("SELECT ip, netmask, interface FROM ip_addresses ORDER BY sort_key")
                .fetch_all(&mut *tx)
                .await
                .map_err(map_error)?
                .iter()
                .map(address_row)
                .collect::<Result<_, _>>()?;
        let removals = sqlx::query(
            "SELECT uid, username, homedir, host, removed_at FROM host_removals ORDER BY uid",
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(map_error)?
        .iter()
        .map(removal_from_row)
        .collect::<Result<_, _>>()?;
        let destinations = sqlx::query(
            "SELECT id, name, kind, disabled, disable_reason, settings, sealed, revision FROM backup_destinations ORDER BY id",
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(map_error)?
        .iter()
        .map(destination_from_row)
        .collect::<Result<_, _>>()?;
        commit(tx).await?;
        Ok(Snapshot {
            accounts,
            tokens,
            passwords,
            log,
            packages,
            feature_lists,
            acl_lists,
            settings,
            hulk_records,
            hulk_blocks,
            hulk_failures,
            sessions,
            access_hashes,
            zones,
            addresses,
            removals,
            destinations,
        })
    }

    async fn import(&self, snapshot: &Snapshot) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(map_error)?;
        if count_all(&mut tx).await? != Counts::default() {
            return Err(StoreError::Conflict(Conflict::NotEmpty));
        }
        // The pool first: accounts claim their addresses from it.
        for a in &snapshot.addresses {
            if !insert_address(&mut tx, a).await? {
                return Err(StoreError::Conflict(Conflict::Address));
            }
        }
        for account in &snapshot.accounts {
            insert_account(&mut tx, account).await?;
        }
        for r in &snapshot.removals {
            sqlx::query(
                "INSERT INTO host_removals (uid, username, homedir, host, removed_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(i64::from(r.uid))
            .bind(&r.user)
            .bind(&r.homedir)
            .bind(&r.host)
            .bind(r.removed_at)
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
        }
        for d in &snapshot.destinations {
            insert_destination(&mut *tx, d).await?;
        }
        for t in &snapshot.tokens {
            insert_token(&mut tx, t).await?;
        }
        for p in &snapshot.passwords {
            sqlx::query("INSERT INTO passwords (username, phc, updated_at) VALUES ($1, $2, $3)")
                .bind(&p.user)
                .bind(&p.phc)
                .bind(p.updated_at)
                .execute(&mut *tx)
                .await
                .map_err(map_error)?;
        }
        for entry in &snapshot.log {
            append_log(&mut tx, entry).await?;
        }
        for package in &snapshot.packages {
            insert_package(&mut tx, package).await?;
        }
        for list in &snapshot.feature_lists {
            sqlx::query("INSERT INTO feature_lists (name, owner, features) VALUES ($1, $2, $3)")
                .bind(&list.name)
                .bind(&list.owner)
                .bind(to_json(&list.features)?)
                .execute(&mut *tx)
                .await
                .map_err(map_error)?;
        }
        for (name, value) in &snapshot.settings {
            sqlx::query("INSERT INTO settings (name, value) VALUES ($1, $2)")
                .bind(name)
                .bind(value)
                .execute(&mut *tx)
                .await
                .map_err(map_error)?;
        }
        for (list, record) in &snapshot.hulk_records {
            sqlx::query("INSERT INTO hulk_lists (list, address, comment) VALUES ($1, $2, $3)")
                .bind(list.name())
                .bind(whmd_domain::ip::show_range(&record.range))
                .bind(&record.comment)
                .execute(&mut *tx)
                .await
                .map_err(map_error)?;
        }
        for h in &snapshot.access_hashes {
            sqlx::query(
                "INSERT INTO access_hashes (username, digest, created) VALUES ($1, $2, $3)",
            )
            .bind(&h.user)
            .bind(&h.digest)
            .bind(h.created)
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
        }
        for session in &snapshot.sessions {
            insert_session(&mut tx, session).await?;
        }
        for block in &snapshot.hulk_blocks {
            insert_block(&mut tx, block).await?;
        }
        for f in &snapshot.hulk_failures {
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
        }
        let zones = ZoneWrites {
            put: snapshot.zones.clone(),
            ..ZoneWrites::none()
        };
        write_zones(&mut tx, &zones).await?;
        for (name, acls) in &snapshot.acl_lists {
            sqlx::query("INSERT INTO acl_lists (name, acls) VALUES ($1, $2)")
                .bind(name)
                .bind(acls_to_json(Some(*acls))?)
                .execute(&mut *tx)
                .await
                .map_err(map_error)?;
        }
        // New accounts must not be handed a uid that came over with the old ones.
        sqlx::query(
            "SELECT setval('account_uids', GREATEST((SELECT MAX(uid) FROM accounts), (SELECT MAX(uid) FROM host_removals), 1000))",
        )
        .execute(&mut *tx)
        .await
        .map_err(map_error)?;
        commit(tx).await
    }

    async fn counts(&self) -> Result<Counts, StoreError> {
        let mut tx = self.pool.begin().await.map_err(map_error)?;
        let counts = count_all(&mut tx).await?;
        commit(tx).await?;
        Ok(counts)
    }
}

async fn count_all(tx: &mut sqlx::Transaction<'_, sqlx::Postgres>) -> Result<Counts, StoreError> {
    let mut count = async |sql: &'static str| -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar(sql)
            .fetch_one(&mut **tx)
            .await
            .map_err(map_error)?;
        Ok(u64::try_from(n).unwrap_or(0))
    };
    Ok(Counts {
        accounts: count("SELECT COUNT(*) FROM accounts").await?,
        tokens: count("SELECT COUNT(*) FROM api_tokens").await?,
        passwords: count("SELECT COUNT(*) FROM passwords").await?,
        log: count("SELECT COUNT(*) FROM accounting_log").await?,
        packages: count("SELECT COUNT(*) FROM packages").await?,
        feature_lists: count("SELECT COUNT(*) FROM feature_lists").await?,
        acl_lists: count("SELECT COUNT(*) FROM acl_lists").await?,
        settings: count("SELECT COUNT(*) FROM settings").await?,
        hulk_records: count("SELECT COUNT(*) FROM hulk_lists").await?,
        hulk_blocks: count("SELECT COUNT(*) FROM hulk_blocks").await?,
        hulk_failures: count("SELECT COUNT(*) FROM hulk_failures").await?,
        sessions: count("SELECT COUNT(*) FROM sessions").await?,
        access_hashes: count("SELECT COUNT(*) FROM access_hashes").await?,
        zones: count("SELECT COUNT(*) FROM zones").await?,
        addresses: count("SELECT COUNT(*) FROM ip_addresses").await?,
        removals: count("SELECT COUNT(*) FROM host_removals").await?,
        destinations: count("SELECT COUNT(*) FROM backup_destinations").await?,
    })
}
