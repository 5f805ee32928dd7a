// Smoke test of the real vaultdesk window: the Tauri app, its embedded UI, the IPC with its
// capability, and the SQLite store written by the CLI. Driven through tauri-driver (which
// fronts WebKitWebDriver on Linux). Run by tests/scripts/e2e.sh, which starts Xvfb and
// tauri-driver and prepares the data directory.
//
// Environment:
//   VAULTDESK_APP        absolute path of the app binary (built with --features custom-protocol)
//   VAULTDESK_DATA_DIR   data directory passed to the app as --data-dir
//   E2E_VAULT_NAME       the vault row to wait for; unset (with E2E_EXPECT_EMPTY=1) to check
//                        the empty state instead
//   E2E_VAULT_URL        the URL that row must show
//   E2E_VAULT_ENGINE     engine type of that vault (default kv2)
//   E2E_EXPECT_EMPTY     1: the data directory holds no vault; expect the empty state
//   E2E_SCREENSHOT       screenshot name, saved as tests/artifacts/<name>.png (default smoke)
//   TAURI_DRIVER_PORT    tauri-driver's port (default 4444)

import assert from "node:assert/strict";
import { $t, appEnv, browser, diagnostics, env, pass, run, shot, start, step } from "./lib.mjs";

const { app, dataDir, port } = appEnv();
const expectEmpty = process.env.E2E_EXPECT_EMPTY === "1";
const vaultName = expectEmpty ? null : env("E2E_VAULT_NAME");
const vaultUrl = expectEmpty ? null : env("E2E_VAULT_URL");
const engineType = env("E2E_VAULT_ENGINE", "kv2");
const screenshot = env("E2E_SCREENSHOT", "smoke");

// What the UI shows for each engine type (ui/src/main.ts ENGINE_LABELS).
const ENGINE_LABELS = { kv2: "KV v2", mysql: "MySQL", mariadb: "MariaDB", postgresql: "PostgreSQL", mongodb: "MongoDB" };

await run(async () => {
  await start({ app, dataDir, port });
  step(`window up, data dir ${dataDir}`);
  assert.equal(await browser.getTitle(), "vaultdesk", "the window title is the product name");
  const heading = await browser.$("#secret-manager-title");
  await heading.waitForExist({
    timeout: 15000,
    timeoutMsg: "the UI never loaded: is the app built with --features custom-protocol (scripts/build-app.sh)?",
  });
  assert.equal(await heading.getText(), "Secret Manager", "the Secret Manager section is shown");
  pass("the window shows the Secret Manager");

  if (expectEmpty) {
    const empty = await $t("empty-state");
    await empty.waitForDisplayed({ timeout: 15000, timeoutMsg: "the empty state never appeared" });
    assert.match(await empty.getText(), /No vaults yet/, "the empty state says there is no vault yet");
    assert.match(await empty.getText(), /vaultdesk vault add/, "the empty state shows how to add a vault");
    assert.equal((await browser.$$('[data-testid="vault-row"]')).length, 0, "no vault row is listed");
    pass("empty state shown");
  } else {
    const row = await browser.$(`[data-testid="vault-row"][data-vault-name="${vaultName}"]`);
    await row.waitForDisplayed({ timeout: 15000, timeoutMsg: `no row for vault "${vaultName}" appeared` });
    const cellText = async (id) => (await row.$(`[data-testid="${id}"]`).getText()).trim();
    const name = await cellText("vault-name");
    assert.equal(name, vaultName, "the row shows the vault name");
    const engine = row.$('[data-testid="vault-engine-type"]');
    assert.equal(await engine.getAttribute("data-engine-type"), engineType, "the row carries the engine type");
    const engineText = await cellText("vault-engine-type");
    assert.ok(engineText.includes(ENGINE_LABELS[engineType]), `the row shows "${ENGINE_LABELS[engineType]}" (cell text: ${JSON.stringify(engineText)})`);
    assert.equal(await cellText("vault-url"), vaultUrl, "the row shows the vault URL");
    pass(`row "${vaultName}" shows ${engineType} and ${vaultUrl}`);

    // Refresh re-reads the database and renders the list again: the old row goes, a new one comes.
    await browser.execute((el) => el.setAttribute("data-e2e-stale", "1"), row);
    await $t("refresh").click();
    const fresh = browser.$(`[data-testid="vault-row"][data-vault-name="${vaultName}"]:not([data-e2e-stale])`);
    await fresh.waitForDisplayed({ timeout: 10000, timeoutMsg: "Refresh did not render the vault again" });
    assert.match(await $t("status").getText(), /^1 vault · updated/, "the status announces the list");
    pass("Refresh re-read the list");
  }

  // The doctor finds nothing out of step in a data directory the CLI filled: no notice shown.
  const report = await browser.executeAsync((done) => {
    window.__TAURI_INTERNALS__.invoke("doctor").then((r) => done(r), (e) => done({ error: String(e) }));
  });
  assert.ok(Array.isArray(report.findings), `the doctor command answers: ${JSON.stringify(report)}`);
  assert.deepEqual(report.findings.filter((f) => !f.repaired), [], "nothing out of step");
  assert.equal(await $t("doctor-banner").isDisplayed(), false, "no out-of-step notice is shown");
  pass("doctor: nothing out of step, no notice");

  // The Content Security Policy is enforced: an injected inline script must not run.
  const inlineRan = await browser.executeAsync((done) => {
    const s = document.createElement("script");
    s.textContent = "document.documentElement.dataset.inlineRan = 'yes'";
    document.body.append(s);
    setTimeout(() => done(document.documentElement.dataset.inlineRan === "yes"), 300);
  });
  assert.equal(inlineRan, false, "the CSP blocks inline scripts");

  // The capability grants the app's own commands only: a core plugin command is refused.
  const refused = await browser.executeAsync((done) => {
    window.__TAURI_INTERNALS__
      .invoke("plugin:app|version")
      .then(() => done(null), (e) => done(String(e)));
  });
  assert.ok(refused && /not allowed/i.test(refused), `plugin:app|version must be refused by the ACL, got ${refused}`);
  step(`ungranted command refused: ${refused}`);
  pass("CSP blocks inline scripts; ACL refuses ungranted commands");

  // Nothing went wrong in the page apart from the deliberate inline-script probe above, which
  // the page's recorder (ui/src/diagnostics.ts) must have seen: proof that it is listening.
  const recorded = await diagnostics();
  const isProbe = (d) => d.kind === "csp" && /^script-src(-elem)? blocked inline/.test(d.message);
  assert.ok(recorded.some(isProbe), `the recorder saw the inline-script probe: ${JSON.stringify(recorded)}`);
  assert.deepEqual(recorded.filter((d) => !isProbe(d)), [], "no page error, unhandled rejection or other CSP violation");
  pass("no page errors or CSP violations");

  await shot(screenshot);
}, { failureShot: `${screenshot}-failure` });
