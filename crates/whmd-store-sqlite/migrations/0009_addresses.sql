-- The IPv4 address pool (addip, addips, delip, listips). An account on a pool address holds
-- it in accounts.dedicated_ip, which is unique, so two accounts never share one, and which
-- refers to the pool, so a held address cannot be removed.
CREATE TABLE ip_addresses (
    ip        TEXT    PRIMARY KEY,
    -- The address as a number, for address order.
    sort_key  INTEGER NOT NULL,
    netmask   TEXT    NOT NULL,
    interface TEXT    NOT NULL
);
ALTER TABLE accounts ADD COLUMN dedicated_ip TEXT REFERENCES ip_addresses (ip);
CREATE UNIQUE INDEX accounts_dedicated_ip ON accounts (dedicated_ip);
