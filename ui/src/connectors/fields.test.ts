// The connector editor's input→form and form→input conversions per field type, and the layout.

import { describe, expect, it } from "vitest";
import type { FieldSpec } from "../bindings/FieldSpec";
import { configOf, emptyAuth, fromForm, layout, textOf, toForm, valuesOf } from "./fields";

const spec = (name: string, field_type: FieldSpec["field_type"], options: string[] = []): FieldSpec => ({ name, field_type, required: false, options, help: "" });

describe("fields", () => {
  it("a port is a number when it is digits, a reference stays text", () => {
    expect(fromForm(spec("port", "port"), " 5432 ")).toBe(5432);
    expect(fromForm(spec("port", "port"), "{{secrets.db.port}}")).toBe("{{secrets.db.port}}");
    expect(fromForm(spec("port", "port"), "  ")).toBeUndefined();
    expect(toForm(spec("port", "port"), 5432)).toBe("5432");
  });

  it("a boolean goes as true/false, not set when empty", () => {
    expect(fromForm(spec("tls", "bool"), "true")).toBe(true);
    expect(fromForm(spec("tls", "bool"), "false")).toBe(false);
    expect(fromForm(spec("tls", "bool"), "")).toBeUndefined();
    expect(toForm(spec("tls", "bool"), false)).toBe("false");
  });

  it("a map is one name: value per line, both ways; a line without a colon is a name with no value", () => {
    const headers = spec("headers", "map");
    expect(fromForm(headers, "X-Team: payments\n\nX-Password: {{secrets.kv.password}}\nbroken")).toEqual({
      "X-Team": "payments",
      "X-Password": "{{secrets.kv.password}}",
      broken: "",
    });
    expect(toForm(headers, { A: "1", B: "x: y" })).toBe("A: 1\nB: x: y");
    expect(fromForm(headers, toForm(headers, { A: "1", B: "x: y" }))).toEqual({ A: "1", B: "x: y" });
    expect(fromForm(headers, "")).toBeUndefined();
  });

  it("auth keeps only the parts of its type", () => {
    const auth = spec("auth", "auth");
    const v = { ...emptyAuth(), type: "bearer" as const, token: " {{secrets.api.token}} ", username: "left over" };
    expect(fromForm(auth, v)).toEqual({ type: "bearer", token: "{{secrets.api.token}}" });
    expect(fromForm(auth, emptyAuth())).toBeUndefined();
    expect(toForm(auth, { type: "api_key", name: "X-Key", value: "v", in: "query" })).toMatchObject({ type: "api_key", name: "X-Key", value: "v", in: "query" });
    expect(toForm(auth, { type: "nonsense" })).toMatchObject({ type: "" });
    expect(textOf(auth, v)).toBe(JSON.stringify({ type: "bearer", token: "{{secrets.api.token}}" }));
  });

  it("a stored configuration comes back as the form and goes out unchanged", () => {
    const specs = [spec("host", "text"), spec("port", "port"), spec("tls_mode", "choice", ["disable", "require"]), spec("headers", "map"), spec("auth", "auth")];
    const config = { host: "db.internal", port: 5432, tls_mode: "require", headers: { "X-A": "1" }, auth: { type: "basic", username: "u", password: "{{secrets.kv.password}}" } };
    expect(configOf(specs, valuesOf(specs, config))).toEqual(config);
    expect(configOf(specs, valuesOf(specs, {}))).toEqual({});
  });

  it("short fields go two by two, long ones alone", () => {
    const rows = layout([spec("host", "text"), spec("port", "port"), spec("database", "text"), spec("username", "text"), spec("options", "map")]);
    expect(rows.map((r) => r.map((s) => s.name))).toEqual([["host"], ["port", "database"], ["username"], ["options"]]);
  });
});
