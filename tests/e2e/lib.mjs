// What the E2E scripts (smoke.mjs, vaults.mjs, connectors.mjs) and the app benchmark
// (tests/bench/app.mjs) share: their environment, the WebDriver session on tauri-driver,
// data-testid lookups, screenshots, and the run with its pass/fail count.
//
// A script names itself by its file name: `[vaults] ...` lines, `vaults.mjs: set X` errors.
// Each counted check ends with pass(); run() prints, whatever happens,
//   [NAME] checks: N passed, M failed
// which tests/run.sh adds up for its summary.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { remote } from "webdriverio";

const here = path.dirname(fileURLToPath(import.meta.url));
/** tests/artifacts/: screenshots. */
export const artifacts = path.resolve(here, "..", "artifacts");
const script = path.basename(process.argv[1] ?? "e2e.mjs");
const tag = script.replace(/\.m?js$/, "");

/** An environment variable that must be set (or have a fallback). */
export function env(name, fallback) {
  const value = process.env[name] ?? fallback;
  if (value === undefined || value === "") throw new Error(`${script}: set ${name}`);
  return value;
}

/** What tauri-driver needs to start the app: VAULTDESK_APP, VAULTDESK_DATA_DIR, TAURI_DRIVER_PORT. */
export function appEnv() {
  const app = env("VAULTDESK_APP");
  assert.ok(path.isAbsolute(app), `VAULTDESK_APP must be an absolute path, got ${app}`);
  return { app, dataDir: env("VAULTDESK_DATA_DIR"), port: Number(env("TAURI_DRIVER_PORT", "4444")) };
}

export const step = (msg) => console.log(`[${tag}] ${msg}`);

let passed = 0;
/** A check (a stage of the script's flow) passed: counted, and said. */
export function pass(msg) {
  passed += 1;
  step(msg);
}

/** The current WebDriver session (a live binding: start() and stop() change it). */
export let browser = null;

/** Starts the app through tauri-driver: a new window on `dataDir` (with `extraArgs`, e.g.
 * `--demo`). Returns the session. */
export async function start({ app, dataDir, port, extraArgs = [] }) {
  browser = await remote({
    hostname: "127.0.0.1",
    port,
    logLevel: "warn",
    connectionRetryCount: 0,
    capabilities: {
      // tauri-driver turns this into webkitgtk:browserOptions {binary, args} for WebKitWebDriver.
      "tauri:options": { application: app, args: ["--data-dir", dataDir, ...extraArgs] },
      // WebKitWebDriver speaks classic WebDriver; don't let WebdriverIO ask for a BiDi socket.
      "wdio:enforceWebDriverClassic": true,
    },
  });
  return browser;
}

/** Waits for the UI and for the vault list to have loaded. */
export async function vaultListLoaded() {
  await browser.$("#secret-manager-title").waitForExist({
    timeout: 15000,
    timeoutMsg: "the UI never loaded: is the app built with --features custom-protocol (scripts/build-app.sh)?",
  });
  await browser.$('#vault-view[aria-busy="false"]').waitForExist({ timeout: 10000, timeoutMsg: "the vault list never loaded" });
}

/** The page's recorded problems (ui/src/diagnostics.ts): page errors, rejections, CSP reports. */
export async function diagnostics() {
  const list = await browser.execute(() => window.vaultdeskDiagnostics?.() ?? null);
  assert.ok(Array.isArray(list), "the page exposes window.vaultdeskDiagnostics()");
  return list;
}

/** Ends the session after checking that the page recorded no problem. */
export async function stop() {
  assert.deepEqual(await diagnostics(), [], "no page error, unhandled rejection or CSP violation");
  await browser.deleteSession();
  browser = null;
}

/** The element with this data-testid. */
export const $t = (id) => browser.$(`[data-testid="${id}"]`);

/** Saves tests/artifacts/NAME.png once WebKit has painted what the DOM shows. */
export async function shot(name, { scrollTop = true } = {}) {
  await mkdir(artifacts, { recursive: true });
  // Show a form from its first field, as it opens (typing further down scrolled it).
  if (scrollTop) await browser.execute(() => document.querySelector(".form-col")?.scrollTo(0, 0));
  await browser.executeAsync((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
  await browser.pause(150);
  await browser.saveScreenshot(path.join(artifacts, `${name}.png`));
  step(`screenshot tests/artifacts/${name}.png`);
}

/** Sets a <select> (or any input) as a user would and fires the change event forms listen to. */
export async function choose(el, value) {
  await browser.execute(
    (e, v) => {
      e.value = v;
      e.dispatchEvent(new Event("change", { bubbles: true }));
    },
    el,
    value,
  );
}

/** The text of every element matching a CSS selector, in document order. */
export const texts = (selector) => browser.execute((sel) => [...document.querySelectorAll(sel)].map((e) => e.textContent), selector);

/** The data-testid of the focused element. */
export const focused = () => browser.execute(() => document.activeElement?.dataset.testid);

/**
 * Runs the script's flow: on a failure, a screenshot (tests/artifacts/FAILURE_SHOT.png) and the
 * session ended; then the count line, PASS or FAIL, and the exit code (0 only when all passed).
 */
export async function run(flow, { failureShot = `${tag}-failure` } = {}) {
  let failed = 0;
  try {
    await flow();
  } catch (error) {
    failed = 1;
    console.error(`[${tag}] FAILED: ${error?.stack ?? error}`);
    try {
      await mkdir(artifacts, { recursive: true });
      await browser?.saveScreenshot(path.join(artifacts, `${failureShot}.png`));
    } catch {
      // The window may be gone; the failure above is what matters.
    }
  } finally {
    await browser?.deleteSession().catch((e) => console.error(`[${tag}] could not end the session: ${e}`));
    browser = null;
  }
  step(`checks: ${passed} passed, ${failed} failed`);
  step(failed ? "FAIL" : "PASS");
  process.exit(failed ? 1 : 0);
}

// --- the vault form, shared by vaults.mjs and logins.mjs -------------------------------------

/** The vault list's row of `name`. */
export const row = (name) => browser.$(`[data-testid="vault-row"][data-vault-name="${name}"]`);

/** Replaces the value of the form field `field` (data-testid field-FIELD). */
export async function fill(field, value) {
  const input = await $t(`field-${field}`);
  await input.clearValue();
  if (value !== "") await input.setValue(value);
}

/** "+ Vault" → name → type (the dialog open, not yet continued). */
export async function openAddForm(name, type = "hashicorp") {
  await $t("add-vault").click();
  const dialog = await $t("new-vault-dialog");
  await dialog.waitForDisplayed({ timeout: 5000, timeoutMsg: "+ Vault did not open the name and type dialog" });
  const typeOptions = await browser.execute(() =>
    [...document.querySelectorAll('[data-testid="new-vault-type"] option')].map((o) => ({ text: o.textContent, disabled: o.disabled })),
  );
  assert.deepEqual(
    typeOptions.map((o) => o.text),
    ["HashiCorp Vault", "OpenBao", "AWS Secrets Manager"],
    "Select Vault lists HashiCorp Vault, OpenBao and AWS Secrets Manager",
  );
  assert.ok(typeOptions.every((o) => !o.disabled), "every vault type can be chosen");
  await $t("new-vault-name").setValue(name);
  await browser.execute((el, v) => (el.value = v), await $t("new-vault-type"), type);
  return dialog;
}

/** Enter in the name field: the configuration form. */
export async function continueToForm() {
  // From the keyboard: the name field still has the focus; Enter continues.
  assert.equal(await focused(), "new-vault-name", "the name field has the focus");
  await browser.keys("Enter");
  const form = await $t("vault-form");
  await form.waitForDisplayed({ timeout: 5000, timeoutMsg: "Continue did not open the configuration form" });
  return form;
}

/** Clicks Test and waits for its outcome; returns {outcome, stages: {stage: {status, summary}}}. */
export async function runTest() {
  await $t("test-button").click();
  const result = await $t("test-result");
  await browser.waitUntil(async () => !["running", undefined, null, ""].includes(await result.getAttribute("data-outcome")), {
    timeout: 30000,
    timeoutMsg: "the Test never finished",
  });
  const outcome = await result.getAttribute("data-outcome");
  const stages = await browser.execute(() =>
    Object.fromEntries(
      [...document.querySelectorAll('[data-testid="test-stages"] > li')].map((li) => [
        li.dataset.stage,
        { status: li.dataset.status, summary: li.querySelector(".stage-summary")?.textContent ?? "" },
      ]),
    ),
  );
  return { outcome, text: await result.getText(), stages };
}

/** The account names of every vaultdesk entry in the session's Secret Service. */
export function keyringAccounts() {
  // The account names of every vaultdesk entry in the session's Secret Service. secret-tool
  // prints the attributes on stderr (and the secrets on stdout, which are left unread).
  const out = spawnSync("secret-tool", ["search", "--all", "service", "vaultdesk"], { encoding: "utf8" });
  assert.equal(out.error, undefined, `secret-tool runs: ${out.error}`);
  return `${out.stderr}`
    .split("\n")
    .filter((l) => l.startsWith("attribute.username = "))
    .map((l) => l.slice("attribute.username = ".length).trim());
}
