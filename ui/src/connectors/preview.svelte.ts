// The editor's live preview as state: the rows of the last render (masked unless revealed), the
// references, and which values the user revealed. A revealed value lives here only: hiding it,
// Mask all, a failed render and closing the editor drop it from this state, and the DOM follows
// with the next render (no scrubbing).

import type { ConnectorInput } from "../bindings/ConnectorInput";
import type { Preview } from "../bindings/Preview";
import type { ReferenceState } from "../bindings/ReferenceState";
import { plainMessageOf } from "../lib/errors";
import { leaves } from "../lib/format";
import { previewConnector, refreshVault } from "../lib/ipc";
import { MASK } from "../lib/reveal.svelte";
import { SvelteMap } from "svelte/reactivity";

export interface PreviewApi {
  previewConnector: typeof previewConnector;
  refreshVault: typeof refreshVault;
}

export interface PreviewRow {
  path: string;
  /** As the core rendered it: masked for a secret unless the render revealed all. */
  value: unknown;
  secret: boolean;
  /** A secret typed in as a literal value (stored in clear in the local database). */
  literal: boolean;
}

/** The text of `path` in the form's input: a single reveal ends when it changes. */
export function fieldText(input: ConnectorInput, path: string): string {
  const exact = leaves(input.config).find(([f]) => f === path);
  if (exact) return JSON.stringify(exact[1]);
  // Rendered paths can be finer than the form's (headers.X-Name): compare the whole field.
  const top = path.split(/[.[]/)[0] ?? path;
  return JSON.stringify((input.config as Record<string, unknown>)[top] ?? null);
}

/** The rows of a render: every leaf, secrets (references and literal secrets) flagged. */
export function rowsOf(p: Preview): PreviewRow[] {
  const secret = new Set([...p.references.map((r) => r.field), ...p.literal_secrets]);
  return leaves(p.config).map(([path, value]) => ({ path, value, secret: secret.has(path), literal: p.literal_secrets.includes(path) }));
}

const valueAt = (p: Preview, path: string): unknown => leaves(p.config).find(([f]) => f === path)?.[1];

export class PreviewState {
  rows = $state<PreviewRow[]>([]);
  refs = $state<ReferenceState[]>([]);
  /** "" before the first render, then running / ok / error. */
  phase = $state<"" | "running" | "ok" | "error">("");
  /** The status line: what the render shows, or the outcome of a copy / reveal. */
  status = $state("");
  /** Why the last render failed ("" when it did not). */
  error = $state("");
  /** The last good render stays, dimmed and masked, while the form cannot render. */
  stale = $state(false);
  revealingAll = $state(false);
  rendered = $state(false);
  receivedAt = $state(0);
  /** Values revealed one by one, by field path. */
  readonly revealed = new SvelteMap<string, unknown>();
  #revealedText = new Map<string, string>();
  #seq = 0;

  constructor(private readonly api: PreviewApi = { previewConnector, refreshVault }) {}

  isRevealed(row: PreviewRow): boolean {
    return row.secret && !this.stale && (this.revealingAll || this.revealed.has(row.path));
  }

  /** What a row shows: the mask for a secret not revealed. */
  shown(row: PreviewRow): unknown {
    if (!row.secret) return row.value;
    if (!this.isRevealed(row)) return MASK;
    return this.revealingAll ? row.value : this.revealed.get(row.path);
  }

  #forget(path: string): void {
    this.revealed.delete(path);
    this.#revealedText.delete(path);
  }

  /** Drops every revealed value (Mask all, a failed render, the editor closing). */
  hideAll(): void {
    this.revealed.clear();
    this.#revealedText.clear();
    if (this.revealingAll || this.rows.some((r) => r.secret)) {
      this.rows = this.rows.map((r) => (r.secret ? { ...r, value: MASK } : r));
    }
  }

  /** Renders `input`; resolves with the error of a failed render (null otherwise, or superseded). */
  async run(input: ConnectorInput): Promise<{ error: unknown } | null> {
    const id = ++this.#seq;
    for (const [f, text] of this.#revealedText) if (fieldText(input, f) !== text) this.#forget(f);
    this.phase = "running";
    const all = this.revealingAll;
    try {
      const preview = await this.api.previewConnector(input, all, null);
      const singles = all ? [] : [...this.revealed.keys()];
      const values = await Promise.all(
        singles.map((f) =>
          this.api.previewConnector(input, true, f).then(
            (p) => [f, valueAt(p, f)] as const,
            () => [f, undefined] as const,
          ),
        ),
      );
      if (id !== this.#seq) return null;
      for (const [f, v] of values) {
        if (v === undefined) this.#forget(f);
        else if (this.revealed.has(f)) this.revealed.set(f, v);
      }
      // Reveal all was turned off while this render ran: it holds values no one asked for.
      this.rows = all && !this.revealingAll ? rowsOf(preview).map((r) => (r.secret ? { ...r, value: MASK } : r)) : rowsOf(preview);
      this.refs = preview.references;
      this.receivedAt = Date.now();
      this.rendered = true;
      this.stale = false;
      this.error = "";
      this.phase = "ok";
      const n = preview.references.length;
      this.status = `${this.revealingAll ? "Revealed" : "Masked"} · ${n === 0 ? "no references" : n === 1 ? "1 reference" : `${n} references`}`;
      return null;
    } catch (error: unknown) {
      if (id !== this.#seq) return null;
      this.hideAll();
      this.stale = this.rendered;
      this.phase = "error";
      this.error = `Cannot render: ${plainMessageOf(error)}`;
      return { error };
    }
  }

  /** Reveals one value (asked of Rust for that field alone), or hides it. */
  async toggle(path: string, input: ConnectorInput): Promise<void> {
    if (this.revealed.has(path)) {
      this.#forget(path);
      return;
    }
    try {
      const p = await this.api.previewConnector(input, true, path);
      if (this.stale || !this.rendered) return;
      this.revealed.set(path, valueAt(p, path));
      this.#revealedText.set(path, fieldText(input, path));
    } catch (e: unknown) {
      this.status = `Could not reveal ${path}: ${plainMessageOf(e)}`;
    }
  }

  /** Reveal all ↔ Mask all; the caller renders again. */
  toggleAll(): void {
    this.revealingAll = !this.revealingAll;
    if (!this.revealingAll) this.hideAll();
  }

  /** The value of `path` for a copy: what the row shows if revealed, else asked of Rust. */
  async valueFor(row: PreviewRow, input: ConnectorInput): Promise<unknown> {
    if (!row.secret || this.isRevealed(row)) return this.shown(row);
    const p = await this.api.previewConnector(input, true, row.path);
    return valueAt(p, row.path);
  }

  /** Drops the cached secrets of the vaults the preview reads; true if there were any. */
  async refreshVaults(): Promise<boolean> {
    const vaults = [...new Set(this.refs.map((r) => r.vault))];
    if (vaults.length === 0) return false;
    try {
      await Promise.all(vaults.map((v) => this.api.refreshVault(v)));
      return true;
    } catch (e: unknown) {
      this.status = `Refresh failed: ${plainMessageOf(e)}`;
      return false;
    }
  }

  /** The editor closes: no answer lands any more, nothing revealed stays. */
  close(): void {
    this.#seq++;
    this.revealingAll = false;
    this.hideAll();
    this.rows = [];
  }
}
