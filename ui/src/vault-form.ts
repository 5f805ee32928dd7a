// The vault dialogs: "+ Vault" (name and vault type), the configuration form for adding and
// editing a vault with its staged Test, and the delete confirmation.
//
// The form never decides what is valid: Test and Save send it to Rust, which validates the
// whole form at once (vaultdesk-core) and answers with per-field messages that land under
// their inputs. Role ID and Secret ID are password inputs whose values go to Rust only; the
// dialog, with its inputs, is removed from the DOM when it closes.

import type { AuthMethod } from "./bindings/AuthMethod";
import type { CredentialsTarget } from "./bindings/CredentialsTarget";
import type { EngineType } from "./bindings/EngineType";
import type { ErrorPayload } from "./bindings/ErrorPayload";
import type { StageReport } from "./bindings/StageReport";
import type { StageStatus } from "./bindings/StageStatus";
import type { TestReport } from "./bindings/TestReport";
import type { TestStage } from "./bindings/TestStage";
import type { VaultInput } from "./bindings/VaultInput";
import type { VaultSummary } from "./app-bindings/VaultSummary";
import { h, icon, ICONS, openModal, type Child } from "./dom";
import { addVault, cancelTest, CommandError, listVaults, removeVault, testVault, updateVault, vaultDefaults } from "./ipc";

export type Flavor = "hashicorp" | "openbao" | "aws";

const FLAVOR_LABELS: Record<Flavor, string> = { hashicorp: "HashiCorp Vault", openbao: "OpenBao", aws: "AWS Secrets Manager" };

// Record<Union, string>: a new engine type in Rust fails `tsc` until labelled here.
export const ENGINE_LABELS: Record<EngineType, string> = {
  kv: "Key/value",
  kv1: "KV v1",
  kv2: "KV v2",
  mysql: "MySQL",
  mariadb: "MariaDB",
  postgresql: "PostgreSQL",
  mongodb: "MongoDB",
};

const ENGINE_OPTION_LABELS: Record<EngineType, string> = {
  kv: "Key/value (JSON, plain string or binary)",
  kv2: "KV (version 2)",
  kv1: "KV (version 1)",
  mysql: "Database · MySQL",
  mariadb: "Database · MariaDB",
  postgresql: "Database · PostgreSQL",
  mongodb: "Database · MongoDB",
};

/** KV (either version) keeps a secret at a path; the other engine types issue credentials. */
export function isKv(engine: string): boolean {
  return engine === "kv" || engine === "kv1" || engine === "kv2";
}

/** The engine types and login methods each provider offers (the form shows only its own). */
const AWS_ENGINES: EngineType[] = ["kv", "postgresql", "mysql", "mariadb"];
const AWS_METHODS: AuthMethod[] = ["aws_keys", "aws_default"];

// Record<Union, string>: a new login method in Rust fails `tsc` until labelled here.
const AUTH_LABELS: Record<AuthMethod, string> = {
  approle: "AppRole",
  token: "Token",
  userpass: "Username & password",
  ldap: "LDAP",
  jwt: "JWT",
  oidc: "OIDC (browser sign-in)",
  aws_keys: "Access keys",
  aws_default: "Default credential chain",
};

const STAGES: TestStage[] = ["reach", "tls", "login", "read", "capabilities"];
const AWS_STAGES: TestStage[] = ["reach", "tls", "login", "describe", "read"];

function stageLabel(stage: TestStage, engine: string): string {
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

const STATUS_LABELS: Record<StageStatus | "running" | "pending", string> = {
  passed: "Passed",
  warning: "Warning",
  failed: "Failed",
  skipped: "Skipped",
  running: "Checking",
  pending: "Not run",
};

/** The outcome of a vault's last Test, kept in the window's memory by vault id. */
export interface LastTest {
  status: "passed" | "warning" | "failed";
  at: Date;
  summary: string;
}

export function lastTestOf(report: TestReport): LastTest {
  const failed = report.stages.find((s) => s.status === "failed");
  const warning = report.stages.find((s) => s.status === "warning");
  const status = failed ? "failed" : warning ? "warning" : "passed";
  const summary = failed
    ? `${stageLabel(failed.stage, "")}: ${failed.error?.message ?? failed.summary}`
    : warning
      ? `${stageLabel(warning.stage, "")}: ${warning.summary}`
      : "All stages passed";
  return { status, at: new Date(), summary };
}

/** The stored configuration of `v` as a form would submit it (for a Test from the list). */
export function inputOf(v: VaultSummary): VaultInput {
  return {
    name: v.name,
    provider: v.provider,
    url: v.url,
    namespace: v.namespace ?? "",
    auth_method: v.auth_method,
    auth_mount: v.auth_mount,
    auth_username: v.auth_username ?? "",
    auth_role: v.auth_role ?? "",
    login_namespace: v.login_namespace ?? "",
    kv_version: v.kv_version != null ? String(v.kv_version) : "",
    engine_name: v.engine_name,
    engine_type: v.engine_type,
    path: v.path ?? "",
    db_role: v.db_role ?? "",
    connection_name: v.connection_name ?? "",
    cache_ttl: v.cache_ttl,
    tls_ca_cert: v.tls_ca_cert ?? "",
    tls_client_cert: v.tls_client_cert ?? "",
    tls_client_key: v.tls_client_key ?? "",
    tls_skip_verify: v.tls_skip_verify,
    tls_skip_hostname: v.tls_skip_hostname,
    allow_http: v.allow_http,
    connect_timeout: v.connect_timeout,
    request_timeout: v.request_timeout,
    aws_region: v.aws?.region ?? "",
    aws_secret_id: v.aws?.secret_id ?? "",
    aws_version_stage: v.aws?.version_stage ?? "",
    aws_version_id: v.aws?.version_id ?? "",
    aws_profile: v.aws?.profile ?? "",
    aws_role_arn: v.aws?.role_arn ?? "",
    aws_external_id: v.aws?.external_id ?? "",
  };
}

/** What the page does when a dialog has changed something. */
export interface FormHost {
  saved(vault: VaultSummary, test: LastTest | null): void;
  tested(vaultId: string, test: LastTest): void;
  removed(vault: VaultSummary): void;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// ---------------------------------------------------------------------------------------------
// Step 1: name and vault type.

export function openNewVaultDialog(host: FormHost): void {
  const nameInput = h("input", {
    id: "new-vault-name",
    type: "text",
    class: "input",
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "e.g. prod-kv",
    "aria-describedby": "new-vault-name-help new-vault-name-error",
    "data-testid": "new-vault-name",
  });
  const typeSelect = h(
    "select",
    { id: "new-vault-type", class: "input", "data-testid": "new-vault-type" },
    h("option", { value: "hashicorp" }, "HashiCorp Vault"),
    h("option", { value: "openbao" }, "OpenBao"),
    h("option", { value: "aws" }, "AWS Secrets Manager"),
  );
  const nameError = h("p", { class: "field-error", id: "new-vault-name-error", "aria-live": "polite" });
  const form = h(
    "form",
    { class: "dialog-form", novalidate: "" },
    h(
      "div",
      { class: "dialog-body" },
      h(
        "div",
        { class: "field" },
        h("label", { for: "new-vault-name", class: "label" }, "Name"),
        nameInput,
        h(
          "p",
          { class: "help", id: "new-vault-name-help" },
          "Letters, digits, - and _, starting with a letter. Connectors refer to it as {{secrets.NAME.KEY}}.",
        ),
        nameError,
      ),
      h(
        "div",
        { class: "field" },
        h("label", { for: "new-vault-type", class: "label" }, "Select Vault"),
        typeSelect,
        h("p", { class: "help" }, "OpenBao speaks the HashiCorp Vault API. AWS Secrets Manager reads one secret by name or ARN."),
      ),
    ),
    h(
      "div",
      { class: "dialog-foot" },
      h("span", { class: "foot-spacer" }),
      h("button", { type: "button", class: "btn", "data-action": "cancel" }, "Cancel"),
      h("button", { type: "submit", class: "btn btn-primary", "data-testid": "new-vault-continue" }, "Continue"),
    ),
  );
  const dialog = h(
    "dialog",
    { class: "dialog dialog-small", "aria-labelledby": "new-vault-title", "data-testid": "new-vault-dialog" },
    dialogHead("new-vault-title", "Add a vault", "Name it and choose where its secrets live.", () => dialog.close()),
    form,
  );
  form.querySelector("[data-action=cancel]")?.addEventListener("click", () => dialog.close());
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const name = nameInput.value.trim();
    if (name === "") {
      nameError.textContent = "Enter a name for the vault.";
      nameInput.setAttribute("aria-invalid", "true");
      nameInput.focus();
      return;
    }
    const flavor: Flavor = typeSelect.value === "openbao" ? "openbao" : typeSelect.value === "aws" ? "aws" : "hashicorp";
    dialog.close();
    void openVaultForm(host, { kind: "add", name, flavor });
  });
  openModal(dialog, { initial: nameInput });
}

export function dialogHead(id: string, title: string, subtitle: Child, close: () => void): HTMLElement {
  const closeButton = h("button", { type: "button", class: "btn btn-icon-only btn-ghost", "aria-label": "Close" }, icon(...ICONS.close));
  closeButton.addEventListener("click", close);
  return h(
    "div",
    { class: "dialog-head" },
    h("div", {}, h("h2", { class: "dialog-title", id }, title), subtitle ? h("p", { class: "dialog-sub" }, subtitle) : null),
    closeButton,
  );
}

// ---------------------------------------------------------------------------------------------
// Step 2: the configuration form, for a new vault or an existing one.

export type FormMode =
  | { kind: "add"; name: string; flavor: Flavor }
  | { kind: "edit"; vault: VaultSummary };

/** The text fields of the form, by their `VaultInput` name (which is also the error `field`). */
type TextField =
  | "name"
  | "url"
  | "namespace"
  | "role_id"
  | "secret_id"
  | "token"
  | "auth_username"
  | "password"
  | "auth_role"
  | "jwt"
  | "login_namespace"
  | "kv_version"
  | "engine_name"
  | "path"
  | "db_role"
  | "connection_name"
  | "aws_region"
  | "aws_secret_id"
  | "aws_version_stage"
  | "aws_version_id"
  | "aws_profile"
  | "aws_role_arn"
  | "aws_external_id"
  | "access_key_id"
  | "secret_access_key"
  | "session_token"
  | "cache_ttl"
  | "auth_mount"
  | "tls_ca_cert"
  | "tls_client_cert"
  | "tls_client_key"
  | "connect_timeout"
  | "request_timeout";

interface FieldSpec {
  label: string;
  help?: string;
  placeholder?: string;
  password?: boolean;
  mono?: boolean;
}

export async function openVaultForm(host: FormHost, mode: FormMode): Promise<void> {
  const editing = mode.kind === "edit" ? mode.vault : null;
  let defaults: VaultInput | null = null;
  if (!editing) {
    try {
      defaults = await vaultDefaults();
    } catch {
      defaults = null; // The form works without them; Save reports anything that matters.
    }
  }
  const flavor: Flavor = mode.kind === "add" ? mode.flavor : editing?.provider === "aws_secrets_manager" ? "aws" : "hashicorp";
  // AWS Secrets Manager: the same dialog, Test panel and Save, with the provider's own fields.
  const aws = flavor === "aws";
  const stages = aws ? AWS_STAGES : STAGES;
  const keyringHelp = editing?.needs_credentials
    ? "Needs credentials: imported without them — give them here (kept in the OS keyring)"
    : "Stored in the OS keyring — leave empty to keep";

  const specs: Record<TextField, FieldSpec> = {
    name: { label: "Name", help: "Used in {{secrets.NAME.KEY}}." },
    url: { label: "Vault URL & Port", placeholder: "https://vault.example.com:8200", mono: true },
    namespace: { label: "Namespace", placeholder: "optional, e.g. team1", mono: true },
    role_id: {
      label: "Role ID",
      password: true,
      help: editing ? keyringHelp : "Kept in the OS keyring, never on disk.",
    },
    secret_id: {
      label: "Secret ID",
      password: true,
      help: editing ? keyringHelp : "Kept in the OS keyring, never on disk.",
    },
    token: {
      label: "Token",
      password: true,
      help: editing ? keyringHelp : "Your own Vault token; kept in the OS keyring, renewed while in use, never revoked by vaultdesk.",
    },
    auth_username: { label: "Username", placeholder: "e.g. jane", mono: true },
    password: {
      label: "Password",
      password: true,
      help: editing ? keyringHelp : "Kept in the OS keyring, never on disk.",
    },
    auth_role: { label: "Role", placeholder: "e.g. ci", help: "The role of the auth mount to log in as.", mono: true },
    jwt: {
      label: "JWT",
      password: true,
      help: editing ? keyringHelp : "A signed JWT; kept in the OS keyring, never on disk.",
    },
    login_namespace: {
      label: "Login namespace",
      placeholder: "optional, e.g. admin",
      help: "Log in here instead of the secret's namespace (e.g. a parent namespace).",
      mono: true,
    },
    kv_version: {
      label: "Version",
      placeholder: "current",
      help: "Pin a KV v2 version; empty reads the current one.",
      mono: true,
    },
    engine_name: { label: "Engine name", placeholder: "e.g. secret", help: "The mount path of the secrets engine.", mono: true },
    path: {
      label: "Path to secret",
      placeholder: "e.g. app/config",
      help: "Relative to the engine; secret/data/app/config is accepted too.",
      mono: true,
    },
    db_role: { label: "Database role", placeholder: "e.g. readonly", help: "The role Vault issues credentials for.", mono: true },
    connection_name: { label: "Connection name", placeholder: "optional", help: "The engine's connection, shown by Test.", mono: true },
    cache_ttl: {
      label: "Cache TTL",
      placeholder: "5m",
      help: "How long a secret stays cached: 30s, 5m, 1h, 1h30m; 0 turns caching off.",
      mono: true,
    },
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
    aws_profile: {
      label: "Profile",
      placeholder: "default",
      help: "Of ~/.aws/config and ~/.aws/credentials (SSO profiles too); environment keys come first.",
      mono: true,
    },
    aws_role_arn: { label: "Assume role ARN", placeholder: "optional, arn:aws:iam::123456789012:role/NAME", mono: true },
    aws_external_id: { label: "External id", placeholder: "optional", help: "When the role's trust policy asks for one.", mono: true },
    access_key_id: {
      label: "Access Key ID",
      password: true,
      help: editing ? keyringHelp : "Kept in the OS keyring, never on disk.",
    },
    secret_access_key: {
      label: "Secret Access Key",
      password: true,
      help: editing ? keyringHelp : "Kept in the OS keyring, never on disk.",
    },
    session_token: {
      label: "Session token",
      password: true,
      help: "Only for temporary keys; kept in the OS keyring with the Secret Access Key.",
    },
  };
  if (aws) {
    specs.url = {
      label: "Endpoint URL",
      placeholder: "optional: the region's endpoint",
      help: "A VPC or FIPS endpoint, or a test server; it serves STS too.",
      mono: true,
    };
  }

  const inputs = {} as Record<TextField, HTMLInputElement>;
  const errors = new Map<string, HTMLElement>();
  const fieldBoxes = new Map<string, HTMLElement>();

  function textField(key: TextField): HTMLElement {
    const spec = specs[key];
    const id = `vault-${key}`;
    const input = h("input", {
      id,
      name: key,
      type: spec.password ? "password" : "text",
      class: spec.mono ? "input mono" : "input",
      autocomplete: spec.password ? "new-password" : "off",
      spellcheck: "false",
      placeholder: spec.placeholder,
      "aria-describedby": `${id}-help ${id}-error`,
      "data-testid": `field-${key}`,
    });
    inputs[key] = input;
    const error = h("p", { class: "field-error", id: `${id}-error`, "data-testid": `error-${key}` });
    errors.set(key, error);
    const box = h(
      "div",
      { class: "field", "data-field": key },
      h("label", { for: id, class: "label" }, spec.label),
      input,
      spec.help ? h("p", { class: "help", id: `${id}-help` }, spec.help) : null,
      error,
    );
    fieldBoxes.set(key, box);
    return box;
  }

  const engineSelect = h(
    "select",
    { id: "vault-engine_type", name: "engine_type", class: "input", "aria-describedby": "vault-engine_type-error", "data-testid": "field-engine_type" },
    ...(Object.keys(ENGINE_OPTION_LABELS) as EngineType[])
      .filter((t) => (aws ? AWS_ENGINES.includes(t) : t !== "kv"))
      .map((t) => h("option", { value: t }, ENGINE_OPTION_LABELS[t])),
  );
  const authSelect = h(
    "select",
    { id: "vault-auth_method", name: "auth_method", class: "input", "aria-describedby": "vault-auth_method-error", "data-testid": "field-auth_method" },
    ...(Object.keys(AUTH_LABELS) as AuthMethod[])
      .filter((m) => AWS_METHODS.includes(m) === aws)
      .map((m) => h("option", { value: m }, AUTH_LABELS[m])),
  );
  const authError = h("p", { class: "field-error", id: "vault-auth_method-error", "data-testid": "error-auth_method" });
  errors.set("auth_method", authError);
  const authBox = h(
    "div",
    { class: "field", "data-field": "auth_method" },
    h("label", { for: "vault-auth_method", class: "label" }, "Authentication"),
    authSelect,
    authError,
  );
  const wrappedInput = h("input", { id: "vault-secret_id_wrapped", type: "checkbox", "aria-describedby": "vault-secret_id_wrapped-help", "data-testid": "field-secret_id_wrapped" });
  const wrappedBox = h(
    "div",
    { class: "field field-check", "data-field": "secret_id_wrapped" },
    h("div", { class: "check-row" }, wrappedInput, h("label", { for: "vault-secret_id_wrapped" }, "The Secret ID is response-wrapped")),
    h(
      "p",
      { class: "help", id: "vault-secret_id_wrapped-help" },
      "Paste the wrapping token as the Secret ID: Save unwraps it once and stores the Secret ID; Test only looks it up.",
    ),
  );

  // "Use my Vault CLI login": the core reads $VAULT_TOKEN or ~/.vault-token (the token never
  // passes through the window); a second click goes back to typing one.
  let tokenFromEnv = false;
  const importToken = h(
    "button",
    { type: "button", class: "btn btn-small", "data-testid": "import-token", "aria-pressed": "false" },
    "Use my Vault CLI login",
  );
  const importTokenBox = h(
    "div",
    { class: "import-token" },
    importToken,
    h("p", { class: "help" }, "Takes the token from $VAULT_TOKEN or ~/.vault-token once, on Test and Save."),
  );
  importToken.addEventListener("click", () => {
    tokenFromEnv = !tokenFromEnv;
    importToken.setAttribute("aria-pressed", String(tokenFromEnv));
    importToken.textContent = tokenFromEnv ? "Type a token instead" : "Use my Vault CLI login";
    inputs.token.disabled = tokenFromEnv;
    inputs.token.value = "";
    inputs.token.placeholder = tokenFromEnv ? "imported from $VAULT_TOKEN or ~/.vault-token" : "";
  });

  const engineError = h("p", { class: "field-error", id: "vault-engine_type-error", "data-testid": "error-engine_type" });
  errors.set("engine_type", engineError);
  const engineBox = h(
    "div",
    { class: "field", "data-field": "engine_type" },
    h("label", { for: "vault-engine_type", class: "label" }, "Engine type"),
    engineSelect,
    engineError,
  );

  /** A checkbox of Advanced with its warning help and error line, registered under `key`. */
  function checkField(key: "tls_skip_verify" | "tls_skip_hostname" | "allow_http", label: string, help: string): { input: HTMLInputElement; box: HTMLElement } {
    const id = `vault-${key}`;
    const input = h("input", { id, type: "checkbox", "aria-describedby": `${id}-help ${id}-error`, "data-testid": `field-${key}` });
    const error = h("p", { class: "field-error", id: `${id}-error`, "data-testid": `error-${key}` });
    errors.set(key, error);
    const box = h(
      "div",
      { class: "field field-check", "data-field": key },
      h("div", { class: "check-row" }, input, h("label", { for: id }, label)),
      h("p", { class: "help warning-text", id: `${id}-help` }, help),
      error,
    );
    return { input, box };
  }
  const { input: skipVerify, box: skipBox } = checkField(
    "tls_skip_verify",
    "Skip TLS certificate verification",
    "Unsafe: anyone on the network path can impersonate the server and read the Secret ID. For test servers only.",
  );
  const { input: skipHostname, box: skipHostnameBox } = checkField(
    "tls_skip_hostname",
    "Verify the CA but not the host name",
    "Weaker: any certificate the CA signed is accepted for this server. For certificates issued for another name.",
  );
  const { input: allowHttp, box: allowHttpBox } = checkField(
    "allow_http",
    "Allow plain HTTP to a non-loopback address",
    "Unsafe: the Secret ID, tokens and secrets cross the network unencrypted. Without it, an http:// URL must point at this machine (localhost).",
  );

  const advanced = h(
    "details",
    { class: "advanced", "data-testid": "advanced" },
    h("summary", {}, "Advanced", h("span", { class: "summary-sub" }, "Cache TTL, TLS, timeouts, auth mount")),
    h(
      "div",
      { class: "advanced-body" },
      h("div", { class: "grid-2" }, textField("cache_ttl"), textField("auth_mount")),
      textField("tls_ca_cert"),
      h("div", { class: "grid-2" }, textField("tls_client_cert"), textField("tls_client_key")),
      skipBox,
      skipHostnameBox,
      allowHttpBox,
      textField("login_namespace"),
      h("div", { class: "grid-2" }, textField("connect_timeout"), textField("request_timeout")),
    ),
  );

  const kvFields = h("div", { class: "engine-kind grid-2 kv-fields", "data-kind": "kv" }, textField("path"), textField("kv_version"));
  const dbFields = h("div", { class: "engine-kind grid-2", "data-kind": "db" }, textField("db_role"), textField("connection_name"));

  const banner = h("div", { class: "form-banner", role: "alert", hidden: "", "data-testid": "form-error" });

  const formColumn = h(
    "div",
    { class: "form-col" },
    banner,
    h(
      "fieldset",
      { class: "section" },
      h("legend", { class: "section-title" }, "Server"),
      textField("name"),
      textField("url"),
      textField("namespace"),
    ),
    h(
      "fieldset",
      { class: "section" },
      h("legend", { class: "section-title" }, "Login"),
      authBox,
      h("div", { class: "grid-2 auth-kind", "data-auth": "approle" }, textField("role_id"), textField("secret_id")),
      h("div", { class: "auth-kind", "data-auth": "approle" }, wrappedBox),
      h("div", { class: "auth-kind token-row", "data-auth": "token" }, textField("token"), importTokenBox),
      h("div", { class: "grid-2 auth-kind", "data-auth": "password" }, textField("auth_username"), textField("password")),
      h("div", { class: "grid-2 auth-kind", "data-auth": "jwt" }, textField("jwt")),
      h("div", { class: "auth-kind auth-role", "data-auth": "jwt oidc" }, textField("auth_role")),
      h(
        "p",
        { class: "help auth-kind", "data-auth": "oidc" },
        "No secret is stored: after Save, use Sign in in the list to log in through your browser.",
      ),
    ),
    h(
      "fieldset",
      { class: "section" },
      h("legend", { class: "section-title" }, "Secrets engine"),
      h("div", { class: "grid-2" }, textField("engine_name"), engineBox),
      kvFields,
      dbFields,
    ),
    advanced,
  );

  // AWS: the product's AWS form. Built after the Vault column so that the fields both have
  // (name, endpoint URL, cache TTL, CA, timeouts) are this column's; the other stays detached.
  const awsAdvanced = aws
    ? h(
        "details",
        { class: "advanced", "data-testid": "advanced" },
        h("summary", {}, "Advanced", h("span", { class: "summary-sub" }, "Cache TTL, endpoint, CA, timeouts")),
        h(
          "div",
          { class: "advanced-body" },
          h("div", { class: "grid-2" }, textField("cache_ttl"), textField("url")),
          textField("tls_ca_cert"),
          h("div", { class: "grid-2" }, textField("connect_timeout"), textField("request_timeout")),
        ),
      )
    : null;
  const awsColumn = awsAdvanced
    ? h(
        "div",
        { class: "form-col" },
        banner,
        h(
          "fieldset",
          { class: "section" },
          h("legend", { class: "section-title" }, "Secret"),
          textField("name"),
          h("div", { class: "grid-2" }, textField("aws_region"), textField("aws_secret_id")),
          h("div", { class: "grid-2" }, engineBox, textField("aws_version_stage")),
          textField("aws_version_id"),
        ),
        h(
          "fieldset",
          { class: "section" },
          h("legend", { class: "section-title" }, "Login"),
          authBox,
          h("div", { class: "grid-2 auth-kind", "data-auth": "aws_keys" }, textField("access_key_id"), textField("secret_access_key")),
          h("div", { class: "auth-kind", "data-auth": "aws_keys" }, textField("session_token")),
          h("div", { class: "auth-kind", "data-auth": "aws_default" }, textField("aws_profile")),
          h(
            "p",
            { class: "help auth-kind", "data-auth": "aws_default" },
            "Nothing is stored: the AWS SDK finds the credentials (environment, ~/.aws files, SSO, web identity, instance role) when vaultdesk runs.",
          ),
          h("div", { class: "grid-2" }, textField("aws_role_arn"), textField("aws_external_id")),
        ),
        awsAdvanced,
      )
    : null;

  // --- the Test panel ---
  const stageItems = new Map<TestStage, HTMLLIElement>();
  const stageList = h("ol", { class: "stages", "data-testid": "test-stages" });
  const testIntro = h(
    "p",
    { class: "test-intro", "data-testid": "test-intro" },
    aws
      ? "Test checks this form against AWS before you save it: the endpoint and TLS, who the credentials are (STS), the secret's description and stages, and the chosen version's key names."
      : "Test checks this form against the server before you save it: reach, TLS, login, the secret or credentials, and the token's capabilities.",
  );
  const testResult = h("p", { class: "test-result", role: "status", "aria-live": "polite", "data-testid": "test-result" });
  const testPanel = h(
    "aside",
    { class: "test-col", "aria-labelledby": "test-title", "data-testid": "test-panel" },
    h("h3", { class: "test-title", id: "test-title" }, "Connection test"),
    testIntro,
    stageList,
    testResult,
  );

  const testButton = h("button", { type: "button", class: "btn", "data-testid": "test-button" }, icon(...ICONS.play), h("span", {}, "Test"));
  const saveButton = h("button", { type: "submit", class: "btn btn-primary", "data-testid": "save-button" }, "Save");
  const footStatus = h("p", { class: "foot-status", role: "alert", "data-testid": "form-status" });
  const cancelButton = h("button", { type: "button", class: "btn" }, "Cancel");

  const title = editing ? `Edit ${editing.name}` : `Add ${FLAVOR_LABELS[flavor]}`;
  const subtitle = editing
    ? "Change the configuration, Test it, then Save."
    : "Enter the server and login details, Test them, then Save.";
  const form = h(
    "form",
    { class: "dialog-form", novalidate: "" },
    h("div", { class: "dialog-body vault-form-body" }, awsColumn ?? formColumn, testPanel),
    h("div", { class: "dialog-foot" }, testButton, footStatus, h("span", { class: "foot-spacer" }), cancelButton, saveButton),
  );
  const dialog = h(
    "dialog",
    { class: "dialog dialog-wide", "aria-labelledby": "vault-form-title", "data-testid": "vault-form" },
    dialogHead("vault-form-title", title, subtitle, () => close()),
    form,
  );

  // --- values ---
  const initial: Record<TextField, string> = {
    name: editing?.name ?? (mode.kind === "add" ? mode.name : ""),
    url: editing?.url ?? defaults?.url ?? "",
    namespace: editing?.namespace ?? defaults?.namespace ?? "",
    role_id: "",
    secret_id: "",
    token: "",
    auth_username: editing?.auth_username ?? "",
    password: "",
    auth_role: editing?.auth_role ?? "",
    jwt: "",
    login_namespace: editing?.login_namespace ?? "",
    kv_version: editing?.kv_version != null ? String(editing.kv_version) : "",
    engine_name: editing?.engine_name ?? "",
    path: editing?.path ?? "",
    db_role: editing?.db_role ?? "",
    connection_name: editing?.connection_name ?? "",
    cache_ttl: editing?.cache_ttl ?? "5m",
    auth_mount: editing && editing.auth_method !== "token" ? editing.auth_mount : "",
    tls_ca_cert: editing?.tls_ca_cert ?? defaults?.tls_ca_cert ?? "",
    tls_client_cert: editing?.tls_client_cert ?? "",
    tls_client_key: editing?.tls_client_key ?? "",
    connect_timeout: editing?.connect_timeout ?? "10s",
    request_timeout: editing?.request_timeout ?? "30s",
    aws_region: editing?.aws?.region ?? "",
    aws_secret_id: editing?.aws?.secret_id ?? "",
    aws_version_stage: editing?.aws?.version_stage ?? "",
    aws_version_id: editing?.aws?.version_id ?? "",
    aws_profile: editing?.aws?.profile ?? "",
    aws_role_arn: editing?.aws?.role_arn ?? "",
    aws_external_id: editing?.aws?.external_id ?? "",
    access_key_id: "",
    secret_access_key: "",
    session_token: "",
  };
  if (aws && !editing) {
    initial.url = "";
    initial.tls_ca_cert = "";
  }
  // (The AWS fields exist only in the AWS form, and the Vault-only ones are detached there.)
  for (const [key, value] of Object.entries(initial) as [TextField, string][]) {
    if (key in inputs) inputs[key].value = value;
  }
  engineSelect.value = editing?.engine_type ?? (aws ? "kv" : "kv2");
  authSelect.value = editing?.auth_method ?? (aws ? "aws_keys" : "approle");
  if (awsAdvanced) awsAdvanced.open = initial.cache_ttl !== "5m" || initial.url !== "" || initial.tls_ca_cert !== "";
  skipVerify.checked = editing?.tls_skip_verify ?? false;
  skipHostname.checked = editing?.tls_skip_hostname ?? false;
  allowHttp.checked = editing?.allow_http ?? false;
  const advancedNonDefault =
    initial.cache_ttl !== "5m" ||
    (initial.auth_mount !== "" && initial.auth_mount !== (editing?.auth_method ?? "approle")) ||
    initial.tls_ca_cert !== "" ||
    initial.tls_client_cert !== "" ||
    skipVerify.checked ||
    skipHostname.checked ||
    initial.login_namespace !== "" ||
    allowHttp.checked;
  advanced.open = advancedNonDefault;

  /** Shows the fields of the chosen login method only. */
  function syncAuth(): void {
    const m = authSelect.value as AuthMethod;
    const kind = m === "userpass" || m === "ldap" ? "password" : m;
    for (const el of formColumn.querySelectorAll<HTMLElement>(".auth-kind")) el.hidden = !(el.dataset.auth ?? "").split(" ").includes(kind);
    for (const el of awsColumn?.querySelectorAll<HTMLElement>(".auth-kind") ?? []) el.hidden = !(el.dataset.auth ?? "").split(" ").includes(m);
    inputs.auth_mount.placeholder = m === "token" ? "not used with a token" : m;
    inputs.auth_mount.disabled = m === "token";
  }
  authSelect.addEventListener("change", syncAuth);

  function syncEngineKind(): void {
    const db = !isKv(engineSelect.value);
    kvFields.hidden = db;
    dbFields.hidden = !db;
    // A version pin exists for KV v2 only.
    fieldBoxes.get("kv_version")!.hidden = engineSelect.value !== "kv2";
    stageItems.get("read")?.querySelector(".stage-label")?.replaceChildren(stageLabel("read", engineSelect.value));
  }
  function syncSkipVerify(): void {
    skipBox.classList.toggle("is-warning", skipVerify.checked);
    skipHostnameBox.classList.toggle("is-warning", skipHostname.checked);
    allowHttpBox.classList.toggle("is-warning", allowHttp.checked);
  }
  engineSelect.addEventListener("change", syncEngineKind);
  skipVerify.addEventListener("change", syncSkipVerify);
  skipHostname.addEventListener("change", syncSkipVerify);
  allowHttp.addEventListener("change", syncSkipVerify);

  function readInput(): VaultInput {
    const v = (k: TextField) => inputs[k].value.trim();
    if (aws) {
      const method = authSelect.value as AuthMethod;
      return {
        name: v("name"),
        provider: "aws_secrets_manager",
        url: v("url"),
        auth_method: method,
        engine_name: "",
        engine_type: engineSelect.value,
        cache_ttl: v("cache_ttl"),
        tls_ca_cert: v("tls_ca_cert"),
        connect_timeout: v("connect_timeout"),
        request_timeout: v("request_timeout"),
        aws_region: v("aws_region"),
        aws_secret_id: v("aws_secret_id"),
        aws_version_stage: v("aws_version_stage"),
        aws_version_id: v("aws_version_id"),
        aws_profile: method === "aws_default" ? v("aws_profile") : "",
        aws_role_arn: v("aws_role_arn"),
        aws_external_id: v("aws_external_id"),
      };
    }
    const db = !isKv(engineSelect.value);
    const method = authSelect.value as AuthMethod;
    const named = method === "userpass" || method === "ldap";
    return {
      name: v("name"),
      provider: "hashicorp_vault",
      url: v("url"),
      namespace: v("namespace"),
      auth_method: method,
      auth_mount: method === "token" ? "" : v("auth_mount"),
      auth_username: named ? v("auth_username") : "",
      auth_role: method === "jwt" || method === "oidc" ? v("auth_role") : "",
      login_namespace: v("login_namespace"),
      engine_name: v("engine_name"),
      engine_type: engineSelect.value,
      path: db ? "" : v("path"),
      kv_version: engineSelect.value === "kv2" ? v("kv_version") : "",
      db_role: db ? v("db_role") : "",
      connection_name: db ? v("connection_name") : "",
      cache_ttl: v("cache_ttl"),
      tls_ca_cert: v("tls_ca_cert"),
      tls_client_cert: v("tls_client_cert"),
      tls_client_key: v("tls_client_key"),
      tls_skip_verify: skipVerify.checked,
      tls_skip_hostname: skipHostname.checked,
      allow_http: allowHttp.checked,
      connect_timeout: v("connect_timeout"),
      request_timeout: v("request_timeout"),
    };
  }
  /** The input holding the chosen login method's secret part (Secret ID, token or password). */
  function secretInput(): HTMLInputElement {
    const m = authSelect.value as AuthMethod;
    return m === "approle" ? inputs.secret_id : m === "token" || m === "oidc" ? inputs.token : m === "jwt" ? inputs.jwt : inputs.password;
  }
  /** A secret part as typed; null when empty (the edit form keeps the stored one). The Role ID
   * only for AppRole; "secret_id" is the chosen method's secret part. */
  const credential = (k: "role_id" | "secret_id"): string | null => {
    if (aws) {
      // The keyring's two entries: the Access Key ID, and the Secret Access Key followed by a
      // line with the session token (they change together).
      if (authSelect.value !== "aws_keys") return null;
      if (k === "role_id") return inputs.access_key_id.value === "" ? null : inputs.access_key_id.value;
      const key = inputs.secret_access_key.value;
      const token = inputs.session_token.value.trim();
      if (key === "" && token === "") return null;
      return token === "" ? key : `${key}\n${token}`;
    }
    if (k === "role_id" && authSelect.value !== "approle") return null;
    const input = k === "role_id" ? inputs.role_id : secretInput();
    return input.value === "" ? null : input.value;
  };
  const wrapped = (): boolean => authSelect.value === "approle" && wrappedInput.checked;
  const fromEnv = (): boolean => authSelect.value === "token" && tokenFromEnv;

  // --- errors ---
  function clearErrors(): void {
    for (const [key, el] of errors) {
      el.replaceChildren();
      fieldControl(key)?.removeAttribute("aria-invalid");
    }
    banner.hidden = true;
    banner.replaceChildren();
    footStatus.textContent = "";
  }
  function fieldControl(field: string): HTMLElement | null {
    if (field === "engine_type") return engineSelect;
    if (field === "auth_method") return authSelect;
    if (field === "tls_skip_verify") return skipVerify;
    if (field === "tls_skip_hostname") return skipHostname;
    if (field === "allow_http") return allowHttp;
    return field in inputs ? inputs[field as TextField] : null;
  }
  /** Puts `message` under `field`; false when the form has no such field (the caller shows it elsewhere). */
  function showFieldError(field: string, message: string, hint?: string): boolean {
    const el = errors.get(field);
    const control = fieldControl(field);
    if (!el || !control || control.closest("[hidden]")) return false;
    el.replaceChildren(h("span", { class: "field-error-msg" }, message), ...(hint ? [h("span", { class: "field-error-hint" }, hint)] : []));
    control.setAttribute("aria-invalid", "true");
    const details = control.closest("details");
    if (details) details.open = true;
    return true;
  }
  function setFootStatus(text: string): void {
    footStatus.textContent = text;
  }
  function showBanner(title: string, detail?: string): void {
    banner.replaceChildren(h("strong", {}, title), ...(detail ? [h("span", {}, ` ${detail}`)] : []));
    banner.hidden = false;
  }
  function showPayload(error: unknown, action: string): void {
    const payload: ErrorPayload | null = error instanceof CommandError ? error.payload : null;
    const label = (field: string) =>
      field === "engine_type"
        ? "Engine type"
        : field === "tls_skip_verify"
          ? "Skip verification"
          : field === "allow_http"
            ? "Allow plain HTTP"
            : (specs[field as TextField]?.label ?? field);
    if (payload && payload.fields.length > 0) {
      const elsewhere: string[] = [];
      for (const f of payload.fields) {
        if (!showFieldError(f.field, sentence(f.message))) elsewhere.push(`${label(f.field)} ${f.message}.`);
      }
      const n = payload.fields.length;
      setFootStatus(`${action} needs ${n === 1 ? "one fix" : `${n} fixes`}: see the highlighted fields.`);
      if (elsewhere.length > 0) showBanner(`${action} needs these fixes too:`, elsewhere.join(" "));
      const first = payload.fields.map((f) => fieldControl(f.field)).find((c) => c && !c.closest("[hidden]"));
      first?.focus();
    } else {
      setFootStatus(`${action} failed.`);
      showBanner(`${action} failed.`, messageOf(error));
      banner.scrollIntoView({ block: "nearest" });
    }
  }

  // --- stored IDs and a changed server ---
  // The core sends the stored IDs only to the server they were saved for; when this form
  // changes that server (address, namespace, AppRole mount, CA, client certificate or
  // verification), Test and Save answer "confirm_credentials". The ID fields then say why they
  // are required, and a dialog naming both servers offers to send the stored IDs anyway. The
  // confirmation holds until the form is edited again.
  let reuseConfirmed = false;
  function requireIds(target: CredentialsTarget): void {
    const why = `the stored IDs were saved for ${target.stored_host}; this form would send them to ${target.new_host} (changed: ${target.changed.join(", ")}).`;
    inputs.secret_id.required = true;
    inputs.secret_id.setAttribute("aria-required", "true");
    fieldBoxes.get("secret_id")?.querySelector(".help")?.replaceChildren(`Required: ${why}`);
    fieldBoxes
      .get("role_id")
      ?.querySelector(".help")
      ?.replaceChildren(`Optional: the stored Role ID goes along with a new Secret ID unless you enter another (${why})`);
  }
  function offerReuse(error: unknown, retry: () => Promise<void>): void {
    const target = error instanceof CommandError && error.payload?.code === "confirm_credentials" ? error.payload.credentials_target : null;
    if (!target) return;
    requireIds(target);
    const cancel = h("button", { type: "button", class: "btn", "data-testid": "reuse-cancel" }, "Enter Secret ID");
    const confirm = h("button", { type: "submit", class: "btn btn-danger", "data-testid": "reuse-confirm" }, "Send stored IDs");
    const confirmForm = h(
      "form",
      { class: "dialog-form", novalidate: "" },
      h(
        "div",
        { class: "dialog-body" },
        h(
          "p",
          { class: "confirm-text" },
          "The Role ID and Secret ID in the OS keyring were saved for ",
          h("strong", { "data-testid": "reuse-stored-host" }, target.stored_host),
          ". This form would send them to ",
          h("strong", { "data-testid": "reuse-new-host" }, target.new_host),
          ` (changed: ${target.changed.join(", ")}).`,
        ),
        h("p", { class: "confirm-text muted" }, "Send them only to a server you trust as much as the first one; otherwise enter the Secret ID for this one."),
      ),
      h("div", { class: "dialog-foot" }, h("span", { class: "foot-spacer" }), cancel, confirm),
    );
    const confirmDialog = h(
      "dialog",
      { class: "dialog dialog-small", role: "alertdialog", "aria-labelledby": "reuse-title", "data-testid": "reuse-dialog" },
      dialogHead("reuse-title", "Send the stored IDs to another server?", null, () => confirmDialog.close()),
      confirmForm,
    );
    let confirmed = false;
    cancel.addEventListener("click", () => confirmDialog.close());
    confirmForm.addEventListener("submit", (e) => {
      e.preventDefault();
      confirmed = true;
      reuseConfirmed = true;
      confirmDialog.close();
    });
    // Cancel has the focus: Enter right after opening must not send the IDs anywhere.
    openModal(confirmDialog, { initial: cancel });
    confirmDialog.addEventListener("close", () => {
      if (confirmed) void retry();
      else inputs.secret_id.focus();
    });
  }

  // --- Test ---
  let requestId: string | null = null;
  let changedSinceTest = true;
  let lastReport: TestReport | null = null;
  let pristine = true;
  // Text inputs report edits with "input"; "change" also fires when one merely loses focus
  // after an edit (e.g. by clicking Test), so it only counts for selects and checkboxes.
  const edited = (): void => {
    changedSinceTest = true;
    pristine = false;
    reuseConfirmed = false;
  };
  form.addEventListener("input", edited);
  form.addEventListener("change", (e) => {
    if (!(e.target instanceof HTMLInputElement && e.target.type !== "checkbox")) edited();
  });

  function renderStages(report: TestReport | null, running: boolean): void {
    const engine = engineSelect.value;
    stageList.replaceChildren(
      ...stages.map((stage) => {
        const r: StageReport | undefined = report?.stages.find((s) => s.stage === stage);
        const status = r?.status ?? (running ? "running" : "pending");
        const item = h(
          "li",
          { class: "stage", "data-stage": stage, "data-status": status, "data-testid": `stage-${stage}` },
          h("span", { class: "stage-icon", "aria-hidden": "true" }),
          h(
            "div",
            { class: "stage-main" },
            h(
              "div",
              { class: "stage-line" },
              h("span", { class: "stage-label" }, stageLabel(stage, engine)),
              h("span", { class: "stage-status" }, STATUS_LABELS[status]),
              r && r.status !== "skipped" ? h("span", { class: "stage-time mono" }, `${r.millis} ms`) : null,
            ),
            r && r.status !== "skipped" ? h("p", { class: "stage-summary", "data-testid": `stage-${stage}-summary` }, r.summary) : null,
            r?.error?.hint ? h("p", { class: "stage-hint" }, r.error.hint) : null,
          ),
        );
        stageItems.set(stage, item);
        return item;
      }),
    );
  }

  function setTesting(on: boolean): void {
    testButton.replaceChildren(on ? h("span", { class: "spinner", "aria-hidden": "true" }) : icon(...ICONS.play), h("span", {}, on ? "Cancel test" : "Test"));
    testButton.setAttribute("data-state", on ? "running" : "idle");
    testPanel.setAttribute("aria-busy", on ? "true" : "false");
  }

  async function runTest(): Promise<void> {
    if (requestId) {
      const id = requestId;
      requestId = null;
      void cancelTest(id).catch(() => undefined);
      setTesting(false);
      renderStages(lastReport, false);
      testResult.dataset.outcome = "cancelled";
      testResult.textContent = "Test cancelled.";
      return;
    }
    clearErrors();
    const id = `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    requestId = id;
    changedSinceTest = false;
    setTesting(true);
    renderStages(null, true);
    testIntro.hidden = true;
    testResult.dataset.outcome = "running";
    // Stages arrive as they end; a ticking clock shows that the wait for the next one is alive
    // and how it compares with the timeouts in Advanced.
    const started = Date.now();
    const tick = (): void => {
      const secs = Math.floor((Date.now() - started) / 1000);
      testResult.textContent = secs < 1 ? "Testing…" : `Testing… ${secs} s`;
    };
    tick();
    const ticker = window.setInterval(() => (requestId === id ? tick() : window.clearInterval(ticker)), 1000);
    try {
      const seen: StageReport[] = [];
      const onStage = (stage: StageReport): void => {
        if (requestId !== id) return;
        const i = seen.findIndex((s) => s.stage === stage.stage);
        if (i >= 0) seen[i] = stage;
        else seen.push(stage);
        renderStages({ ok: false, stages: seen, secret_id: null }, true);
      };
      const report = await testVault(
        readInput(),
        credential("role_id"),
        credential("secret_id"),
        editing?.name ?? null,
        reuseConfirmed,
        id,
        onStage,
        wrapped(),
        fromEnv(),
      );
      if (requestId !== id) return; // cancelled, or superseded
      requestId = null;
      setTesting(false);
      if (report === null) {
        renderStages(lastReport, false);
        testResult.dataset.outcome = "cancelled";
        testResult.textContent = "Test cancelled.";
        return;
      }
      lastReport = report;
      renderStages(report, false);
      const outcome = lastTestOf(report);
      testResult.dataset.outcome = outcome.status;
      testResult.textContent =
        outcome.status === "failed"
          ? "Test failed: see the highlighted stage and field."
          : outcome.status === "warning"
            ? "Test passed with warnings."
            : "Test passed.";
      for (const s of report.stages) {
        if (s.error?.field) showFieldError(s.error.field, s.error.message, s.error.hint);
      }
      if (editing && pristine && !changedSinceTest) host.tested(editing.id, outcome);
    } catch (error: unknown) {
      if (requestId !== id) return;
      requestId = null;
      setTesting(false);
      renderStages(null, false);
      testIntro.hidden = false;
      testResult.dataset.outcome = "error";
      testResult.textContent = "";
      showPayload(error, "Test");
      offerReuse(error, runTest);
    }
  }
  testButton.addEventListener("click", () => void runTest());

  // --- Save ---
  let saving = false;
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void save();
  });
  async function save(): Promise<void> {
    if (saving) return;
    saving = true;
    saveButton.disabled = true;
    saveButton.replaceChildren(h("span", { class: "spinner", "aria-hidden": "true" }), h("span", {}, "Saving…"));
    clearErrors();
    try {
      const input = readInput();
      const saved = editing
        ? await updateVault(editing.name, input, credential("role_id"), credential("secret_id"), reuseConfirmed, wrapped(), fromEnv())
        : aws
          ? await addVault(input, credential("role_id"), credential("secret_id"), false, false)
          : await addVault(input, credential("role_id"), fromEnv() || authSelect.value === "oidc" ? null : secretInput().value, wrapped(), fromEnv());
      const test = lastReport && !changedSinceTest && requestId === null ? lastTestOf(lastReport) : null;
      close();
      host.saved(saved, test);
    } catch (error: unknown) {
      showPayload(error, "Save");
      offerReuse(error, save);
    } finally {
      saving = false;
      saveButton.disabled = false;
      saveButton.replaceChildren("Save");
    }
  }

  function close(): void {
    if (requestId) void cancelTest(requestId).catch(() => undefined);
    requestId = null;
    // Drop what was typed into the ID fields before the dialog leaves the DOM.
    inputs.role_id.value = "";
    inputs.secret_id.value = "";
    inputs.token.value = "";
    inputs.password.value = "";
    inputs.jwt.value = "";
    for (const k of ["access_key_id", "secret_access_key", "session_token"] as const) {
      if (k in inputs) inputs[k].value = "";
    }
    dialog.close();
  }
  cancelButton.addEventListener("click", close);

  // Escape on an edited form asks first: a stray key must not throw away typed IDs and paths.
  let escapeArmed = false;
  form.addEventListener("input", () => (escapeArmed = false));
  function onEscape(): void {
    if (pristine || escapeArmed) {
      close();
      return;
    }
    escapeArmed = true;
    setFootStatus("Unsaved changes: press Escape again to discard them.");
  }

  syncEngineKind();
  syncAuth();
  syncSkipVerify();
  setTesting(false);
  renderStages(null, false);
  const first = aws ? (editing ? inputs.aws_secret_id : inputs.aws_region) : editing ? inputs.url : inputs.url.value ? inputs.role_id : inputs.url;
  openModal(dialog, { initial: first, onEscape });
}

/** A core message ("is required: ...") as a sentence under its field ("Required: ..."). */
export function sentence(message: string): string {
  // The core writes messages to follow the field's name ("path: is required…"); under the
  // field itself the verb goes: "Required…".
  const m = message.replace(/^is (?=\S)/, "");
  const s = m.charAt(0).toUpperCase() + m.slice(1);
  return /[.!?]$/.test(s) ? s : `${s}.`;
}

// ---------------------------------------------------------------------------------------------
// Delete.

export function openDeleteDialog(host: FormHost, vault: VaultSummary): void {
  let users = vault.used_by;
  const error = h("p", { class: "form-banner", role: "alert", hidden: "", "data-testid": "delete-error" });
  const usage = h("div", { "data-testid": "delete-usage" });
  const cancel = h("button", { type: "button", class: "btn", "data-testid": "delete-cancel" }, "Cancel");
  const confirm = h("button", { type: "submit", class: "btn btn-danger", "data-testid": "delete-confirm" });
  const connectorList = (names: string[]): Node[] =>
    names.flatMap((n, i) => [i > 0 ? ", " : "", h("strong", { "data-testid": "delete-connector" }, n)]).filter((x) => x !== "") as Node[];
  function render(): void {
    const forced = users.length > 0;
    usage.replaceChildren(
      forced
        ? h(
            "div",
            { class: "in-use" },
            h("p", { class: "confirm-text" }, `Used by ${users.length === 1 ? "connector" : "connectors"} `, ...connectorList(users), "."),
            h(
              "p",
              { class: "confirm-text muted" },
              users.length === 1
                ? `Deleting it anyway clears the connector's Secrets Manager selection; its {{secrets.${vault.name}.KEY}} references stay and fail to render until changed.`
                : `Deleting it anyway clears their Secrets Manager selection; their {{secrets.${vault.name}.KEY}} references stay and fail to render until changed.`,
            ),
          )
        : h("p", { class: "confirm-text muted" }, "No connector uses this vault."),
    );
    confirm.replaceChildren(icon(...ICONS.trash), h("span", {}, forced ? "Delete anyway" : "Delete vault"));
    confirm.dataset.force = forced ? "true" : "false";
  }
  const form = h(
    "form",
    { class: "dialog-form", novalidate: "" },
    h(
      "div",
      { class: "dialog-body" },
      h(
        "p",
        { class: "confirm-text" },
        "This removes the configuration of ",
        h("strong", { "data-testid": "delete-vault-name" }, vault.name),
        ` (${vault.url}) and its login secrets from the OS keyring. The secrets in the vault itself are not touched.`,
      ),
      usage,
      error,
    ),
    h("div", { class: "dialog-foot" }, h("span", { class: "foot-spacer" }), cancel, confirm),
  );
  const dialog = h(
    "dialog",
    { class: "dialog dialog-small", role: "alertdialog", "aria-labelledby": "delete-title", "data-testid": "delete-dialog" },
    dialogHead("delete-title", `Delete vault “${vault.name}”?`, null, () => dialog.close()),
    form,
  );
  cancel.addEventListener("click", () => dialog.close());
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const force = users.length > 0;
    confirm.disabled = true;
    confirm.replaceChildren(h("span", { class: "spinner", "aria-hidden": "true" }), h("span", {}, "Deleting…"));
    removeVault(vault.name, force).then(
      () => {
        dialog.close();
        host.removed(vault);
      },
      (e: unknown) => {
        // A connector may have started using the vault since the list was read: the core
        // refuses and names it; the dialog then offers the forced removal.
        const payload = e instanceof CommandError ? e.payload : null;
        error.textContent = `Not deleted: ${messageOf(e)}`;
        error.hidden = false;
        confirm.disabled = false;
        render();
        if (payload?.code === "in_use") {
          void listVaults().then(
            (vaults) => {
              users = vaults.find((v) => v.id === vault.id)?.used_by ?? users;
              render();
            },
            () => undefined,
          );
        }
      },
    );
  });
  render();
  // Cancel has the focus: Enter right after opening must not delete.
  openModal(dialog, { initial: cancel });
}
