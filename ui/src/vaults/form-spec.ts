// The vault form's fields by provider and login method: labels and help of every text field,
// which fields each provider, login method and engine type shows, the form's first values
// (stored vault→form) and what Test and Save send (form→VaultInput and the keyring's secret
// parts). The core has no list of a provider's fields (only connectors have one,
// `ConnectorKind::fields()`): the list lives here, keyed by the `VaultInput` field names that
// the core's errors name. Pure: unit-tested in form-spec.test.ts.

import type { AuthMethod } from "../bindings/AuthMethod";
import type { EngineType } from "../bindings/EngineType";
import type { TestStage } from "../bindings/TestStage";
import type { VaultInput } from "../bindings/VaultInput";
import type { VaultSummary } from "../app-bindings/VaultSummary";
import type { LastTest } from "./convert";
import { AUTH_LABELS, ENGINE_OPTION_LABELS, isKv, type Flavor } from "../lib/labels";

/** The engine types and login methods each provider offers (the form shows only its own). */
export const AWS_ENGINES: EngineType[] = ["kv", "postgresql", "mysql", "mariadb"];
export const AWS_METHODS: AuthMethod[] = ["aws_keys", "aws_default"];
export const STAGES: TestStage[] = ["reach", "tls", "login", "read", "capabilities"];
export const AWS_STAGES: TestStage[] = ["reach", "tls", "login", "describe", "read"];

export const engineOptions = (aws: boolean): EngineType[] =>
  (Object.keys(ENGINE_OPTION_LABELS) as EngineType[]).filter((t) => (aws ? AWS_ENGINES.includes(t) : t !== "kv"));
export const methodOptions = (aws: boolean): AuthMethod[] => (Object.keys(AUTH_LABELS) as AuthMethod[]).filter((m) => AWS_METHODS.includes(m) === aws);

/** The text fields of the form, by their `VaultInput` name (which is also the error `field`). */
export const TEXT_FIELDS = [
  "name",
  "url",
  "namespace",
  "role_id",
  "secret_id",
  "token",
  "auth_username",
  "password",
  "auth_role",
  "jwt",
  "login_namespace",
  "kv_version",
  "engine_name",
  "path",
  "db_role",
  "connection_name",
  "aws_region",
  "aws_secret_id",
  "aws_version_stage",
  "aws_version_id",
  "aws_profile",
  "aws_role_arn",
  "aws_external_id",
  "access_key_id",
  "secret_access_key",
  "session_token",
  "cache_ttl",
  "auth_mount",
  "tls_ca_cert",
  "tls_client_cert",
  "tls_client_key",
  "connect_timeout",
  "request_timeout",
] as const;
export type TextField = (typeof TEXT_FIELDS)[number];
export type CheckField = "tls_skip_verify" | "tls_skip_hostname" | "allow_http";

export interface TextSpec {
  label: string;
  help?: string;
  placeholder?: string;
  password?: boolean;
  mono?: boolean;
}

/** Every text field's label, help and placeholder; a stored vault's secret fields say the keyring keeps them. */
export function textSpecs(editing: boolean, aws: boolean, needsCredentials = false): Record<TextField, TextSpec> {
  const stored = needsCredentials
    ? "Needs credentials: imported without them — give them here (kept in the OS keyring)"
    : "Stored in the OS keyring — leave empty to keep";
  const keyring = (fresh: string): string => (editing ? stored : fresh);
  const kept = "Kept in the OS keyring, never on disk.";
  return {
    name: { label: "Name", help: "Used in {{secrets.NAME.KEY}}." },
    url: aws
      ? { label: "Endpoint URL", placeholder: "optional: the region's endpoint", help: "A VPC or FIPS endpoint, or a test server; it serves STS too.", mono: true }
      : { label: "Vault URL & Port", placeholder: "https://vault.example.com:8200", mono: true },
    namespace: { label: "Namespace", placeholder: "optional, e.g. team1", mono: true },
    role_id: { label: "Role ID", password: true, help: keyring(kept) },
    secret_id: { label: "Secret ID", password: true, help: keyring(kept) },
    token: { label: "Token", password: true, help: keyring("Your own Vault token; kept in the OS keyring, renewed while in use, never revoked by vaultdesk.") },
    auth_username: { label: "Username", placeholder: "e.g. jane", mono: true },
    password: { label: "Password", password: true, help: keyring(kept) },
    auth_role: { label: "Role", placeholder: "e.g. ci", help: "The role of the auth mount to log in as.", mono: true },
    jwt: { label: "JWT", password: true, help: keyring("A signed JWT; kept in the OS keyring, never on disk.") },
    login_namespace: { label: "Login namespace", placeholder: "optional, e.g. admin", help: "Log in here instead of the secret's namespace (e.g. a parent namespace).", mono: true },
    kv_version: { label: "Version", placeholder: "current", help: "Pin a KV v2 version; empty reads the current one.", mono: true },
    engine_name: { label: "Engine name", placeholder: "e.g. secret", help: "The mount path of the secrets engine.", mono: true },
    path: { label: "Path to secret", placeholder: "e.g. app/config", help: "Relative to the engine; secret/data/app/config is accepted too.", mono: true },
    db_role: { label: "Database role", placeholder: "e.g. readonly", help: "The role Vault issues credentials for.", mono: true },
    connection_name: { label: "Connection name", placeholder: "optional", help: "The engine's connection, shown by Test.", mono: true },
    cache_ttl: { label: "Cache TTL", placeholder: "5m", help: "How long a secret stays cached: 30s, 5m, 1h, 1h30m; 0 turns caching off.", mono: true },
    auth_mount: { label: "Auth mount", placeholder: "approle", help: "Where the login method is enabled; default: its name.", mono: true },
    tls_ca_cert: { label: "CA certificate", placeholder: "/path/to/ca.pem", help: "PEM file to trust instead of the system roots.", mono: true },
    tls_client_cert: { label: "Client certificate", placeholder: "/path/to/client.pem", help: "For mutual TLS, with the key.", mono: true },
    tls_client_key: { label: "Client key", placeholder: "/path/to/client-key.pem", mono: true },
    connect_timeout: { label: "Connect timeout", placeholder: "10s", mono: true },
    request_timeout: { label: "Request timeout", placeholder: "30s", mono: true },
    aws_region: { label: "Region", placeholder: "us-east-1", help: "e.g. eu-central-2, us-gov-west-1, cn-north-1.", mono: true },
    aws_secret_id: { label: "Secret name", placeholder: "e.g. prod/app/db", help: "The secret's name or full ARN.", mono: true },
    aws_version_stage: { label: "Version stage", placeholder: "AWSCURRENT", help: "AWSCURRENT, AWSPREVIOUS or a custom stage.", mono: true },
    aws_version_id: { label: "Version id", placeholder: "optional", help: "Pins one version instead of a stage.", mono: true },
    aws_profile: { label: "Profile", placeholder: "default", help: "Of ~/.aws/config and ~/.aws/credentials (SSO profiles too); environment keys come first.", mono: true },
    aws_role_arn: { label: "Assume role ARN", placeholder: "optional, arn:aws:iam::123456789012:role/NAME", mono: true },
    aws_external_id: { label: "External id", placeholder: "optional", help: "When the role's trust policy asks for one.", mono: true },
    access_key_id: { label: "Access Key ID", password: true, help: keyring(kept) },
    secret_access_key: { label: "Secret Access Key", password: true, help: keyring(kept) },
    session_token: { label: "Session token", password: true, help: "Only for temporary keys; kept in the OS keyring with the Secret Access Key." },
  };
}

export const CHECK_SPECS: Record<CheckField, { label: string; help: string }> = {
  tls_skip_verify: {
    label: "Skip TLS certificate verification",
    help: "Unsafe: anyone on the network path can impersonate the server and read the Secret ID. For test servers only.",
  },
  tls_skip_hostname: {
    label: "Verify the CA but not the host name",
    help: "Weaker: any certificate the CA signed is accepted for this server. For certificates issued for another name.",
  },
  allow_http: {
    label: "Allow plain HTTP to a non-loopback address",
    help: "Unsafe: the Secret ID, tokens and secrets cross the network unencrypted. Without it, an http:// URL must point at this machine (localhost).",
  },
};

/** The fields of the login method, as the form groups them (userpass and LDAP share theirs). */
const METHOD_FIELDS: Record<AuthMethod, string[]> = {
  approle: ["role_id", "secret_id", "secret_id_wrapped"],
  token: ["token"],
  userpass: ["auth_username", "password"],
  ldap: ["auth_username", "password"],
  jwt: ["jwt", "auth_role"],
  oidc: ["auth_role"],
  aws_keys: ["access_key_id", "secret_access_key", "session_token"],
  aws_default: ["aws_profile"],
};

const VAULT_FIELDS = ["name", "url", "namespace", "auth_method", "engine_name", "engine_type"];
const VAULT_ADVANCED = ["cache_ttl", "auth_mount", "tls_ca_cert", "tls_client_cert", "tls_client_key", "tls_skip_verify", "tls_skip_hostname", "allow_http", "login_namespace", "connect_timeout", "request_timeout"];
const AWS_FIELDS = ["name", "aws_region", "aws_secret_id", "engine_type", "aws_version_stage", "aws_version_id", "auth_method", "aws_role_arn", "aws_external_id"];
export const AWS_ADVANCED = ["cache_ttl", "url", "tls_ca_cert", "connect_timeout", "request_timeout"];

/** The fields the form shows for a provider, login method and engine type (errors land only on these). */
export function shownFields(aws: boolean, method: AuthMethod, engine: string): Set<string> {
  if (aws) return new Set([...AWS_FIELDS, ...METHOD_FIELDS[method], ...AWS_ADVANCED]);
  const kv = isKv(engine);
  return new Set([
    ...VAULT_FIELDS,
    ...VAULT_ADVANCED,
    ...METHOD_FIELDS[method],
    ...(kv ? ["path", ...(engine === "kv2" ? ["kv_version"] : [])] : ["db_role", "connection_name"]),
  ]);
}

export const ADVANCED = (aws: boolean): string[] => (aws ? AWS_ADVANCED : VAULT_ADVANCED);

/** What the page hears from the form. */
export interface FormHost {
  saved(vault: VaultSummary, test: LastTest | null): void;
  tested(vaultId: string, test: LastTest): void;
}

export type FormMode = { kind: "add"; name: string; flavor: Flavor } | { kind: "edit"; vault: VaultSummary };

export interface FormValues {
  text: Record<TextField, string>;
  checks: Record<CheckField, boolean>;
  method: AuthMethod;
  engine: EngineType;
}

/** The form's first values: the stored vault's (never its secret parts), or the defaults. */
export function initialValues(mode: FormMode, defaults: VaultInput | null): FormValues {
  const e = mode.kind === "edit" ? mode.vault : null;
  const aws = mode.kind === "add" ? mode.flavor === "aws" : e?.provider === "aws_secrets_manager";
  const d = aws && !e ? null : defaults;
  const text = Object.fromEntries(TEXT_FIELDS.map((k) => [k, ""])) as Record<TextField, string>;
  Object.assign(text, {
    name: e?.name ?? (mode.kind === "add" ? mode.name : ""),
    url: e?.url ?? d?.url ?? "",
    namespace: e?.namespace ?? d?.namespace ?? "",
    auth_username: e?.auth_username ?? "",
    auth_role: e?.auth_role ?? "",
    login_namespace: e?.login_namespace ?? "",
    kv_version: e?.kv_version != null ? String(e.kv_version) : "",
    engine_name: e?.engine_name ?? "",
    path: e?.path ?? "",
    db_role: e?.db_role ?? "",
    connection_name: e?.connection_name ?? "",
    cache_ttl: e?.cache_ttl ?? "5m",
    auth_mount: e && e.auth_method !== "token" ? e.auth_mount : "",
    tls_ca_cert: e?.tls_ca_cert ?? d?.tls_ca_cert ?? "",
    tls_client_cert: e?.tls_client_cert ?? "",
    tls_client_key: e?.tls_client_key ?? "",
    connect_timeout: e?.connect_timeout ?? "10s",
    request_timeout: e?.request_timeout ?? "30s",
    aws_region: e?.aws?.region ?? "",
    aws_secret_id: e?.aws?.secret_id ?? "",
    aws_version_stage: e?.aws?.version_stage ?? "",
    aws_version_id: e?.aws?.version_id ?? "",
    aws_profile: e?.aws?.profile ?? "",
    aws_role_arn: e?.aws?.role_arn ?? "",
    aws_external_id: e?.aws?.external_id ?? "",
  });
  return {
    text,
    checks: { tls_skip_verify: e?.tls_skip_verify ?? false, tls_skip_hostname: e?.tls_skip_hostname ?? false, allow_http: e?.allow_http ?? false },
    method: (e?.auth_method as AuthMethod | undefined) ?? (aws ? "aws_keys" : "approle"),
    engine: (e?.engine_type as EngineType | undefined) ?? (aws ? "kv" : "kv2"),
  };
}

/** Whether Advanced opens at once: something in it is not the default. */
export function advancedChanged(aws: boolean, v: FormValues): boolean {
  const t = v.text;
  if (aws) return t.cache_ttl !== "5m" || t.url !== "" || t.tls_ca_cert !== "";
  return (
    t.cache_ttl !== "5m" ||
    (t.auth_mount !== "" && t.auth_mount !== v.method) ||
    t.tls_ca_cert !== "" ||
    t.tls_client_cert !== "" ||
    t.login_namespace !== "" ||
    v.checks.tls_skip_verify ||
    v.checks.tls_skip_hostname ||
    v.checks.allow_http
  );
}

/** What Test and Save send: the provider's fields, those of other login methods and engines left out. */
export function inputFrom(aws: boolean, v: FormValues): VaultInput {
  const t = (k: TextField): string => v.text[k].trim();
  const method = v.method;
  if (aws) {
    return {
      name: t("name"),
      provider: "aws_secrets_manager",
      url: t("url"),
      auth_method: method,
      engine_name: "",
      engine_type: v.engine,
      cache_ttl: t("cache_ttl"),
      tls_ca_cert: t("tls_ca_cert"),
      connect_timeout: t("connect_timeout"),
      request_timeout: t("request_timeout"),
      aws_region: t("aws_region"),
      aws_secret_id: t("aws_secret_id"),
      aws_version_stage: t("aws_version_stage"),
      aws_version_id: t("aws_version_id"),
      aws_profile: method === "aws_default" ? t("aws_profile") : "",
      aws_role_arn: t("aws_role_arn"),
      aws_external_id: t("aws_external_id"),
    };
  }
  const db = !isKv(v.engine);
  const named = method === "userpass" || method === "ldap";
  return {
    name: t("name"),
    provider: "hashicorp_vault",
    url: t("url"),
    namespace: t("namespace"),
    auth_method: method,
    auth_mount: method === "token" ? "" : t("auth_mount"),
    auth_username: named ? t("auth_username") : "",
    auth_role: method === "jwt" || method === "oidc" ? t("auth_role") : "",
    login_namespace: t("login_namespace"),
    engine_name: t("engine_name"),
    engine_type: v.engine,
    path: db ? "" : t("path"),
    kv_version: v.engine === "kv2" ? t("kv_version") : "",
    db_role: db ? t("db_role") : "",
    connection_name: db ? t("connection_name") : "",
    cache_ttl: t("cache_ttl"),
    tls_ca_cert: t("tls_ca_cert"),
    tls_client_cert: t("tls_client_cert"),
    tls_client_key: t("tls_client_key"),
    tls_skip_verify: v.checks.tls_skip_verify,
    tls_skip_hostname: v.checks.tls_skip_hostname,
    allow_http: v.checks.allow_http,
    connect_timeout: t("connect_timeout"),
    request_timeout: t("request_timeout"),
  };
}

/** The field holding the login method's secret part (Secret ID, token, JWT or password). */
export function secretField(method: AuthMethod): TextField {
  return method === "approle" ? "secret_id" : method === "token" || method === "oidc" ? "token" : method === "jwt" ? "jwt" : "password";
}

/**
 * The two keyring parts as typed, null when empty (an edit keeps the stored one): `role_id`
 * is AppRole's Role ID or AWS's Access Key ID; `secret_id` the method's secret part, or AWS's
 * Secret Access Key followed by a line with the session token (they change together).
 */
export function credential(aws: boolean, v: FormValues, k: "role_id" | "secret_id"): string | null {
  const t = v.text;
  if (aws) {
    if (v.method !== "aws_keys") return null;
    if (k === "role_id") return t.access_key_id === "" ? null : t.access_key_id;
    const token = t.session_token.trim();
    if (t.secret_access_key === "" && token === "") return null;
    return token === "" ? t.secret_access_key : `${t.secret_access_key}\n${token}`;
  }
  if (k === "role_id") return v.method === "approle" && t.role_id !== "" ? t.role_id : null;
  const s = t[secretField(v.method)];
  return s === "" ? null : s;
}

/** A label for a field the form does not show (the banner names it). */
export function fieldLabel(specs: Record<TextField, TextSpec>, field: string): string {
  if (field === "engine_type") return "Engine type";
  if (field === "tls_skip_verify") return "Skip verification";
  if (field === "allow_http") return "Allow plain HTTP";
  return specs[field as TextField]?.label ?? field;
}
