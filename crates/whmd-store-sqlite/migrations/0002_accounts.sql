-- Hosting accounts. Indexed facts are columns; the rest of the cpuser hash is a JSON object.
CREATE TABLE accounts (
    username          TEXT    PRIMARY KEY,
    domain            TEXT    NOT NULL UNIQUE,
    owner             TEXT    NOT NULL,
    plan              TEXT    NOT NULL,
    ip                TEXT    NOT NULL,
    uid               INTEGER NOT NULL UNIQUE,
    homedir           TEXT    NOT NULL,
    shell             TEXT    NOT NULL,
    -- The username without '_' and '.', for the shared-prefix rule.
    dbowner           TEXT    NOT NULL,
    quota_mb          INTEGER,
    suspended_at      INTEGER,
    suspend_reason    TEXT,
    suspend_locked    INTEGER NOT NULL DEFAULT 0,
    suspend_leave_ftp INTEGER NOT NULL DEFAULT 0,
    -- JSON array of ACL names when the account is a reseller.
    reseller_acls     TEXT,
    cpuser            TEXT    NOT NULL,
    domains           TEXT    NOT NULL,
    dead_domains      TEXT    NOT NULL,
    homedir_links     TEXT    NOT NULL,
    mtime             INTEGER NOT NULL,
    revision          INTEGER NOT NULL
);
CREATE INDEX accounts_owner ON accounts (owner);
CREATE INDEX accounts_dbowner ON accounts (dbowner);

-- cPanel's accounting.log, one row per change, written with the change.
CREATE TABLE accounting_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    time        INTEGER NOT NULL,
    action      TEXT    NOT NULL,
    remote_user TEXT    NOT NULL,
    fields      TEXT    NOT NULL
);
