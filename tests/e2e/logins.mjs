// The login methods of the vault form in the real window, against the real OpenBao and the
// real OS keyring:
//   1. Token: the Authentication select shows only the Token field; Test logs in with the
//      given token; Save lists "Token login"; the keyring holds one entry for it. Then the same
//      through "Use my Vault CLI login" ($VAULT_TOKEN of the window's environment).
//   2. Username & password: Username and Password fields; Test passes; a wrong password in the
//      edit form is named under the Password field (the password never shown); saved, listed as
//      "Userpass: USER".
//   3. Wrapped Secret ID: the checkbox; Test looks the wrapping token up (not unwrapped);
//      Save unwraps it; the row's Test passes with the stored Secret ID; "Refresh now" reports
//      the version served after a rotation.
//   4. OIDC: saved with a role and no secret; its row's Test says a sign-in is needed; Sign in
//      opens the provider in the "browser" ($BROWSER), the dialog closes on its return, and the
//      row's Test passes.
// Run by tests/scripts/e2e.sh with:
//   VAULTDESK_APP, VAULTDESK_DATA_DIR, TAURI_DRIVER_PORT   as for smoke.mjs
//   E2E_BAO_ADDR, E2E_KV_MOUNT   the OpenBao URL and a KV v2 mount with app/config
//   E2E_TOKEN                    a token whose policy reads app/config
//   E2E_USERPASS_MOUNT, E2E_USERPASS_USER, E2E_USERPASS_PASSWORD   a userpass login
//   E2E_ROLE_ID, E2E_WRAPPED_SECRET_ID   an AppRole and a wrapping token of one of its Secret IDs
//   E2E_ROTATE                   a command that writes version 2 of app/config
//   E2E_OIDC_MOUNT               an OIDC auth mount (role "app") at the run's OpenID provider;
//                                the window's $BROWSER signs in there as alice with curl

import assert from "node:assert/strict";
import { execSync } from "node:child_process";
import {
  $t,
  appEnv,
  browser,
  choose,
  continueToForm,
  env,
  fill,
  keyringAccounts,
  openAddForm,
  pass,
  row,
  run,
  runTest,
  shot,
  start,
  step,
  vaultListLoaded,
} from "./lib.mjs";

const { app, dataDir, port } = appEnv();
const kvMount = env("E2E_KV_MOUNT");
const token = env("E2E_TOKEN");
const upMount = env("E2E_USERPASS_MOUNT");
const upUser = env("E2E_USERPASS_USER");
const upPassword = env("E2E_USERPASS_PASSWORD");
const roleId = env("E2E_ROLE_ID");
const wrapped = env("E2E_WRAPPED_SECRET_ID");
const rotate = env("E2E_ROTATE");
const oidcMount = env("E2E_OIDC_MOUNT");

/** Which login fields the form shows (visible, by data-testid). */
const visibleLoginFields = () =>
  browser.execute(() =>
    ["role_id", "secret_id", "secret_id_wrapped", "token", "auth_username", "password"].filter((f) => {
      const el = document.querySelector(`[data-testid="field-${f}"]`);
      return el && !el.closest("[hidden]");
    }),
  );

async function kvForm(name) {
  await openAddForm(name);
  await continueToForm();
  await fill("engine_name", kvMount);
  await fill("path", "app/config");
}

async function saveAndWaitForRow(name) {
  await $t("save-button").click();
  await row(name).waitForDisplayed({ timeout: 10000, timeoutMsg: `${name} was not listed after Save` });
}

await run(async () => {
  await start({ app, dataDir, port });
  await vaultListLoaded();
  step(`window up, data dir ${dataDir}`);

  // --- 1. token ------------------------------------------------------------------------------
  const before = keyringAccounts().length;
  await kvForm("e2e-token");
  assert.deepEqual(await visibleLoginFields(), ["role_id", "secret_id", "secret_id_wrapped"], "AppRole fields by default");
  await choose(await $t("field-auth_method"), "token");
  assert.deepEqual(await visibleLoginFields(), ["token"], "a token login shows only the Token field");
  assert.equal(await $t("field-token").getAttribute("type"), "password", "the token is a password field");
  await fill("token", token);
  let t = await runTest();
  // "warning": the test server speaks plain HTTP on loopback (the TLS stage says so).
  assert.notEqual(t.outcome, "failed", `Test with the token: ${JSON.stringify(t)}`);
  assert.equal(t.stages.login.status, "passed");
  assert.match(t.stages.login.summary, /^the given token: policies/, "the Login stage says it used the given token");
  await shot("logins-token-form");
  await saveAndWaitForRow("e2e-token");
  assert.equal(await row("e2e-token").$('[data-testid="vault-login"]').getText(), "Token login");
  assert.equal(keyringAccounts().length, before + 1, "one keyring entry: the token");
  pass("token: Test with the given token, saved, listed as Token login, one keyring entry");

  // The same token imported from the admin's Vault CLI login ($VAULT_TOKEN of the window's
  // environment): the token never passes through the page.
  await kvForm("e2e-cli-token");
  await choose(await $t("field-auth_method"), "token");
  await $t("import-token").click();
  assert.equal(await $t("field-token").getAttribute("disabled"), "true", "the Token field is off while importing");
  t = await runTest();
  assert.notEqual(t.outcome, "failed", `Test with the imported token: ${JSON.stringify(t)}`);
  assert.match(t.stages.login.summary, /^the given token: policies/);
  await saveAndWaitForRow("e2e-cli-token");
  assert.ok(!(await browser.getPageSource()).includes(token), "the token is nowhere in the page");
  pass("token imported with 'Use my Vault CLI login': Test passes, saved, never in the page");

  // --- 2. username & password ----------------------------------------------------------------
  await kvForm("e2e-userpass");
  await choose(await $t("field-auth_method"), "userpass");
  assert.deepEqual(await visibleLoginFields(), ["auth_username", "password"], "userpass shows Username and Password");
  await $t("advanced").click();
  await fill("auth_mount", upMount);
  await fill("auth_username", upUser);
  await fill("password", upPassword);
  t = await runTest();
  assert.notEqual(t.outcome, "failed", `Test with the password: ${JSON.stringify(t)}`);
  assert.match(t.stages.login.summary, new RegExp(`^Username & password as ${upUser}`));
  await saveAndWaitForRow("e2e-userpass");
  assert.equal(await row("e2e-userpass").$('[data-testid="vault-login"]').getText(), `Userpass: ${upUser}`);
  // The pencil: a wrong password is named under the Password field.
  await row("e2e-userpass").$('[data-testid="edit-vault"]').click();
  await $t("vault-form").waitForDisplayed({ timeout: 5000 });
  assert.equal(await $t("field-auth_method").getValue(), "userpass", "the edit form shows the stored method");
  assert.equal(await $t("field-auth_username").getValue(), upUser);
  assert.equal(await $t("field-password").getValue(), "", "the password is not shown back");
  await fill("password", "not-the-password");
  t = await runTest();
  assert.equal(t.outcome, "failed");
  const err = await $t("error-password").getText();
  assert.match(err, new RegExp(`wrong password or unknown user "${upUser}"`), `error under Password: ${err}`);
  assert.ok(!(await browser.getPageSource()).includes("not-the-password"), "the typed password appears nowhere in the page");
  await shot("logins-userpass-wrong-password");
  await browser.keys("Escape");
  await browser.keys("Escape");
  pass("userpass: Test passes, saved and listed; a wrong password named under its field");

  // --- 3. wrapped Secret ID, then Refresh now --------------------------------------------------
  await $t("vault-form").waitForDisplayed({ reverse: true, timeout: 5000 }).catch(() => undefined);
  await kvForm("e2e-wrapped");
  await fill("role_id", roleId);
  await fill("secret_id", wrapped);
  await $t("field-secret_id_wrapped").click();
  t = await runTest();
  assert.notEqual(t.outcome, "failed", `Test of a wrapped Secret ID: ${JSON.stringify(t)}`);
  assert.equal(t.stages.login.status, "passed");
  assert.match(t.stages.login.summary, /not yet unwrapped/, "the Test only looked the wrapping token up");
  assert.equal(t.stages.read.status, "skipped", "nothing is read before the Secret ID is unwrapped");
  await saveAndWaitForRow("e2e-wrapped");
  await row("e2e-wrapped").$('[data-testid="test-vault"]').click();
  const last = row("e2e-wrapped").$('[data-testid="vault-last-test"]');
  await browser.waitUntil(async () => /Passed|Failed/.test(await last.getText()), { timeout: 20000, timeoutMsg: "row Test never finished" });
  assert.match(await last.getText(), /Passed/, "the unwrapped Secret ID logs in");
  execSync(rotate);
  await row("e2e-wrapped").$('[data-testid="refresh-vault"]').click();
  const status = await $t("status");
  await browser.waitUntil(async () => /read again now/.test(await status.getText()), { timeout: 10000, timeoutMsg: "Refresh said nothing" });
  assert.match(await status.getText(), /version 2/, "Refresh now reports the rotated version");
  pass("wrapped Secret ID: looked up by Test, unwrapped by Save, the row's Test passes; Refresh now reads version 2");

  // --- 4. OIDC ---------------------------------------------------------------------------------
  await kvForm("e2e-oidc");
  await choose(await $t("field-auth_method"), "oidc");
  assert.deepEqual(await visibleLoginFields(), [], "OIDC stores no secret: no secret field");
  await fill("auth_role", "app");
  await $t("advanced").click();
  await fill("auth_mount", oidcMount);
  await saveAndWaitForRow("e2e-oidc");
  assert.equal(await row("e2e-oidc").$('[data-testid="vault-login"]').getText(), "OIDC: role app");
  /** The row's Test, waited for until its cell reaches one of `outcomes` (data-status). */
  const oidcTest = async (outcomes) => {
    await row("e2e-oidc").$('[data-testid="test-vault"]').click();
    const cell = row("e2e-oidc").$('[data-testid="vault-last-test"]');
    await browser.waitUntil(async () => outcomes.includes(await cell.getAttribute("data-status")), {
      timeout: 20000,
      timeoutMsg: `the row's Test did not end ${outcomes.join(" or ")}`,
    });
    return cell.getAttribute("title");
  };
  assert.match(await oidcTest(["failed"]), /OIDC login needed/, "no sign-in yet");
  await row("e2e-oidc").$('[data-testid="oidc-login"]').click();
  await $t("oidc-dialog").waitForDisplayed({ timeout: 5000 });
  await shot("logins-oidc-dialog");
  await $t("oidc-start").click();
  await $t("oidc-dialog").waitForDisplayed({ reverse: true, timeout: 30000, timeoutMsg: "the sign-in did not finish" });
  assert.match(await $t("status").getText(), /Signed in to vault "e2e-oidc"/);
  await oidcTest(["passed", "warning"]);
  await shot("logins-list");
  pass("OIDC: saved without a secret, Sign in through the browser, the row's Test passes");
});
