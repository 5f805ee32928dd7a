// Every member of the generated union types has a label: read the unions from the generated
// bindings themselves, so a member added in Rust fails here (as well as in `tsc`).

import { describe, expect, it } from "vitest";
import {
  AUTH_LABELS,
  ENGINE_LABELS,
  ENGINE_OPTION_LABELS,
  KIND_LABELS,
  LEASE_PURPOSE_LABELS,
  LEASE_STATE_LABELS,
  loginLabel,
  PROVIDER_LABELS,
  stageLabel,
  STATUS_LABELS,
} from "./labels";

const sources = import.meta.glob("../bindings/*.ts", { query: "?raw", import: "default", eager: true }) as Record<string, string>;

/** The string literals of `export type NAME = "a" | "b" | …;` in ../bindings/NAME.ts. */
function members(name: string): string[] {
  const text = sources[`../bindings/${name}.ts`];
  if (text === undefined) throw new Error(`no generated binding ${name}`);
  const decl = new RegExp(`export type ${name} = ([^;]+);`).exec(text);
  if (!decl?.[1]) throw new Error(`${name} is not a union of strings`);
  return [...decl[1].matchAll(/"([^"]+)"/g)].map((m) => m[1] ?? "");
}

describe("labels cover every generated union member", () => {
  const cases: [string, Record<string, string>][] = [
    ["AuthMethod", AUTH_LABELS],
    ["EngineType", ENGINE_LABELS],
    ["EngineType", ENGINE_OPTION_LABELS],
    ["ConnectorKind", KIND_LABELS],
    ["LeaseState", LEASE_STATE_LABELS],
    ["LeasePurpose", LEASE_PURPOSE_LABELS],
    ["Provider", PROVIDER_LABELS],
  ];
  for (const [union, labels] of cases) {
    it(`${union}: one non-empty label per member, no extra`, () => {
      const all = members(union);
      expect(all.length).toBeGreaterThan(1);
      expect(Object.keys(labels).sort()).toEqual([...all].sort());
      for (const m of all) expect(labels[m]?.trim()).not.toBe("");
    });
  }

  it("StageStatus and TestStage are labelled", () => {
    for (const s of members("StageStatus")) expect(STATUS_LABELS[s as keyof typeof STATUS_LABELS]).toBeTruthy();
    for (const s of members("TestStage")) expect(stageLabel(s as Parameters<typeof stageLabel>[0], "kv2")).toBeTruthy();
  });

  it("every login method has a list label", () => {
    for (const m of members("AuthMethod")) {
      const label = loginLabel({ auth_method: m as keyof typeof AUTH_LABELS, auth_username: "jane", auth_role: "app", aws: null });
      expect(label).toBeTruthy();
    }
  });

  it("a database engine's read stage issues credentials", () => {
    expect(stageLabel("read", "postgresql")).toBe("Issue credentials");
    expect(stageLabel("read", "kv2")).toBe("Read the secret");
  });
});
