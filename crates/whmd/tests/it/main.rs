//! whmd's integration tests: each starts a real server on free loopback ports with its own
//! data directory and talks to it over HTTP and HTTPS.

mod access_hash;
mod access_log;
mod accounts;
mod auth;
mod authz;
mod backup_destinations;
mod backups;
mod bad_input;
mod batch;
mod bootstrap;
mod catalog_fuzz;
mod cphulk;
mod dns;
mod dns_fuzz;
mod failover;
mod featurelists;
mod full_disk;
mod functions;
mod harness;
mod health;
mod host;
mod http_fuzz;
mod idempotency;
mod import_cpanel;
mod ips;
mod lenient_http;
mod listing;

mod migrate;
mod openapi;
mod output;
mod packages;
mod pg_faults;
mod pkgacct;
mod protocol;
mod replicas;
mod resellers;
mod sessions;
mod slow_clients;
mod streamed_replies;
mod tokens;
mod transfers;
