//! The IPv4 address pool. An account's write claims the pool address it names, inside the
//! write's transaction: an address another account holds refuses the write
//! (`Refusal::AddressTaken`), so two accounts never share one.

use super::StoreError;
use crate::address::PoolAddress;
use async_trait::async_trait;
use std::fmt::Debug;
use std::net::Ipv4Addr;

/// A pool address and the account that holds it, if one does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldAddress {
    pub address: PoolAddress,
    pub holder: Option<String>,
}

/// What `remove_address` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddressRemoval {
    Removed,
    /// An account holds it; nothing was removed.
    InUse(String),
    Missing,
}

#[async_trait]
pub trait AddressStore: Debug + Send + Sync {
    /// Every pool address with its holder, in address order.
    async fn addresses(&self) -> Result<Vec<HeldAddress>, StoreError>;

    /// Adds all of `addresses` or none: one already in the pool is refused
    /// (`Refusal::InPool`, naming it).
    async fn add_addresses(&self, addresses: &[PoolAddress]) -> Result<(), StoreError>;

    /// Removes an address no account holds.
    async fn remove_address(&self, ip: Ipv4Addr) -> Result<AddressRemoval, StoreError>;
}
