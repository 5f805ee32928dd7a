// The Leases page's state: the database credentials vaultdesk obtained (as Rust recorded them —
// never a password), the filters, the per-lease result of Renew/Revoke, the notice of a bulk
// revoke, and which user names are revealed.

import { SvelteMap } from "svelte/reactivity";
import type { LeaseOutcome } from "../app-bindings/LeaseOutcome";
import type { LeaseRecord } from "../bindings/LeaseRecord";
import type { LeaseState } from "../bindings/LeaseState";
import { messageOf } from "../lib/errors";
import { clock, countdown } from "../lib/format";
import { listLeases, listVaults, renewLease, revokeLease, revokeLeftOverPreviews, revokeVaultLeases } from "../lib/ipc";
import { serialised } from "../lib/refresh-queue";
import { RevealState } from "../lib/reveal.svelte";

export interface LeaseApi {
  listLeases: typeof listLeases;
  listVaults: typeof listVaults;
  renewLease: typeof renewLease;
  revokeLease: typeof revokeLease;
  revokeVaultLeases: typeof revokeVaultLeases;
  revokeLeftOverPreviews: typeof revokeLeftOverPreviews;
}

export const isActive = (l: LeaseRecord): boolean => l.state === "live" || l.state === "renewed";

export interface Notice {
  failed: boolean;
  text: string;
  errors: { id: string; error: string }[];
}

export class LeaseStore {
  leases = $state<LeaseRecord[]>([]);
  vaultNames = $state<string[]>([]);
  vault = $state("");
  state = $state<LeaseState | "">("");
  busy = $state(true);
  loaded = $state(false);
  error = $state<unknown>(null);
  status = $state("");
  notice = $state<Notice | null>(null);
  /** Leases whose Renew or Revoke runs. */
  readonly acting = new SvelteMap<string, "renew" | "revoke">();
  /** The last Renew/Revoke result per lease id, shown in its row until the next one. */
  readonly results = new SvelteMap<string, { ok: boolean; text: string }>();
  readonly revealed = new RevealState();
  /** The clock of the countdowns (ticks while the page is shown). */
  now = $state(Date.now());

  constructor(
    private readonly api: LeaseApi = { listLeases, listVaults, renewLease, revokeLease, revokeVaultLeases, revokeLeftOverPreviews },
  ) {}

  get filtered(): boolean {
    return this.vault !== "" || this.state !== "";
  }

  /** Loads the leases with the filters as set (the vault list too, for the filter). */
  readonly refresh = serialised(async () => {
    this.busy = true;
    this.status = "Loading leases…";
    try {
      const filtered = this.filtered;
      const [list, vaults, everything] = await Promise.all([
        this.api.listLeases(this.vault || null, this.state || null),
        this.api.listVaults().catch(() => []),
        filtered ? this.api.listLeases(null, null) : null,
      ]);
      this.leases = list;
      const names = [...new Set([...vaults.map((v) => v.name), ...(everything ?? list).map((l) => l.vault)])];
      this.vaultNames = names.sort((a, b) => a.localeCompare(b));
      if (!this.vaultNames.includes(this.vault)) this.vault = "";
      this.error = null;
      const live = list.filter(isActive).length;
      const count = list.length === 0 ? "No leases" : `${list.length} lease${list.length === 1 ? "" : "s"}, ${live} live`;
      this.status = `${count} · updated ${clock(new Date())}`;
    } catch (error: unknown) {
      this.error = error;
      this.status = "Loading failed";
    } finally {
      this.busy = false;
      this.loaded = true;
      this.now = Date.now();
    }
  });

  async renew(l: LeaseRecord): Promise<void> {
    await this.#act(l, "renew", () => this.api.renewLease(l.lease_id), (n) => `Renewed: ends ${countdown(n.expires_at)}`);
  }

  async revoke(l: LeaseRecord): Promise<void> {
    await this.#act(l, "revoke", () => this.api.revokeLease(l.lease_id), () => "Revoked: the user can no longer log in");
  }

  async #act(l: LeaseRecord, what: "renew" | "revoke", call: () => Promise<LeaseRecord>, said: (n: LeaseRecord) => string): Promise<void> {
    this.acting.set(l.lease_id, what);
    try {
      const next = await call();
      this.results.set(next.lease_id, { ok: true, text: said(next) });
      this.leases = this.leases.map((x) => (x.lease_id === next.lease_id ? next : x));
    } catch (error: unknown) {
      this.results.set(l.lease_id, { ok: false, text: messageOf(error) });
    } finally {
      this.acting.delete(l.lease_id);
    }
  }

  /** Revokes every live lease of the vault chosen in the filter. */
  async revokeVault(): Promise<void> {
    const vault = this.vault;
    if (!vault) return;
    await this.#bulk(() => this.api.revokeVaultLeases(vault), `Vault ${vault}`, `Vault ${vault} has no live lease.`);
  }

  /** Revokes preview and test credentials that an ended vaultdesk process left live. */
  async revokeLeftovers(): Promise<void> {
    await this.#bulk(() => this.api.revokeLeftOverPreviews(), "Left-over previews", "No preview or test credentials outlived their process.");
  }

  async #bulk(call: () => Promise<LeaseOutcome[]>, what: string, none: string): Promise<void> {
    try {
      const outcomes = await call();
      const failed = outcomes.filter((o) => o.error);
      const done = outcomes.length - failed.length;
      this.notice = {
        failed: failed.length > 0,
        text: outcomes.length === 0 ? none : `${what}: revoked ${done} of ${outcomes.length}.`,
        errors: failed.map((o) => ({ id: o.lease.lease_id, error: o.error ?? "" })),
      };
      for (const o of outcomes) this.results.set(o.lease.lease_id, o.error ? { ok: false, text: o.error } : { ok: true, text: "Revoked" });
    } catch (error: unknown) {
      this.notice = { failed: true, text: messageOf(error), errors: [] };
    }
    await this.refresh();
  }
}
