//! whmd's domain layer: who is calling ([`Principal`]), how secrets are made and checked, how
//! credentials become a principal ([`auth`]), and the store traits every backend implements.

pub mod account;
pub mod address;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod destination;
pub mod dns;
pub mod features;
pub mod host;
pub mod hulk;
pub mod ip;
pub mod job;
pub mod names;
pub mod package;
pub mod principal;
pub mod reseller;
pub mod sealed;
pub mod secret;
pub mod session;
pub mod store;
pub mod time;

pub use principal::{AuthMethod, Principal};
pub use secret::Secret;
pub use store::{StoreError, Stores};
