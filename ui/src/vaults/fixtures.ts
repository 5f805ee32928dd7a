// A stored vault as list_vaults returns it, for the unit tests.

import type { VaultSummary } from "../app-bindings/VaultSummary";

export function summary(over: Partial<VaultSummary> = {}): VaultSummary {
  return {
    id: "v1",
    name: "prod-kv",
    provider: "hashicorp_vault",
    url: "https://vault.example.com:8200",
    namespace: null,
    auth_method: "approle",
    auth_mount: "approle",
    auth_username: null,
    auth_role: null,
    login_namespace: null,
    kv_version: null,
    engine_name: "secret",
    engine_type: "kv2",
    path: "app/config",
    db_role: null,
    connection_name: null,
    cache_ttl: "5m",
    cache_ttl_secs: 300,
    tls_ca_cert: null,
    tls_client_cert: null,
    tls_client_key: null,
    tls_skip_verify: false,
    tls_skip_hostname: false,
    allow_http: false,
    connect_timeout: "10s",
    request_timeout: "30s",
    aws: null,
    used_by: [],
    secret_id_status: null,
    needs_credentials: false,
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    connect_timeout_secs: 10,
    request_timeout_secs: 30,
    ...over,
  };
}
