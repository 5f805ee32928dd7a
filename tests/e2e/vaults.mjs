// The vault screens of the real vaultdesk window, end to end against a real OpenBao, a real
// PostgreSQL and the real OS keyring: what an admin does, asserted on what the window shows.
//   1. "+ Vault" → name and type → the form (URL prefilled from VAULT_ADDR) → Test passes
//      stage by stage → Save → listed, with the Test result and its time;
//   2. a hanging server: Test runs, the form stays usable, Cancel test stops it; a wrong
//      Secret ID → Test shows "invalid Role ID or Secret ID" under the Secret ID field; Save
//      shows field errors; Escape (twice: the form was edited) closes it and nothing is stored;
//   3. the pencil: IDs empty ("leave empty to keep"), Test with the IDs from the keyring,
//      Cache TTL changed and saved;
//   4. a PostgreSQL database-engine vault passes Test (credentials issued and revoked);
//   5. the trash on a vault a connector uses (added with the CLI): the dialog names it and
//      offers only "Delete anyway"; unused, confirmed from the keyboard: the vault leaves the
//      list and the keyring;
//   3b. the pencil again: another URL for the same server → Test asks before sending the stored
//      IDs (a dialog naming both servers; the Secret ID says why it is required); confirmed, the
//      Test passes; plain HTTP to another machine is refused under the URL without the Advanced
//      checkbox; a vault added with --allow-http is flagged in its row;
//   6. the app restarted: the changed Cache TTL is still there, list and form; the row's Test
//      button tests the stored configuration with the IDs from the keyring.
// Run by tests/scripts/e2e.sh, which prepares OpenBao (AppRole, KV, database engine) and
// passes the fixture in the environment:
//   VAULTDESK_APP, VAULTDESK_DATA_DIR, TAURI_DRIVER_PORT   as for smoke.mjs
//   E2E_BAO_ADDR          the OpenBao URL (the app also gets it as VAULT_ADDR)
//   E2E_ROLE_ID, E2E_SECRET_ID   an AppRole allowed to read both fixtures
//   E2E_KV_MOUNT          KV v2 mount holding app/config {username, password}
//   E2E_DB_MOUNT          database mount with role "ro" on connection "orders" (PostgreSQL)
//   E2E_CLI               the vaultdesk CLI, to add a connector using a vault

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import http from "node:http";
import {
  $t,
  appEnv,
  browser,
  choose,
  continueToForm,
  env,
  fill,
  focused,
  keyringAccounts,
  openAddForm,
  pass,
  row,
  run,
  runTest,
  shot,
  start,
  step,
  stop,
  texts,
  vaultListLoaded,
} from "./lib.mjs";

const { app, dataDir, port } = appEnv();
const baoAddr = env("E2E_BAO_ADDR");
const roleId = env("E2E_ROLE_ID");
const secretId = env("E2E_SECRET_ID");
const kvMount = env("E2E_KV_MOUNT");
const dbMount = env("E2E_DB_MOUNT");
const cliBin = env("E2E_CLI");

/** A new window on the data directory, its vault list loaded. */
async function launch() {
  await start({ app, dataDir, port });
  await vaultListLoaded();
}

await run(async () => {
  await launch();
  step(`window up, data dir ${dataDir}`);

  // --- 1. a KV vault through the form -------------------------------------------------------
  await openAddForm("e2e-kv");
  await shot("vault-add-type");
  await continueToForm();
  assert.equal(await $t("field-name").getValue(), "e2e-kv", "the form carries the name given in the first step");
  assert.equal(await $t("field-url").getValue(), baoAddr, "Vault URL & Port is prefilled from VAULT_ADDR");
  assert.equal(await $t("field-role_id").getAttribute("type"), "password", "Role ID is a password field");
  assert.equal(await $t("field-secret_id").getAttribute("type"), "password", "Secret ID is a password field");
  assert.equal(await $t("field-cache_ttl").getValue(), "5m", "Cache TTL starts at the default");
  const labels = await browser.execute(() =>
    [...document.querySelectorAll('[data-testid="vault-form"] input, [data-testid="vault-form"] select')]
      .filter((el) => !(el.labels && el.labels.length > 0))
      .map((el) => el.id || el.name),
  );
  assert.deepEqual(labels, [], "every input of the form has a label");
  await fill("role_id", roleId);
  await fill("secret_id", secretId);
  await fill("engine_name", kvMount);
  await fill("path", "app/config");
  let test = await runTest();
  assert.equal(test.outcome, "warning", `Test passes (with the plain-HTTP warning): ${JSON.stringify(test)}`);
  assert.equal(test.stages.reach.status, "passed");
  assert.equal(test.stages.tls.status, "warning", "plain HTTP is flagged as a warning");
  assert.match(test.stages.tls.summary, /plain HTTP/);
  assert.equal(test.stages.login.status, "passed");
  assert.equal(test.stages.read.status, "passed");
  assert.match(test.stages.read.summary, /keys password, username/, "the read stage names the secret's keys");
  assert.doesNotMatch(JSON.stringify(test), /kv-secret-value/, "no secret value reaches the window");
  assert.equal(test.stages.capabilities.status, "passed");
  await shot("vault-form-test-passed");
  pass("KV form: Test passed stage by stage");
  await $t("save-button").click();
  await $t("vault-form").waitForExist({ reverse: true, timeout: 10000, timeoutMsg: "Save did not close the form" });
  const kvRow = await row("e2e-kv");
  await kvRow.waitForDisplayed({ timeout: 10000, timeoutMsg: "the saved vault is not listed" });
  assert.equal(await kvRow.$('[data-testid="vault-url"]').getText(), baoAddr, "the row shows the URL");
  assert.match(await kvRow.$('[data-testid="vault-engine-type"]').getText(), /KV v2/);
  const lastTest = await kvRow.$('[data-testid="vault-last-test"]');
  assert.equal(await lastTest.getAttribute("data-status"), "warning", "the row shows the last Test result");
  const lastText = await lastTest.getText();
  assert.match(lastText, /Passed\s*with warnings · \d{1,2}:\d\d/, `…with its time: ${JSON.stringify(lastText)}`);
  const kvId = await kvRow.getAttribute("data-vault-id");
  pass("saved and listed with its Test result");

  // --- 2. a wrong Secret ID ------------------------------------------------------------------
  await openAddForm("e2e-bad");
  await continueToForm();
  await fill("role_id", roleId);
  await fill("secret_id", "00000000-0000-0000-0000-000000000000");
  await fill("engine_name", kvMount);
  await fill("path", "app/config");

  // A server that answers the health check and never answers the login: the stages before the
  // login show their results as they end, the login keeps running until cancelled, and the
  // form stays usable meanwhile.
  const held = new Set();
  const silent = http.createServer((req, res) => {
    if (req.url.startsWith("/v1/sys/health")) {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ initialized: true, sealed: false, standby: false, version: "e2e-hold" }));
    }
  });
  silent.on("connection", (socket) => held.add(socket));
  await new Promise((resolve) => silent.listen(0, "127.0.0.1", resolve));
  await fill("url", `http://127.0.0.1:${silent.address().port}`);
  await $t("test-button").click();
  await browser.waitUntil(
    async () =>
      (await $t("stage-reach").getAttribute("data-status")) === "passed" &&
      (await $t("stage-login").getAttribute("data-status")) === "running",
    { timeout: 5000, timeoutMsg: "the reach stage did not show its result while the login was still running" },
  );
  assert.match(await $t("stage-reach-summary").getText(), /e2e-hold/, "the finished stage shows its summary at once");
  assert.equal(await $t("stage-tls").getAttribute("data-status"), "warning", "plain HTTP shows as soon as it is known");
  await browser.pause(400);
  await fill("namespace", "typing-while-testing");
  assert.equal(await $t("field-namespace").getValue(), "typing-while-testing", "the form stays usable during a Test");
  assert.equal(await $t("test-result").getAttribute("data-outcome"), "running", "the Test is still running");
  assert.match(await $t("test-button").getText(), /Cancel test/, "the Test button offers to cancel");
  await shot("vault-form-test-running");
  await $t("test-button").click();
  await browser.waitUntil(async () => (await $t("test-result").getAttribute("data-outcome")) === "cancelled", {
    timeout: 3000,
    timeoutMsg: "Cancel test did not stop the Test",
  });
  assert.equal(await $t("test-result").getText(), "Test cancelled.");
  assert.match(await $t("test-button").getText(), /^Test$/, "the button is back to Test");
  for (const socket of held) socket.destroy();
  silent.close();
  await fill("url", baoAddr);
  await fill("namespace", "");
  pass("a hanging Test is cancelled; the form stayed usable");

  test = await runTest();
  assert.equal(test.outcome, "failed", "a wrong Secret ID fails the Test");
  assert.equal(test.stages.login.status, "failed", "…at the login stage");
  const secretError = await $t("error-secret_id");
  assert.match(await secretError.getText(), /invalid Role ID or Secret ID/i, "the message sits under the Secret ID field");
  assert.equal(await $t("field-secret_id").getAttribute("aria-invalid"), "true", "the Secret ID field is marked invalid");
  await shot("vault-form-invalid-secret");

  // Save validates the whole form and puts each message under its field, Advanced included.
  await fill("path", "");
  await $t("advanced").$("summary").click();
  await fill("cache_ttl", "forever");
  await $t("advanced").$("summary").click(); // closed again: Save must reopen it
  await $t("save-button").click();
  await browser.waitUntil(async () => (await $t("error-cache_ttl").getText()) !== "", {
    timeout: 5000,
    timeoutMsg: "Save showed no error under Cache TTL",
  });
  assert.notEqual(await $t("error-path").getText(), "", "Save shows the missing path under Path to secret");
  assert.equal(await $t("advanced").getAttribute("open"), "true", "Advanced opens to show its field's error");
  assert.match(await $t("form-status").getText(), /Save needs 2 fixes/, "next to Save, a summary says how many fields need fixing");
  assert.equal(await focused(), "field-path", "focus goes to the first invalid field");
  await shot("vault-form-save-errors", { scrollTop: false });
  await browser.keys("Escape");
  assert.match(await $t("form-status").getText(), /press Escape again to discard/, "Escape on an edited form asks first");
  assert.equal(await $t("vault-form").isDisplayed(), true, "…and keeps the form open");
  await browser.keys("Escape");
  await $t("vault-form").waitForExist({ reverse: true, timeout: 5000, timeoutMsg: "Escape did not close the form" });
  assert.equal(await row("e2e-bad").isExisting(), false, "a cancelled form stores nothing");
  pass("wrong Secret ID: message under the field; Escape closes; nothing stored");

  // --- 3. edit: Cache TTL ----------------------------------------------------------------------
  await kvRow.$('[data-testid="edit-vault"]').click();
  await $t("vault-form").waitForDisplayed({ timeout: 5000 });
  assert.equal(await $t("field-role_id").getValue(), "", "the Role ID is not shown back");
  assert.equal(await $t("field-secret_id").getValue(), "", "the Secret ID is not shown back");
  assert.match(await browser.$("#vault-secret_id-help").getText(), /stored in the OS keyring — leave empty to keep/i);
  assert.equal(await $t("field-path").getValue(), "app/config", "the form is prefilled");
  await $t("advanced").$("summary").click();
  await fill("cache_ttl", "1h30m");
  test = await runTest();
  // Every stage ran on the stored IDs: a keyring read that failed would end the Test as
  // "error" (or fail its login), which this must not accept.
  assert.ok(["passed", "warning"].includes(test.outcome), `Test of the edit form uses the IDs from the keyring: ${JSON.stringify(test)}`);
  for (const stage of ["reach", "tls", "login", "read"]) {
    assert.ok(["passed", "warning"].includes(test.stages[stage]?.status), `stage ${stage} passed: ${JSON.stringify(test.stages)}`);
  }
  assert.match(test.stages.login.summary, /polic/i, "the login stage reports the token's policies");
  await shot("vault-edit", { scrollTop: false });
  await $t("save-button").click();
  await $t("vault-form").waitForExist({ reverse: true, timeout: 10000 });
  await browser.waitUntil(async () => (await row("e2e-kv").$('[data-testid="vault-cache-ttl"]').getText()) === "1h30m", {
    timeout: 5000,
    timeoutMsg: "the list does not show the new Cache TTL",
  });
  pass("edited Cache TTL to 1h30m");

  // --- 3b. the stored IDs and a changed server; plain HTTP to another machine ----------------
  // The same OpenBao under another name is another server for the stored IDs: Test asks first.
  const stored = new URL(baoAddr);
  const renamed = baoAddr.replace("127.0.0.1", "localhost");
  await kvRow.$('[data-testid="edit-vault"]').click();
  await $t("vault-form").waitForDisplayed({ timeout: 5000 });
  await fill("url", renamed);
  await $t("test-button").click();
  await $t("reuse-dialog").waitForDisplayed({ timeout: 10000, timeoutMsg: "Test with a changed URL did not ask about the stored IDs" });
  assert.equal(await $t("reuse-stored-host").getText(), `http://127.0.0.1:${stored.port}`, "the dialog names the stored server");
  assert.equal(await $t("reuse-new-host").getText(), `http://localhost:${stored.port}`, "…and the new one");
  assert.equal(await focused(), "reuse-cancel", "the safe choice has the focus");
  await shot("vault-form-reuse-credentials", { scrollTop: false });
  await $t("reuse-cancel").click();
  await $t("reuse-dialog").waitForExist({ reverse: true, timeout: 5000 });
  assert.match(await browser.$("#vault-secret_id-help").getText(), /^Required: the stored IDs were saved for http:\/\/127\.0\.0\.1/, "the Secret ID says why it is required");
  assert.equal(await $t("field-secret_id").getAttribute("required"), "true", "…and is required");
  assert.match(await $t("error-secret_id").getText(), /is required|Required/, "the core's message sits under the Secret ID");
  assert.equal(await focused(), "field-secret_id", "focus goes to the Secret ID");
  await $t("test-button").click();
  await $t("reuse-dialog").waitForDisplayed({ timeout: 10000 });
  await $t("reuse-confirm").click();
  await browser.waitUntil(async () => !["running", undefined, null, ""].includes(await $t("test-result").getAttribute("data-outcome")), {
    timeout: 30000,
    timeoutMsg: "the confirmed Test never finished",
  });
  assert.notEqual(await $t("test-result").getAttribute("data-outcome"), "failed", "confirmed: the stored IDs go to the new name and the Test passes");
  pass("a changed server: the dialog names both, the Secret ID says why it is required, a confirmed Test passes");

  // Plain HTTP to another machine needs the Advanced checkbox (unticked by default).
  await $t("advanced").$("summary").click();
  assert.equal(await $t("field-allow_http").isSelected(), false, "Allow plain HTTP is off by default");
  await fill("url", "http://192.0.2.10:8200");
  await $t("save-button").click();
  await browser.waitUntil(async () => (await $t("error-url").getText()) !== "", { timeout: 5000, timeoutMsg: "Save showed no error under the URL" });
  const urlError = await $t("error-url").getText();
  assert.match(urlError, /plain HTTP to another machine.*Allow plain HTTP/is, `the URL says why, and what to tick: ${urlError}`);
  await browser.keys("Escape");
  await browser.keys("Escape");
  await $t("vault-form").waitForExist({ reverse: true, timeout: 5000, timeoutMsg: "Escape did not close the form" });
  assert.equal(await row("e2e-kv").$('[data-testid="vault-url"]').getText(), baoAddr, "nothing was saved");
  pass("plain HTTP to another machine: refused under the URL without the Advanced checkbox");

  // --- 4. a PostgreSQL database-engine vault -------------------------------------------------
  await openAddForm("e2e-pg", "openbao");
  await continueToForm();
  await fill("role_id", roleId);
  await fill("secret_id", secretId);
  await fill("engine_name", dbMount);
  await choose(await $t("field-engine_type"), "postgresql");
  assert.equal(await $t("field-path").isDisplayed(), false, "Path to secret is hidden for a database engine");
  await fill("db_role", "ro");
  await fill("connection_name", "orders");
  test = await runTest();
  assert.notEqual(test.outcome, "failed", `the PostgreSQL vault passes Test: ${JSON.stringify(test.stages)}`);
  assert.match(test.stages.read.summary, /credentials issued for user .*connection orders: postgresql-database-plugin/);
  assert.match(test.stages.read.summary, /test credentials revoked/);
  await shot("vault-form-postgresql");
  await $t("save-button").click();
  await $t("vault-form").waitForExist({ reverse: true, timeout: 10000 });
  await row("e2e-pg").waitForDisplayed({ timeout: 5000 });
  assert.match(await row("e2e-pg").$('[data-testid="vault-engine-type"]').getText(), /PostgreSQL/);
  await shot("vault-list");
  pass("PostgreSQL vault: Test passed, saved");

  // --- 5. delete: refused while a connector uses the vault, then unused --------------------
  const cli = (...args) => {
    const out = spawnSync(cliBin, ["--data-dir", dataDir, ...args.filter((a) => typeof a === "string")], {
      encoding: "utf8",
      input: args.find((a) => typeof a === "object")?.stdin ?? "",
    });
    assert.equal(out.status, 0, `vaultdesk ${args.join(" ")}: ${out.stderr}`);
  };
  const config = JSON.stringify({ host: "127.0.0.1", username: "{{secrets.e2e-pg.username}}", password: "{{secrets.e2e-pg.password}}" });
  cli("connector", "add", "orders-db", "--kind", "postgresql", "--vault", "e2e-pg", "--config", "-", { stdin: config });
  await $t("refresh").click();
  await browser.waitUntil(async () => (await row("e2e-pg").$('[data-testid="vault-used-by"]').isExisting()), {
    timeout: 5000,
    timeoutMsg: "the row does not say that a connector uses the vault",
  });
  assert.equal(await row("e2e-pg").$('[data-testid="vault-used-by"]').getText(), "used by 1 connector");
  await row("e2e-pg").$('[data-testid="delete-vault"]').click();
  await $t("delete-dialog").waitForDisplayed({ timeout: 5000 });
  assert.deepEqual(
    await texts('[data-testid="delete-connector"]'),
    ["orders-db"],
    "the confirmation names the connector using the vault",
  );
  assert.equal(await $t("delete-confirm").getText(), "Delete anyway", "only a forced removal is offered");
  await shot("vault-delete-in-use");
  await browser.keys("Escape");
  await $t("delete-dialog").waitForExist({ reverse: true, timeout: 5000, timeoutMsg: "Escape did not close the dialog" });
  cli("connector", "remove", "orders-db");
  await $t("refresh").click();
  await browser.waitUntil(async () => !(await row("e2e-pg").$('[data-testid="vault-used-by"]').isExisting()), { timeout: 5000 });
  pass("in use: the dialog names the connector and offers only Delete anyway");

  // A vault allowed plain HTTP to another machine says so in its row.
  const idsDir = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-ids-"));
  fs.writeFileSync(path.join(idsDir, "role"), roleId, { mode: 0o600 });
  fs.writeFileSync(path.join(idsDir, "secret"), secretId, { mode: 0o600 });
  cli("vault", "add", "e2e-http", "--url", "http://192.0.2.10:8200", "--allow-http", "--engine-name", kvMount, "--engine-type", "kv2",
    "--path", "app/config", "--role-id-file", path.join(idsDir, "role"), "--secret-id-file", path.join(idsDir, "secret"));
  fs.rmSync(idsDir, { recursive: true, force: true });
  await $t("refresh").click();
  await row("e2e-http").waitForDisplayed({ timeout: 5000 });
  assert.equal(await row("e2e-http").$('[data-testid="vault-allow-http"]').getText(), "plain HTTP allowed", "the row flags the opt-in");
  assert.equal(await row("e2e-kv").$('[data-testid="vault-allow-http"]').isExisting(), false, "a loopback vault carries no flag");
  cli("vault", "remove", "e2e-http");
  await $t("refresh").click();
  await row("e2e-http").waitForExist({ reverse: true, timeout: 5000 });
  pass("a vault with plain HTTP allowed is flagged in the list");

  const pgRow = await row("e2e-pg");
  const pgId = await pgRow.getAttribute("data-vault-id");
  assert.equal(keyringAccounts().filter((a) => a.includes(`/${pgId}/`)).length, 2, "the keyring holds the vault's Role ID and Secret ID");
  await pgRow.$('[data-testid="delete-vault"]').click();
  await $t("delete-dialog").waitForDisplayed({ timeout: 5000 });
  assert.equal(await $t("delete-vault-name").getText(), "e2e-pg", "the confirmation names the vault");
  assert.equal(await focused(), "delete-cancel", "Cancel has the focus first");
  await shot("vault-delete-confirm");
  await browser.keys("Tab");
  assert.equal(await focused(), "delete-confirm", "Tab reaches Delete");
  await browser.keys("Tab");
  await browser.keys("Tab");
  assert.equal(
    await browser.execute(() => !!document.activeElement?.closest('[data-testid="delete-dialog"]')),
    true,
    "focus stays inside the dialog",
  );
  await browser.execute(() => document.querySelector('[data-testid="delete-confirm"]').focus());
  await browser.keys("Enter");
  await row("e2e-pg").waitForExist({ reverse: true, timeout: 10000, timeoutMsg: "the deleted vault is still listed" });
  assert.deepEqual(keyringAccounts().filter((a) => a.includes(`/${pgId}/`)), [], "its keyring entries are gone");
  assert.equal(keyringAccounts().filter((a) => a.includes(`/${kvId}/`)).length, 2, "the other vault's entries stay");
  pass("deleted e2e-pg: gone from the list and the keyring");
  await stop();

  // --- 6. restart: the Cache TTL persisted ---------------------------------------------------
  await launch();
  const again = await row("e2e-kv");
  await again.waitForDisplayed({ timeout: 10000 });
  assert.equal(await again.$('[data-testid="vault-cache-ttl"]').getText(), "1h30m", "the Cache TTL survived a restart");
  // Test results live in the window's memory only: after a restart the row offers a Test.
  assert.equal(await again.$('[data-testid="vault-last-test"]').getText(), "Not tested", "no stale Test result after a restart");
  await again.$('[data-testid="test-vault"]').click();
  await browser.waitUntil(async () => (await row("e2e-kv").$('[data-testid="vault-last-test"]').getAttribute("data-status")) === "warning", {
    timeout: 20000,
    timeoutMsg: "the row's Test (stored configuration, IDs from the keyring) did not pass",
  });
  pass("Test from the list row passed with the stored configuration");
  await again.$('[data-testid="edit-vault"]').click();
  await $t("vault-form").waitForDisplayed({ timeout: 5000 });
  assert.equal(await $t("field-cache_ttl").getValue(), "1h30m", "the edit form shows it too");
  await browser.keys("Escape");
  await $t("vault-form").waitForExist({ reverse: true, timeout: 5000 });
  pass("after a restart the Cache TTL is still 1h30m");
  await stop();
});
