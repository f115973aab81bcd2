-- WHM login sessions, by the SHA-512 digest of their secret (the cookie value).
CREATE TABLE sessions (
    digest         TEXT    PRIMARY KEY,
    username       TEXT    NOT NULL,
    -- /cpsess and ten digits, carried in the path of every request of the session.
    security_token TEXT    NOT NULL,
    created        INTEGER NOT NULL,
    expires        INTEGER NOT NULL,
    -- 1 while a create_user_session login URL has not been used.
    preauth        INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (username);
CREATE INDEX sessions_expires ON sessions (expires);
