//! The whmd server: configuration, first-start bootstrap, TLS, the two listeners and the HTTP
//! front end that turns requests into calls of the function registry.

pub mod access_hash;
pub mod access_log;
pub mod audit;
pub mod backups;
pub mod bootstrap;
pub mod config;
pub mod host;
pub mod http;
pub mod import_cpanel;
pub mod import_zone;
pub mod jobs;
pub mod lenient;
pub mod listener;
pub mod log_format;
pub mod log_writer;
pub mod migrate;
pub mod passwd;
pub mod pkgacct;
pub mod secrets_key;
pub mod server;
pub mod store;
pub mod tls;
pub mod tool;
pub mod zones;

pub use config::Config;
pub use server::{Running, start};
