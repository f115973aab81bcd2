//! Backups: the configuration (`config`), and writing an account's archive (`pack`), which
//! `whmd pkgacct` and scheduled backups share. All functions are root's, as in WHM.

mod config;
pub mod pack;

pub use config::FUNCTIONS as CONFIG;
