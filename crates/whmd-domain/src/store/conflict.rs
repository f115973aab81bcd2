//! What a write ran into, typed, so that a handler can name it to its caller without reading
//! the store again. When a write meets a conflict, nothing of it is written.

/// Why a write could not go ahead as it was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Conflict {
    /// Another account has the username.
    #[error("the username is taken")]
    Username,
    /// Another account has the domain as its main domain.
    #[error("the domain is another account's")]
    Domain,
    /// A DNS zone of that name exists.
    #[error("the DNS zone exists")]
    Zone,
    /// Another account has the uid, or the host is still removing a user that had it.
    #[error("the uid is taken")]
    Uid,
    /// Another account holds the address, or the pool has it already.
    #[error("the IP address is taken")]
    Address,
    /// Another unique name: a package, feature list, ACL list or API token.
    #[error("the name is taken")]
    Name,
    /// A row the write was guarded by (an account's or package's revision, a zone's serial,
    /// the accounts on a package) changed since it was read.
    #[error("it changed since it was read")]
    Changed,
    /// The package the write names changed since it was read.
    #[error("the package changed since it was read")]
    Package,
    /// The account to change is not there (any more).
    #[error("the account does not exist")]
    NoAccount,
    /// A snapshot import found the target store in use.
    #[error("the target store is not empty")]
    NotEmpty,
}

impl Conflict {
    /// The conflict a unique key reports: the table, and the key's column (or `pkey` for the
    /// table's primary key), as either backend names it.
    pub fn on_unique(table: &str, key: &str) -> Self {
        match (table, key) {
            ("accounts", "domain") => Self::Domain,
            ("accounts", "uid") | ("host_removals", _) => Self::Uid,
            ("accounts", "dedicated_ip") | ("ip_addresses", _) => Self::Address,
            ("accounts" | "passwords", _) => Self::Username,
            ("zones", _) => Self::Zone,
            _ => Self::Name,
        }
    }

    /// From SQLite's message, `UNIQUE constraint failed: TABLE.COLUMN[, …]`.
    pub fn from_sqlite_message(message: &str) -> Self {
        let first = message
            .rsplit_once(": ")
            .map_or(message, |(_, keys)| keys)
            .split(", ")
            .next()
            .unwrap_or_default();
        let (table, column) = first.split_once('.').unwrap_or((first, ""));
        Self::on_unique(table, column)
    }

    /// From PostgreSQL's table and constraint names (`TABLE_pkey`, `TABLE_COLUMN_key`, or an
    /// index named `TABLE_COLUMN`).
    pub fn from_postgres_constraint(table: &str, constraint: &str) -> Self {
        let key = constraint
            .strip_prefix(table)
            .and_then(|k| k.strip_prefix('_'))
            .unwrap_or(constraint);
        let key = key.strip_suffix("_key").unwrap_or(key);
        Self::on_unique(table, key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_backends_name_the_same_keys() {
        for (sqlite, (table, constraint), conflict) in [
            (
                "UNIQUE constraint failed: accounts.username",
                ("accounts", "accounts_pkey"),
                Conflict::Username,
            ),
            (
                "UNIQUE constraint failed: accounts.domain",
                ("accounts", "accounts_domain_key"),
                Conflict::Domain,
            ),
            (
                "UNIQUE constraint failed: accounts.uid",
                ("accounts", "accounts_uid_key"),
                Conflict::Uid,
            ),
            (
                "UNIQUE constraint failed: accounts.dedicated_ip",
                ("accounts", "accounts_dedicated_ip"),
                Conflict::Address,
            ),
            (
                "UNIQUE constraint failed: zones.name",
                ("zones", "zones_pkey"),
                Conflict::Zone,
            ),
            (
                "UNIQUE constraint failed: api_tokens.username, api_tokens.name",
                ("api_tokens", "api_tokens_pkey"),
                Conflict::Name,
            ),
            (
                "UNIQUE constraint failed: packages.name",
                ("packages", "packages_pkey"),
                Conflict::Name,
            ),
        ] {
            assert_eq!(Conflict::from_sqlite_message(sqlite), conflict, "{sqlite}");
            assert_eq!(
                Conflict::from_postgres_constraint(table, constraint),
                conflict,
                "{constraint}"
            );
        }
    }
}
