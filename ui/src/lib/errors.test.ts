import { describe, expect, it } from "vitest";
import type { FieldError } from "../bindings/FieldError";
import { errorCodeOf, fieldKey, messageOf, sentence } from "./errors";
import { CommandError } from "./ipc";

const fe = (field: string, path: FieldError["path"]): FieldError => ({ field, path, message: "is required" }) as FieldError;

describe("field-error placement", () => {
  it("puts a top-level error under its field", () => {
    expect(fieldKey(fe("name", ["name"]))).toEqual({ key: "name", top: "name", sub: "" });
  });
  it("puts a config error in its field's box with the rest of the path as sub-path", () => {
    expect(fieldKey(fe("config.headers.Authorization", ["config", "headers", "Authorization"]))).toEqual({
      key: "config.headers",
      top: "headers",
      sub: "Authorization",
    });
  });
  it("writes list indexes in brackets", () => {
    expect(fieldKey(fe("config.hosts[1].port", ["config", "hosts", 1, "port"]))).toEqual({ key: "config.hosts", top: "hosts", sub: "[1].port" });
  });
  it("falls back to the field name when the path is empty", () => {
    expect(fieldKey(fe("url", []))).toEqual({ key: "url", top: "url", sub: "" });
  });
  it("uses `config` itself when no field under it is named", () => {
    expect(fieldKey(fe("config", ["config"]))).toEqual({ key: "config", top: "config", sub: "" });
  });
});

describe("messages", () => {
  it("turns a core message into a sentence under its field", () => {
    expect(sentence("is required")).toBe("Required.");
    expect(sentence("must be a number.")).toBe("Must be a number.");
  });
  it("adds a vault error's hint", () => {
    const e = new CommandError("list_vaults", {
      code: "vault",
      message: "no access",
      fields: [],
      vault: { code: "permission_denied", message: "Permission denied", hint: "check the policy" },
    } as never, "no access");
    expect(messageOf(e)).toBe("Permission denied. Check the policy.");
    expect(errorCodeOf(e)).toBe("vault");
  });
  it("says ipc for a call that never reached its command, unexpected otherwise", () => {
    expect(errorCodeOf(new CommandError("list_vaults", null, "not allowed"))).toBe("ipc");
    expect(errorCodeOf(new Error("x"))).toBe("unexpected");
    expect(messageOf("plain")).toBe("plain");
  });
});
