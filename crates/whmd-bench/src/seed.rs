//! Seeding N accounts fast: one account made by a real whmd through `createacct` is the
//! template; N copies of it, renamed, go into a fresh store through the snapshot import that
//! `whmd migrate-store` uses, in one transaction.

use anyhow::Context as _;
use std::path::Path;
use std::time::{Duration, Instant};
use whmd_domain::account::Account;
use whmd_domain::store::snapshot::{PasswordRow, Snapshot};
use whmd_store_sqlite::SqliteStore;

/// The template: an account as createacct stored it, and its password hash.
#[derive(Debug, Clone)]
pub struct Template {
    account: Account,
    password: PasswordRow,
}

pub const TEMPLATE_USER: &str = "tmplacct";

/// Reads the template account back out of the store whmd made it in.
pub async fn read_template(data_dir: &Path) -> anyhow::Result<Template> {
    let store = SqliteStore::open(&database_url(data_dir)).await?;
    let snapshot = store.stores().snapshot.export().await?;
    store.close().await;
    let account = snapshot
        .accounts
        .into_iter()
        .find(|a| a.user == TEMPLATE_USER)
        .context("the template account is not in the store")?;
    let password = snapshot
        .passwords
        .into_iter()
        .find(|p| p.user == TEMPLATE_USER)
        .context("the template account has no password")?;
    Ok(Template { account, password })
}

/// The name of the `i`th seeded account, and its domain.
pub fn seeded_user(i: u32) -> String {
    format!("u{i:07}")
}

/// Writes `n` copies of the template into the empty store at `database_url`; returns how long
/// the write took.
pub async fn seed(database_url: &str, template: &Template, n: u32) -> anyhow::Result<Duration> {
    let mut snapshot = Snapshot::default();
    for i in 0..n {
        let user = seeded_user(i);
        snapshot.accounts.push(copy(&template.account, &user, i));
        snapshot.passwords.push(PasswordRow {
            user,
            ..template.password.clone()
        });
    }
    let started = Instant::now();
    let stores = whmd::store::open(database_url).await?;
    stores.snapshot.import(&snapshot).await?;
    Ok(started.elapsed())
}

fn copy(template: &Account, user: &str, i: u32) -> Account {
    let domain = format!("{user}.example.com");
    let mut account = template.clone();
    for value in account.cpuser.values_mut() {
        if *value == template.user {
            *value = user.to_owned();
        } else if *value == template.domain {
            value.clone_from(&domain);
        }
    }
    account.user = user.to_owned();
    account.homedir = format!("/home/{user}");
    account.uid = template.uid + 1 + i;
    account.domain = domain;
    account
}

pub fn database_url(data_dir: &Path) -> String {
    format!("sqlite://{}", data_dir.join("whmd.db").display())
}
