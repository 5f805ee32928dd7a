// Typed wrappers around the app's Tauri commands. What each command sends and resolves to is
// generated from Rust (src-tauri/src/command_list.rs -> ./app-bindings/commands.ts, with the
// ts-rs types of ./bindings and ./app-bindings), so a typo in a command name or a changed Rust
// type fails `tsc`, not the user.
//
// Role ID and Secret ID go in as plain strings (the IPC is JSON) and become SecretStrings on
// the Rust side; no command ever sends them back.

import { Channel, invoke } from "@tauri-apps/api/core";
import type { Commands } from "../app-bindings/commands";
import type { AppInfo } from "../app-bindings/AppInfo";
import type { DoctorReport } from "../app-bindings/DoctorReport";
import type { OidcLoginReport } from "../app-bindings/OidcLoginReport";
import type { RefreshReport } from "../app-bindings/RefreshReport";
import type { ConnectorSummary } from "../app-bindings/ConnectorSummary";
import type { ExportResult } from "../app-bindings/ExportResult";
import type { KindFields } from "../app-bindings/KindFields";
import type { LeaseOutcome } from "../app-bindings/LeaseOutcome";
import type { LeaseRecord } from "../bindings/LeaseRecord";
import type { LeaseState } from "../bindings/LeaseState";
import type { ConnectorInput } from "../bindings/ConnectorInput";
import type { ConnectorKind } from "../bindings/ConnectorKind";
import type { ConnectorStageReport } from "../bindings/ConnectorStageReport";
import type { ConnectorTestReport } from "../bindings/ConnectorTestReport";
import type { ExportFormat } from "../bindings/ExportFormat";
import type { Preview } from "../bindings/Preview";
import type { Vault } from "../bindings/Vault";
import type { ErrorPayload } from "../bindings/ErrorPayload";
import type { StageReport } from "../bindings/StageReport";
import type { TestReport } from "../bindings/TestReport";
import type { VaultInput } from "../bindings/VaultInput";
import type { VaultSummary } from "../app-bindings/VaultSummary";

/**
 * A failed command. `payload` is the core's `ErrorPayload` when the command itself failed;
 * it is null when the call never reached the command (IPC refused by the ACL, app shutting
 * down, running outside Tauri), in which case `message` says what happened.
 */
export class CommandError extends Error {
  readonly command: keyof Commands;
  readonly payload: ErrorPayload | null;

  constructor(command: keyof Commands, payload: ErrorPayload | null, message: string) {
    super(message);
    this.name = "CommandError";
    this.command = command;
    this.payload = payload;
  }
}

function isErrorPayload(value: unknown): value is ErrorPayload {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.code === "string" && typeof v.message === "string" && Array.isArray(v.fields);
}

async function call<K extends keyof Commands>(
  command: K,
  args: Commands[K]["args"],
): Promise<Commands[K]["result"]> {
  try {
    return await invoke<Commands[K]["result"]>(command, args);
  } catch (raw: unknown) {
    if (isErrorPayload(raw)) throw new CommandError(command, raw, raw.message);
    const message = raw instanceof Error ? raw.message : String(raw);
    throw new CommandError(command, null, message);
  }
}

/** All stored vaults, sorted by name. */
export const listVaults = (): Promise<VaultSummary[]> => call("list_vaults", {});

/** The data directory the app works on, and its version. */
export const appInfo = (): Promise<AppInfo> => call("app_info", {});

/** What is out of step between the database, the OS keyring and the files (read only). */
export const doctor = (): Promise<DoctorReport> => call("doctor", {});

/** The "+ Vault" form's starting values (VAULT_ADDR, VAULT_NAMESPACE, VAULT_CACERT). */
export const vaultDefaults = (): Promise<VaultInput> => call("vault_defaults", {});

/**
 * Validates and stores a new vault; its login secrets go to the OS keyring. `secretId` is the
 * secret part of the form's login method (Secret ID, token or password); with `secretIdWrapped`
 * it is a response-wrapping token that the core unwraps once.
 */
export const addVault = (
  input: VaultInput,
  roleId: string | null,
  secretId: string | null,
  secretIdWrapped: boolean,
  tokenFromEnv = false,
): Promise<VaultSummary> => call("add_vault", { input, roleId, secretId, secretIdWrapped, tokenFromEnv });

/**
 * Signs in to an OIDC vault in the browser; `onUrl` hears the provider's address (shown in case
 * no browser opens). Resolves when the browser came back (at most five minutes).
 */
export const oidcLogin = (name: string, remember: boolean, onUrl: (url: string) => void): Promise<OidcLoginReport> => {
  const channel = new Channel<string>();
  channel.onmessage = onUrl;
  return call("oidc_login", { name, remember, onUrl: channel });
};

/** "Refresh now": drops the vault's cached secret and token; the next read is fresh. */
export const refreshVault = (name: string): Promise<RefreshReport> => call("refresh_vault", { name });

/**
 * Stores the edit form of `name`; a null ID keeps the one in the keyring. A changed server keeps
 * the stored IDs only with `reuseCredentials`, set after the admin confirmed it.
 */
export const updateVault = (
  name: string,
  input: VaultInput,
  roleId: string | null,
  secretId: string | null,
  reuseCredentials: boolean,
  secretIdWrapped = false,
  tokenFromEnv = false,
): Promise<VaultSummary> => call("update_vault", { name, input, roleId, secretId, reuseCredentials, secretIdWrapped, tokenFromEnv });

/** Removes the vault and its keyring entries; refused while connectors use it unless `force`. */
export const removeVault = (name: string, force: boolean): Promise<null> => call("remove_vault", { name, force });

/**
 * The staged Test of a form; null when cancelled with `cancelTest(requestId)`. `onStage` hears
 * each stage as it ends (a stage may come again with a fuller summary); the resolved report is
 * the complete one.
 */
export const testVault = (
  input: VaultInput,
  roleId: string | null,
  secretId: string | null,
  existing: string | null,
  reuseCredentials: boolean,
  requestId: string,
  onStage: (stage: StageReport) => void = () => undefined,
  secretIdWrapped = false,
  tokenFromEnv = false,
): Promise<TestReport | null> => {
  const channel = new Channel<StageReport>();
  channel.onmessage = onStage;
  return call("test_vault", { input, roleId, secretId, existing, reuseCredentials, secretIdWrapped, tokenFromEnv, requestId, onStage: channel });
};

export const cancelTest = (requestId: string): Promise<null> => call("cancel_test", { requestId });

/**
 * Test connection on an editor's form (saved or not): its secrets resolved in Rust, a real
 * client, each stage to `onStage` as it ends. `method` and `path` shape a REST test's request.
 * Null when cancelled with `cancelTest(requestId)`.
 */
export const testConnector = (
  input: ConnectorInput,
  method: string | null,
  path: string | null,
  requestId: string,
  onStage: (stage: ConnectorStageReport) => void = () => undefined,
): Promise<ConnectorTestReport | null> => {
  const channel = new Channel<ConnectorStageReport>();
  channel.onmessage = onStage;
  return call("test_connector", { input, method, path, requestId, onStage: channel });
};

/** Every kind with the fields its editor shows. */
export const connectorKinds = (): Promise<KindFields[]> => call("connector_kinds", {});

/** All stored connectors, sorted by name, with their reference counts. */
export const listConnectors = (): Promise<ConnectorSummary[]> => call("list_connectors", {});

/** The vaults a connector of `kind` may use (the "Secrets Manager" dropdown). */
export const compatibleVaults = (kind: ConnectorKind): Promise<Vault[]> => call("compatible_vaults", { kind });

/** Fields pre-filled from `vault` for a connector of `kind`: references, never values. */
export const prefillConnector = (kind: ConnectorKind, vault: string): Promise<Record<string, unknown>> =>
  call("prefill_connector", { kind, vault });

/** The key names of a vault's secret (nested objects; values are never sent). */
export const vaultKeys = (vault: string): Promise<unknown> => call("vault_keys", { vault });

export const addConnector = (input: ConnectorInput): Promise<ConnectorSummary> => call("add_connector", { input });

export const updateConnector = (name: string, input: ConnectorInput): Promise<ConnectorSummary> =>
  call("update_connector", { name, input });

export const removeConnector = (name: string): Promise<null> => call("remove_connector", { name });

/**
 * Renders an editor's configuration: masked; with `reveal`, every value; with `reveal` and a
 * `field`, that field only. Secret values reach the webview only through the last two.
 */
export const previewConnector = (input: ConnectorInput, reveal: boolean, field: string | null): Promise<Preview> =>
  call("preview_connector", { input, reveal, field });

/** Renders and writes the configuration where the native save dialog says; null when cancelled. */
export const exportConnector = (input: ConnectorInput, format: ExportFormat): Promise<ExportResult | null> =>
  call("export_connector", { input, format });

/** Writes every connector to a folder the native dialog picks; null when cancelled. */
export const exportAllConnectors = (format: ExportFormat): Promise<ExportResult | null> =>
  call("export_all_connectors", { format });

/** The recorded leases (no password), newest first; `null` filters match any. */
export const listLeases = (vault: string | null, leaseState: LeaseState | null): Promise<LeaseRecord[]> =>
  call("list_leases", { vault, leaseState });

/** Renews a lease by its duration when issued. */
export const renewLease = (leaseId: string): Promise<LeaseRecord> => call("renew_lease", { leaseId });

/** Revokes a lease now: the database user is dropped. */
export const revokeLease = (leaseId: string): Promise<LeaseRecord> => call("revoke_lease", { leaseId });

/** Revokes every live lease of `vault`; each one's outcome. */
export const revokeVaultLeases = (vault: string): Promise<LeaseOutcome[]> => call("revoke_vault_leases", { vault });

/** Revokes preview and test credentials that a vaultdesk process which has ended left live. */
export const revokeLeftOverPreviews = (): Promise<LeaseOutcome[]> => call("revoke_left_over_previews", {});

/** The connector editor closed: its previews' and tests' credentials are revoked. */
export const endPreviews = (): Promise<null> => call("end_previews", {});

/** A fresh id for a cancellable request (`cancel_test`); `prefix` tells the callers apart. */
export function requestId(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}
