//! Backups: the configuration (`config`). All are root's, as in WHM.

mod config;

pub use config::FUNCTIONS as CONFIG;
