// Suggestions inside `{{secrets.…}}`: vault names right after `{{secrets.`, then the key
// names of that vault's secret (the subkeys endpoint: names only, never values), level by
// level. A listbox under the field; ArrowUp/ArrowDown move, Enter or Tab accept, Escape closes.
// Unknown vaults and keys are reported by the live preview under the field, with the reason.

import { h } from "../lib/dom";
import { listVaults, vaultKeys } from "../lib/ipc";

const VAULT_AT = /\{\{[^}]*?\bsecrets\.([A-Za-z0-9_-]*)$/;
const KEY_AT = /\{\{[^}]*?\bsecrets\.([A-Za-z][A-Za-z0-9_-]*)\.((?:[^.\s{}]+\.)*)([^.\s{}]*)$/;

/** Key names by vault (lower-case), for the life of the page: names change rarely. */
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

function keysAt(tree: unknown, path: string[]): string[] {
  let node = tree;
  for (const seg of path) {
    const key = seg.replace(/^\[|\]$/g, "");
    if (node === null || typeof node !== "object") return [];
    node = (node as Record<string, unknown>)[key];
  }
  return node !== null && typeof node === "object" ? Object.keys(node as object) : [];
}

let counter = 0;

export function attachAutocomplete(field: HTMLInputElement | HTMLTextAreaElement): void {
  const listId = `ac-${++counter}`;
  const list = h("ul", { class: "ac-list", role: "listbox", id: listId, hidden: "", "data-testid": "autocomplete" });
  field.setAttribute("aria-autocomplete", "list");
  field.setAttribute("aria-controls", listId);
  field.setAttribute("aria-expanded", "false");
  let items: string[] = [];
  let active = 0;
  let replaceFrom = 0;
  let seq = 0;

  const hide = (): void => {
    list.hidden = true;
    list.replaceChildren();
    items = [];
    field.setAttribute("aria-expanded", "false");
    field.removeAttribute("aria-activedescendant");
  };

  const show = (): void => {
    list.replaceChildren(
      ...items.map((text, i) => {
        const li = h("li", { role: "option", id: `${listId}-${i}`, class: "ac-item", "aria-selected": i === active ? "true" : "false" }, text);
        li.addEventListener("mousedown", (e) => {
          e.preventDefault();
          accept(i);
        });
        return li;
      }),
    );
    list.hidden = items.length === 0;
    field.setAttribute("aria-expanded", items.length > 0 ? "true" : "false");
    if (items.length > 0) field.setAttribute("aria-activedescendant", `${listId}-${active}`);
  };

  const accept = (i: number): void => {
    const choice = items[i];
    if (choice === undefined) return;
    const pos = field.selectionStart ?? field.value.length;
    const segment = /^[A-Za-z0-9_-]+$/.test(choice) ? choice : `[${choice}]`;
    field.value = field.value.slice(0, replaceFrom) + segment + field.value.slice(pos);
    const caret = replaceFrom + segment.length;
    field.setSelectionRange(caret, caret);
    hide();
    field.dispatchEvent(new Event("input", { bubbles: true }));
  };

  const update = async (): Promise<void> => {
    const id = ++seq;
    const pos = field.selectionStart ?? field.value.length;
    const before = field.value.slice(0, pos);
    let candidates: string[] = [];
    let prefix = "";
    const k = KEY_AT.exec(before);
    const v = k ? null : VAULT_AT.exec(before);
    if (v) {
      prefix = v[1] ?? "";
      candidates = await names();
    } else if (k) {
      const vault = (k[1] ?? "").toLowerCase();
      prefix = k[3] ?? "";
      const path = (k[2] ?? "").split(".").filter(Boolean);
      if (!keyCache.has(vault)) keyCache.set(vault, vaultKeys(k[1] ?? "").catch(() => null));
      candidates = keysAt(await keyCache.get(vault), path);
    } else {
      hide();
      return;
    }
    if (id !== seq) return;
    replaceFrom = pos - prefix.length;
    const lower = prefix.toLowerCase();
    items = candidates.filter((c) => c.toLowerCase().startsWith(lower) && c !== prefix).slice(0, 8);
    active = 0;
    show();
  };

  field.addEventListener("input", () => void update());
  // Later, so that a click on a suggestion lands first; not if the field has the focus again.
  field.addEventListener("blur", () => window.setTimeout(() => document.activeElement !== field && hide(), 100));
  field.addEventListener("keydown", (e) => {
    const ev = e as KeyboardEvent;
    if (list.hidden || items.length === 0) return;
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault();
      active = (active + (ev.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
      show();
    } else if (ev.key === "Enter" || ev.key === "Tab") {
      ev.preventDefault();
      accept(active);
    } else if (ev.key === "Escape") {
      ev.preventDefault();
      ev.stopPropagation();
      hide();
    }
  });
  // The list sits right under the field, inside its box.
  queueMicrotask(() => field.after(list));
  field.addEventListener("focus", () => {
    if (!list.isConnected) field.after(list);
  });
}
