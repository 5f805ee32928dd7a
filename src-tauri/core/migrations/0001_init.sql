-- The first schema: vault configurations. Role ID and Secret ID are NOT here:
-- they live only in the OS keyring, under accounts derived from meta.store_id and vaults.id.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE vaults (
    id              TEXT PRIMARY KEY,                       -- stable; keyring accounts hang off it
    name            TEXT NOT NULL UNIQUE COLLATE NOCASE,    -- what {{secrets.NAME...}} refers to
    provider        TEXT NOT NULL,
    url             TEXT NOT NULL,
    namespace       TEXT,
    auth_mount      TEXT NOT NULL,
    engine_name     TEXT NOT NULL,
    engine_type     TEXT NOT NULL
                    CHECK (engine_type IN ('kv2', 'mysql', 'mariadb', 'postgresql', 'mongodb')),
    path            TEXT,                                   -- kv2 only, relative to the mount
    db_role         TEXT,                                   -- database engines only
    connection_name TEXT,                                   -- database engines only
    cache_ttl_secs  INTEGER NOT NULL CHECK (cache_ttl_secs >= 0),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
) STRICT;
