// The vaultdesk window: one "Secret Manager" section listing the stored vaults, read-only.
// Everything is built with DOM calls and textContent, never innerHTML: vault names and URLs
// are user data, and the Content Security Policy forbids inline scripts and styles anyway.

import "./diagnostics";
import logoUrl from "../../icons/src/icon.svg";
import type { AppInfo } from "./app-bindings/AppInfo";
import type { EngineType } from "./bindings/EngineType";
import type { Provider } from "./bindings/Provider";
import type { VaultSummary } from "./app-bindings/VaultSummary";
import { appInfo, CommandError, listVaults } from "./ipc";

// Record<Union, string>: a new engine type or provider in Rust fails `tsc` until labelled here.
const ENGINE_LABELS: Record<EngineType, string> = {
  kv2: "KV v2",
  mysql: "MySQL",
  mariadb: "MariaDB",
  postgresql: "PostgreSQL",
  mongodb: "MongoDB",
};

const PROVIDER_LABELS: Record<Provider, string> = {
  hashicorp_vault: "Vault / OpenBao",
};

type Child = Node | string | null | false;

/** `h("td", {class: "x", "data-testid": "y"}, "text")`: an element with attributes and children. */
function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  for (const child of children) {
    if (child === null || child === false) continue;
    node.append(child);
  }
  return node;
}

function byId<T extends HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`index.html lacks #${id}`);
  return node as T;
}

const view = byId<HTMLDivElement>("vault-view");
const status = byId<HTMLParagraphElement>("status");
const refreshButton = byId<HTMLButtonElement>("refresh");
const meta = byId<HTMLParagraphElement>("app-meta");
byId<HTMLImageElement>("brand-logo").src = logoUrl;

let info: AppInfo | null = null;

/**
 * A URL or path that wraps only at natural points: after `/`, before `.` and `:` (never in or
 * right after the scheme's `://`), so `https://vault.example.com:8200` breaks as
 * `https://vault.example.com` / `:8200`, not at a hyphen inside a host or role name.
 */
function breakable(text: string): DocumentFragment {
  const fragment = document.createDocumentFragment();
  for (const part of text.split(/(?<=\/)(?<!:\/\/)(?!\/)|(?=[.:](?!\/\/))/)) {
    if (fragment.childNodes.length > 0) fragment.append(document.createElement("wbr"));
    fragment.append(h("span", { class: "nobr" }, part));
  }
  return fragment;
}

/** A muted dash for an empty optional value, read out as "none". */
function none(): HTMLElement {
  return h("span", { class: "muted", "aria-label": "none" }, "—");
}

function engineCell(v: VaultSummary): HTMLElement {
  // Where the secret comes from, as an admin would type it: `<mount>/<path>` for KV,
  // `<mount>/creds/<role>` (the credentials endpoint) for database engines.
  const detail =
    v.engine_type === "kv2"
      ? [v.engine_name, v.path].filter(Boolean).join("/")
      : `${v.engine_name}/creds/${v.db_role ?? ""}`;
  return h(
    "td",
    { "data-testid": "vault-engine-type", "data-engine-type": v.engine_type },
    h("span", { class: "badge", "data-engine": v.engine_type }, ENGINE_LABELS[v.engine_type]),
    h("span", { class: "cell-sub mono engine-target" }, breakable(detail)),
  );
}

function vaultRow(v: VaultSummary): HTMLTableRowElement {
  const ttl =
    v.cache_ttl_secs === 0
      ? h("span", { class: "muted" }, "Off")
      : h("span", { class: "mono" }, v.cache_ttl);
  return h(
    "tr",
    { "data-testid": "vault-row", "data-vault-name": v.name },
    h(
      "th",
      { scope: "row" },
      h("span", { class: "vault-name", "data-testid": "vault-name" }, v.name),
      h("span", { class: "cell-sub" }, `auth/${v.auth_mount}`),
    ),
    h("td", { "data-testid": "vault-provider", class: "nowrap" }, PROVIDER_LABELS[v.provider]),
    engineCell(v),
    h("td", { "data-testid": "vault-url" }, h("span", { class: "mono url" }, breakable(v.url))),
    h("td", { "data-testid": "vault-namespace" }, v.namespace ? h("span", { class: "mono nowrap" }, v.namespace) : none()),
    h("td", { "data-testid": "vault-cache-ttl", class: "num" }, ttl),
  );
}

function vaultTable(vaults: VaultSummary[]): HTMLElement {
  const headers = ["Name", "Provider", "Engine type", "URL", "Namespace", "Cache TTL"];
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "vault-table", "data-testid": "vault-table" },
      h("caption", { class: "sr-only" }, "Registered vaults"),
      h(
        "thead",
        {},
        h("tr", {}, ...headers.map((label) => h("th", { scope: "col", class: label === "Cache TTL" ? "num" : "" }, label))),
      ),
      h("tbody", {}, ...vaults.map(vaultRow)),
    ),
  );
}

function emptyState(): HTMLElement {
  const command = [
    "vaultdesk vault add my-vault \\",
    "  --url https://vault.example.com:8200 \\",
    "  --engine-name secret --engine-type kv2 --path app/config",
  ].join("\n");
  return h(
    "div",
    { class: "empty", "data-testid": "empty-state" },
    h("img", { class: "empty-art", src: logoUrl, alt: "", width: "56", height: "56" }),
    h("h3", { class: "empty-title" }, "No vaults yet"),
    h(
      "p",
      { class: "empty-text" },
      "A vault is a HashiCorp Vault or OpenBao server that vaultdesk reads secrets from: its ",
      "address, the AppRole login to use, and the secrets engine (KV or database) that holds ",
      "the secrets. Its Role ID and Secret ID are kept in your OS keyring, never on disk.",
    ),
    h("p", { class: "empty-text" }, "For now, add one from a terminal (forms in this window are coming):"),
    h("pre", { class: "code", "aria-label": "Example command" }, h("code", {}, command)),
    h(
      "p",
      { class: "empty-hint" },
      "It asks for the Role ID and Secret ID without echoing them. Then press Refresh.",
    ),
    info &&
      h(
        "p",
        { class: "empty-hint" },
        "Data directory (the CLI's --data-dir): ",
        h("code", { class: "mono", "data-testid": "empty-data-dir" }, info.data_dir),
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

async function refresh(): Promise<void> {
  if (loading) return;
  loading = true;
  refreshButton.disabled = true;
  view.setAttribute("aria-busy", "true");
  setStatus("Loading vaults…");
  try {
    const vaults = await listVaults();
    view.replaceChildren(vaults.length === 0 ? emptyState() : vaultTable(vaults));
    const time = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    const count = vaults.length === 0 ? "No vaults" : vaults.length === 1 ? "1 vault" : `${vaults.length} vaults`;
    setStatus(`${count} · updated ${time}`);
  } catch (error: unknown) {
    view.replaceChildren(errorState(error));
    setStatus("Loading failed");
  } finally {
    view.setAttribute("aria-busy", "false");
    refreshButton.disabled = false;
    loading = false;
  }
}

async function loadInfo(): Promise<void> {
  try {
    info = await appInfo();
    meta.replaceChildren(
      h("span", { class: "meta-item" }, `v${info.version}`),
      h("span", { class: "meta-item mono", title: "Data directory" }, info.data_dir),
    );
  } catch (error: unknown) {
    // The vault list shows the same failure in full; the header only needs a hint.
    meta.textContent = error instanceof Error ? error.message : String(error);
  }
}

refreshButton.addEventListener("click", () => void refresh());
void loadInfo().then(refresh);
