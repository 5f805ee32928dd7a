// AWS Secrets Manager in the real window, against moto's server (tests/scripts/services.sh) and
// the real OS keyring:
//   1. "+ Vault" offers AWS Secrets Manager; its form shows the AWS fields (region, secret,
//      access keys; the profile only for the default chain).
//   2. Access keys: Test runs reach, TLS (plain HTTP on loopback: a warning), login (STS: the
//      account), describe (the stages) and read (key names, never values); Save lists the vault
//      with its provider, region and login; the keyring holds two entries (key id, secret key);
//      neither key nor value is anywhere in the page.
//   3. The pencil: a secret that does not exist fails the Test under "Secret name".
//   4. The default credential chain with a profile of the window's shared credentials file:
//      Test passes, Save stores nothing in the keyring.
// Run by tests/scripts/e2e.sh with:
//   VAULTDESK_APP, VAULTDESK_DATA_DIR, TAURI_DRIVER_PORT   as for smoke.mjs
//   E2E_AWS_ENDPOINT      moto's endpoint, with the secret e2e/app ({username, password})
//   E2E_AWS_SECRET_VALUE  the password stored in e2e/app (must never show)
//   E2E_AWS_PROFILE       a profile of the window's $AWS_SHARED_CREDENTIALS_FILE

import assert from "node:assert/strict";
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
const endpoint = env("E2E_AWS_ENDPOINT");
const secretValue = env("E2E_AWS_SECRET_VALUE");
const profile = env("E2E_AWS_PROFILE");
const keyId = "AKIAE2EVAULTDESK0001";
const secretKey = "e2e/secret+access+key/0123456789abcdef";

/** Which AWS login fields the form shows (visible, by data-testid). */
const visibleLoginFields = () =>
  browser.execute(() =>
    ["access_key_id", "secret_access_key", "session_token", "aws_profile", "role_id", "secret_id", "token"].filter((f) => {
      const el = document.querySelector(`[data-testid="field-${f}"]`);
      return el && !el.closest("[hidden]");
    }),
  );

async function awsForm(name, secret) {
  await openAddForm(name, "aws");
  await continueToForm();
  await fill("aws_region", "us-east-1");
  await fill("aws_secret_id", secret);
  await $t("advanced").click();
  await fill("url", endpoint);
}

await run(async () => {
  await start({ app, dataDir, port });
  await vaultListLoaded();
  step(`window up, data dir ${dataDir}`);

  // --- 1 and 2: access keys ------------------------------------------------------------------
  const before = keyringAccounts().length;
  await awsForm("e2e-aws", "e2e/app");
  assert.deepEqual(await visibleLoginFields(), ["access_key_id", "secret_access_key", "session_token"], "access keys by default");
  assert.equal(await $t("field-secret_access_key").getAttribute("type"), "password", "the secret key is a password field");
  assert.equal(await $t("field-access_key_id").getAttribute("type"), "password", "the key id is a password field too");
  await choose(await $t("field-auth_method"), "aws_default");
  assert.deepEqual(await visibleLoginFields(), ["aws_profile"], "the default chain shows only the profile");
  await choose(await $t("field-auth_method"), "aws_keys");
  await fill("access_key_id", keyId);
  await fill("secret_access_key", secretKey);
  let t = await runTest();
  assert.notEqual(t.outcome, "failed", `Test with access keys: ${JSON.stringify(t)}`);
  assert.deepEqual(Object.keys(t.stages).sort(), ["describe", "login", "reach", "read", "tls"], "the AWS stages");
  assert.equal(t.stages.tls.status, "warning", "plain HTTP to loopback is a warning");
  assert.match(t.stages.login.summary, /account 123456789012/, "the login stage names the account");
  assert.match(t.stages.describe.summary, /AWSCURRENT/, "describe lists the stages");
  assert.match(t.stages.read.summary, /password, username|username, password/, "read names the keys");
  await shot("aws-form-test-passed");
  await $t("save-button").click();
  await row("e2e-aws").waitForDisplayed({ timeout: 10000, timeoutMsg: "e2e-aws was not listed after Save" });
  const r = row("e2e-aws");
  assert.equal(await r.$('[data-testid="vault-provider"]').getText(), "AWS Secrets Manager");
  assert.equal(await r.$('[data-testid="vault-login"]').getText(), "Access keys");
  assert.match(await r.$('[data-testid="vault-region"]').getText(), /^us-east-1/, "the list shows the region");
  assert.match(await r.$('[data-testid="vault-engine-type"]').getText(), /e2e\/app/, "the list shows the secret name");
  assert.equal(keyringAccounts().length, before + 2, "two keyring entries: the key id and the secret key");
  const page = await browser.getPageSource();
  for (const s of [keyId, secretKey, secretValue]) assert.ok(!page.includes(s), `${s.slice(0, 6)}… is nowhere in the page`);
  await shot("aws-vault-list");
  pass("access keys: Test (reach, TLS warning, STS account, describe, read key names), saved, listed, two keyring entries");

  // --- 3: a missing secret is named under its field ------------------------------------------
  await r.$('[data-testid="edit-vault"]').click();
  await $t("vault-form").waitForDisplayed({ timeout: 5000 });
  assert.equal(await $t("field-aws_secret_id").getValue(), "e2e/app", "the edit form shows the stored secret");
  assert.equal(await $t("field-secret_access_key").getValue(), "", "the secret key is not shown back");
  await fill("aws_secret_id", "e2e/does-not-exist");
  t = await runTest();
  assert.equal(t.outcome, "failed");
  assert.equal(t.stages.describe.status, "failed");
  const err = await $t("error-aws_secret_id").getText();
  assert.match(err, /not found in us-east-1/, `error under Secret name: ${err}`);
  await browser.keys("Escape");
  await browser.keys("Escape");
  pass("the edit form's Test names a missing secret under Secret name (stored keys reused)");

  // --- 4: the default credential chain -------------------------------------------------------
  const keysBefore = keyringAccounts().length;
  await awsForm("e2e-aws-chain", "e2e/app");
  await choose(await $t("field-auth_method"), "aws_default");
  await fill("aws_profile", profile);
  t = await runTest();
  assert.notEqual(t.outcome, "failed", `Test with the default chain: ${JSON.stringify(t)}`);
  assert.match(t.stages.login.summary, new RegExp(`default credential chain, profile ${profile}`));
  await $t("save-button").click();
  await row("e2e-aws-chain").waitForDisplayed({ timeout: 10000, timeoutMsg: "e2e-aws-chain was not listed after Save" });
  assert.equal(await row("e2e-aws-chain").$('[data-testid="vault-login"]').getText(), `Default chain: profile ${profile}`);
  assert.equal(keyringAccounts().length, keysBefore, "the default chain stores nothing in the keyring");
  pass("default credential chain with a profile: Test passes, saved, nothing in the keyring");
});
