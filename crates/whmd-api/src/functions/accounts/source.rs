//! Lists of accounts read from the store a batch at a time, in username order, each account
//! turned into its record as its batch is read: a listing of any length holds one batch.

use crate::Context;
use async_trait::async_trait;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use whmd_domain::account::Account;
use whmd_domain::store::{Scope, Usage};
use whmd_wire::{Source, WhmError};

/// How many accounts are read at a time.
const BATCH: u32 = 250;

/// What an account's record is in one list.
pub trait RecordOf: Send + Sync {
    /// The record of `account`, given what the host last measured of its home (when
    /// [`RecordOf::uses_usage`]); `None` leaves the account out of the list.
    fn record(&self, account: &Account, usage: Option<&Usage>) -> Option<Value>;

    /// Whether records show the host's measurements.
    fn uses_usage(&self) -> bool {
        false
    }
}

/// The accounts of one owner (or all), as records.
pub struct AccountRecords {
    ctx: Arc<Context>,
    owner: Option<String>,
    record: Box<dyn RecordOf>,
    /// The last username read; the next batch starts after it.
    after: String,
    done: bool,
    /// The username at each position listed, for a sort's second reading; `None` once the
    /// list is known to be read once through.
    users: Option<Vec<String>>,
}

impl AccountRecords {
    /// Every account (`owner` `None`) or those `owner` owns.
    pub fn new(ctx: &Arc<Context>, owner: Option<&str>, record: impl RecordOf + 'static) -> Self {
        Self {
            ctx: Arc::clone(ctx),
            owner: owner.map(str::to_owned),
            record: Box::new(record),
            after: String::new(),
            done: false,
            users: Some(Vec::new()),
        }
    }

    async fn records(&mut self, accounts: &[Account]) -> Result<Vec<Value>, WhmError> {
        let usage = if self.record.uses_usage() {
            measured(&self.ctx, accounts).await?
        } else {
            HashMap::new()
        };
        Ok(accounts
            .iter()
            .filter_map(|a| self.record.record(a, usage.get(&a.uid)))
            .collect())
    }
}

#[async_trait]
impl Source for AccountRecords {
    async fn next(&mut self) -> Result<Vec<Value>, WhmError> {
        while !self.done {
            let scope = self.owner.as_deref().map_or(Scope::All, Scope::OwnedBy);
            let batch = self
                .ctx
                .stores
                .accounts
                .accounts_after(scope, &self.after, BATCH)
                .await?;
            self.done = batch.len() < BATCH as usize;
            let Some(last) = batch.last() else { break };
            self.after.clone_from(&last.user);
            let usage = if self.record.uses_usage() {
                measured(&self.ctx, &batch).await?
            } else {
                HashMap::new()
            };
            let mut records = Vec::with_capacity(batch.len());
            for account in &batch {
                if let Some(record) = self.record.record(account, usage.get(&account.uid)) {
                    if let Some(users) = &mut self.users {
                        users.push(account.user.clone());
                    }
                    records.push(record);
                }
            }
            if !records.is_empty() {
                return Ok(records);
            }
        }
        Ok(Vec::new())
    }

    async fn fetch(&mut self, positions: &[usize]) -> Result<Vec<Value>, WhmError> {
        if positions.is_empty() {
            return Ok(Vec::new());
        }
        let users = self.users.as_deref().unwrap_or_default();
        let names: Vec<String> = positions
            .iter()
            .filter_map(|&p| users.get(p).cloned())
            .collect();
        let mut found: HashMap<String, Account> = self
            .ctx
            .stores
            .accounts
            .accounts_named(&names)
            .await?
            .into_iter()
            .map(|a| (a.user.clone(), a))
            .collect();
        let ordered: Vec<Account> = names.iter().filter_map(|n| found.remove(n)).collect();
        self.records(&ordered).await
    }

    fn once_through(&mut self) {
        self.users = None;
    }
}

/// The host's last figures for these accounts, by uid.
pub async fn measured(
    ctx: &Context,
    accounts: &[Account],
) -> Result<HashMap<u32, Usage>, WhmError> {
    let uids: Vec<u32> = accounts.iter().map(|a| a.uid).collect();
    let usage = ctx.stores.host.usage(&uids).await?;
    Ok(usage.into_iter().map(|u| (u.uid, u)).collect())
}

/// How many records [`SortedBy`] fetches at a time.
const FETCH: usize = 250;

/// A list written in another order than its source's, by a text key of each record: the keys
/// and positions are read first and sorted (stably), then the records fetched back in that
/// order, so the list is never held whole.
pub struct SortedBy<S> {
    inner: S,
    key: fn(&Value) -> String,
    /// The source's positions in the new order, once read.
    order: Option<Vec<usize>>,
    written: usize,
}

impl<S: Source> SortedBy<S> {
    pub fn new(inner: S, key: fn(&Value) -> String) -> Self {
        Self {
            inner,
            key,
            order: None,
            written: 0,
        }
    }
}

#[async_trait]
impl<S: Source> Source for SortedBy<S> {
    async fn next(&mut self) -> Result<Vec<Value>, WhmError> {
        if self.order.is_none() {
            let mut keys: Vec<(String, usize)> = Vec::new();
            loop {
                let batch = self.inner.next().await?;
                if batch.is_empty() {
                    break;
                }
                for record in &batch {
                    keys.push(((self.key)(record), keys.len()));
                }
            }
            keys.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            self.order = Some(keys.into_iter().map(|(_, p)| p).collect());
        }
        let order = self.order.as_deref().unwrap_or_default();
        let end = (self.written + FETCH).min(order.len());
        let wanted = order[self.written..end].to_vec();
        self.written = end;
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        self.inner.fetch(&wanted).await
    }

    async fn fetch(&mut self, positions: &[usize]) -> Result<Vec<Value>, WhmError> {
        let order = self.order.as_deref().unwrap_or_default();
        let inner: Vec<usize> = positions
            .iter()
            .filter_map(|&p| order.get(p).copied())
            .collect();
        self.inner.fetch(&inner).await
    }
}

/// A source's records and one more after them (root among the users, a reseller's own
/// account among those it owns).
pub struct WithExtra<S> {
    inner: S,
    extra: Option<Value>,
    /// How many records the source gave, once it has given them all.
    read: usize,
    done: bool,
}

impl<S: Source> WithExtra<S> {
    pub fn new(inner: S, extra: Option<Value>) -> Self {
        Self {
            inner,
            extra,
            read: 0,
            done: false,
        }
    }
}

#[async_trait]
impl<S: Source> Source for WithExtra<S> {
    async fn next(&mut self) -> Result<Vec<Value>, WhmError> {
        if self.done {
            return Ok(Vec::new());
        }
        let batch = self.inner.next().await?;
        self.read += batch.len();
        if !batch.is_empty() {
            return Ok(batch);
        }
        self.done = true;
        Ok(self.extra.iter().cloned().collect())
    }

    async fn fetch(&mut self, positions: &[usize]) -> Result<Vec<Value>, WhmError> {
        // The extra record's position splits the request in two for the source.
        let at = positions.iter().position(|&p| p == self.read);
        let Some((at, extra)) = at.zip(self.extra.clone()) else {
            return self.inner.fetch(positions).await;
        };
        let mut records = self.inner.fetch(&positions[..at]).await?;
        records.push(extra);
        records.extend(self.inner.fetch(&positions[at + 1..]).await?);
        Ok(records)
    }
}
