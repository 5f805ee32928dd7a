-- A vault imported from a configuration file (`vaultdesk vault import-config`) without its
-- credentials: its row is stored, its keyring entries are not there yet, and that is a
-- legitimate state, not something out of step. Test, preview and export refuse it with a clear
-- message until `vault update NAME` (or the window's form) supplies the credentials, which
-- clears the flag.
ALTER TABLE vaults ADD COLUMN needs_credentials INTEGER NOT NULL DEFAULT 0 CHECK (needs_credentials IN (0, 1));
