-- Hosting accounts. Indexed facts are columns; the rest of the cpuser hash is a JSON object.
CREATE SEQUENCE account_uids START WITH 1001;

CREATE TABLE accounts (
    username          TEXT    PRIMARY KEY,
    domain            TEXT    NOT NULL UNIQUE,
    owner             TEXT    NOT NULL,
    plan              TEXT    NOT NULL,
    ip                TEXT    NOT NULL,
    uid               BIGINT  NOT NULL UNIQUE,
    homedir           TEXT    NOT NULL,
    shell             TEXT    NOT NULL,
    -- The username without '_' and '.', for the shared-prefix rule.
    dbowner           TEXT    NOT NULL,
    quota_mb          BIGINT,
    suspended_at      BIGINT,
    suspend_reason    TEXT,
    suspend_locked    BOOLEAN NOT NULL DEFAULT FALSE,
    suspend_leave_ftp BOOLEAN NOT NULL DEFAULT FALSE,
    -- JSON array of ACL names when the account is a reseller.
    reseller_acls     TEXT,
    cpuser            TEXT    NOT NULL,
    domains           TEXT    NOT NULL,
    dead_domains      TEXT    NOT NULL,
    homedir_links     TEXT    NOT NULL,
    mtime             BIGINT  NOT NULL,
    revision          BIGINT  NOT NULL
);
CREATE INDEX accounts_owner ON accounts (owner);
CREATE INDEX accounts_dbowner ON accounts (dbowner text_pattern_ops);

-- cPanel's accounting.log, one row per change, written with the change.
CREATE TABLE accounting_log (
    id          BIGSERIAL PRIMARY KEY,
    time        BIGINT NOT NULL,
    action      TEXT   NOT NULL,
    remote_user TEXT   NOT NULL,
    fields      TEXT   NOT NULL
);
