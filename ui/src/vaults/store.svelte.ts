// The Secret Manager page's state: the stored vaults, the page's status line, and the last
// Test of each vault for this run of the app only (a result says how the server answered at
// one moment; an old one on disk would read as current). Components read it; the vault form
// (./VaultForm.svelte) reports to it through `host`.

import { SvelteMap } from "svelte/reactivity";
import type { VaultSummary } from "../app-bindings/VaultSummary";
import { plainMessageOf } from "../lib/errors";
import { clock, countText } from "../lib/format";
import { cancelTest, listVaults, refreshVault, removeVault, requestId, testVault } from "../lib/ipc";
import { serialised } from "../lib/refresh-queue";
import { inputOf, lastTestOf, type LastTest } from "./convert";
import type { FormHost, FormMode } from "./form-spec";

export interface VaultApi {
  listVaults: typeof listVaults;
  removeVault: typeof removeVault;
  testVault: typeof testVault;
  cancelTest: typeof cancelTest;
  refreshVault: typeof refreshVault;
}

export class VaultStore {
  vaults = $state<VaultSummary[]>([]);
  /** The list is being read (aria-busy). */
  busy = $state(true);
  /** Why the list could not be read, or null. */
  error = $state<unknown>(null);
  status = $state("");
  /** One more per load: the list is rendered anew from what was read (no stale row stays). */
  generation = $state(0);
  /** The vault just saved: its row is marked and built at once. */
  highlight = $state<string | null>(null);
  readonly lastTests = new SvelteMap<string, LastTest>();
  /** Tests started from the list, by vault id: their request id, to cancel them. */
  readonly running = new SvelteMap<string, string>();
  /** The open dialog of the page: "+ Vault" step 1, the deletion of a vault, or an OIDC sign-in. */
  dialog = $state<{ kind: "add" } | { kind: "delete" | "oidc"; vault: VaultSummary } | null>(null);
  /** The open configuration form: a new vault (name and flavour from step 1) or a stored one. */
  form = $state<FormMode | null>(null);
  /** Vaults whose "Refresh now" runs. */
  readonly refreshing = new SvelteMap<string, true>();

  constructor(private readonly api: VaultApi = { listVaults, removeVault, testVault, cancelTest, refreshVault }) {}

  /** Re-reads the list; `done` leads the status line, `highlight` marks a row. */
  readonly refresh = serialised(async (opts: { done?: string; highlight?: string } = {}) => {
    this.busy = true;
    this.status = "Loading vaults…";
    try {
      const vaults = await this.api.listVaults();
      this.vaults = vaults;
      this.generation += 1;
      this.error = null;
      this.highlight = opts.highlight ?? null;
      const count = countText(vaults.length, "vault");
      this.status = opts.done ? `${opts.done} · ${count}` : `${count} · updated ${clock(new Date())}`;
    } catch (error: unknown) {
      this.error = error;
      this.status = "Loading failed";
    } finally {
      this.busy = false;
    }
  });

  /** What the vault dialogs tell the page. */
  readonly host: FormHost = {
    saved: (vault, test) => {
      if (test) this.lastTests.set(vault.id, test);
      void this.refresh({ done: `Saved ${vault.name}`, highlight: vault.name });
    },
    tested: (vaultId, test) => {
      this.lastTests.set(vaultId, test);
      void this.refresh();
    },
  };

  /** Runs the staged Test on the stored configuration (IDs from the keyring); a second call cancels. */
  async test(v: VaultSummary): Promise<void> {
    const running = this.running.get(v.id);
    if (running) {
      this.running.delete(v.id);
      void this.api.cancelTest(running).catch(() => undefined);
      return;
    }
    const id = requestId("r");
    this.running.set(v.id, id);
    try {
      const report = await this.api.testVault(inputOf(v), null, null, v.name, false, id);
      if (this.running.get(v.id) !== id) return;
      if (report) this.lastTests.set(v.id, lastTestOf(report));
    } catch (error: unknown) {
      if (this.running.get(v.id) !== id) return;
      this.lastTests.set(v.id, { status: "failed", at: new Date(), summary: plainMessageOf(error) });
    }
    this.running.delete(v.id);
    this.status = `Tested ${v.name}`;
  }

  /** "Refresh now": drops the vault's cached secret and token. */
  async refreshNow(v: VaultSummary): Promise<void> {
    this.refreshing.set(v.name, true);
    this.status = `Refreshing ${v.name}…`;
    try {
      this.status = (await this.api.refreshVault(v.name)).message;
    } catch (error: unknown) {
      this.status = `Refresh of ${v.name} failed: ${plainMessageOf(error)}`;
    } finally {
      this.refreshing.delete(v.name);
    }
  }

  /** Deletes a vault (`force`: connectors use it); throws what went wrong. */
  async remove(v: VaultSummary, force: boolean): Promise<void> {
    await this.api.removeVault(v.name, force);
    this.lastTests.delete(v.id);
    void this.refresh({ done: `Deleted ${v.name}` });
  }

  /** The connectors using the vault now, as the list says. */
  async usersOf(v: VaultSummary): Promise<string[] | null> {
    return (await this.api.listVaults()).find((x) => x.id === v.id)?.used_by ?? null;
  }
}
