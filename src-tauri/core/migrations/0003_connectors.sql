-- Connectors: database and REST client configurations whose string fields may hold
-- {{secrets.NAME.KEY}} references. The configuration is a JSON object (validated by the core);
-- references name vaults by name (rewritten in the same transaction when a vault is renamed).
-- The selected vault ("Secrets Manager") is referenced by its stable id; `vault remove` refuses
-- while a connector uses the vault unless forced, and a forced removal clears the selection.
CREATE TABLE connectors (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
    kind        TEXT NOT NULL CHECK (kind IN ('postgresql', 'mysql', 'mariadb', 'mongodb', 'rest')),
    vault_id    TEXT REFERENCES vaults(id) ON DELETE SET NULL,
    config      TEXT NOT NULL CHECK (json_valid(config) AND json_type(config) = 'object'),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;

CREATE INDEX connectors_vault_id ON connectors (vault_id);
