//! cPanel account archives in pkgacct's layout (archive version 4; versions 3 and the older
//! `homedir.tar` form are read too): [`write`] streams an account into one, [`write_dir`] lays
//! it out as an unpacked tree (as incremental backups keep it), [`inspect`] reads one back with
//! every entry checked, and [`extract`] takes it apart for a restore, from any [`Source`] (a
//! file, split parts, an unpacked directory). The layout is described in
//! docs/compatibility.md, "Account archives".

mod account;
mod extract;
pub mod layout;
mod read;
mod source;
mod tree;
mod write;

pub use account::{contents, cpuser_keys};
pub use extract::{Extracted, extract};
pub use read::{ArchiveError, Home, Inspected, SMALL_FILE_LIMIT, inspect};
pub use source::Source;
pub use tree::write_dir;
pub use write::{Compression, Contents, Written, write};
