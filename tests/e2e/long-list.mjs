// A long connector list in the real window: it shows at once with its first screen of rows,
// the status counts them all, and every connector is reached by scrolling down (rows are built
// as they come near, not all at the click). Run by tests/scripts/e2e.sh on a data directory
// the CLI filled with E2E_CONNECTORS REST connectors named c001, c002, ...
//
// Environment: VAULTDESK_APP, VAULTDESK_DATA_DIR, TAURI_DRIVER_PORT, E2E_CONNECTORS.

import assert from "node:assert/strict";
import { $t, appEnv, browser, pass, run, shot, start, stop, vaultListLoaded } from "./lib.mjs";

const { app, dataDir, port } = appEnv();
const total = Number(process.env.E2E_CONNECTORS ?? "0");
assert.ok(total > 100, "set E2E_CONNECTORS to a long list (over 100)");
const name = (i) => `c${String(i).padStart(3, "0")}`;
const rowNames = () =>
  browser.execute(() => [...document.querySelectorAll('[data-testid="connector-name"]')].map((e) => e.textContent));

await run(async () => {
  await start({ app, dataDir, port });
  await vaultListLoaded();
  await $t("nav-connectors").click();
  await $t("connector-table").waitForDisplayed({ timeout: 10000, timeoutMsg: "the connector list never showed" });
  assert.equal(await $t("connector-status").getText(), `${total} connectors`, "the status counts every connector");
  const first = await rowNames();
  assert.equal(first[0], name(1), "the list starts with the first connector by name");
  assert.ok(first.length < total, `only the first rows are built at once (${first.length} of ${total})`);
  pass(`${total} connectors listed, the first ${first.length} rows built at once`);

  // Scroll to the end of what is built until nothing more comes: every connector, in order.
  for (let i = 0; i < 50; i++) {
    const before = (await rowNames()).length;
    if (before === total) break;
    await browser.execute(() => {
      const rows = document.querySelectorAll('[data-testid="connector-row"]');
      rows[rows.length - 1]?.scrollIntoView({ block: "end" });
    });
    await browser.waitUntil(async () => (await rowNames()).length > before, {
      timeout: 5000,
      timeoutMsg: `scrolling to row ${before} built no more rows`,
    });
  }
  const all = await rowNames();
  assert.deepEqual(all, Array.from({ length: total }, (_, i) => name(i + 1)), "every connector, once, in order");
  const onScreen = await browser.execute((n) => {
    const row = document.querySelector(`[data-connector-name="${n}"]`);
    row?.scrollIntoView({ block: "end" });
    const r = row?.getBoundingClientRect();
    return !!r && r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight;
  }, name(total));
  assert.ok(onScreen, "the last connector is on screen");
  await shot("connector-long-list-end", { scrollTop: false });
  pass(`scrolling down reaches all ${total}, the last one on screen`);
  await stop();
});
