// Field-error placement in the forms: by path under the field, the count in the status, errors
// without a field on screen in the banner, any other error in the banner.

import { describe, expect, it } from "vitest";
import { FormErrors } from "./form-errors.svelte";
import { CommandError } from "./ipc";

const invalid = (fields: { field: string; path: (string | number)[]; message: string }[]): CommandError =>
  new CommandError("add_connector", { code: "invalid", message: "invalid", fields, vault: null, connectors: [], credentials_target: null } as never, "invalid");

describe("FormErrors", () => {
  const keys = (k: string): boolean => ["name", "config.headers", "config.base_url"].includes(k);

  it("puts each error under its field by path, sub-paths in the message", () => {
    const e = new FormErrors(keys);
    const first = e.show(
      invalid([
        { field: "name", path: ["name"], message: "is required" },
        { field: "config.headers.Authorization", path: ["config", "headers", "Authorization"], message: "has an unknown vault" },
      ]),
      "Save",
    );
    expect(first).toBe("name");
    expect(e.of("name")).toEqual(["Required."]);
    expect(e.of("config.headers")).toEqual(["Authorization: has an unknown vault"]);
    expect(e.status).toBe("Save needs 2 fixes: see the highlighted fields.");
    expect(e.banner).toBeNull();
  });

  it("an error with no field on screen goes to the banner", () => {
    const e = new FormErrors(keys);
    e.show(invalid([{ field: "config.bogus", path: ["config", "bogus"], message: "is not a field" }]), "Update");
    expect(e.banner?.title).toBe("Update needs these fixes too:");
    expect(e.banner?.text).toContain("config.bogus is not a field.");
    expect(e.status).toBe("Update needs one fix: see the highlighted fields.");
  });

  it("any other failure is named in the banner; clear() empties everything", () => {
    const e = new FormErrors(keys);
    expect(e.show(new Error("the app is closing"), "Export")).toBeNull();
    expect(e.banner).toEqual({ title: "Export failed.", text: " the app is closing" });
    e.clear();
    expect(e.banner).toBeNull();
    expect(e.status).toBe("");
    expect(e.messages).toEqual({});
  });
});
