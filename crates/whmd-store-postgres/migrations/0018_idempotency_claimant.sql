-- The call that holds a key's claim (a random name each call draws): only that call completes
-- or lets go of it, so a call whose claim was lost in a failover cannot let go of a claim
-- another call made since. Rows claimed before this column have ''.
ALTER TABLE idempotency ADD COLUMN claimant TEXT NOT NULL DEFAULT '';
