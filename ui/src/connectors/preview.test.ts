// The live preview's state: secrets masked, one value revealed (and the reveal ended by a
// changed field), Reveal all / Mask all, and no revealed value kept by a failed render or a
// closed editor.

import { describe, expect, it, vi } from "vitest";
import type { ConnectorInput } from "../bindings/ConnectorInput";
import type { Preview } from "../bindings/Preview";
import { MASK } from "../lib/reveal.svelte";
import { PreviewState, type PreviewApi } from "./preview.svelte";

const SECRET = "s3cr3t-value";
const input = (password = "{{secrets.kv.password}}"): ConnectorInput => ({ name: "c", kind: "postgresql", config: { host: "db", password, username: "app" } });
const ref = { field: "password", reference: "secrets.kv.password", vault: "kv", key: "password", fetched_at: "", expires_in_secs: 60 };

function api(fail = false): PreviewApi {
  return {
    previewConnector: vi.fn(async (i: ConnectorInput, reveal: boolean, field: string | null): Promise<Preview> => {
      if (fail) throw new Error("no key");
      const config: Record<string, unknown> = { ...i.config, password: reveal ? SECRET : MASK, username: reveal ? "app" : MASK };
      if (field) for (const k of Object.keys(config)) if (k !== field) delete config[k];
      return { connector: "c", kind: "postgresql", revealed: reveal, config, references: [ref], literal_secrets: ["username"] };
    }),
    refreshVault: vi.fn(async () => ({ message: "" }) as never),
  };
}

const shown = (p: PreviewState): Record<string, unknown> => Object.fromEntries(p.rows.map((r) => [r.path, p.shown(r)]));

describe("PreviewState", () => {
  it("masks references and literal secrets, shows plain values", async () => {
    const p = new PreviewState(api());
    await p.run(input());
    expect(shown(p)).toEqual({ host: "db", password: MASK, username: MASK });
    expect(p.rows.find((r) => r.path === "username")?.literal).toBe(true);
    expect(p.status).toBe("Masked · 1 reference");
  });

  it("reveals one value, keeps it across renders, hides it again", async () => {
    const p = new PreviewState(api());
    await p.run(input());
    await p.toggle("password", input());
    expect(shown(p).password).toBe(SECRET);
    expect(shown(p).username).toBe(MASK);
    await p.run(input());
    expect(shown(p).password).toBe(SECRET);
    await p.toggle("password", input());
    expect(shown(p).password).toBe(MASK);
    expect([...p.revealed.keys()]).toEqual([]);
  });

  it("a changed field ends its reveal", async () => {
    const p = new PreviewState(api());
    await p.run(input());
    await p.toggle("password", input());
    await p.run(input("{{secrets.other.password}}"));
    expect(shown(p).password).toBe(MASK);
    expect(p.revealed.has("password")).toBe(false);
  });

  it("Reveal all then Mask all: nothing revealed stays in the state", async () => {
    const p = new PreviewState(api());
    await p.run(input());
    p.toggleAll();
    await p.run(input());
    expect(shown(p)).toEqual({ host: "db", password: SECRET, username: "app" });
    p.toggleAll();
    expect(JSON.stringify(p.rows)).not.toContain(SECRET);
    expect(shown(p).password).toBe(MASK);
  });

  it("a failed render keeps the rows, dimmed, with no revealed value", async () => {
    const good = api();
    const p = new PreviewState(good);
    await p.run(input());
    p.toggleAll();
    await p.run(input());
    await p.toggle("password", input());
    good.previewConnector = vi.fn(async () => {
      throw new Error("no key");
    });
    const failed = await p.run(input());
    expect(failed).not.toBeNull();
    expect(p.phase).toBe("error");
    expect(p.stale).toBe(true);
    expect(p.rows.map((r) => r.path)).toEqual(["host", "password", "username"]);
    expect(JSON.stringify(p.rows)).not.toContain(SECRET);
    expect(p.revealed.size).toBe(0);
    expect(p.rows.every((r) => !p.isRevealed(r))).toBe(true);
  });

  it("closing drops everything", async () => {
    const p = new PreviewState(api());
    await p.run(input());
    await p.toggle("password", input());
    p.close();
    expect(p.rows).toEqual([]);
    expect(p.revealed.size).toBe(0);
  });
});
