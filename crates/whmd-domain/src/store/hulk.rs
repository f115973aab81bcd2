//! cPHulk's store: its settings, its lists, failed logins and the blocks they earned.

use super::StoreError;
use crate::hulk::{
    Block, Failure, FailureCounts, HulkConfig, HulkList, HulkRecord, HulkState, Windows,
};
use async_trait::async_trait;
use ipnet::IpNet;
use std::fmt::Debug;
use std::net::IpAddr;

#[async_trait]
pub trait HulkStore: Debug + Send + Sync {
    /// The settings, cPanel's defaults until some are saved.
    async fn hulk_config(&self) -> Result<HulkConfig, StoreError>;

    async fn save_hulk_config(&self, config: &HulkConfig) -> Result<(), StoreError>;

    /// The settings, both lists and the blocks in force at `now`, in one read.
    async fn hulk_state(&self, now: i64) -> Result<HulkState, StoreError>;

    /// A list's records, ordered as their ranges are written.
    async fn hulk_records(&self, list: HulkList) -> Result<Vec<HulkRecord>, StoreError>;

    /// Adds records to a list, replacing the comment of a range already on it.
    async fn add_hulk_records(
        &self,
        list: HulkList,
        records: &[HulkRecord],
    ) -> Result<(), StoreError>;

    /// Removes ranges from a list; returns those that were on it.
    async fn remove_hulk_records(
        &self,
        list: HulkList,
        ranges: &[IpNet],
    ) -> Result<Vec<IpNet>, StoreError>;

    /// Stores a failed login and counts the failures within each window (it included). Failures
    /// older than every window are dropped.
    async fn record_failure(
        &self,
        failure: &Failure,
        windows: &Windows,
    ) -> Result<FailureCounts, StoreError>;

    /// Stores blocks; a block of the same kind and key is extended to the later end.
    async fn add_blocks(&self, blocks: &[Block]) -> Result<(), StoreError>;

    /// The blocks in force at `now`, oldest first.
    async fn hulk_blocks(&self, now: i64) -> Result<Vec<Block>, StoreError>;

    /// The failed logins since `since`, oldest first.
    async fn failed_logins(&self, since: i64) -> Result<Vec<Failure>, StoreError>;

    /// Removes the failed logins and the blocks of these addresses, or of every address and
    /// user when `None`; returns how many records went.
    async fn flush_hulk(&self, ips: Option<&[IpAddr]>) -> Result<u64, StoreError>;
}
