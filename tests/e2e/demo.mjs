// The first-run demo in the real window: `vaultdesk demo --no-window` (started by
// tests/scripts/e2e.sh) runs a throwaway OpenBao with the demo vaults and connectors in its own
// data directory; the window is opened on it with --demo, as `vaultdesk demo` opens it. Checks:
// the "Demo data" badge beside the version badge, the Test of demo-kv passing in the list, and
// the demo-api connector's preview rendering (masked). e2e.sh then ends the demo and checks that
// its data directory and keyring entries are gone.
//
// Environment:
//   VAULTDESK_APP        absolute path of the app binary
//   VAULTDESK_DATA_DIR   the demo data directory `vaultdesk demo` printed
//   TAURI_DRIVER_PORT    tauri-driver's port (default 4444)

import assert from "node:assert/strict";
import { $t, appEnv, browser, diagnostics, pass, row, run, shot, start, step, vaultListLoaded } from "./lib.mjs";

const { app, dataDir, port } = appEnv();
const MASK = "••••••••";

await run(async () => {
  await start({ app, dataDir, port, extraArgs: ["--demo"] });
  step(`window up on the demo data directory ${dataDir}`);
  await vaultListLoaded();

  // --- 1. the badge ---------------------------------------------------------------------------
  const badge = await $t("demo-badge");
  await badge.waitForDisplayed({ timeout: 10000, timeoutMsg: "no \"Demo data\" badge in the header" });
  const header = await browser.execute(() =>
    [...document.querySelectorAll(".meta-item")].map((e) => e.textContent),
  );
  assert.match(header[0], /^v\d+\.\d+\.\d+$/, `the version badge first: ${JSON.stringify(header)}`);
  assert.equal(header[1], "Demo data", `the demo badge right after the version badge: ${JSON.stringify(header)}`);
  assert.equal(header[2], dataDir, "then the demo data directory");
  pass("\"Demo data\" badge beside the version badge");

  // --- 2. the Test of demo-kv ------------------------------------------------------------------
  const kv = await row("demo-kv");
  await kv.waitForDisplayed({ timeout: 10000, timeoutMsg: "no demo-kv row" });
  assert.ok(await row("demo-db").isDisplayed(), "demo-db is listed too");
  await kv.$('[data-testid="test-vault"]').click();
  const last = () => row("demo-kv").$('[data-testid="vault-last-test"]');
  // Plain HTTP to loopback passes with a warning (the TLS stage says it is unencrypted).
  await browser.waitUntil(async () => ["passed", "warning"].includes(await last().getAttribute("data-status")), {
    timeout: 20000,
    timeoutMsg: "the Test of demo-kv did not pass",
  });
  assert.match(await last().getText(), /Passed/, "the row says the Test passed");
  await shot("demo-vaults");
  pass("the Test of demo-kv passes");

  // --- 3. a connector preview -----------------------------------------------------------------
  await $t("nav-connectors").click();
  const api = browser.$('[data-testid="connector-row"][data-connector-name="demo-api"]');
  await api.waitForDisplayed({ timeout: 10000, timeoutMsg: "no demo-api connector" });
  assert.ok(
    await browser.$('[data-testid="connector-row"][data-connector-name="demo-postgres"]').isDisplayed(),
    "demo-postgres is listed too",
  );
  await api.$('[data-testid="edit-connector"]').click();
  await browser.waitUntil(async () => (await $t("preview-state").getAttribute("data-state")) === "ok", {
    timeout: 15000,
    timeoutMsg: "the demo-api preview never rendered",
  });
  const rows = await browser.execute(() =>
    Object.fromEntries(
      [...document.querySelectorAll('[data-testid="preview-row"]')].map((r) => [
        r.dataset.field,
        r.querySelector('[data-testid="preview-value"]').textContent,
      ]),
    ),
  );
  assert.equal(rows["auth.token"], MASK, `the token is masked: ${JSON.stringify(rows)}`);
  assert.equal(rows.base_url, MASK, "the URL from the secret is masked");
  assert.equal(rows["headers.Accept"], "application/json", "a literal value shows as is");
  await shot("demo-connector-preview");
  pass("the demo-api connector's preview renders (masked)");

  assert.deepEqual(await diagnostics(), [], "no page error");
});
