// Typed wrappers around the app's Tauri commands. The types come from Rust through ts-rs:
// ./bindings holds the core's, ./app-bindings the shell's own (src-tauri/src/commands.rs).
// This file only names each command, its arguments and its result once, so a typo in a
// command name or a changed Rust type fails `tsc`, not the user.
//
// Role ID and Secret ID go in as plain strings (the IPC is JSON) and become SecretStrings on
// the Rust side; no command ever sends them back.

import { invoke } from "@tauri-apps/api/core";
import type { AppInfo } from "./app-bindings/AppInfo";
import type { ErrorPayload } from "./bindings/ErrorPayload";
import type { TestReport } from "./bindings/TestReport";
import type { VaultInput } from "./bindings/VaultInput";
import type { VaultSummary } from "./app-bindings/VaultSummary";

/** Every command in src-tauri/src/commands.rs: its arguments and what it resolves to. */
interface Commands {
  list_vaults: { args: Record<string, never>; result: VaultSummary[] };
  app_info: { args: Record<string, never>; result: AppInfo };
  vault_defaults: { args: Record<string, never>; result: VaultInput };
  add_vault: { args: { input: VaultInput; roleId: string; secretId: string }; result: VaultSummary };
  update_vault: {
    args: { name: string; input: VaultInput; roleId: string | null; secretId: string | null };
    result: VaultSummary;
  };
  remove_vault: { args: { name: string; force: boolean }; result: null };
  test_vault: {
    args: {
      input: VaultInput;
      roleId: string | null;
      secretId: string | null;
      existing: string | null;
      requestId: string;
    };
    result: TestReport | null;
  };
  cancel_test: { args: { requestId: string }; result: null };
}

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

/** The "+ Vault" form's starting values (VAULT_ADDR, VAULT_NAMESPACE, VAULT_CACERT). */
export const vaultDefaults = (): Promise<VaultInput> => call("vault_defaults", {});

/** Validates and stores a new vault; the IDs go to the OS keyring. */
export const addVault = (input: VaultInput, roleId: string, secretId: string): Promise<VaultSummary> =>
  call("add_vault", { input, roleId, secretId });

/** Stores the edit form of `name`; a null ID keeps the one in the keyring. */
export const updateVault = (
  name: string,
  input: VaultInput,
  roleId: string | null,
  secretId: string | null,
): Promise<VaultSummary> => call("update_vault", { name, input, roleId, secretId });

/** Removes the vault and its keyring entries; refused while connectors use it unless `force`. */
export const removeVault = (name: string, force: boolean): Promise<null> => call("remove_vault", { name, force });

/** The staged Test of a form; null when cancelled with `cancelTest(requestId)`. */
export const testVault = (
  input: VaultInput,
  roleId: string | null,
  secretId: string | null,
  existing: string | null,
  requestId: string,
): Promise<TestReport | null> => call("test_vault", { input, roleId, secretId, existing, requestId });

export const cancelTest = (requestId: string): Promise<null> => call("cancel_test", { requestId });
