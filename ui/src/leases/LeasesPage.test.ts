// The Leases page as a component: the user name masked until revealed (and out of the DOM again
// when hidden), a revoke that asks once more, the empty states, the toolbar.

import { flushSync, mount, unmount } from "svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { LeaseRecord } from "../bindings/LeaseRecord";
import { MASK } from "../lib/reveal.svelte";
import LeasesPage from "./LeasesPage.svelte";
import { LeaseStore, type LeaseApi } from "./store.svelte";

const lease = (over: Partial<LeaseRecord> = {}): LeaseRecord =>
  ({
    lease_id: "db/creds/ro/abc",
    vault_id: "v1",
    vault: "e2e-pg",
    vault_exists: true,
    role: "ro",
    username: "v-approle-ro-XYZ",
    purpose: "export",
    subject: "orders",
    export_path: "/home/a/orders.json",
    issued_at: new Date().toISOString(),
    expires_at: new Date(Date.now() + 600_000).toISOString(),
    ttl_secs: 600,
    renewable: true,
    state: "live",
    updated_at: new Date().toISOString(),
    ...over,
  }) as LeaseRecord;

function api(list: LeaseRecord[], over: Partial<LeaseApi> = {}): LeaseApi {
  return {
    listLeases: vi.fn(async () => list),
    listVaults: vi.fn(async () => []),
    renewLease: vi.fn(async () => list[0]!),
    revokeLease: vi.fn(async () => ({ ...list[0]!, state: "revoked" as const })),
    revokeVaultLeases: vi.fn(async () => []),
    revokeLeftOverPreviews: vi.fn(async () => []),
    ...over,
  };
}

let app: ReturnType<typeof mount> | null = null;
afterEach(() => {
  if (app) unmount(app);
  app = null;
  document.body.replaceChildren();
});

async function render(store: LeaseStore): Promise<HTMLElement> {
  app = mount(LeasesPage, { target: document.body, props: { store, hidden: false } });
  await store.refresh();
  flushSync();
  return document.body;
}
const q = (id: string): HTMLElement => document.querySelector(`[data-testid="${id}"]`) as HTMLElement;
const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
  flushSync();
};

describe("LeasesPage", () => {
  it("masks the user name; reveal shows it, hide takes it out of the DOM", async () => {
    const page = await render(new LeaseStore(api([lease()])));
    expect(q("lease-user").textContent).toBe(MASK);
    expect(page.innerHTML).not.toContain("v-approle-ro-XYZ");
    q("lease-reveal-user").click();
    flushSync();
    expect(q("lease-user").textContent).toBe("v-approle-ro-XYZ");
    expect(q("lease-reveal-user").getAttribute("aria-pressed")).toBe("true");
    q("lease-reveal-user").click();
    flushSync();
    expect(q("lease-user").textContent).toBe(MASK);
    expect(page.innerHTML).not.toContain("v-approle-ro-XYZ");
    expect(q("lease-reveal-user").getAttribute("aria-label")).toBe("Show the user name");
  });

  it("shows a live lease's countdown and its export path", async () => {
    await render(new LeaseStore(api([lease()])));
    expect(q("lease-expires").textContent).toMatch(/^in (9m 59s|10m 00s)$/);
    expect(q("lease-export-path").textContent).toContain("/home/a/orders.json");
  });

  it("asks once more before a revoke, then shows the result", async () => {
    const a = api([lease()]);
    await render(new LeaseStore(a));
    q("lease-revoke").click();
    flushSync();
    expect(q("lease-revoke").textContent).toBe("Confirm");
    expect(a.revokeLease).not.toHaveBeenCalled();
    q("lease-revoke").click();
    await settle();
    expect(a.revokeLease).toHaveBeenCalledOnce();
    expect(q("lease-state").textContent).toBe("Revoked");
    expect(q("lease-result").dataset["ok"]).toBe("true");
    expect((q("lease-revoke") as HTMLButtonElement).disabled).toBe(true);
  });

  it("without any lease: the empty state and no toolbar", async () => {
    await render(new LeaseStore(api([])));
    expect(q("lease-empty-state").dataset["filtered"]).toBe("false");
    expect(q("lease-toolbar").hidden).toBe(true);
  });

  it("revoke all of a vault only once one is chosen", async () => {
    const store = new LeaseStore(api([lease()], { listVaults: vi.fn(async () => [{ name: "e2e-pg" }] as never) }));
    await render(store);
    expect((q("lease-revoke-vault") as HTMLButtonElement).disabled).toBe(true);
    store.vault = "e2e-pg";
    flushSync();
    expect((q("lease-revoke-vault") as HTMLButtonElement).disabled).toBe(false);
  });
});
