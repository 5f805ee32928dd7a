// Typed wrappers around the app's Tauri commands. The types come from Rust through ts-rs:
// ./bindings holds the core's, ./app-bindings the shell's own (src-tauri/src/commands.rs).
// This file only names each command, its arguments and its result once, so a typo in a
// command name or a changed Rust type fails `tsc`, not the user.

import { invoke } from "@tauri-apps/api/core";
import type { AppInfo } from "./app-bindings/AppInfo";
import type { ErrorPayload } from "./bindings/ErrorPayload";
import type { VaultSummary } from "./app-bindings/VaultSummary";

/** Every command in src-tauri/src/commands.rs: its arguments and what it resolves to. */
interface Commands {
  list_vaults: { args: Record<string, never>; result: VaultSummary[] };
  app_info: { args: Record<string, never>; result: AppInfo };
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
