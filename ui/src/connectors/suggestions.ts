// Where the `{{secrets.…}}` autocomplete (SecretsInput.svelte) gets its names: vault names, and
// the key names of a vault's secret (the subkeys endpoint: names only, never values), cached
// for the life of the editor.

import { listVaults, vaultKeys } from "../lib/ipc";
import { contextAt, keysAt, matching } from "./suggest";

const keyCache = new Map<string, Promise<unknown>>();
let vaultNames: Promise<string[]> | null = null;

function names(): Promise<string[]> {
  vaultNames ??= listVaults().then(
    (vs) => vs.map((v) => v.name),
    () => [],
  );
  return vaultNames;
}

/** Forget cached names (a vault was added, renamed or removed). */
export function forgetSuggestions(): void {
  vaultNames = null;
  keyCache.clear();
}

/** What to offer for the text before the caret: the candidates and where they replace from. */
export async function suggestionsFor(before: string): Promise<{ items: string[]; from: number } | null> {
  const at = contextAt(before);
  if (!at) return null;
  let candidates: string[];
  if (at.kind === "vault") {
    candidates = await names();
  } else {
    const vault = at.vault.toLowerCase();
    if (!keyCache.has(vault)) keyCache.set(vault, vaultKeys(at.vault).catch(() => null));
    candidates = keysAt(await keyCache.get(vault), at.path);
  }
  return { items: matching(candidates, at.prefix), from: before.length - at.prefix.length };
}
