-- Listings read accounts a batch at a time in username byte order (COLLATE "C", the order
-- every listing uses), of one owner or on one package: each batch starts in the index where
-- the last ended.
CREATE INDEX accounts_username_bytes ON accounts (username COLLATE "C");
DROP INDEX accounts_owner;
CREATE INDEX accounts_owner ON accounts (owner, username COLLATE "C");
DROP INDEX accounts_plan;
CREATE INDEX accounts_plan ON accounts (plan, username COLLATE "C");
