-- The credentials vaultdesk obtained with a lease (database engines): for what, until when, in
-- which state. Never a password or token: the lease id is a handle only a token whose policy
-- allows sys/leases/* can use, the user name is shown masked. Numbered 0007 with 0006 left to a
-- concurrent change; IF NOT EXISTS so that running it again after a renumbering is harmless.
CREATE TABLE IF NOT EXISTS leases (
    lease_id    TEXT PRIMARY KEY,
    vault_id    TEXT NOT NULL,            -- no foreign key: the record outlives a removed vault
    vault_name  TEXT NOT NULL,            -- the name when issued (shown once the vault is gone)
    role        TEXT NOT NULL,
    username    TEXT NOT NULL,
    purpose     TEXT NOT NULL CHECK (purpose IN ('preview', 'test', 'export', 'render')),
    subject     TEXT NOT NULL,            -- connector name, or the rendered file
    export_path TEXT,                     -- export/render: where the credentials were written
    issued_at   TEXT NOT NULL,
    expires_at  TEXT,                     -- NULL: no end
    ttl_secs    INTEGER NOT NULL,
    renewable   INTEGER NOT NULL CHECK (renewable IN (0, 1)),
    state       TEXT NOT NULL CHECK (state IN ('live', 'renewed', 'revoked', 'expired')),
    owner       TEXT NOT NULL,            -- the store (process) that obtained it: locks/OWNER.lock
    updated_at  TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS leases_by_vault ON leases (vault_id, state);
