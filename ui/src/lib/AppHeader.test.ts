// The header's badges: the version, "Demo data" right after it when `vaultdesk demo` started
// the window (AppInfo.demo), then the data directory.

import { flushSync, mount, unmount } from "svelte";
import { afterEach, describe, expect, it } from "vitest";
import type { AppInfo } from "../app-bindings/AppInfo";
import AppHeader from "./AppHeader.svelte";
import { badgesOf } from "./badges";

const info = (demo: boolean): AppInfo => ({ version: "0.1.0", data_dir: "/tmp/data", demo }) as AppInfo;

let app: ReturnType<typeof mount> | null = null;
afterEach(() => {
  if (app) unmount(app);
  app = null;
  document.body.replaceChildren();
});

describe("header badges", () => {
  it("no demo badge on a normal start", () => {
    expect(badgesOf(info(false)).map((b) => b.text)).toEqual(["v0.1.0", "/tmp/data"]);
  });

  it("'Demo data' right after the version, as a warning, named demo-badge", () => {
    app = mount(AppHeader, { target: document.body, props: { page: "vaults", onnavigate: () => undefined, badges: badgesOf(info(true)), metaError: "" } });
    flushSync();
    const items = [...document.querySelectorAll<HTMLElement>(".meta-item")];
    expect(items.map((e) => e.textContent)).toEqual(["v0.1.0", "Demo data", "/tmp/data"]);
    const demo = document.querySelector<HTMLElement>('[data-testid="demo-badge"]');
    expect(demo?.classList.contains("warn")).toBe(true);
    expect(demo?.title).toMatch(/vaultdesk demo/);
  });
});
