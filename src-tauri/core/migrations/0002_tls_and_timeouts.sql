-- How to reach a vault securely and how long to wait for it. Certificate and key are referenced
-- by file path (PEM); their contents are never copied into this database.
ALTER TABLE vaults ADD COLUMN tls_ca_cert TEXT;            -- CA bundle to trust instead of the system roots
ALTER TABLE vaults ADD COLUMN tls_client_cert TEXT;        -- client certificate for mutual TLS
ALTER TABLE vaults ADD COLUMN tls_client_key TEXT;         -- its private key
ALTER TABLE vaults ADD COLUMN tls_skip_verify INTEGER NOT NULL DEFAULT 0 CHECK (tls_skip_verify IN (0, 1));
ALTER TABLE vaults ADD COLUMN connect_timeout_secs INTEGER NOT NULL DEFAULT 10 CHECK (connect_timeout_secs > 0);
ALTER TABLE vaults ADD COLUMN request_timeout_secs INTEGER NOT NULL DEFAULT 30 CHECK (request_timeout_secs > 0);
