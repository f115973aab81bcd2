-- Legacy access hashes (`Authorization: WHM USER:HASH`), by the SHA-512 digest of the hash
-- with its whitespace removed. Used only when the server's configuration allows them.
CREATE TABLE access_hashes (
    username TEXT    PRIMARY KEY,
    digest   TEXT    NOT NULL,
    created  BIGINT NOT NULL
);
