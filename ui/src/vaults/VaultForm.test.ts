// The vault form as a component: the provider's own fields, the chosen login method's only,
// Save's field errors under their fields (the first focused; Advanced opened for one inside it;
// a field the form does not show named in the banner), secret fields are password inputs and
// are emptied on close, Escape with unsaved changes asks once more.

import { flushSync, mount, unmount } from "svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { summary } from "./fixtures";
import type { FormMode } from "./form-spec";
import VaultForm from "./VaultForm.svelte";

const invalid = vi.hoisted(() => ({ fields: [] as { field: string; path: string[]; message: string }[] }));
vi.mock("../lib/ipc", async (original) => {
  const real = await original<typeof import("../lib/ipc")>();
  return {
    ...real,
    vaultDefaults: vi.fn(async () => ({ name: "", url: "", engine_name: "", engine_type: "kv2" })),
    addVault: vi.fn(async () => {
      throw new real.CommandError("add_vault", { code: "invalid", message: "m", fields: invalid.fields, vault: null, connectors: [], credentials_target: null } as never, "m");
    }),
  };
});

let app: ReturnType<typeof mount> | null = null;
let closed = 0;
beforeEach(() => {
  closed = 0;
  HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
    this.setAttribute("open", "");
  };
});
afterEach(() => {
  if (app) unmount(app);
  app = null;
  document.body.replaceChildren();
});
const q = (id: string): HTMLElement | null => document.querySelector(`[data-testid="${id}"]`);
const shown = (id: string): boolean => !q(id)?.closest("[hidden]");
async function open(mode: FormMode): Promise<void> {
  app = mount(VaultForm, { target: document.body, props: { mode, host: { saved: () => undefined, tested: () => undefined }, onclose: () => (closed += 1) } });
  for (let i = 0; i < 5; i++) await Promise.resolve();
  flushSync();
}
function choose(id: string, value: string): void {
  const el = q(id) as HTMLSelectElement;
  el.value = value;
  el.dispatchEvent(new Event("change", { bubbles: true }));
  flushSync();
}
async function save(): Promise<void> {
  (q("save-button") as HTMLButtonElement).click();
  for (let i = 0; i < 8; i++) await Promise.resolve();
  flushSync();
}

describe("VaultForm", () => {
  it("shows the chosen login method's fields only, secret parts as password inputs", async () => {
    await open({ kind: "add", name: "prod", flavor: "hashicorp" });
    expect((q("field-name") as HTMLInputElement).value).toBe("prod");
    expect(shown("field-role_id") && shown("field-secret_id")).toBe(true);
    expect(shown("field-token")).toBe(false);
    expect(q("field-secret_id")?.getAttribute("type")).toBe("password");
    choose("field-auth_method", "userpass");
    expect(shown("field-auth_username") && shown("field-password")).toBe(true);
    expect(shown("field-role_id")).toBe(false);
    choose("field-engine_type", "postgresql");
    expect(shown("field-db_role")).toBe(true);
    expect(shown("field-path")).toBe(false);
  });

  it("AWS: the provider's own fields and login methods", async () => {
    await open({ kind: "add", name: "aws", flavor: "aws" });
    expect(q("field-aws_region")).not.toBeNull();
    expect(q("field-namespace")).toBeNull();
    expect([...(q("field-auth_method") as HTMLSelectElement).options].map((o) => o.value)).toEqual(["aws_keys", "aws_default"]);
    expect(q("stage-describe")).not.toBeNull();
    expect(q("stage-capabilities")).toBeNull();
  });

  it("puts Save's errors under their fields, opens Advanced for one inside it, names the others in the banner", async () => {
    await open({ kind: "add", name: "prod", flavor: "hashicorp" });
    invalid.fields = [
      { field: "url", path: ["url"], message: "is required" },
      { field: "cache_ttl", path: ["cache_ttl"], message: "is not a duration" },
      { field: "token", path: ["token"], message: "is required" },
    ];
    expect((q("advanced") as HTMLDetailsElement).open).toBe(false);
    await save();
    expect(q("error-url")?.textContent?.trim()).toBe("Required.");
    expect(q("field-url")?.getAttribute("aria-invalid")).toBe("true");
    expect(q("error-cache_ttl")?.textContent?.trim()).toBe("Not a duration.");
    expect((q("advanced") as HTMLDetailsElement).open).toBe(true);
    expect(q("error-token")?.textContent?.trim()).toBe("");
    expect(q("form-error")?.textContent).toContain("Token is required.");
    expect(q("form-status")?.textContent).toBe("Save needs 3 fixes: see the highlighted fields.");
    expect(document.activeElement?.id).toBe("vault-url");
    const url = q("field-url") as HTMLInputElement;
    url.value = "https://v:8200";
    url.dispatchEvent(new Event("input", { bubbles: true }));
    flushSync();
    expect(q("error-url")?.textContent?.trim()).toBe("");
  });

  it("a vault imported without credentials asks for them in the ID fields' help", async () => {
    await open({ kind: "edit", vault: summary({ needs_credentials: true }) });
    expect(document.getElementById("vault-secret_id-help")?.textContent).toMatch(/^Needs credentials: imported without them/);
    expect(document.getElementById("vault-role_id-help")?.textContent).toMatch(/^Needs credentials/);
  });

  it("an edited vault: its values, secret fields empty; Escape after an edit asks once more", async () => {
    await open({ kind: "edit", vault: summary() });
    expect((q("field-path") as HTMLInputElement).value).toBe("app/config");
    expect((q("field-secret_id") as HTMLInputElement).value).toBe("");
    const sid = q("field-secret_id") as HTMLInputElement;
    sid.value = "typed-secret";
    sid.dispatchEvent(new Event("input", { bubbles: true }));
    const dialog = q("vault-form") as HTMLDialogElement;
    dialog.dispatchEvent(new Event("cancel", { cancelable: true }));
    flushSync();
    expect(closed).toBe(0);
    expect(q("form-status")?.textContent).toMatch(/press Escape again/);
    dialog.dispatchEvent(new Event("cancel", { cancelable: true }));
    flushSync();
    expect(closed).toBe(1);
    expect(sid.value).toBe("");
  });
});
