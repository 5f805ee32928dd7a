// The vaultdesk window: the "Secret Manager" section, listing the stored vaults with their
// last Test result, and the "+ Vault", edit and delete dialogs (./vault-form.ts); the
// "Connectors" section (./connectors.ts); the "Leases" section (./leases.ts); the navigation
// between them.

import "./diagnostics";
import logoUrl from "../../icons/src/icon.svg";
import type { AppInfo } from "./app-bindings/AppInfo";
import type { Provider } from "./bindings/Provider";
import type { VaultSummary } from "./app-bindings/VaultSummary";
import { breakable, byId, h, icon, ICONS, lazyRows } from "./dom";
import { appInfo, cancelTest, CommandError, doctor, listVaults, refreshVault, testVault } from "./ipc";
import { refreshConnectors } from "./connectors";
import { openOidcLogin } from "./oidc-login";
import { refreshLeases } from "./leases";
import {
  ENGINE_LABELS,
  inputOf,
  isKv,
  lastTestOf,
  openDeleteDialog,
  openNewVaultDialog,
  openVaultForm,
  type FormHost,
  type LastTest,
} from "./vault-form";

// Record<Union, string>: a new provider in Rust fails `tsc` until labelled here.
const PROVIDER_LABELS: Record<Provider, string> = {
  hashicorp_vault: "Vault / OpenBao",
  aws_secrets_manager: "AWS Secrets Manager",
};

const view = byId<HTMLDivElement>("vault-view");
const status = byId<HTMLParagraphElement>("status");
const refreshButton = byId<HTMLButtonElement>("refresh");
const addButton = byId<HTMLButtonElement>("add-vault");
const meta = byId<HTMLParagraphElement>("app-meta");
byId<HTMLImageElement>("brand-logo").src = logoUrl;

let info: AppInfo | null = null;

/**
 * The last Test of each vault, by vault id, for this run of the app only: a result says how
 * the server answered at one moment, and an old one on disk would read as current.
 */
const lastTests = new Map<string, LastTest>();

const host: FormHost = {
  saved(vault, test) {
    if (test) lastTests.set(vault.id, test);
    void refresh(`Saved ${vault.name}`, vault.name);
  },
  tested(vaultId, test) {
    lastTests.set(vaultId, test);
    void refresh();
  },
  removed(vault) {
    lastTests.delete(vault.id);
    void refresh(`Deleted ${vault.name}`);
  },
};

/** A muted dash for an empty optional value, read out as "none". */
function none(): HTMLElement {
  return h("span", { class: "muted", "aria-label": "none" }, "—");
}

function engineCell(v: VaultSummary): HTMLElement {
  // Where the secret comes from, as an admin would type it: `<mount>/<path>` for KV,
  // `<mount>/creds/<role>` (the credentials endpoint) for database engines.
  // AWS: the secret's name (or ARN) and the version read.
  const detail = v.aws
    ? `${v.aws.secret_id}${v.aws.version_id ? ` @ ${v.aws.version_id}` : v.aws.version_stage ? ` (${v.aws.version_stage})` : ""}`
    : isKv(v.engine_type)
      ? [v.engine_name, v.path].filter(Boolean).join("/")
      : `${v.engine_name}/creds/${v.db_role ?? ""}`;
  return h(
    "td",
    { "data-testid": "vault-engine-type", "data-engine-type": v.engine_type },
    h("span", { class: "badge", "data-engine": v.engine_type }, ENGINE_LABELS[v.engine_type]),
    h("span", { class: "cell-sub mono engine-target" }, breakable(detail)),
  );
}

const TEST_LABELS: Record<LastTest["status"], string> = { passed: "Passed", warning: "Passed", failed: "Failed" };

/** Tests started from the list, by vault id: their request id, to cancel them. */
const rowTests = new Map<string, string>();

function lastTestCell(v: VaultSummary): HTMLElement {
  if (rowTests.has(v.id)) {
    return h(
      "td",
      { "data-testid": "vault-last-test", "data-status": "running" },
      h("span", { class: "testing nowrap" }, h("span", { class: "spinner", "aria-hidden": "true" }), "Testing…"),
    );
  }
  const t = lastTests.get(v.id);
  if (!t) return h("td", { "data-testid": "vault-last-test", "data-status": "none" }, h("span", { class: "muted nowrap" }, "Not tested"));
  const time = t.at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  return h(
    "td",
    { "data-testid": "vault-last-test", "data-status": t.status, title: t.summary },
    h("span", { class: "test-badge", "data-status": t.status }, TEST_LABELS[t.status]),
    h("span", { class: "cell-sub nowrap" }, t.status === "warning" ? `with warnings · ${time}` : time),
  );
}

/** Runs the staged Test on the stored configuration (IDs from the keyring); a second click cancels. */
async function testRow(v: VaultSummary, cell: HTMLTableCellElement): Promise<void> {
  const running = rowTests.get(v.id);
  if (running) {
    rowTests.delete(v.id);
    void cancelTest(running).catch(() => undefined);
    cell.replaceWith(lastTestCell(v));
    return;
  }
  const id = `r${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  rowTests.set(v.id, id);
  let current = lastTestCell(v);
  cell.replaceWith(current);
  const show = (): void => {
    // The list may have been re-rendered meanwhile: find the row's cell again.
    const target = current.isConnected
      ? current
      : view.querySelector(`[data-vault-id="${CSS.escape(v.id)}"] [data-testid="vault-last-test"]`);
    const next = lastTestCell(v);
    target?.replaceWith(next);
    current = next;
  };
  try {
    const report = await testVault(inputOf(v), null, null, v.name, false, id);
    if (rowTests.get(v.id) !== id) return;
    if (report) lastTests.set(v.id, lastTestOf(report));
  } catch (error: unknown) {
    if (rowTests.get(v.id) !== id) return;
    lastTests.set(v.id, { status: "failed", at: new Date(), summary: error instanceof Error ? error.message : String(error) });
  }
  rowTests.delete(v.id);
  setStatus(`Tested ${v.name}`);
  show();
}

/** A week or less before the Secret ID expires (or one use left), as the last Test learnt it. */
function secretIdWarning(v: VaultSummary): HTMLElement | null {
  const st = v.secret_id_status;
  if (!st) return null;
  const left = st.expires_at ? Date.parse(st.expires_at) - Date.now() : Number.POSITIVE_INFINITY;
  const week = 7 * 24 * 3600 * 1000;
  let text: string | null = null;
  if (left <= 0) text = "Secret ID expired";
  else if (left <= week) {
    const days = Math.floor(left / (24 * 3600 * 1000));
    text = days >= 1 ? `Secret ID expires in ${days} day${days === 1 ? "" : "s"}` : "Secret ID expires today";
  } else if (st.uses_left !== null && st.uses_left <= 1) text = "Secret ID: 1 use left";
  if (!text) return null;
  return h(
    "span",
    { class: "cell-sub nowrap warn-note", "data-testid": "vault-secret-id-expiry", title: st.expires_at ? `Expires ${st.expires_at}` : "" },
    text,
  );
}

/** OIDC vaults sign in through the browser: a link-style button under the login method. */
function signInButton(v: VaultSummary): HTMLElement | null {
  if (v.auth_method !== "oidc") return null;
  const b = h(
    "button",
    { type: "button", class: "inline-action", "aria-label": `Sign in to ${v.name}`, "data-testid": "oidc-login" },
    "Sign in…",
  );
  b.addEventListener("click", () => openOidcLogin(v, (message) => setStatus(message)));
  return b;
}

/** How the vault logs in, as the list shows it under the provider. */
function loginLabel(v: VaultSummary): string {
  switch (v.auth_method) {
    case "approle":
      return "AppRole login";
    case "token":
      return "Token login";
    case "userpass":
      return `Userpass: ${v.auth_username ?? ""}`;
    case "ldap":
      return `LDAP: ${v.auth_username ?? ""}`;
    case "jwt":
      return `JWT: role ${v.auth_role ?? ""}`;
    case "oidc":
      return `OIDC: role ${v.auth_role ?? ""}`;
    case "aws_keys":
      return "Access keys";
    case "aws_default":
      return v.aws?.profile ? `Default chain: profile ${v.aws.profile}` : "Default credential chain";
  }
}

function actionsCell(v: VaultSummary): HTMLElement {
  const test = h(
    "button",
    { type: "button", class: "btn btn-icon-only btn-ghost", "aria-label": `Test ${v.name}`, title: "Test (a second click cancels)", "data-testid": "test-vault" },
    icon(...ICONS.play),
  );
  test.addEventListener("click", () => {
    const cell = test.closest("tr")?.querySelector<HTMLTableCellElement>('[data-testid="vault-last-test"]');
    if (cell) void testRow(v, cell);
  });
  const edit = h(
    "button",
    { type: "button", class: "btn btn-icon-only btn-ghost", "aria-label": `Edit ${v.name}`, title: "Edit", "data-testid": "edit-vault" },
    icon(...ICONS.pencil),
  );
  const remove = h(
    "button",
    { type: "button", class: "btn btn-icon-only btn-ghost btn-ghost-danger", "aria-label": `Delete ${v.name}`, title: "Delete", "data-testid": "delete-vault" },
    icon(...ICONS.trash),
  );
  const refreshNow = h(
    "button",
    {
      type: "button",
      class: "btn btn-icon-only btn-ghost",
      "aria-label": `Refresh ${v.name} now`,
      title: "Refresh now: drop the cached secret and token, so the next read is fresh",
      "data-testid": "refresh-vault",
    },
    icon(...ICONS.refresh),
  );
  refreshNow.addEventListener("click", () => {
    refreshNow.disabled = true;
    setStatus(`Refreshing ${v.name}…`);
    refreshVault(v.name)
      .then((r) => setStatus(r.message))
      .catch((error: unknown) => setStatus(`Refresh of ${v.name} failed: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        refreshNow.disabled = false;
      });
  });
  edit.addEventListener("click", () => void openVaultForm(host, { kind: "edit", vault: v }));
  remove.addEventListener("click", () => openDeleteDialog(host, v));
  return h("td", { class: "actions" }, h("div", { class: "actions-inner" }, test, refreshNow, edit, remove));
}

function vaultRow(v: VaultSummary): HTMLTableRowElement {
  const ttl =
    v.cache_ttl_secs === 0
      ? h("span", { class: "muted" }, "Off")
      : h("span", { class: "mono" }, v.cache_ttl);
  return h(
    "tr",
    { "data-testid": "vault-row", "data-vault-name": v.name, "data-vault-id": v.id },
    // The provider sits under the name: one more column would push the table past the window.
    h(
      "th",
      { scope: "row" },
      h("span", { class: "vault-name", "data-testid": "vault-name" }, v.name),
      h("span", { class: "cell-sub nowrap", "data-testid": "vault-provider" }, PROVIDER_LABELS[v.provider]),
      h("span", { class: "cell-sub nowrap", "data-testid": "vault-login" }, loginLabel(v)),
      v.needs_credentials &&
        h(
          "span",
          {
            class: "cell-sub warn-note nowrap",
            "data-testid": "vault-needs-credentials",
            title: "Imported without its credentials: the pencil (or `vaultdesk vault update`) supplies them",
          },
          "Needs credentials",
        ),
      signInButton(v),
      secretIdWarning(v),
      v.used_by.length > 0 &&
        h(
          "span",
          { class: "cell-sub nowrap", "data-testid": "vault-used-by", title: v.used_by.join(", ") },
          `used by ${v.used_by.length} connector${v.used_by.length === 1 ? "" : "s"}`,
        ),
    ),
    engineCell(v),
    h(
      "td",
      { "data-testid": "vault-url" },
      v.aws
        ? h(
            "span",
            { class: "mono url", "data-testid": "vault-region" },
            v.url ? breakable(`${v.aws.region} · ${v.url}`) : v.aws.region,
          )
        : h("span", { class: "mono url" }, breakable(v.url)),
      v.tls_skip_verify && h("span", { class: "cell-sub warn-note", title: "TLS certificate verification is turned off" }, "certificate not verified"),
      v.allow_http &&
        h(
          "span",
          { class: "cell-sub warn-note", "data-testid": "vault-allow-http", title: "Plain HTTP to a non-loopback address is allowed for this vault" },
          "plain HTTP allowed",
        ),
    ),
    h("td", { "data-testid": "vault-namespace" }, v.namespace ? h("span", { class: "mono nowrap" }, v.namespace) : none()),
    h("td", { "data-testid": "vault-cache-ttl", class: "num" }, ttl),
    lastTestCell(v),
    actionsCell(v),
  );
}

/** The observer building the vault table's further rows. */
const lazy: { observer: IntersectionObserver | null } = { observer: null };

/** The table of `vaults` (a long one is built as it is scrolled to: `lazyRows`). */
function vaultTable(vaults: VaultSummary[], upTo?: string): HTMLElement {
  const headers: [string, string][] = [
    ["Name · Provider", ""],
    ["Engine type", ""],
    ["URL", ""],
    ["Namespace", ""],
    ["Cache TTL", "num"],
    ["Last test", ""],
  ];
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "vault-table", "data-testid": "vault-table", "aria-rowcount": String(vaults.length + 1) },
      h("caption", { class: "sr-only" }, "Registered vaults"),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ...headers.map(([label, cls]) => h("th", { scope: "col", class: cls || undefined }, label)),
          h("th", { scope: "col", class: "actions" }, h("span", { class: "sr-only" }, "Actions")),
        ),
      ),
      lazyRows(vaults, vaultRow, headers.length + 1, lazy, upTo ? vaults.findIndex((v) => v.name === upTo) + 1 : 0),
    ),
  );
}

function emptyState(): HTMLElement {
  const add = h("button", { type: "button", class: "btn btn-primary", "data-testid": "empty-add-vault" }, icon(...ICONS.plus), h("span", {}, "Vault"));
  add.addEventListener("click", () => openNewVaultDialog(host));
  return h(
    "div",
    { class: "empty", "data-testid": "empty-state" },
    h("img", { class: "empty-art", src: logoUrl, alt: "", width: "56", height: "56" }),
    h("h3", { class: "empty-title" }, "No vaults yet"),
    h(
      "p",
      { class: "empty-text" },
      "A vault is a HashiCorp Vault or OpenBao server that vaultdesk reads database passwords and API keys from: ",
      "its address, the AppRole login to use, and the secrets engine (KV or database) that holds the secrets. ",
      "Its Role ID and Secret ID are kept in your OS keyring, never on disk.",
    ),
    add,
    h(
      "p",
      { class: "empty-hint" },
      "Or from a terminal: ",
      h("code", { class: "mono nowrap" }, "vaultdesk vault add"),
      " — the command line shares this window's data directory.",
    ),
  );
}

function errorState(error: unknown): HTMLElement {
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof CommandError ? (error.payload?.code ?? "ipc") : "unexpected";
  return h(
    "div",
    { class: "error", role: "alert", "data-testid": "error-state", "data-error-code": code },
    h("h3", { class: "error-title" }, "Could not load the vaults"),
    h("p", { class: "error-message", "data-testid": "error-message" }, message),
    h("p", { class: "error-code" }, "Error code: ", h("code", {}, code)),
  );
}

function setStatus(text: string): void {
  status.textContent = text;
}

let loading = false;
/** A refresh asked for while one runs: it runs next, so a save is never shown stale. */
let queued: { done?: string; highlight?: string } | null = null;

async function refresh(done?: string, highlight?: string): Promise<void> {
  if (loading) {
    queued = { ...(done ? { done } : {}), ...(highlight ? { highlight } : {}) };
    return;
  }
  loading = true;
  refreshButton.disabled = true;
  view.setAttribute("aria-busy", "true");
  setStatus("Loading vaults…");
  try {
    const vaults = await listVaults();
    view.replaceChildren(vaults.length === 0 ? emptyState() : vaultTable(vaults, highlight));
    const time = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    const count = vaults.length === 0 ? "No vaults" : vaults.length === 1 ? "1 vault" : `${vaults.length} vaults`;
    setStatus(done ? `${done} · ${count}` : `${count} · updated ${time}`);
    if (highlight) {
      view.querySelector(`[data-vault-name="${CSS.escape(highlight)}"]`)?.classList.add("just-saved");
    }
  } catch (error: unknown) {
    view.replaceChildren(errorState(error));
    setStatus("Loading failed");
  } finally {
    view.setAttribute("aria-busy", "false");
    refreshButton.disabled = false;
    loading = false;
  }
  if (queued) {
    const next = queued;
    queued = null;
    await refresh(next.done, next.highlight);
  }
}

async function loadInfo(): Promise<void> {
  try {
    info = await appInfo();
    meta.replaceChildren(
      h("span", { class: "meta-item" }, `v${info.version}`),
      ...(info.demo
        ? [
            h(
              "span",
              { class: "meta-item demo-badge", "data-testid": "demo-badge", title: "Started by `vaultdesk demo`: example data on a throwaway local OpenBao, removed when this window closes" },
              "Demo data",
            ),
          ]
        : []),
      h("span", { class: "meta-item mono", title: "Data directory" }, info.data_dir),
    );
  } catch (error: unknown) {
    // The vault list shows the same failure in full; the header only needs a hint.
    meta.textContent = error instanceof Error ? error.message : String(error);
  }
}

/** A notice above the pages when the doctor finds something out of step (read only). */
async function loadDoctor(): Promise<void> {
  const banner = byId<HTMLDivElement>("doctor-banner");
  try {
    const open = (await doctor()).findings.filter((f) => !f.repaired);
    banner.hidden = open.length === 0;
    banner.replaceChildren(
      h("strong", {}, "Out of step: "),
      h("ul", {}, ...open.map((f) => h("li", {}, f.message))),
      h("span", {}, "Run `vaultdesk doctor --repair` to remove orphaned keyring entries."),
    );
  } catch {
    // The vault list reports a data directory or keyring that cannot be used.
    banner.hidden = true;
  }
}

type Page = "vaults" | "connectors" | "leases";
const ORDER: Page[] = ["vaults", "connectors", "leases"];
const pages: Record<Page, HTMLElement> = {
  vaults: byId("page-vaults"),
  connectors: byId("page-connectors"),
  leases: byId("page-leases"),
};
const tabs: Record<Page, HTMLButtonElement> = {
  vaults: byId("nav-vaults"),
  connectors: byId("nav-connectors"),
  leases: byId("nav-leases"),
};

/** Shows one section; each reloads on showing (the other may have changed what it lists). */
function showPage(page: Page): void {
  for (const p of Object.keys(pages) as Page[]) {
    pages[p].hidden = p !== page;
    if (p === page) tabs[p].setAttribute("aria-current", "page");
    else tabs[p].removeAttribute("aria-current");
  }
  if (page === "vaults") void refresh();
  else if (page === "connectors") void refreshConnectors();
  else void refreshLeases();
}

for (const [page, tab] of Object.entries(tabs) as [Page, HTMLButtonElement][]) {
  tab.addEventListener("click", () => showPage(page));
  // Left/Right move between the sections, as in a tab strip; Tab and Enter work as for any button.
  tab.addEventListener("keydown", (e) => {
    if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
    e.preventDefault();
    const step = e.key === "ArrowRight" ? 1 : ORDER.length - 1;
    const other = tabs[ORDER[(ORDER.indexOf(page) + step) % ORDER.length] ?? "vaults"];
    other.focus();
    other.click();
  });
}

refreshButton.addEventListener("click", () => void refresh());
addButton.addEventListener("click", () => openNewVaultDialog(host));
// The doctor reads two keyring entries per vault while it holds the store: after the list, so
// the list never waits for it.
void loadInfo()
  .then(() => refresh())
  .then(() => loadDoctor());
