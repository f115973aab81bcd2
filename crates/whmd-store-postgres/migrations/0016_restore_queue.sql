-- The restore queue: accounts to restore from a day's backups, one task at a time per account,
-- taken in the order they were added by whichever server processes the queue.
CREATE TABLE restore_queue (
    id            TEXT    PRIMARY KEY,
    username      TEXT    NOT NULL,
    restore_point TEXT    NOT NULL,
    -- The options, as JSON.
    options       TEXT    NOT NULL,
    -- pending, active, completed or failed.
    state         TEXT    NOT NULL,
    added         BIGINT NOT NULL,
    start_time    BIGINT,
    end_time      BIGINT,
    -- The background job restoring it.
    session       TEXT,
    result        TEXT    NOT NULL
);
-- One waiting or running task per account.
CREATE UNIQUE INDEX restore_queue_one_per_user ON restore_queue (username)
    WHERE state IN ('pending', 'active');
