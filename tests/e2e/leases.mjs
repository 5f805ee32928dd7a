// The Leases view of the real window, against the real OpenBao and PostgreSQL of
// tests/scripts/services.sh (run by tests/scripts/e2e.sh):
//   1. on an empty data directory: the Leases tab, its empty state (screenshot leases-empty);
//   2. on a data directory where the CLI exported connector "orders" (vault e2e-pg, a
//      PostgreSQL database engine): the export's lease is listed live, with the file's path,
//      a countdown and its user masked until revealed (screenshot leases-view);
//   3. the connector editor opened and closed: its preview's user is listed, revoked;
//   4. Revoke (asked twice) on the export's lease: the row turns revoked with the result
//      inline, and the user can no longer log in to PostgreSQL (psql) (screenshot leases-revoked);
//   5. the state filter shows only revoked leases; a filter matching nothing has its own state.
//
// Environment: VAULTDESK_APP, VAULTDESK_DATA_DIR (the exported data directory),
// E2E_EMPTY_DATA_DIR, E2E_LEASE_FILE (the exported JSON: username and password),
// E2E_PG_HOST, E2E_PG_PORT, TAURI_DRIVER_PORT.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { $t, appEnv, browser, env, pass, run, shot, start, stop } from "./lib.mjs";

const target = appEnv();
const emptyDir = env("E2E_EMPTY_DATA_DIR");
const leaseFile = env("E2E_LEASE_FILE");
const pgHost = env("E2E_PG_HOST");
const pgPort = env("E2E_PG_PORT");
const MASK = "••••••••";

/** Can `user` log in to the test PostgreSQL with `password`? (psql, another process.) */
function pgLogin(user, password) {
  try {
    const out = execFileSync("psql", ["-h", pgHost, "-p", pgPort, "-U", user, "-d", "postgres", "-tAc", "SELECT current_user"], {
      env: { ...process.env, PGPASSWORD: password, PGCONNECT_TIMEOUT: "5" },
      stdio: ["ignore", "pipe", "ignore"],
    });
    return out.toString().trim() === user;
  } catch {
    return false;
  }
}

async function openLeases() {
  await $t("nav-leases").click();
  await browser.$('#lease-view[aria-busy="false"]').waitForExist({ timeout: 10000, timeoutMsg: "the lease list never loaded" });
}

const rows = () =>
  browser.execute(() =>
    [...document.querySelectorAll('[data-testid="lease-row"]')].map((r) => ({
      id: r.dataset.leaseId,
      state: r.dataset.state,
      purpose: r.querySelector('[data-testid="lease-purpose"]').dataset.purpose,
      user: r.querySelector('[data-testid="lease-user"]').textContent,
      expires: r.querySelector('[data-testid="lease-expires"]').textContent,
      path: r.querySelector('[data-testid="lease-export-path"]')?.textContent ?? null,
    })),
  );

await run(async () => {
  // --- 1. empty ---------------------------------------------------------------------------
  await start({ ...target, dataDir: emptyDir });
  await $t("nav-leases").waitForDisplayed({ timeout: 15000 });
  await openLeases();
  await $t("lease-empty-state").waitForDisplayed({ timeout: 5000 });
  assert.equal(await $t("lease-empty-state").getAttribute("data-filtered"), "false");
  assert.match(await $t("lease-empty-state").getText(), /No leases yet/);
  assert.equal(await $t("lease-toolbar").isDisplayed(), false, "nothing recorded: no filters or bulk revokes to offer");
  await shot("leases-empty");
  await stop();
  pass("empty data directory: the Leases tab shows its empty state");

  // --- 2. the export's lease ------------------------------------------------------------------
  const exported = JSON.parse(await readFile(leaseFile, "utf8"));
  assert.ok(pgLogin(exported.username, exported.password), "the exported user logs in before the test");
  await start(target);
  await openLeases();
  await $t("lease-row").waitForDisplayed({ timeout: 10000 });
  let list = await rows();
  assert.equal(list.length, 1, `one lease: ${JSON.stringify(list)}`);
  const [lease] = list;
  assert.equal(lease.state, "live");
  assert.equal(lease.purpose, "export");
  assert.equal(lease.user, MASK, "the user name is masked");
  assert.ok(lease.path?.includes(leaseFile), `the export's path is shown: ${lease.path}`);
  assert.match(lease.expires, /^in \d+m \d\ds$/, "a countdown to the lease's end");
  assert.equal(await browser.execute((u) => document.body.innerText.includes(u), exported.username), false, "the user name is nowhere in the page");
  assert.equal(await browser.execute((p) => document.body.innerHTML.includes(p), exported.password), false, "nor the password");
  await $t("lease-reveal-user").click();
  await browser.waitUntil(async () => (await $t("lease-user").getText()) === exported.username, { timeout: 5000, timeoutMsg: "reveal did not show the user" });
  await shot("leases-view");
  await $t("lease-reveal-user").click();
  await browser.waitUntil(async () => (await $t("lease-user").getText()) === MASK, { timeout: 5000 });
  pass("the export's lease: live, path, countdown, user masked until revealed");

  // --- 3. a preview ends with the editor ------------------------------------------------------
  await $t("nav-connectors").click();
  const orders = browser.$('[data-testid="connector-row"][data-connector-name="orders"]');
  await orders.waitForDisplayed({ timeout: 10000 });
  await orders.$('[data-testid="edit-connector"]').click();
  await $t("connector-form").waitForDisplayed({ timeout: 5000 });
  await browser.waitUntil(async () => (await $t("preview-state").getAttribute("data-state")) === "ok", {
    timeout: 15000,
    timeoutMsg: "the editor's preview never rendered",
  });
  await $t("connector-cancel").click();
  await $t("connector-form").waitForExist({ reverse: true, timeout: 5000 });
  await openLeases();
  // The editor ends its previews as it closes; the list may have loaded first: Refresh.
  await browser.waitUntil(
    async () => {
      if ((await rows()).some((r) => r.purpose === "preview" && r.state === "revoked")) return true;
      await $t("lease-refresh").click();
      await browser.$('#lease-view[aria-busy="false"]').waitForExist({ timeout: 10000 });
      return false;
    },
    { timeout: 20000, interval: 500, timeoutMsg: "the preview's lease was not shown revoked after the editor closed" },
  );
  list = await rows();
  assert.equal(list.length, 2, "the export and the preview");
  assert.equal(list.find((r) => r.id === lease.id)?.state, "live", "closing the editor keeps the export's lease");
  pass("the editor's preview: its lease revoked when the editor closed, the export's kept");

  // --- 4. Revoke ----------------------------------------------------------------------------
  const row = browser.$(`[data-testid="lease-row"][data-lease-id="${lease.id}"]`);
  await row.$('[data-testid="lease-revoke"]').click();
  assert.equal(await row.$('[data-testid="lease-revoke"]').getText(), "Confirm", "a revoke asks once more");
  await row.$('[data-testid="lease-revoke"]').click();
  const revoked = browser.$(`[data-testid="lease-row"][data-lease-id="${lease.id}"][data-state="revoked"]`);
  await revoked.waitForDisplayed({ timeout: 15000, timeoutMsg: "the row did not turn revoked" });
  assert.equal(await revoked.$('[data-testid="lease-state"]').getText(), "Revoked");
  assert.equal(await revoked.$('[data-testid="lease-result"]').getAttribute("data-ok"), "true");
  assert.match(await revoked.$('[data-testid="lease-result"]').getText(), /Revoked/);
  assert.equal(await revoked.$('[data-testid="lease-revoke"]').isEnabled(), false, "a revoked lease cannot be revoked again");
  assert.equal(pgLogin(exported.username, exported.password), false, "the revoked user can no longer log in");
  await shot("leases-revoked");
  pass("Revoke: the row turns revoked with the result inline; PostgreSQL refuses the user");

  // --- 5. filters -----------------------------------------------------------------------------
  const filter = await $t("lease-filter-state");
  await filter.selectByAttribute("value", "live");
  await $t("lease-empty-state").waitForDisplayed({ timeout: 10000, timeoutMsg: "no live lease: the filtered empty state" });
  assert.equal(await $t("lease-empty-state").getAttribute("data-filtered"), "true");
  await filter.selectByAttribute("value", "revoked");
  await browser.waitUntil(async () => (await rows()).length === 2, { timeout: 10000, timeoutMsg: "the revoked filter shows both" });
  assert.equal(await $t("lease-revoke-vault").isEnabled(), false, "no vault chosen: nothing to revoke all of");
  await $t("lease-filter-vault").selectByAttribute("value", "e2e-pg");
  await browser.waitUntil(async () => (await $t("lease-revoke-vault").isEnabled()), { timeout: 5000, timeoutMsg: "choosing a vault enables Revoke all" });
  pass("filters: by state (and its empty state), by vault");
  await stop();
});
