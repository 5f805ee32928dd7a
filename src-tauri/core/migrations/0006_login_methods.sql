-- Login methods other than AppRole, and KV version 1. The engine_type CHECK of 0001 cannot be
-- altered in place, so the table is rebuilt (SQLite's documented procedure; store/mod.rs turns
-- foreign keys off around a migration and checks them before it commits).
--   auth_method       approle | token | userpass | ldap | jwt | oidc. What the keyring holds
--                     follows from it: approle: the Role ID and Secret ID entries; token,
--                     userpass, ldap, jwt: one entry (the `secret_id` account) holding the token,
--                     the password or the JWT; oidc: none (its token lives in memory).
--   auth_username     userpass and ldap only: the user name (not a secret; the password is).
--   auth_role         jwt and oidc: the role to log in as.
--   login_namespace   a namespace to log in to other than the secret's (`namespace`).
--   kv_version        KV v2 only: a pinned version to read instead of the current one.
--   tls_skip_hostname verify the certificate's CA but not its host name.
--   secret_id_expires_at, secret_id_uses_left
--                     AppRole: what the last Test learnt of the Secret ID (`secret-id/lookup`,
--                     where the policy allows it); not secret, cleared when it is replaced.
CREATE TABLE vaults_new (
    id                   TEXT PRIMARY KEY,
    name                 TEXT NOT NULL UNIQUE COLLATE NOCASE,
    provider             TEXT NOT NULL,
    url                  TEXT NOT NULL,
    namespace            TEXT,
    auth_mount           TEXT NOT NULL,
    engine_name          TEXT NOT NULL,
    engine_type          TEXT NOT NULL
                         CHECK (engine_type IN ('kv1', 'kv2', 'mysql', 'mariadb', 'postgresql', 'mongodb')),
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
    auth_method          TEXT NOT NULL DEFAULT 'approle'
                         CHECK (auth_method IN ('approle', 'token', 'userpass', 'ldap', 'jwt', 'oidc')),
    auth_username        TEXT,
    auth_role            TEXT,
    login_namespace      TEXT,
    kv_version           INTEGER CHECK (kv_version > 0),
    tls_skip_hostname    INTEGER NOT NULL DEFAULT 0 CHECK (tls_skip_hostname IN (0, 1)),
    secret_id_expires_at TEXT,
    secret_id_uses_left  INTEGER
) STRICT;
INSERT INTO vaults_new (id, name, provider, url, namespace, auth_mount, engine_name, engine_type,
                        path, db_role, connection_name, cache_ttl_secs, created_at, updated_at,
                        tls_ca_cert, tls_client_cert, tls_client_key, tls_skip_verify,
                        connect_timeout_secs, request_timeout_secs, allow_http)
SELECT id, name, provider, url, namespace, auth_mount, engine_name, engine_type,
       path, db_role, connection_name, cache_ttl_secs, created_at, updated_at,
       tls_ca_cert, tls_client_cert, tls_client_key, tls_skip_verify,
       connect_timeout_secs, request_timeout_secs, allow_http
FROM vaults;
DROP TABLE vaults;
ALTER TABLE vaults_new RENAME TO vaults;
