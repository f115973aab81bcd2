//! cPanel account archives in pkgacct's layout (archive version 4; versions 3 and the older
//! `homedir.tar` form are read too): [`write`] streams an account into one, [`inspect`] reads
//! one back with every entry checked. The layout is described in docs/compatibility.md,
//! "Account archives".

mod account;
pub mod layout;
mod read;
mod write;

pub use account::{contents, cpuser_keys};
pub use read::{ArchiveError, Home, Inspected, SMALL_FILE_LIMIT, inspect};
pub use write::{Contents, Written, write};
