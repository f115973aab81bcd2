-- Hosting on the host. Each account names the host that serves it (its hostname; empty for
-- accounts stored before hosts were recorded, which the host converging them takes as its
-- own). A removed account leaves a tombstone, written in removeacct's own transaction: the
-- only order a host takes to delete a system user and a home, which it forgets once done.
-- A tombstoned uid is not given to a new account until then.
ALTER TABLE accounts ADD COLUMN host TEXT NOT NULL DEFAULT '';
CREATE TABLE host_removals (
    uid        INTEGER PRIMARY KEY,
    username   TEXT    NOT NULL,
    homedir    TEXT    NOT NULL,
    host       TEXT    NOT NULL,
    removed_at INTEGER NOT NULL
);
