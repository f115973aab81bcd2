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
