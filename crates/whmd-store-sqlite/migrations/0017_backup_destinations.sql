-- Backup destinations: where scheduled backups are copied besides the backup directory.
CREATE TABLE backup_destinations (
    id             TEXT    PRIMARY KEY,
    name           TEXT    NOT NULL,
    -- cPanel's type: Local, SFTP, ...
    kind           TEXT    NOT NULL,
    disabled       INTEGER NOT NULL,
    disable_reason TEXT    NOT NULL,
    -- The other settings, as JSON; never a secret.
    settings       TEXT    NOT NULL,
    -- The secret settings, as JSON, each sealed with the server's secrets key.
    sealed         TEXT    NOT NULL,
    revision       INTEGER  NOT NULL
);
