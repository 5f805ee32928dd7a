-- AWS Secrets Manager as a second provider. The engine_type and auth_method CHECKs of 0006 know
-- only Vault's values ('kv' and 'aws_keys'/'aws_default' are new), and a CHECK cannot be altered
-- in place, so the table is rebuilt once more (as in 0006) — this time without listing the
-- values: they are validated in Rust, and the row reader refuses an unknown one, so the next
-- provider needs no rebuild. The AWS settings are nullable columns, NULL for a Vault vault.
--   aws_region          us-east-1, eu-central-2, us-gov-west-1, cn-north-1...
--   aws_secret_id       the secret's name or full ARN
--   aws_version_stage   a version stage (NULL with NULL aws_version_id: AWSCURRENT)
--   aws_version_id      a version id
--   aws_profile         default credential chain: the shared config/credentials profile
--   aws_role_arn        a role assumed on top of either login, with aws_external_id
-- What the keyring holds for an AWS vault: auth_method 'aws_keys': the Access Key ID (the
-- `role_id` account) and the Secret Access Key, followed by a line with the session token when
-- there is one (the `secret_id` account); 'aws_default': nothing.
CREATE TABLE vaults_new (
    id                   TEXT PRIMARY KEY,
    name                 TEXT NOT NULL UNIQUE COLLATE NOCASE,
    provider             TEXT NOT NULL,
    url                  TEXT NOT NULL,
    namespace            TEXT,
    auth_mount           TEXT NOT NULL,
    engine_name          TEXT NOT NULL,
    engine_type          TEXT NOT NULL,
    path                 TEXT,
    db_role              TEXT,
    connection_name      TEXT,
    cache_ttl_secs       INTEGER NOT NULL CHECK (cache_ttl_secs >= 0),
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    tls_ca_cert          TEXT,
    tls_client_cert      TEXT,
    tls_client_key       TEXT,
    tls_skip_verify      INTEGER NOT NULL DEFAULT 0 CHECK (tls_skip_verify IN (0, 1)),
    connect_timeout_secs INTEGER NOT NULL DEFAULT 10 CHECK (connect_timeout_secs > 0),
    request_timeout_secs INTEGER NOT NULL DEFAULT 30 CHECK (request_timeout_secs > 0),
    allow_http           INTEGER NOT NULL DEFAULT 0 CHECK (allow_http IN (0, 1)),
    auth_method          TEXT NOT NULL DEFAULT 'approle',
    auth_username        TEXT,
    auth_role            TEXT,
    login_namespace      TEXT,
    kv_version           INTEGER CHECK (kv_version > 0),
    tls_skip_hostname    INTEGER NOT NULL DEFAULT 0 CHECK (tls_skip_hostname IN (0, 1)),
    secret_id_expires_at TEXT,
    secret_id_uses_left  INTEGER,
    aws_region           TEXT,
    aws_secret_id        TEXT,
    aws_version_stage    TEXT,
    aws_version_id       TEXT,
    aws_profile          TEXT,
    aws_role_arn         TEXT,
    aws_external_id      TEXT
) STRICT;
INSERT INTO vaults_new (id, name, provider, url, namespace, auth_mount, engine_name, engine_type,
                        path, db_role, connection_name, cache_ttl_secs, created_at, updated_at,
                        tls_ca_cert, tls_client_cert, tls_client_key, tls_skip_verify,
                        connect_timeout_secs, request_timeout_secs, allow_http, auth_method,
                        auth_username, auth_role, login_namespace, kv_version, tls_skip_hostname,
                        secret_id_expires_at, secret_id_uses_left)
SELECT id, name, provider, url, namespace, auth_mount, engine_name, engine_type,
       path, db_role, connection_name, cache_ttl_secs, created_at, updated_at,
       tls_ca_cert, tls_client_cert, tls_client_key, tls_skip_verify,
       connect_timeout_secs, request_timeout_secs, allow_http, auth_method,
       auth_username, auth_role, login_namespace, kv_version, tls_skip_hostname,
       secret_id_expires_at, secret_id_uses_left
FROM vaults;
DROP TABLE vaults;
ALTER TABLE vaults_new RENAME TO vaults;
