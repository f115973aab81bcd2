-- cPHulk: failed logins, the blocks they earned, the white and black lists; and settings
-- (cPHulk's, as JSON under the name 'cphulk').
CREATE TABLE hulk_failures (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    time        INTEGER NOT NULL,
    username    TEXT    NOT NULL,
    ip          TEXT    NOT NULL,
    service     TEXT    NOT NULL,
    authservice TEXT    NOT NULL
);
CREATE INDEX hulk_failures_ip ON hulk_failures (ip, time);
CREATE INDEX hulk_failures_user ON hulk_failures (username, time);
CREATE INDEX hulk_failures_time ON hulk_failures (time);

-- kind: brute (an address, for the address period), excessive (an address, for a day),
-- user (a username).
CREATE TABLE hulk_blocks (
    kind  TEXT    NOT NULL,
    key   TEXT    NOT NULL,
    since INTEGER NOT NULL,
    until INTEGER NOT NULL,
    notes TEXT    NOT NULL,
    PRIMARY KEY (kind, key)
);

-- list: white or black; address: an address or CIDR range as WHM writes it.
CREATE TABLE hulk_lists (
    list    TEXT NOT NULL,
    address TEXT NOT NULL,
    comment TEXT NOT NULL,
    PRIMARY KEY (list, address)
);

CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
