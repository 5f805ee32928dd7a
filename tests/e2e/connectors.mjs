// The Connectors section of the real vaultdesk window, end to end against a real OpenBao, a
// real PostgreSQL (database secrets engine) and the real OS keyring:
//   1. the navigation from the keyboard; the empty state;
//   2. a PostgreSQL connector: the Secrets Manager dropdown lists the compatible vaults only;
//      choosing the database-engine vault pre-fills username and password as references; the
//      live preview is masked (no secret value anywhere in the page) and lists each reference
//      with its vault, key and cache state; a missing key is reported under its field as you
//      type; autocomplete offers vault names after {{secrets.; reveal one value, then all; a
//      password typed in as a value is masked and flagged in its row ("stored in clear");
//      Save → listed;
//   2b. Test connection on an unsaved PostgreSQL connector whose user and password come from the
//      KV vault: every stage streamed and passed against the real PostgreSQL, nothing secret in
//      the page; a wrong password fails Authentication, named under the Password field;
//   3. a REST connector: Save with errors puts them under Name and Base URL; a KV vault
//      pre-fills base_url and a bearer token; reveal all shows the stored values; Export (the
//      native dialog replaced by VAULTDESK_E2E_EXPORT_DIR) writes a 0600 JSON file with the
//      rendered values; Save;
//   4. Export all (env) writes one 0600 file per connector;
//   5. the vault a connector uses cannot be deleted without "Delete anyway", naming it;
//   6. a connector deleted from the list; the page itself may not call the dialog plugin.
// Run by tests/scripts/e2e.sh, which adds the vaults with the CLI and passes:
//   VAULTDESK_APP, VAULTDESK_DATA_DIR, TAURI_DRIVER_PORT   as for smoke.mjs
//   E2E_EXPORT_DIR       the folder the app exports to (its VAULTDESK_E2E_EXPORT_DIR)
//   E2E_KV_SECRET        the password stored in vault e2e-kv (never shown unless revealed)
//   E2E_API_URL, E2E_API_TOKEN   base_url and token stored in vault e2e-api
//   E2E_PG_HOST, E2E_PG_PORT     the test PostgreSQL, where e2e-kv's username/password log in

import assert from "node:assert/strict";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { $t, appEnv, browser, choose, env, pass, run, shot, start, stop, texts, vaultListLoaded } from "./lib.mjs";

const { app, dataDir, port } = appEnv();
const exportDir = env("E2E_EXPORT_DIR");
const kvSecret = env("E2E_KV_SECRET");
const apiUrl = env("E2E_API_URL");
const apiToken = env("E2E_API_TOKEN");
const pgHost = env("E2E_PG_HOST");
const pgPort = env("E2E_PG_PORT");
const MASK = "••••••••";

const field = (name) => $t(`connector-field-${name}`);
/** What autocomplete offers under the Database field. */
const suggestions = () => texts('[data-field="database"] .ac-list:not([hidden]) .ac-item');
const connectorRow = (name) => browser.$(`[data-testid="connector-row"][data-connector-name="${name}"]`);

async function type(name, value) {
  const input = await field(name);
  await input.clearValue();
  if (value !== "") await input.setValue(value);
}

async function options(name) {
  return browser.execute(
    (sel) => [...document.querySelectorAll(`${sel} option`)].map((o) => o.value).filter((v) => v !== ""),
    `[data-testid="connector-field-${name}"]`,
  );
}

/** The preview's rows once it has rendered: {field: {value, secret, revealed}}. */
async function previewRows() {
  await browser.waitUntil(async () => (await $t("preview-state").getAttribute("data-state")) === "ok", {
    timeout: 15000,
    timeoutMsg: `the preview never rendered: ${await $t("preview-state").getText()}`,
  });
  return browser.execute(() =>
    Object.fromEntries(
      [...document.querySelectorAll('[data-testid="preview-row"]')].map((r) => [
        r.dataset.field,
        { value: r.querySelector('[data-testid="preview-value"]').textContent, secret: r.dataset.secret === "true", revealed: r.dataset.revealed === "true" },
      ]),
    ),
  );
}

/** Waits for the preview to settle on a render where `check(rows)` holds. */
async function previewUntil(check, what) {
  let rows = {};
  await browser.waitUntil(
    async () => {
      rows = await previewRows().catch(() => ({}));
      return check(rows);
    },
    { timeout: 15000, timeoutMsg: `the preview never showed ${what}: ${JSON.stringify(rows)}` },
  );
  return rows;
}

/**
 * Whether `text` is anywhere in the page: its markup, the value of every input and text area
 * (which outerHTML does not show), and the preview panel's text.
 */
const pageHas = (text) =>
  browser.execute((t) => {
    const values = [...document.querySelectorAll("input, textarea, select")].map((e) => e.value);
    const preview = document.querySelector('[data-testid="preview-panel"], [data-testid="preview-state"]')?.textContent ?? "";
    return document.documentElement.outerHTML.includes(t) || values.some((v) => v.includes(t)) || preview.includes(t);
  }, text);

async function fileMode(p) {
  return ((await stat(p)).mode & 0o777).toString(8);
}

await run(async () => {
  await start({ app, dataDir, port });
  await vaultListLoaded();

  // --- 1. navigation from the keyboard; empty state ---------------------------------------
  await browser.execute(() => document.querySelector('[data-testid="nav-vaults"]').focus());
  await browser.keys("ArrowRight");
  await $t("connector-empty-state").waitForDisplayed({ timeout: 10000, timeoutMsg: "ArrowRight on the navigation did not show the Connectors page" });
  assert.equal(await $t("nav-connectors").getAttribute("aria-current"), "page", "the Connectors tab is the current page");
  assert.equal(await browser.$("#page-vaults").isDisplayed(), false, "the Secret Manager page is hidden");
  await shot("connectors-empty");
  pass("keyboard navigation to Connectors; empty state");

  // --- 2. a PostgreSQL connector on the database-engine vault -------------------------------
  await $t("add-connector").click();
  await $t("connector-form").waitForDisplayed({ timeout: 5000, timeoutMsg: "+ Connector did not open the editor" });
  const unlabelled = await browser.execute(() =>
    [...document.querySelectorAll('[data-testid="connector-form"] input, [data-testid="connector-form"] select, [data-testid="connector-form"] textarea')]
      .filter((el) => el.offsetParent !== null && !(el.labels && el.labels.length > 0))
      .map((el) => el.id),
  );
  assert.deepEqual(unlabelled, [], "every visible input of the editor has a label");
  await type("name", "orders-pg");
  assert.equal(await field("kind").getValue(), "postgresql");
  assert.deepEqual((await options("vault")).sort(), ["e2e-api", "e2e-kv", "e2e-pg"], "PostgreSQL takes KV vaults and the PostgreSQL engine");
  await choose(await field("vault"), "e2e-pg");
  await browser.waitUntil(async () => (await field("password").getValue()) !== "", { timeout: 10000, timeoutMsg: "choosing the vault pre-filled nothing" });
  assert.equal(await field("username").getValue(), "{{secrets.e2e-pg.username}}", "username pre-filled as a reference");
  assert.equal(await field("password").getValue(), "{{secrets.e2e-pg.password}}", "password pre-filled as a reference");
  await type("host", "db.internal");
  await type("port", "5432");
  // A key the KV secret lacks: the reason shows under the field as you type.
  await type("database", "{{secrets.e2e-kv.dbname}}");
  await browser.waitUntil(async () => /no key/.test(await $t("connector-error-database").getText()), {
    timeout: 15000,
    timeoutMsg: "a missing key was not reported under its field",
  });
  const missing = await $t("connector-error-database").getText();
  assert.match(missing, /no key "dbname"/, `the reason names the key: ${missing}`);
  assert.match(missing, /password, username/, "…and the keys that exist (names only)");
  assert.equal(await field("database").getAttribute("aria-invalid"), "true", "the field is marked invalid");
  await shot("connector-missing-key");
  // Autocomplete: vault names after {{secrets.
  const db = await field("database");
  await db.clearValue();
  await db.setValue("{{secrets.e2e-");
  await browser.waitUntil(
    async () => (await suggestions()).length > 0,
    { timeout: 5000, timeoutMsg: "no vault names were suggested after {{secrets." },
  );
  const suggested = await suggestions();
  assert.deepEqual(suggested.sort(), ["e2e-api", "e2e-kv", "e2e-pg"], "vault names are suggested");
  await shot("connector-autocomplete");
  // ArrowDown to the second, Enter takes it; then "." offers the key names of that vault.
  await browser.keys(["ArrowDown", "Enter"]);
  assert.equal(await db.getValue(), `{{secrets.${suggested[1]}`, "Enter accepts the highlighted vault name");
  await db.clearValue();
  await db.setValue("{{secrets.e2e-kv.");
  await browser.waitUntil(
    async () => (await suggestions()).length > 0,
    { timeout: 5000, timeoutMsg: "no key names were suggested after {{secrets.e2e-kv." },
  );
  assert.deepEqual(
    (await suggestions()).sort(),
    ["password", "username"],
    "the key names of the vault's secret are suggested (names only)",
  );
  assert.equal(await pageHas(kvSecret), false, "suggesting keys sends no value to the page");
  await type("database", "orders");
  let rows = await previewUntil((r) => r.database?.value === "orders" && r.password, "the fixed database");
  assert.equal(await $t("connector-error-database").getText(), "", "the error leaves once the field is fixed");
  assert.equal(rows.password.value, MASK, "the password is masked");
  assert.equal(rows.username.value, MASK, "the username is masked");
  assert.equal(rows.password.secret, true);
  assert.equal(rows.host.value, "db.internal", "plain values show as typed");
  assert.equal(rows.port.value, "5432");
  const refs = await browser.execute(() =>
    [...document.querySelectorAll('[data-testid="preview-ref"]')].map((li) => ({ vault: li.dataset.vault, key: li.dataset.key, cache: li.querySelector('[data-testid="preview-ref-cache"]').textContent })),
  );
  assert.deepEqual(refs.map((r) => `${r.vault}.${r.key}`).sort(), ["e2e-pg.password", "e2e-pg.username"], "each reference is listed with its vault and key");
  for (const r of refs) assert.match(r.cache, /fetched \d\d:\d\d:\d\d( [AP]M)? · cache expires in \d/, `the cache state is shown: ${r.cache}`);
  await shot("connector-pg-masked");
  // Reveal one value.
  await browser.$('[data-testid="preview-row"][data-field="username"] [data-testid="reveal-value"]').click();
  rows = await previewUntil((r) => r.username?.revealed, "the revealed username");
  await browser.waitUntil(async () => (await browser.$('[data-testid="preview-row"][data-field="username"]').getAttribute("data-revealed")) === "true", { timeout: 5000 });
  const user = await browser.$('[data-testid="preview-row"][data-field="username"] [data-testid="preview-value"]').getText();
  assert.match(user, /^v-/, `revealing the username shows the user OpenBao issued: ${user}`);
  assert.equal(
    await browser.$('[data-testid="preview-row"][data-field="password"] [data-testid="preview-value"]').getText(),
    MASK,
    "revealing one value keeps the others masked",
  );
  // A password typed in as a value: masked like a reference, and flagged in its row.
  await type("password", "typed-in-pw-e2e");
  await $t("literal-secret-warning").waitForDisplayed({ timeout: 15000, timeoutMsg: "a literal password was not flagged" });
  rows = await previewUntil((r) => r.password && !r.password.revealed, "the literal password");
  assert.equal(rows.password.value, MASK, "a literal secret is masked like a reference");
  assert.match(await $t("literal-secret-warning").getText(), /stored in clear in the local database; move it to a vault/i);
  assert.equal(
    await browser.$('[data-testid="preview-row"][data-field="password"] [data-testid="literal-secret-warning"]').isExisting(),
    true,
    "the warning sits in the password's row",
  );
  await shot("connector-literal-secret");
  await type("password", "{{secrets.e2e-pg.password}}");
  await $t("literal-secret-warning").waitForExist({ reverse: true, timeout: 15000, timeoutMsg: "the warning stayed after the reference came back" });
  await $t("connector-save").click();
  await $t("connector-form").waitForExist({ reverse: true, timeout: 10000, timeoutMsg: "Save did not close the editor" });
  await connectorRow("orders-pg").waitForDisplayed({ timeout: 10000, timeoutMsg: "the saved connector is not listed" });
  assert.equal(await connectorRow("orders-pg").$('[data-testid="connector-kind"]').getText(), "PostgreSQL");
  assert.equal(await connectorRow("orders-pg").$('[data-testid="connector-vault"]').getText(), "e2e-pg");
  assert.equal(await connectorRow("orders-pg").$('[data-testid="connector-references"]').getAttribute("data-count"), "2");
  pass("PostgreSQL connector: compatible vaults, pre-fill, masked preview, missing key in place, autocomplete, reveal one, saved");

  // --- 2b. Test connection on an unsaved connector, credentials from the KV vault -----------
  await $t("add-connector").click();
  await $t("connector-form").waitForDisplayed({ timeout: 5000 });
  await choose(await field("vault"), "e2e-kv");
  await browser.waitUntil(async () => (await field("password").getValue()) !== "", { timeout: 10000, timeoutMsg: "the KV vault pre-filled nothing" });
  assert.equal(await field("password").getValue(), "{{secrets.e2e-kv.password}}");
  await type("host", pgHost);
  await type("port", pgPort);
  await type("database", "postgres");
  const stageOf = (s) => $t(`connector-stage-${s}`);
  const testOutcome = async () => $t("connector-test-result").getAttribute("data-outcome");
  await $t("connector-test-button").click();
  await browser.waitUntil(async () => ["passed", "warning", "failed", "error"].includes(await testOutcome()), {
    timeout: 60000,
    timeoutMsg: "Test connection did not finish",
  });
  const stages = await browser.execute(() =>
    [...document.querySelectorAll('[data-testid="connector-test-stages"] .stage')].map((li) => [li.dataset.stage, li.dataset.status]),
  );
  assert.deepEqual(
    stages,
    [["secrets", "passed"], ["dns", "passed"], ["tcp", "passed"], ["tls", "warning"], ["authentication", "passed"], ["query", "passed"], ["privileges", "passed"]],
    `every stage passed (TLS: the test server offers none, flagged): ${await $t("connector-test-result").getText()}`,
  );
  assert.equal(await testOutcome(), "warning");
  assert.match(await $t("connector-stage-authentication-summary").getText(), /logged in as "app" to database "postgres"/);
  assert.match(await $t("connector-stage-query-summary").getText(), /PostgreSQL 15/);
  assert.equal(await pageHas(kvSecret), false, "the test sends no secret value to the page");
  await shot("connector-test-passed");
  // A wrong password: Authentication fails, named under the Password field.
  await type("password", "not-the-password");
  await $t("connector-test-button").click();
  await browser.waitUntil(async () => (await testOutcome()) === "failed", { timeout: 60000, timeoutMsg: "a wrong password did not fail the test" });
  assert.equal(await stageOf("authentication").getAttribute("data-status"), "failed");
  assert.equal(await stageOf("query").getAttribute("data-status"), "skipped");
  assert.match(await $t("connector-error-password").getText(), /wrong password for user "app"/i, "the error is under the Password field");
  assert.equal(await field("password").getAttribute("aria-invalid"), "true");
  await shot("connector-test-wrong-password");
  await browser.execute(() => document.querySelector('[data-testid="connector-cancel"]')?.click());
  await browser.waitUntil(async () => !(await $t("connector-form").isExisting()) || !(await $t("connector-form").isDisplayed()), { timeout: 5000, timeoutMsg: "Cancel did not close the editor" });
  pass("Test connection: an unsaved PostgreSQL connector from the KV vault passes every stage; a wrong password is named under its field");

  // --- 3. a REST connector on a KV vault --------------------------------------------------
  await $t("add-connector").click();
  await $t("connector-form").waitForDisplayed({ timeout: 5000 });
  await choose(await field("kind"), "rest");
  await browser.waitUntil(async () => (await field("base_url").isExisting()), { timeout: 5000, timeoutMsg: "the REST fields did not appear" });
  // The vault list of the new kind is fetched after the kind changes: wait for it to settle.
  await browser
    .waitUntil(async () => JSON.stringify((await options("vault")).sort()) === JSON.stringify(["e2e-api", "e2e-kv"]), { timeout: 5000 })
    .catch(() => undefined);
  assert.deepEqual((await options("vault")).sort(), ["e2e-api", "e2e-kv"], "REST takes KV vaults only");
  await $t("connector-save").click();
  await browser.waitUntil(async () => (await $t("connector-error-name").getText()) !== "", { timeout: 5000, timeoutMsg: "Save showed no error under Name" });
  assert.match(await $t("connector-error-base_url").getText(), /Required/, "Save puts the missing Base URL under its field");
  assert.match(await $t("connector-form-status").getText(), /needs 2 fixes/);
  await shot("connector-save-errors");
  // Export checks the form as Save does: nothing is written, the reasons sit under the fields.
  await $t("export-button").click();
  await browser.waitUntil(async () => (await $t("export-notice").getText()) === "Not exported.", { timeout: 5000, timeoutMsg: "an invalid form was exported" });
  assert.match(await $t("connector-error-base_url").getText(), /Required/, "Export puts the missing Base URL under its field");
  await type("name", "billing-api");
  await choose(await field("vault"), "e2e-api");
  await browser.waitUntil(async () => (await field("base_url").getValue()) !== "", { timeout: 10000, timeoutMsg: "the KV vault pre-filled nothing" });
  assert.equal(await field("base_url").getValue(), "{{secrets.e2e-api.base_url}}");
  assert.equal(await field("auth").getValue(), "bearer", "a token key pre-fills bearer auth");
  assert.equal(await field("auth-token").getValue(), "{{secrets.e2e-api.token}}");
  // Two lines (WebDriver's setValue drops the newline): set it as a paste would.
  await browser.execute((el, v) => {
    el.value = v;
    el.dispatchEvent(new Event("input", { bubbles: true }));
  }, await field("headers"), "X-Team: payments\nX-Password: {{secrets.e2e-kv.password}}");
  rows = await previewUntil((r) => r["auth.token"] && r["headers.X-Password"], "the REST configuration");
  assert.equal(rows["auth.token"].value, MASK);
  assert.equal(rows.base_url.value, MASK);
  assert.equal(rows["headers.X-Team"].value, "payments");
  assert.equal(await pageHas(apiToken), false, "no secret value is in the page before Reveal");
  assert.equal(await pageHas(kvSecret), false, "…neither the KV password");
  await $t("reveal-all").click();
  rows = await previewUntil((r) => r["auth.token"]?.value === apiToken, "the revealed token");
  assert.equal(rows.base_url.value, apiUrl, "Reveal all shows the stored base_url");
  assert.equal(rows["headers.X-Password"].value, kvSecret, "…and the stored password in a header");
  await shot("connector-rest-revealed");
  // A preview that fails keeps its last rows (dimmed) but no revealed value: Mask all clears them.
  await type("auth-token", "{{secrets.e2e-api.missing}}");
  await browser.waitUntil(async () => (await $t("preview-state").getAttribute("data-state")) === "error", {
    timeout: 15000,
    timeoutMsg: "a reference to a missing key did not fail the preview",
  });
  await $t("reveal-all").click();
  await browser.waitUntil(async () => !(await pageHas(apiToken)) && !(await pageHas(kvSecret)), {
    timeout: 5000,
    timeoutMsg: "after a failed preview, Mask all left a revealed value in the page",
  });
  await type("auth-token", "{{secrets.e2e-api.token}}");
  await previewUntil((r) => r["auth.token"]?.value === MASK && r.base_url?.value === MASK, "the masked values again");
  assert.equal(await pageHas(apiToken), false, "Mask all left no token in the page");
  // A single reveal belongs to the text it revealed: pointing the field elsewhere masks it again.
  await browser.$('[data-testid="preview-row"][data-field="auth.token"] [data-testid="reveal-value"]').click();
  await previewUntil((r) => r["auth.token"]?.value === apiToken && r["auth.token"].revealed, "the revealed token alone");
  await type("auth-token", "{{secrets.e2e-kv.password}}");
  const moved = await previewUntil((r) => r["auth.token"]?.value === MASK, "the changed field masked");
  assert.equal(moved["auth.token"].revealed, false, "changing a revealed field's reference ends its reveal");
  assert.equal(await pageHas(kvSecret), false, "the new reference's value is not revealed");
  assert.equal(await pageHas(apiToken), false, "…and the old value left the page");
  await type("auth-token", "{{secrets.e2e-api.token}}");
  await previewUntil((r) => r["auth.token"]?.value === MASK, "the token reference back, masked");
  assert.equal(await pageHas(apiToken), false, "restoring the text does not re-reveal it");
  // Export the editor's configuration as JSON.
  await choose(await $t("export-format"), "json");
  await $t("export-button").click();
  await browser.waitUntil(async () => (await $t("export-notice").getAttribute("data-state")) === "done", {
    timeout: 15000,
    timeoutMsg: `the export did not finish: ${await $t("export-notice").getText()}`,
  });
  const exported = path.join(exportDir, "billing-api.json");
  assert.equal(await $t("export-path").getText(), exported, "the notice names the file");
  assert.equal(await fileMode(exported), "600", "the exported file has mode 0600");
  const json = JSON.parse(await readFile(exported, "utf8"));
  assert.deepEqual(
    json,
    { base_url: apiUrl, auth: { type: "bearer", token: apiToken }, headers: { "X-Team": "payments", "X-Password": kvSecret } },
    "the file holds the rendered configuration with the stored values",
  );
  assert.equal(await pageHas(apiToken), false, "exporting does not send the secrets to the page");
  // The same configuration as YAML: every string quoted, the stored values in place.
  await choose(await $t("export-format"), "yaml");
  await $t("export-button").click();
  const exportedYaml = path.join(exportDir, "billing-api.yaml");
  await browser.waitUntil(
    async () => (await $t("export-notice").getAttribute("data-state")) === "done" && (await $t("export-path").getText()) === exportedYaml,
    { timeout: 15000, timeoutMsg: `the YAML export did not finish: ${await $t("export-notice").getText()}` },
  );
  assert.equal(await fileMode(exportedYaml), "600", "the YAML file has mode 0600");
  const yaml = await readFile(exportedYaml, "utf8");
  assert.match(yaml, /^"base_url": "https:\/\/api\.e2e\.test\/v1"$/m, `base_url in the YAML:\n${yaml}`);
  assert.match(yaml, new RegExp(`^"auth":\n  "token": "${apiToken}"$`, "m"), "the token, quoted, under auth");
  assert.match(yaml, new RegExp(`^  "X-Password": "${kvSecret}"$`, "m"), "the KV password, quoted, under headers");
  assert.equal(await pageHas(apiToken), false, "the YAML export does not send the secrets to the page either");
  await shot("connector-exported");
  await $t("connector-save").click();
  await $t("connector-form").waitForExist({ reverse: true, timeout: 10000 });
  await connectorRow("billing-api").waitForDisplayed({ timeout: 10000 });
  assert.equal(await connectorRow("billing-api").$('[data-testid="connector-kind"]').getText(), "REST API");
  assert.equal(await connectorRow("billing-api").$('[data-testid="connector-references"]').getAttribute("data-count"), "3");
  await shot("connectors-list");
  // Edit: the form comes back as saved; a change is stored with Update.
  await connectorRow("billing-api").$('[data-testid="edit-connector"]').click();
  await $t("connector-form").waitForDisplayed({ timeout: 5000 });
  assert.equal(await field("name").getValue(), "billing-api");
  assert.equal(await field("kind").getValue(), "rest");
  assert.equal(await field("vault").getValue(), "e2e-api", "the selected vault is shown");
  assert.equal(await field("auth-token").getValue(), "{{secrets.e2e-api.token}}", "references come back as written");
  // Stored as a JSON object, whose keys come back in name order.
  assert.equal(await field("headers").getValue(), "X-Password: {{secrets.e2e-kv.password}}\nX-Team: payments");
  await type("timeout", "forever");
  await $t("connector-save").click();
  await browser.waitUntil(async () => (await $t("connector-error-timeout").getText()) !== "", { timeout: 5000, timeoutMsg: "Update showed no error under Timeout" });
  assert.match(await $t("connector-error-timeout").getText(), /duration/, "an invalid timeout is refused under its field");
  await type("timeout", "45s");
  await $t("connector-save").click();
  await $t("connector-form").waitForExist({ reverse: true, timeout: 10000, timeoutMsg: "Update did not close the editor" });
  await connectorRow("billing-api").$('[data-testid="edit-connector"]').click();
  await $t("connector-form").waitForDisplayed({ timeout: 5000 });
  assert.equal(await field("timeout").getValue(), "45s", "the updated timeout is stored");
  await browser.keys("Escape");
  await $t("connector-form").waitForExist({ reverse: true, timeout: 5000, timeoutMsg: "Escape did not close an unchanged editor" });
  pass("REST connector: field errors, KV pre-fill, reveal all, export 0600 JSON, saved, updated");

  // --- 4. export all ----------------------------------------------------------------------
  await choose(await $t("export-all-format"), "env");
  await $t("export-all").click();
  await $t("export-all-notice").waitForDisplayed({ timeout: 15000, timeoutMsg: "Export all showed no notice" });
  assert.match(await $t("export-all-notice").getText(), /Exported 2 connectors to /);
  const envApi = await readFile(path.join(exportDir, "billing-api.env"), "utf8");
  assert.match(envApi, new RegExp(`^AUTH_TOKEN='${apiToken}'$`, "m"), "the env file holds the token");
  assert.equal(await fileMode(path.join(exportDir, "billing-api.env")), "600");
  const envPg = await readFile(path.join(exportDir, "orders-pg.env"), "utf8");
  assert.match(envPg, /^USERNAME='v-/m, "the PostgreSQL connector is exported with issued credentials");
  assert.equal(await fileMode(path.join(exportDir, "orders-pg.env")), "600");
  pass("Export all: one 0600 env file per connector");

  // --- 5. the vault in use ----------------------------------------------------------------
  await $t("nav-vaults").click();
  const apiVault = browser.$('[data-testid="vault-row"][data-vault-name="e2e-api"]');
  await apiVault.waitForDisplayed({ timeout: 10000 });
  await apiVault.$('[data-testid="delete-vault"]').click();
  await $t("delete-dialog").waitForDisplayed({ timeout: 5000 });
  assert.deepEqual(
    await texts('[data-testid="delete-dialog"] [data-testid="delete-connector"]'),
    ["billing-api"],
    "deleting a vault in use names the connector",
  );
  assert.equal(await $t("delete-confirm").getText(), "Delete anyway");
  await $t("delete-cancel").click();
  pass("vault in use: the delete dialog names billing-api");

  // --- 6. delete a connector --------------------------------------------------------------
  await $t("nav-connectors").click();
  await connectorRow("orders-pg").waitForDisplayed({ timeout: 10000 });
  await connectorRow("orders-pg").$('[data-testid="remove-connector"]').click();
  await $t("connector-delete-dialog").waitForDisplayed({ timeout: 5000 });
  await $t("connector-delete-confirm").click();
  await connectorRow("orders-pg").waitForExist({ reverse: true, timeout: 10000, timeoutMsg: "the deleted connector is still listed" });
  pass("connector deleted");

  // The dialog plugin serves Rust only: the page itself may not open a dialog (no dialog
  // permission is granted), so it cannot pick paths behind the user's back.
  const dialogRefused = await browser.executeAsync((done) => {
    window.__TAURI_INTERNALS__
      .invoke("plugin:dialog|save", { options: {} })
      .then(() => done(null), (e) => done(String(e)));
  });
  assert.ok(dialogRefused && /not allowed/i.test(dialogRefused), `plugin:dialog|save must be refused by the ACL, got ${dialogRefused}`);
  pass(`the page cannot open a dialog itself: ${dialogRefused}`);

  await stop();
});
