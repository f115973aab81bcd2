-- The replies kept for Idempotency-Key (whmd's own; WHM has no such header): one row per
-- caller and key, claimed before the call runs and given its reply when it finishes. Rows
-- older than a day are forgotten by the next claim.
CREATE TABLE idempotency (
    username    TEXT    NOT NULL,
    key         TEXT    NOT NULL,
    -- SHA-256 of the function and its arguments as sent: a key is for one call.
    fingerprint TEXT    NOT NULL,
    created     INTEGER NOT NULL,
    -- The reply as rendered from (root and body, JSON); NULL while the call runs.
    reply       TEXT,
    PRIMARY KEY (username, key)
);
CREATE INDEX idempotency_created ON idempotency (created);
