//! Backups: the configuration (`config`); what the backup directory holds (`list`); writing an account's archive (`pack`, which
//! `whmd pkgacct` and the pkgacct sessions of `sessions` share) or its unpacked tree (`tree`); the schedule (`schedule`) and the runs
//! that follow it (`run`), copying to the destinations (`destinations`). All functions are root's, as in WHM.

mod config;
pub mod destinations;
mod list;
pub mod pack;
pub mod run;
pub mod schedule;
mod sessions;
mod skip;
mod tree;

pub use config::FUNCTIONS as CONFIG;
pub use destinations::FUNCTIONS as DESTINATIONS;
pub use list::FUNCTIONS as LIST;
pub use sessions::FUNCTIONS as SESSIONS;
pub use skip::FUNCTIONS as SKIP;
