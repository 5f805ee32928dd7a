// The Secret Manager page as a component: rows from the store, the empty state, the Test of a
// row (running, then its result; a second click cancels), names of the icon-only buttons.

import { flushSync, mount, unmount } from "svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { TestReport } from "../bindings/TestReport";
import { inputOf, lastTestOf } from "./convert";
import { summary } from "./fixtures";
import { VaultStore, type VaultApi } from "./store.svelte";
import VaultsPage from "./VaultsPage.svelte";

const report = (status: "passed" | "warning" | "failed"): TestReport =>
  ({ stages: [{ stage: "reach", status, summary: "answered", error: status === "failed" ? { message: "refused" } : null }] }) as unknown as TestReport;

function api(over: Partial<VaultApi> = {}): VaultApi {
  return {
    listVaults: vi.fn(async () => [summary(), summary({ id: "v2", name: "orders-db", engine_type: "postgresql", db_role: "ro", engine_name: "database", path: null, used_by: ["orders"] })]),
    removeVault: vi.fn(async () => null),
    testVault: vi.fn(async () => report("passed")),
    cancelTest: vi.fn(async () => null),
    refreshVault: vi.fn(async () => ({ message: "Refreshed" }) as never),
    ...over,
  };
}

let app: ReturnType<typeof mount> | null = null;
afterEach(() => {
  if (app) unmount(app);
  app = null;
  document.body.replaceChildren();
});

async function render(store: VaultStore): Promise<HTMLElement> {
  app = mount(VaultsPage, { target: document.body, props: { store, hidden: false } });
  await store.refresh();
  flushSync();
  return document.body;
}

const q = (root: ParentNode, id: string): HTMLElement | null => root.querySelector(`[data-testid="${id}"]`);

describe("VaultsPage", () => {
  it("lists the vaults with engine, target and where they are used", async () => {
    const page = await render(new VaultStore(api()));
    const rows = page.querySelectorAll('[data-testid="vault-row"]');
    expect(rows).toHaveLength(2);
    const pg = page.querySelector('[data-vault-name="orders-db"]') as HTMLElement;
    expect(q(pg, "vault-engine-type")?.textContent).toContain("PostgreSQL");
    expect(q(pg, "vault-engine-type")?.textContent).toContain("database/creds/ro");
    expect(q(pg, "vault-used-by")?.textContent).toBe("used by 1 connector");
    expect(q(page, "status")?.textContent).toMatch(/^2 vaults · updated/);
    expect(page.querySelector("#vault-view")?.getAttribute("aria-busy")).toBe("false");
  });

  it("names every icon-only button; the primary button is 'Add vault'", async () => {
    const page = await render(new VaultStore(api()));
    expect(q(page, "add-vault")?.getAttribute("aria-label")).toBe("Add vault");
    for (const b of page.querySelectorAll<HTMLButtonElement>(".btn-icon-only")) {
      expect(b.getAttribute("aria-label")?.trim()).toBeTruthy();
    }
    expect(q(page, "test-vault")?.getAttribute("aria-label")).toBe("Test prod-kv");
  });

  it("says when an imported vault needs its credentials", async () => {
    const page = await render(new VaultStore(api({ listVaults: vi.fn(async () => [summary({ needs_credentials: true }), summary({ id: "v2", name: "other" })]) })));
    const flagged = [...page.querySelectorAll('[data-testid="vault-needs-credentials"]')];
    expect(flagged.map((e) => e.closest("[data-vault-name]")?.getAttribute("data-vault-name"))).toEqual(["prod-kv"]);
    expect(flagged[0]?.textContent).toBe("Needs credentials");
  });

  it("shows the empty state without vaults", async () => {
    const page = await render(new VaultStore(api({ listVaults: vi.fn(async () => []) })));
    expect(q(page, "empty-state")?.textContent).toContain("No vaults yet");
    expect(q(page, "status")?.textContent).toMatch(/^No vaults/);
  });

  it("shows why the list could not be read", async () => {
    const page = await render(new VaultStore(api({ listVaults: vi.fn(async () => Promise.reject(new Error("database is locked"))) })));
    expect(q(page, "error-message")?.textContent).toBe("database is locked");
    expect(q(page, "error-state")?.getAttribute("role")).toBe("alert");
  });

  it("renders the list anew on Refresh", async () => {
    const store = new VaultStore(api());
    const page = await render(store);
    const before = page.querySelector('[data-vault-name="prod-kv"]');
    await store.refresh();
    flushSync();
    expect(page.querySelector('[data-vault-name="prod-kv"]')).not.toBe(before);
  });

  it("runs a row's Test: running, then the result; a second click cancels", async () => {
    let finish: (r: TestReport) => void = () => undefined;
    const testVault = vi.fn(() => new Promise<TestReport>((resolve) => (finish = resolve)));
    const store = new VaultStore(api({ testVault }));
    const page = await render(store);
    const row = page.querySelector('[data-vault-name="prod-kv"]') as HTMLElement;
    (q(row, "test-vault") as HTMLButtonElement).click();
    flushSync();
    expect(q(page.querySelector('[data-vault-name="prod-kv"]')!, "vault-last-test")?.dataset["status"]).toBe("running");
    expect((testVault.mock.calls[0] as unknown[] | undefined)?.[0]).toEqual(inputOf(summary()));
    finish(report("warning"));
    await Promise.resolve();
    await Promise.resolve();
    flushSync();
    const cell = q(page.querySelector('[data-vault-name="prod-kv"]')!, "vault-last-test");
    expect(cell?.dataset["status"]).toBe("warning");
    expect(cell?.textContent).toContain("with warnings");

    const cancelTest = vi.fn(async () => null);
    const store2 = new VaultStore(api({ testVault: vi.fn(() => new Promise<TestReport>(() => undefined)), cancelTest }));
    unmount(app!);
    document.body.replaceChildren();
    const page2 = await render(store2);
    const button = q(page2, "test-vault") as HTMLButtonElement;
    button.click();
    flushSync();
    button.click();
    flushSync();
    expect(cancelTest).toHaveBeenCalledOnce();
    expect(q(page2, "vault-last-test")?.dataset["status"]).toBe("none");
  });
});

describe("delete dialog", () => {
  it("offers only Delete anyway for a vault in use, Cancel focused first, Escape closes", async () => {
    const a = api();
    const store = new VaultStore(a);
    const page = await render(store);
    const row = page.querySelector('[data-vault-name="orders-db"]') as HTMLElement;
    const opener = q(row, "delete-vault") as HTMLButtonElement;
    opener.focus();
    opener.click();
    flushSync();
    expect(q(page, "delete-vault-name")?.textContent).toBe("orders-db");
    expect([...page.querySelectorAll('[data-testid="delete-connector"]')].map((e) => e.textContent)).toEqual(["orders"]);
    expect(q(page, "delete-confirm")?.textContent?.trim()).toBe("Delete anyway");
    expect(document.activeElement).toBe(q(page, "delete-cancel"));
    q(page, "delete-dialog")?.dispatchEvent(new Event("cancel", { cancelable: true }));
    flushSync();
    expect(q(page, "delete-dialog")).toBeNull();
    expect(document.activeElement).toBe(opener);
    expect(a.removeVault).not.toHaveBeenCalled();
  });

  it("deletes: forced for a vault in use, and the list is read again", async () => {
    const a = api();
    const store = new VaultStore(a);
    const page = await render(store);
    (q(page.querySelector('[data-vault-name="orders-db"]')!, "delete-vault") as HTMLButtonElement).click();
    flushSync();
    (q(page, "delete-confirm") as HTMLButtonElement).click();
    for (let i = 0; i < 8; i++) await Promise.resolve();
    flushSync();
    expect(a.removeVault).toHaveBeenCalledWith("orders-db", true);
    expect(q(page, "delete-dialog")).toBeNull();
    expect(a.listVaults).toHaveBeenCalledTimes(2);
  });
});

describe("new vault dialog", () => {
  it("asks for a name before it continues; the name field has the focus", async () => {
    const page = await render(new VaultStore(api()));
    (q(page, "add-vault") as HTMLButtonElement).click();
    flushSync();
    expect(document.activeElement).toBe(q(page, "new-vault-name"));
    expect([...page.querySelectorAll('[data-testid="new-vault-type"] option')].map((o) => o.textContent)).toEqual([
      "HashiCorp Vault",
      "OpenBao",
      "AWS Secrets Manager",
    ]);
    (q(page, "new-vault-continue") as HTMLButtonElement).click();
    flushSync();
    expect(page.querySelector("#new-vault-name-error")?.textContent).toBe("Enter a name for the vault.");
    expect(page.querySelector("#new-vault-name-error")?.getAttribute("aria-live")).toBe("polite");
    expect(q(page, "new-vault-dialog")).not.toBeNull();
  });
});

describe("OIDC sign-in", () => {
  it("opens from the row with Start focused; a failure is said and offers Try again", async () => {
    const store = new VaultStore(api({ listVaults: vi.fn(async () => [summary({ auth_method: "oidc", auth_role: "app", name: "sso" })]) }));
    const page = await render(store);
    (q(page, "oidc-login") as HTMLButtonElement).click();
    flushSync();
    expect(q(page, "oidc-dialog")).not.toBeNull();
    expect(document.activeElement).toBe(q(page, "oidc-start"));
    expect(q(page, "oidc-login")?.getAttribute("aria-label")).toBe("Sign in to sso");
  });
});

describe("conversions", () => {
  it("a stored vault as the form's input", () => {
    const input = inputOf(summary({ namespace: null, aws: null, kv_version: 2 }));
    expect(input.namespace).toBe("");
    expect(input.kv_version).toBe("2");
    expect(input.aws_region).toBe("");
    expect(input.path).toBe("app/config");
  });
  it("a Test report as the list's last test", () => {
    expect(lastTestOf(report("passed")).status).toBe("passed");
    expect(lastTestOf(report("failed"))).toMatchObject({ status: "failed", summary: "Reach the server: refused" });
  });
});
