// Labels for the generated union types. Each map is a Record<Union, string>: a new member in
// Rust (a provider, engine type, login method, connector kind, lease state…) fails `tsc` until
// it is labelled here; labels.test.ts checks at run time that none is empty.

import type { AuthMethod } from "../bindings/AuthMethod";
import type { ConnectorKind } from "../bindings/ConnectorKind";
import type { EngineType } from "../bindings/EngineType";
import type { LeasePurpose } from "../bindings/LeasePurpose";
import type { LeaseState } from "../bindings/LeaseState";
import type { Provider } from "../bindings/Provider";
import type { StageStatus } from "../bindings/StageStatus";
import type { TestStage } from "../bindings/TestStage";
import type { VaultSummary } from "../app-bindings/VaultSummary";

/** The vault types the "+ Vault" dialog offers (OpenBao and HashiCorp Vault share a provider). */
export type Flavor = "hashicorp" | "openbao" | "aws";

export const FLAVOR_LABELS: Record<Flavor, string> = { hashicorp: "HashiCorp Vault", openbao: "OpenBao", aws: "AWS Secrets Manager" };

export const PROVIDER_LABELS: Record<Provider, string> = {
  hashicorp_vault: "Vault / OpenBao",
  aws_secrets_manager: "AWS Secrets Manager",
};

export const ENGINE_LABELS: Record<EngineType, string> = {
  kv: "Key/value",
  kv1: "KV v1",
  kv2: "KV v2",
  mysql: "MySQL",
  mariadb: "MariaDB",
  postgresql: "PostgreSQL",
  mongodb: "MongoDB",
};

export const ENGINE_OPTION_LABELS: Record<EngineType, string> = {
  kv: "Key/value (JSON, plain string or binary)",
  kv2: "KV (version 2)",
  kv1: "KV (version 1)",
  mysql: "Database · MySQL",
  mariadb: "Database · MariaDB",
  postgresql: "Database · PostgreSQL",
  mongodb: "Database · MongoDB",
};

export const AUTH_LABELS: Record<AuthMethod, string> = {
  approle: "AppRole",
  token: "Token",
  userpass: "Username & password",
  ldap: "LDAP",
  jwt: "JWT",
  oidc: "OIDC (browser sign-in)",
  aws_keys: "Access keys",
  aws_default: "Default credential chain",
};

export const KIND_LABELS: Record<ConnectorKind, string> = {
  postgresql: "PostgreSQL",
  mysql: "MySQL",
  mariadb: "MariaDB",
  mongodb: "MongoDB",
  rest: "REST API",
};

export const LEASE_STATE_LABELS: Record<LeaseState, string> = {
  live: "Live",
  renewed: "Renewed",
  revoked: "Revoked",
  expired: "Expired",
};

export const LEASE_PURPOSE_LABELS: Record<LeasePurpose, string> = {
  preview: "Preview",
  test: "Test connection",
  export: "Export",
  render: "Render",
};

export const STATUS_LABELS: Record<StageStatus | "running" | "pending", string> = {
  passed: "Passed",
  warning: "Warning",
  failed: "Failed",
  skipped: "Skipped",
  running: "Checking",
  pending: "Not run",
};

/** A vault's last Test as the list shows it: a warning still passed. */
export const LAST_TEST_LABELS: Record<"passed" | "warning" | "failed", string> = { passed: "Passed", warning: "Passed", failed: "Failed" };

/** KV (either version) keeps a secret at a path; the other engine types issue credentials. */
export function isKv(engine: string): boolean {
  return engine === "kv" || engine === "kv1" || engine === "kv2";
}

export function stageLabel(stage: TestStage, engine: string): string {
  switch (stage) {
    case "reach":
      return "Reach the server";
    case "tls":
      return "TLS";
    case "login":
      return "Login";
    case "describe":
      return "Describe the secret";
    case "read":
      return isKv(engine) || engine === "" ? "Read the secret" : "Issue credentials";
    case "capabilities":
      return "Token capabilities";
  }
}

/** How the vault logs in, as the list shows it under the provider. */
export function loginLabel(v: Pick<VaultSummary, "auth_method" | "auth_username" | "auth_role" | "aws">): string {
  switch (v.auth_method) {
    case "approle":
      return "AppRole login";
    case "token":
      return "Token login";
    case "userpass":
      return `Userpass: ${v.auth_username ?? ""}`;
    case "ldap":
      return `LDAP: ${v.auth_username ?? ""}`;
    case "jwt":
      return `JWT: role ${v.auth_role ?? ""}`;
    case "oidc":
      return `OIDC: role ${v.auth_role ?? ""}`;
    case "aws_keys":
      return "Access keys";
    case "aws_default":
      return v.aws?.profile ? `Default chain: profile ${v.aws.profile}` : "Default credential chain";
  }
}
