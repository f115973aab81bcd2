-- Packages, feature lists and saved ACL lists; resellers' limits; and each account's bandwidth
-- limit as a column of its own, so a reseller's totals are summed in SQL.
ALTER TABLE accounts ADD COLUMN reseller_limits TEXT;
-- Bytes; NULL is unlimited. Derived from cpuser BWLIMIT on every write.
ALTER TABLE accounts ADD COLUMN bwlimit INTEGER;
UPDATE accounts SET bwlimit = CAST(json_extract(cpuser, '$.BWLIMIT') AS INTEGER)
 WHERE json_extract(cpuser, '$.BWLIMIT') GLOB '[0-9]*'
   AND json_extract(cpuser, '$.BWLIMIT') NOT GLOB '*[^0-9]*'
   AND CAST(json_extract(cpuser, '$.BWLIMIT') AS INTEGER) > 0;
CREATE INDEX accounts_plan ON accounts (plan);

CREATE TABLE packages (
    name     TEXT    PRIMARY KEY,
    owner    TEXT    NOT NULL,
    -- JSON object of the package file's keys and raw values.
    settings TEXT    NOT NULL,
    revision INTEGER NOT NULL
);
CREATE INDEX packages_owner ON packages (owner);

CREATE TABLE feature_lists (
    name     TEXT PRIMARY KEY,
    owner    TEXT NOT NULL,
    -- JSON object of feature id to true (on) or false (off).
    features TEXT NOT NULL
);
CREATE INDEX feature_lists_owner ON feature_lists (owner);

CREATE TABLE acl_lists (
    name TEXT PRIMARY KEY,
    -- JSON array of the ACL names the list grants.
    acls TEXT NOT NULL
);
