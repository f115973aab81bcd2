-- DNS zones, each kept as the zone file whmd renders for BIND.
CREATE TABLE zones (
    name   TEXT    PRIMARY KEY,
    -- The account, reseller or root the zone belongs to.
    owner  TEXT    NOT NULL,
    -- The SOA serial of the text; updates are guarded by it.
    serial INTEGER NOT NULL,
    text   TEXT    NOT NULL
);
CREATE INDEX zones_owner ON zones (owner);
