//! DNS zones, kept as the zone file whmd renders for BIND (`whmd_dns::render`), so that
//! every replica serves and edits the same text.

use super::StoreError;
use async_trait::async_trait;
use std::fmt::Debug;

/// A zone as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredZone {
    /// The zone's domain, lowercase, without the trailing dot.
    pub name: String,
    /// The account (or reseller, or root) the zone belongs to.
    pub owner: String,
    /// The SOA serial of `text`. It changes with every edit, so it guards updates.
    pub serial: u32,
    /// The zone file.
    pub text: String,
}

/// A zone without its text, for listings and for writing zone files out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneSummary {
    pub name: String,
    pub owner: String,
    pub serial: u32,
}

/// Zone writes that belong to an account write and happen in its transaction, so that an
/// account never exists without the zone it was created with, or the reverse.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ZoneWrites {
    /// Zones to remove before `put`, by name and the serial they were read with: a zone
    /// changed since (or gone) is a `Conflict`, so a change made meanwhile is never lost.
    pub remove: Vec<(String, u32)>,
    /// Zones to store. A zone of the same name is a `Conflict` unless `replace`.
    pub put: Vec<StoredZone>,
    pub replace: bool,
}

impl ZoneWrites {
    pub fn none() -> Self {
        Self::default()
    }

    /// Stores one zone, replacing one of the same name when `replace`.
    pub fn put(zone: StoredZone, replace: bool) -> Self {
        Self {
            remove: vec![],
            put: vec![zone],
            replace,
        }
    }
}

#[async_trait]
pub trait ZoneStore: Debug + Send + Sync {
    async fn zone(&self, name: &str) -> Result<Option<StoredZone>, StoreError>;

    /// Every zone, or those `owner` owns, ordered by name.
    async fn zones(&self, owner: Option<&str>) -> Result<Vec<ZoneSummary>, StoreError>;

    /// Stores a new zone; one of the same name is a `Conflict` unless `replace`.
    async fn put_zone(&self, zone: &StoredZone, replace: bool) -> Result<(), StoreError>;

    /// Replaces the zone's owner, serial and text if its stored serial is still `expected`;
    /// otherwise (or when the zone is gone) a `Conflict`, and nothing is written.
    async fn update_zone(&self, zone: &StoredZone, expected: u32) -> Result<(), StoreError>;

    /// `false` when there was no such zone.
    async fn remove_zone(&self, name: &str) -> Result<bool, StoreError>;
}
