-- Plain HTTP to a host other than this machine's loopback is refused unless the admin allowed it
-- for the vault. Existing rows start with it off: a stored vault whose URL is plain HTTP to
-- another machine is refused until `vaultdesk vault update NAME --allow-http` (or the form's
-- checkbox) says so.
ALTER TABLE vaults ADD COLUMN allow_http INTEGER NOT NULL DEFAULT 0 CHECK (allow_http IN (0, 1));
