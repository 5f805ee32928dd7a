// The pure part of the `{{secrets.…}}` autocomplete (./autocomplete.ts): what the text before
// the caret asks for (a vault name right after `{{secrets.`, then key names level by level),
// which candidates fit, and the text once one is accepted (keys that are not plain names go in
// brackets: `[db.host]`).

const VAULT_AT = /\{\{[^}]*?\bsecrets\.([A-Za-z0-9_-]*)$/;
const KEY_AT = /\{\{[^}]*?\bsecrets\.([A-Za-z][A-Za-z0-9_-]*)\.((?:[^.\s{}]+\.)*)([^.\s{}]*)$/;

export type SuggestContext =
  | { kind: "vault"; prefix: string }
  | { kind: "key"; vault: string; path: string[]; prefix: string };

/** What is being typed at the end of `before` (the text up to the caret), or null. */
export function contextAt(before: string): SuggestContext | null {
  const k = KEY_AT.exec(before);
  if (k) {
    return { kind: "key", vault: k[1] ?? "", path: (k[2] ?? "").split(".").filter(Boolean), prefix: k[3] ?? "" };
  }
  const v = VAULT_AT.exec(before);
  return v ? { kind: "vault", prefix: v[1] ?? "" } : null;
}

/** The key names at `path` in a tree of key names (the subkeys endpoint: names, never values). */
export function keysAt(tree: unknown, path: string[]): string[] {
  let node = tree;
  for (const seg of path) {
    const key = seg.replace(/^\[|\]$/g, "");
    if (node === null || typeof node !== "object") return [];
    node = (node as Record<string, unknown>)[key];
  }
  return node !== null && typeof node === "object" ? Object.keys(node as object) : [];
}

/** The candidates starting with `prefix` (any case), not `prefix` itself, at most `max`. */
export function matching(candidates: string[], prefix: string, max = 8): string[] {
  const lower = prefix.toLowerCase();
  return candidates.filter((c) => c.toLowerCase().startsWith(lower) && c !== prefix).slice(0, max);
}

/** A key as a reference segment: plain names as they are, others in brackets. */
export function segmentOf(choice: string): string {
  return /^[A-Za-z0-9_-]+$/.test(choice) ? choice : `[${choice}]`;
}

/** `value` with the text from `from` to the caret `pos` replaced by `choice`; the new caret. */
export function accepted(value: string, from: number, pos: number, choice: string): { value: string; caret: number } {
  const segment = segmentOf(choice);
  return { value: value.slice(0, from) + segment + value.slice(pos), caret: from + segment.length };
}
