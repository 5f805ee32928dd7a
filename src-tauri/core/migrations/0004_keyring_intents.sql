-- Keyring changes in progress. A change that touches the keyring (vault add, update with new
-- IDs, remove) first commits its intent here, then writes the keyring outside any SQLite write
-- transaction, then commits the vault row and drops the intent. An intent whose owner process
-- is gone (killed, crashed) is completed or undone by the next open of the store, so that every
-- vault has both keyring entries and no entry exists without its vault (store/intents.rs).
CREATE TABLE keyring_intents (
    vault_id   TEXT PRIMARY KEY,                    -- one change per vault at a time
    op         TEXT NOT NULL CHECK (op IN ('add', 'update', 'remove')),
    -- 'staged': the vault row is not changed yet (undo); 'committed': it is (complete).
    state      TEXT NOT NULL CHECK (state IN ('staged', 'committed')),
    vault_name TEXT NOT NULL,                       -- for messages only
    role_id    INTEGER NOT NULL CHECK (role_id IN (0, 1)),    -- the change writes this entry
    secret_id  INTEGER NOT NULL CHECK (secret_id IN (0, 1)),
    owner      TEXT NOT NULL,                       -- the process's lock file: locks/OWNER.lock
    created_at TEXT NOT NULL
) STRICT;
