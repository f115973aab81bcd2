//! A backup destination as the store keeps it: where scheduled backups are copied besides the
//! backup directory (`backup_destination_add` and the functions after it). Its settings are
//! kept by cPanel's parameter names; its secrets (password, key passphrase) only sealed with
//! the server's secrets key ([`crate::sealed`]), bound to the destination's id.

use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    /// 24 random letters and digits, as cPanel makes them.
    pub id: String,
    pub name: String,
    /// cPanel's type: `Local`, `SFTP`, …
    pub kind: String,
    pub disabled: bool,
    /// Why it was disabled by a failed check; empty otherwise.
    pub disable_reason: String,
    /// Every other setting, by cPanel's name, as text. Never a secret.
    pub settings: BTreeMap<String, String>,
    /// The secret settings, by name, each sealed.
    pub sealed: BTreeMap<String, String>,
    /// Counts saves: a save names the revision it was made from, so racing changes are not
    /// lost.
    pub revision: i64,
}
