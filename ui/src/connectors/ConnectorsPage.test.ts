// The Connectors list as a component: rows, the delete dialog (focus inside, given back on
// close, Escape closes, an error announced), Export all's notice.

import { flushSync, mount, unmount } from "svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ConnectorSummary } from "../app-bindings/ConnectorSummary";
import ConnectorsPage from "./ConnectorsPage.svelte";
import { ConnectorStore, type ConnectorApi } from "./store.svelte";

const connector = (name: string, over: Partial<ConnectorSummary> = {}): ConnectorSummary =>
  ({
    id: `id-${name}`,
    name,
    kind: "postgresql",
    vault: "e2e-kv",
    references: 2,
    referenced_vaults: ["e2e-kv"],
    config: {},
    created_at: "",
    updated_at: "",
    ...over,
  }) as ConnectorSummary;

function api(over: Partial<ConnectorApi> = {}): ConnectorApi {
  return {
    listConnectors: vi.fn(async () => [connector("orders-pg"), connector("billing-api", { kind: "rest", vault: null, references: 0, referenced_vaults: [] })]),
    removeConnector: vi.fn(async () => null),
    exportAllConnectors: vi.fn(async () => ({ path: "/tmp/out", files: ["a.json", "b.json"] })),
    connectorKinds: vi.fn(async () => []),
    ...over,
  };
}

let app: ReturnType<typeof mount> | null = null;
afterEach(() => {
  if (app) unmount(app);
  app = null;
  document.body.replaceChildren();
});
const q = (id: string, root: ParentNode = document): HTMLElement => root.querySelector(`[data-testid="${id}"]`) as HTMLElement;
const settle = async (): Promise<void> => {
  for (let i = 0; i < 6; i++) await Promise.resolve();
  flushSync();
};

async function render(store: ConnectorStore): Promise<void> {
  app = mount(ConnectorsPage, { target: document.body, props: { store, hidden: false } });
  await store.refresh();
  flushSync();
}

describe("ConnectorsPage", () => {
  it("lists the connectors with kind, vault and references", async () => {
    await render(new ConnectorStore(api()));
    expect(document.querySelectorAll('[data-testid="connector-row"]')).toHaveLength(2);
    const rest = document.querySelector('[data-connector-name="billing-api"]') as HTMLElement;
    expect(q("connector-kind", rest).textContent).toBe("REST API");
    expect(q("connector-vault", rest).querySelector("[aria-label=none]")).not.toBeNull();
    expect(q("connector-status").textContent?.trim()).toBe("2 connectors");
    expect(q("add-connector").getAttribute("aria-label")).toBe("Add connector");
  });

  it("deletes through a dialog that holds the focus and gives it back", async () => {
    const a = api();
    await render(new ConnectorStore(a));
    const opener = q("remove-connector", document.querySelector('[data-connector-name="orders-pg"]') as HTMLElement);
    opener.focus();
    opener.click();
    flushSync();
    const dialog = q("connector-delete-dialog");
    expect(dialog.getAttribute("role")).toBe("alertdialog");
    expect(document.activeElement).toBe(q("connector-delete-cancel"));
    // Tab from the last control comes back to the first; Shift+Tab from the first goes to the last.
    q("connector-delete-confirm").focus();
    q("connector-delete-confirm").dispatchEvent(new KeyboardEvent("keydown", { key: "Tab", bubbles: true }));
    expect(document.activeElement).toBe(dialog.querySelector('[aria-label="Close"]'));
    (document.activeElement as HTMLElement).dispatchEvent(new KeyboardEvent("keydown", { key: "Tab", shiftKey: true, bubbles: true }));
    expect(document.activeElement).toBe(q("connector-delete-confirm"));
    // Escape closes, the focus returns to the button that opened it.
    dialog.dispatchEvent(new Event("cancel", { cancelable: true }));
    flushSync();
    expect(q("connector-delete-dialog")).toBeNull();
    expect(document.activeElement).toBe(opener);
    expect(a.removeConnector).not.toHaveBeenCalled();
  });

  it("announces a failed delete in the dialog", async () => {
    const a = api({ removeConnector: vi.fn(async () => Promise.reject(new Error("database is locked"))) });
    await render(new ConnectorStore(a));
    q("remove-connector").click();
    flushSync();
    q("connector-delete-confirm").click();
    await settle();
    const error = q("connector-delete-error");
    expect(error.hidden).toBe(false);
    expect(error.getAttribute("role")).toBe("alert");
    expect(error.textContent).toBe("Not deleted: database is locked");
  });

  it("says where Export all wrote the files", async () => {
    const a = api();
    await render(new ConnectorStore(a));
    q("export-all").click();
    await settle();
    expect(a.exportAllConnectors).toHaveBeenCalledWith("json");
    expect(q("export-all-notice").textContent).toBe("Exported 2 connectors to /tmp/out (mode 0600)");
  });
});
