// The INSTALLED window (/usr/bin/vaultdesk-app from the Debian package), driven through
// tauri-driver by tests/package/install.sh, which installed the package and added a vault and
// a connector with the installed CLI:
//   1. the window shows the Secret Manager with that vault's row;
//   2. the header's version badge is the package's version and the data directory is the one
//      given;
//   3. the release build ignores the E2E's export switch: with VAULTDESK_E2E_EXPORT_DIR set in
//      its environment, "Export all" waits for the native folder dialog instead of writing
//      into that folder (a debug build would have written there at once).
//
// Environment:
//   VAULTDESK_APP          /usr/bin/vaultdesk-app
//   VAULTDESK_DATA_DIR     data directory passed to the app as --data-dir
//   E2E_VAULT_NAME         the vault row to wait for
//   E2E_VAULT_URL          the URL that row must show
//   E2E_VERSION            the version the header must show (as "vVERSION")
//   E2E_EXPORT_DIR         the app's VAULTDESK_E2E_EXPORT_DIR: must stay empty
//   E2E_SCREENSHOT         screenshot name (default package-installed)
//   TAURI_DRIVER_PORT      tauri-driver's port (default 4444)

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { $t, appEnv, artifacts, browser, diagnostics, env, pass, run, shot, start, step, texts, vaultListLoaded } from "./lib.mjs";

const { app, dataDir, port } = appEnv();
const vaultName = env("E2E_VAULT_NAME");
const vaultUrl = env("E2E_VAULT_URL");
const version = env("E2E_VERSION");
const exportDir = env("E2E_EXPORT_DIR");
const screenshot = env("E2E_SCREENSHOT", "package-installed");

await run(async () => {
  await start({ app, dataDir, port });
  step(`window up: ${app}, data dir ${dataDir}`);
  assert.equal(await browser.getTitle(), "vaultdesk", "the window title is the product name");
  await vaultListLoaded();
  assert.equal(await browser.$("#secret-manager-title").getText(), "Secret Manager", "the Secret Manager page is shown");
  const row = await browser.$(`[data-testid="vault-row"][data-vault-name="${vaultName}"]`);
  await row.waitForDisplayed({ timeout: 15000, timeoutMsg: `no row for vault "${vaultName}" appeared` });
  assert.equal((await row.$('[data-testid="vault-url"]').getText()).trim(), vaultUrl, "the row shows the vault URL");
  assert.equal((await browser.$$('[data-testid="vault-row"]')).length, 1, "exactly one vault is listed");
  pass(`the installed window shows the Secret Manager with "${vaultName}" (${vaultUrl})`);

  // The header's meta items (ui/src/main.ts loadInfo): "vVERSION", then the data directory.
  await browser.waitUntil(async () => (await texts(".meta-item")).length >= 2, {
    timeout: 10000,
    timeoutMsg: "the header never showed the version and the data directory",
  });
  const meta = (await texts(".meta-item")).map((t) => t.trim());
  assert.ok(meta.includes(`v${version}`), `the header shows v${version} (shows ${JSON.stringify(meta)})`);
  assert.ok(meta.includes(dataDir), `the header shows the data directory ${dataDir} (shows ${JSON.stringify(meta)})`);
  pass(`the version badge says v${version}, like the package and vaultdesk --version`);

  assert.deepEqual(await diagnostics(), [], "no page error, unhandled rejection or CSP violation");
  pass("no page errors or CSP violations");
  await shot(screenshot);

  // The release build has no test switch: "Export all" asks the native dialog for a folder.
  await $t("nav-connectors").click();
  const exportAll = $t("export-all");
  await browser.waitUntil(async () => (await exportAll.isEnabled()), { timeout: 10000, timeoutMsg: "Export all never became enabled (no connector listed?)" });
  await exportAll.click();
  await browser.waitUntil(async () => (await browser.$("#connector-status").getText()) === "Choose a folder…", {
    timeout: 5000,
    timeoutMsg: "Export all did not ask for a folder",
  });
  await browser.pause(3000);
  const status = await browser.$("#connector-status").getText();
  assert.equal(status, "Choose a folder…", `Export all still waits for the native dialog after 3 s (status: ${status})`);
  assert.deepEqual(await readdir(exportDir), [], `nothing was written into VAULTDESK_E2E_EXPORT_DIR (${exportDir})`);
  pass("VAULTDESK_E2E_EXPORT_DIR is ignored: Export all waits for the native folder dialog, the folder stays empty");
  // The dialog is a GTK window the page cannot see: photograph the whole (virtual) display.
  const displayShot = path.join(artifacts, `${screenshot}-dialog.png`);
  await promisify(execFile)("import", ["-window", "root", displayShot]);
  step(`screenshot of the display with the native dialog: tests/artifacts/${path.basename(displayShot)}`);
}, { failureShot: `${screenshot}-failure` });
