-- API tokens are kept only as SHA-512 digests; passwords only as Argon2id PHC strings.
CREATE TABLE api_tokens (
    username    TEXT   NOT NULL,
    name        TEXT   NOT NULL,
    digest      TEXT   NOT NULL UNIQUE,
    create_time BIGINT NOT NULL,
    expires_at  BIGINT,
    -- JSON array of ACL names the token is limited to; NULL inherits the owner's.
    acls        TEXT,
    PRIMARY KEY (username, name)
);

CREATE TABLE passwords (
    username   TEXT   PRIMARY KEY,
    phc        TEXT   NOT NULL,
    updated_at BIGINT NOT NULL
);
