// Suggestions inside `{{secrets.…}}`: vault names right after `{{secrets.`, then the key
// names of that vault's secret (the subkeys endpoint: names only, never values), level by
// level. A listbox under the field; ArrowUp/ArrowDown move, Enter or Tab accept, Escape closes.
// Unknown vaults and keys are reported by the live preview under the field, with the reason.

import { h } from "../lib/dom";
import { listVaults, vaultKeys } from "../lib/ipc";
import { accepted, contextAt, keysAt, matching } from "./suggest";

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
    const next = accepted(field.value, replaceFrom, pos, choice);
    field.value = next.value;
    field.setSelectionRange(next.caret, next.caret);
    hide();
    field.dispatchEvent(new Event("input", { bubbles: true }));
  };

  const update = async (): Promise<void> => {
    const id = ++seq;
    const pos = field.selectionStart ?? field.value.length;
    const before = field.value.slice(0, pos);
    const at = contextAt(before);
    if (!at) {
      hide();
      return;
    }
    let candidates: string[];
    if (at.kind === "vault") {
      candidates = await names();
    } else {
      const vault = at.vault.toLowerCase();
      if (!keyCache.has(vault)) keyCache.set(vault, vaultKeys(at.vault).catch(() => null));
      candidates = keysAt(await keyCache.get(vault), at.path);
    }
    const prefix = at.prefix;
    if (id !== seq) return;
    replaceFrom = pos - prefix.length;
    items = matching(candidates, prefix);
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
