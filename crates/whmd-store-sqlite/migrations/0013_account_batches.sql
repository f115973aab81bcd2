-- Listings read accounts a batch at a time in username order, of one owner or on one
-- package: each batch starts in the index where the last ended.
DROP INDEX accounts_owner;
CREATE INDEX accounts_owner ON accounts (owner, username);
DROP INDEX accounts_plan;
CREATE INDEX accounts_plan ON accounts (plan, username);
