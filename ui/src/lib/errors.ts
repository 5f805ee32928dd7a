// Errors as the window shows them: one `messageOf` for every page, the core's field messages as
// sentences, and where a field error goes (by its path, never by slicing its text).

import type { FieldError } from "../bindings/FieldError";
import { CommandError } from "./ipc";

/** The text of any thrown value; a vault error with its hint when the core gave one. */
export function messageOf(error: unknown): string {
  if (error instanceof CommandError && error.payload?.vault) {
    const v = error.payload.vault;
    return `${v.message}. ${v.hint.charAt(0).toUpperCase()}${v.hint.slice(1)}.`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** The plain message of any thrown value (no hint). */
export function plainMessageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The error code an error state shows: the core's, "ipc" without one, "unexpected" otherwise. */
export function errorCodeOf(error: unknown): string {
  return error instanceof CommandError ? (error.payload?.code ?? "ipc") : "unexpected";
}

/** A core message ("is required: ...") as a sentence under its field ("Required: ..."). */
export function sentence(message: string): string {
  // The core writes messages to follow the field's name ("path: is required…"); under the
  // field itself the verb goes: "Required…".
  const m = message.replace(/^is (?=\S)/, "");
  const s = m.charAt(0).toUpperCase() + m.slice(1);
  return /[.!?]$/.test(s) ? s : `${s}.`;
}

/**
 * Where a field error goes, from its path (never by slicing its text): `["config", "headers",
 * "Authorization"]` → the `config.headers` box, sub-path `Authorization`; `["name"]` → `name`.
 */
export function fieldKey(f: FieldError): { key: string; top: string; sub: string } {
  const [first, top, ...rest] = f.path;
  if (first !== "config" || top === undefined) {
    const key = first === undefined ? f.field : String(first);
    return { key, top: key, sub: "" };
  }
  const sub = rest.map((s) => (typeof s === "number" ? `[${s}]` : `.${s}`)).join("").replace(/^\./, "");
  return { key: `config.${String(top)}`, top: String(top), sub };
}
