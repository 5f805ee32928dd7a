import { describe, expect, it } from "vitest";
import { accepted, contextAt, keysAt, matching, segmentOf } from "./suggest";

describe("what the caret asks for", () => {
  it("vault names right after {{secrets.", () => {
    expect(contextAt("postgres://{{secrets.")).toEqual({ kind: "vault", prefix: "" });
    expect(contextAt("{{ secrets.e2e")).toEqual({ kind: "vault", prefix: "e2e" });
  });
  it("key names after the vault, level by level", () => {
    expect(contextAt("{{secrets.e2e-kv.pa")).toEqual({ kind: "key", vault: "e2e-kv", path: [], prefix: "pa" });
    expect(contextAt("{{secrets.api.db.ho")).toEqual({ kind: "key", vault: "api", path: ["db"], prefix: "ho" });
    expect(contextAt("{{secrets.api.[db.cfg].")).toEqual({ kind: "key", vault: "api", path: ["[db", "cfg]"], prefix: "" });
  });
  it("nothing outside a reference or after it is closed", () => {
    expect(contextAt("plain text")).toBeNull();
    expect(contextAt("{{secrets.kv.password}} and")).toBeNull();
    expect(contextAt("secrets.kv.pa")).toBeNull();
  });
});

describe("key names", () => {
  const tree = { username: null, password: null, db: { host: null, port: null }, "db.cfg": { a: null } };
  it("at the top and nested, never values", () => {
    expect(keysAt(tree, [])).toEqual(["username", "password", "db", "db.cfg"]);
    expect(keysAt(tree, ["db"])).toEqual(["host", "port"]);
    expect(keysAt(tree, ["[db.cfg]"])).toEqual(["a"]);
  });
  it("none under a leaf, an unknown key or no tree", () => {
    expect(keysAt(tree, ["username"])).toEqual([]);
    expect(keysAt(tree, ["nope"])).toEqual([]);
    expect(keysAt(null, [])).toEqual([]);
  });
  it("filters by prefix, any case, without the prefix itself, at most 8", () => {
    expect(matching(["Password", "path", "user"], "pa")).toEqual(["Password", "path"]);
    expect(matching(["pa"], "pa")).toEqual([]);
    expect(matching(Array.from({ length: 20 }, (_, i) => `k${i}`), "k")).toHaveLength(8);
  });
});

describe("accepting a suggestion", () => {
  it("replaces what was typed and puts the caret after it", () => {
    const value = "{{secrets.e2e-kv.pa}}";
    expect(accepted(value, 17, 19, "password")).toEqual({ value: "{{secrets.e2e-kv.password}}", caret: 25 });
  });
  it("puts a key that is not a plain name in brackets", () => {
    expect(segmentOf("db.host")).toBe("[db.host]");
    expect(segmentOf("with space")).toBe("[with space]");
    expect(segmentOf("plain_name-1")).toBe("plain_name-1");
    expect(accepted("{{secrets.api.", 14, 14, "db.host")).toEqual({ value: "{{secrets.api.[db.host]", caret: 23 });
  });
});
