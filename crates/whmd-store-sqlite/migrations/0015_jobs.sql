-- Background work a function starts and returns from at once (a restore's transfer session):
-- its state and logs, so that any replica answers for it. The replica running it holds a
-- lease it renews with every line it logs; a job whose lease passed is failed by the next
-- server that looks, so a job never stays running after its process died.
CREATE TABLE jobs (
    id          TEXT    PRIMARY KEY,
    kind        TEXT    NOT NULL,
    -- RUNNING, COMPLETED or FAILED.
    state       TEXT    NOT NULL,
    holder      TEXT    NOT NULL,
    lease_until INTEGER NOT NULL,
    created     INTEGER NOT NULL,
    finished    INTEGER,
    log         TEXT    NOT NULL,
    error_log   TEXT    NOT NULL
);
CREATE INDEX jobs_running ON jobs (state, lease_until);
