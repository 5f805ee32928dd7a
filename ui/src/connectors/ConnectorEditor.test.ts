// The connector editor as a component: fields built from the kind's field list, Save's field
// errors under their fields (focus on the first), a revealed value in the DOM only while it is
// revealed (hidden, failed render, editor closed), the literal-secret warning, the vault
// pre-fill, Escape with unsaved changes.

import { flushSync, mount, unmount } from "svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { KindFields } from "../app-bindings/KindFields";
import type { ConnectorInput } from "../bindings/ConnectorInput";
import type { Preview } from "../bindings/Preview";
import { CommandError } from "../lib/ipc";
import ConnectorEditor from "./ConnectorEditor.svelte";

const SECRET = "pg-password-42";
let failPreview = false;

vi.mock("../lib/ipc", async (original) => {
  const real = await original<typeof import("../lib/ipc")>();
  return {
    ...real,
    compatibleVaults: vi.fn(async () => [{ name: "kv", engine_type: "kv2" }]),
    prefillConnector: vi.fn(async () => ({ username: "{{secrets.kv.username}}", password: "{{secrets.kv.password}}" })),
    previewConnector: vi.fn(async (i: ConnectorInput, reveal: boolean, field: string | null): Promise<Preview> => {
      if (failPreview) {
        throw new real.CommandError("preview_connector", { code: "invalid", message: "m", fields: [{ field: "config.database", path: ["config", "database"], message: 'has no key "dbname"' }], vault: null, connectors: [], credentials_target: null } as never, "m");
      }
      const config: Record<string, unknown> = { ...i.config };
      if ("password" in config) config.password = reveal ? SECRET : "••••••••";
      if (field) for (const k of Object.keys(config)) if (k !== field) delete config[k];
      const refs = typeof i.config.password === "string" && i.config.password.includes("{{") ? [{ field: "password", reference: "secrets.kv.password", vault: "kv", key: "password", fetched_at: "", expires_in_secs: 30 }] : [];
      return { connector: i.name, kind: "postgresql", revealed: reveal, config, references: refs, literal_secrets: refs.length === 0 && "password" in config ? ["password"] : [] };
    }),
    addConnector: vi.fn(async () => {
      throw new real.CommandError("add_connector", { code: "invalid", message: "m", fields: [{ field: "name", path: ["name"], message: "is required" }, { field: "config.host", path: ["config", "host"], message: "is required" }], vault: null, connectors: [], credentials_target: null } as never, "m");
    }),
    endPreviews: vi.fn(async () => null),
  };
});

const kinds: KindFields[] = [
  {
    kind: "postgresql",
    fields: [
      { name: "host", field_type: "text", required: true, options: [], help: "" },
      { name: "port", field_type: "port", required: false, options: [], help: "" },
      { name: "database", field_type: "text", required: false, options: [], help: "" },
      { name: "password", field_type: "text", required: false, options: [], help: "" },
      { name: "tls_mode", field_type: "choice", required: false, options: ["disable", "require"], help: "" },
    ],
  },
  { kind: "rest", fields: [{ name: "headers", field_type: "map", required: false, options: [], help: "" }, { name: "auth", field_type: "auth", required: false, options: [], help: "" }] },
];

let app: ReturnType<typeof mount> | null = null;
let closed = 0;
beforeEach(() => {
  failPreview = false;
  closed = 0;
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval"] });
});
afterEach(() => {
  if (app) unmount(app);
  app = null;
  vi.useRealTimers();
  document.body.replaceChildren();
});
const q = (id: string): HTMLElement | null => document.querySelector(`[data-testid="${id}"]`);
const settle = async (): Promise<void> => {
  for (let i = 0; i < 3; i++) {
    await vi.advanceTimersByTimeAsync(400);
    flushSync();
  }
};
async function open(): Promise<void> {
  HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
    this.setAttribute("open", "");
  };
  app = mount(ConnectorEditor, { target: document.body, props: { kinds, editing: null, onsaved: () => undefined, onclose: () => (closed += 1) } });
  await settle();
}
function type(id: string, value: string): void {
  const el = q(id) as HTMLInputElement;
  el.value = value;
  el.dispatchEvent(new Event("input", { bubbles: true }));
}
const row = (field: string): HTMLElement => document.querySelector(`[data-testid="preview-row"][data-field="${field}"]`) as HTMLElement;

describe("ConnectorEditor", () => {
  it("builds a control per field type, each labelled", async () => {
    await open();
    expect(q("connector-field-host")?.tagName).toBe("INPUT");
    expect(q("connector-field-tls_mode")?.tagName).toBe("SELECT");
    for (const el of document.querySelectorAll<HTMLElement>("[data-testid=connector-form] input, [data-testid=connector-form] select")) {
      expect(document.querySelector(`label[for="${el.id}"]`), el.id).not.toBeNull();
    }
    const kind = q("connector-field-kind") as HTMLSelectElement;
    kind.value = "rest";
    kind.dispatchEvent(new Event("change", { bubbles: true }));
    await settle();
    expect(q("connector-field-headers")?.tagName).toBe("TEXTAREA");
    expect(q("connector-field-auth")?.tagName).toBe("SELECT");
    expect(q("connector-field-host")).toBeNull();
  });

  it("puts Save's errors under their fields and focuses the first", async () => {
    await open();
    (q("connector-save") as HTMLButtonElement).click();
    await settle();
    expect(q("connector-error-name")?.textContent).toBe("Required.");
    expect(q("connector-error-host")?.textContent).toBe("Required.");
    expect(q("connector-field-host")?.getAttribute("aria-invalid")).toBe("true");
    expect(q("connector-form-status")?.textContent).toBe("Save needs 2 fixes: see the highlighted fields.");
    expect(document.activeElement?.id).toBe("connector-name");
    type("connector-field-host", "db");
    flushSync();
    expect(q("connector-error-host")?.textContent).toBe("");
    expect(q("connector-field-host")?.hasAttribute("aria-invalid")).toBe(false);
  });

  it("pre-fills from the chosen vault", async () => {
    await open();
    const vault = q("connector-field-vault") as HTMLSelectElement;
    vault.value = "kv";
    vault.dispatchEvent(new Event("change", { bubbles: true }));
    await settle();
    expect((q("connector-field-password") as HTMLInputElement).value).toBe("{{secrets.kv.password}}");
    expect(q("connector-vault-help")?.textContent).toBe("Pre-filled password from kv (secrets as references).");
  });

  it("a revealed value is in the DOM only while revealed", async () => {
    await open();
    type("connector-field-password", "{{secrets.kv.password}}");
    await settle();
    expect(row("password").dataset.secret).toBe("true");
    expect(document.body.innerHTML).not.toContain(SECRET);
    (row("password").querySelector('[data-testid="reveal-value"]') as HTMLButtonElement).click();
    await settle();
    expect(row("password").dataset.revealed).toBe("true");
    expect(row("password").querySelector('[data-testid="preview-value"]')?.textContent?.trim()).toBe(SECRET);
    (row("password").querySelector('[data-testid="reveal-value"]') as HTMLButtonElement).click();
    await settle();
    expect(document.body.innerHTML).not.toContain(SECRET);
    // Reveal all, then a render that fails: the rows stay, masked and dimmed.
    (q("reveal-all") as HTMLButtonElement).click();
    await settle();
    expect(document.body.innerHTML).toContain(SECRET);
    failPreview = true;
    type("connector-field-database", "{{secrets.kv.dbname}}");
    await settle();
    expect(q("preview-state")?.dataset.state).toBe("error");
    expect(q("preview-error")?.textContent).toBe("Cannot render: see Database.");
    expect(q("connector-error-database")?.textContent).toBe('Has no key "dbname".');
    expect(q("preview-values")?.classList.contains("is-stale")).toBe(true);
    expect(document.body.innerHTML).not.toContain(SECRET);
    // Closing: the editor leaves, with whatever it showed.
    failPreview = false;
    type("connector-field-database", "orders");
    await settle();
    expect(document.body.innerHTML).toContain(SECRET);
    (q("connector-cancel") as HTMLButtonElement).click();
    expect(closed).toBe(1);
  });

  it("flags a secret typed in as a literal value", async () => {
    await open();
    type("connector-field-password", "hunter2");
    await settle();
    expect(row("password").querySelector('[data-testid="literal-secret-warning"]')?.textContent).toMatch(/Stored in clear/);
    expect(row("password").querySelector('[data-testid="preview-value"]')?.textContent?.trim()).toBe("••••••••");
  });

  it("Escape with unsaved changes asks once more", async () => {
    await open();
    type("connector-field-host", "db");
    const dialog = q("connector-form") as HTMLDialogElement;
    dialog.dispatchEvent(new Event("cancel", { cancelable: true }));
    flushSync();
    expect(closed).toBe(0);
    expect(q("connector-form-status")?.textContent).toMatch(/press Escape again/);
    dialog.dispatchEvent(new Event("cancel", { cancelable: true }));
    expect(closed).toBe(1);
  });
});

void CommandError;
