-- Packages, feature lists and saved ACL lists; resellers' limits; and each account's bandwidth
-- limit as a column of its own, so a reseller's totals are summed in SQL.
ALTER TABLE accounts ADD COLUMN reseller_limits TEXT;
-- Bytes; NULL is unlimited. Derived from cpuser BWLIMIT on every write.
ALTER TABLE accounts ADD COLUMN bwlimit BIGINT;
UPDATE accounts SET bwlimit = (cpuser::json ->> 'BWLIMIT')::BIGINT
 WHERE cpuser::json ->> 'BWLIMIT' ~ '^[0-9]{1,18}$'
   AND (cpuser::json ->> 'BWLIMIT')::BIGINT > 0;
CREATE INDEX accounts_plan ON accounts (plan);

CREATE TABLE packages (
    name     TEXT   PRIMARY KEY,
    owner    TEXT   NOT NULL,
    -- JSON object of the package file's keys and raw values.
    settings TEXT   NOT NULL,
    revision BIGINT NOT NULL
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
