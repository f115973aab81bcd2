//! Hosting on a Linux host. The store is the desired state; the [`Converger`] makes the host
//! match it account by account: a system user and group per account (the shadow tools), a
//! home made without following links, the account's password hash in /etc/shadow, locked
//! while suspended. The uid is an account's identity on the host, so a known uid under a new
//! name is a rename. whmd touches only what it recorded applying ([`applied`]), and deletes
//! only on a tombstone that `removeacct` wrote; an applied account merely missing from the
//! store is reported and left alone. [`status`] tells what a pass would still do.

pub mod applied;
mod converge;
pub mod desired;
mod failpoint;
pub mod home;
pub mod plan;
pub mod quota;
#[cfg(feature = "sandbox")]
pub mod sandbox;
pub mod status;
pub mod system;
pub mod usage;
pub mod web;
pub mod webstate;

pub use converge::{CRONTABS, Converger, PassReport, Settings};
pub use desired::{Policy, Quota};
pub use web::Web;
