-- What each account's home holds on its host: bytes on disk and inodes, measured by the
-- host's periodic scan (never per request) for listaccts' diskused and inodesused. Measured
-- data: it goes with its account and is not copied by migrate-store.
CREATE TABLE account_usage (
    uid         BIGINT PRIMARY KEY,
    disk_bytes  BIGINT NOT NULL,
    inodes      BIGINT NOT NULL,
    measured_at BIGINT NOT NULL
);
