-- Scheduled backup runs: one row per server (its hostname) and day, claimed by the replica
-- that runs it and held by a lease it renews, so that a day's backups run once across
-- replicas and a run whose replica died is taken over once its lease has passed.
CREATE TABLE backup_runs (
    host        TEXT    NOT NULL,
    day         TEXT    NOT NULL,
    holder      TEXT    NOT NULL,
    -- running, completed or failed.
    state       TEXT    NOT NULL,
    started     BIGINT NOT NULL,
    lease_until BIGINT NOT NULL,
    finished    BIGINT,
    -- What the run did, as text for people.
    summary     TEXT    NOT NULL,
    PRIMARY KEY (host, day)
);
