// The "Leases" page: every database credential vaultdesk obtained from a vault (previews,
// Test connection, exports, renders), as Rust recorded it — never a password. Filter by vault
// and state, a countdown to each lease's end, Renew and Revoke per lease with the result shown
// in its row, "Revoke all of this vault", and the previews a vaultdesk process that ended left
// live. The issued user name is masked until revealed.

import type { LeaseOutcome } from "../app-bindings/LeaseOutcome";
import type { LeaseRecord } from "../bindings/LeaseRecord";
import type { LeaseState } from "../bindings/LeaseState";
import { byId, h, icon, lazyRows } from "../lib/dom";
import { LEASE_PURPOSE_LABELS as PURPOSE_LABELS, LEASE_STATE_LABELS as STATE_LABELS } from "../lib/labels";
import { messageOf } from "../lib/errors";
import { countdown } from "../lib/format";
import {
  listLeases,
  listVaults,
  renewLease,
  revokeLease,
  revokeLeftOverPreviews,
  revokeVaultLeases,
} from "../lib/ipc";

const page = byId<HTMLElement>("page-leases");
const view = byId<HTMLDivElement>("lease-view");
const status = byId<HTMLParagraphElement>("lease-status");
const refreshButton = byId<HTMLButtonElement>("lease-refresh");
const vaultFilter = byId<HTMLSelectElement>("lease-filter-vault");
const stateFilter = byId<HTMLSelectElement>("lease-filter-state");
const revokeVaultButton = byId<HTMLButtonElement>("lease-revoke-vault");
const leftoversButton = byId<HTMLButtonElement>("lease-leftovers");
const notice = byId<HTMLDivElement>("lease-notice");
const toolbar = byId<HTMLDivElement>("lease-toolbar");

const MASK = "••••••••";
const EYE = ["M1.5 8s2.5-4.5 6.5-4.5S14.5 8 14.5 8s-2.5 4.5-6.5 4.5S1.5 8 1.5 8z", "M8 6.2a1.8 1.8 0 1 0 0 3.6 1.8 1.8 0 0 0 0-3.6z"];

let leases: LeaseRecord[] = [];
/** Lease ids whose user name is shown. */
const revealed = new Set<string>();
/** The last Renew/Revoke result per lease id, shown in its row until the next one. */
const results = new Map<string, { ok: boolean; text: string }>();

const active = (l: LeaseRecord): boolean => l.state === "live" || l.state === "renewed";

function when(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const time = d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  return d.toDateString() === new Date().toDateString() ? time : `${d.toLocaleDateString()} ${time}`;
}

function userCell(l: LeaseRecord): HTMLElement {
  const shown = revealed.has(l.lease_id);
  const toggle = h(
    "button",
    {
      type: "button",
      class: "btn btn-icon-only btn-ghost btn-tiny",
      "aria-label": shown ? "Hide the user name" : "Show the user name",
      "aria-pressed": shown ? "true" : "false",
      title: shown ? "Hide" : "Reveal",
      "data-testid": "lease-reveal-user",
    },
    icon(...EYE),
  );
  const text = h("span", { class: "mono lease-user", "data-testid": "lease-user", "data-masked": shown ? "false" : "true" }, shown ? l.username : MASK);
  toggle.addEventListener("click", () => {
    if (revealed.has(l.lease_id)) revealed.delete(l.lease_id);
    else revealed.add(l.lease_id);
    rerender(l);
  });
  return h("td", {}, h("span", { class: "lease-user-line" }, text, toggle));
}

/** A file path that wraps after its slashes only (not inside a name). */
function pathBreaks(path: string): DocumentFragment {
  const fragment = document.createDocumentFragment();
  path.split(/(?<=\/)/).forEach((part, i) => {
    if (i > 0) fragment.append(document.createElement("wbr"));
    fragment.append(part);
  });
  return fragment;
}

function purposeCell(l: LeaseRecord): HTMLElement {
  const kept = l.purpose === "export" || l.purpose === "render";
  const sub = kept
    ? l.export_path
      ? h("span", { class: "cell-sub", "data-testid": "lease-export-path" }, "kept · in ", h("span", { class: "mono lease-path" }, pathBreaks(l.export_path)))
      : h("span", { class: "cell-sub" }, "not written: revoked when issued")
    : h("span", { class: "cell-sub" }, "revoked when the editor or command ends");
  return h(
    "td",
    { class: "lease-for-cell", "data-testid": "lease-purpose", "data-purpose": l.purpose },
    h("span", { class: "lease-for" }, h("span", { class: "badge lease-purpose", "data-purpose": l.purpose }, PURPOSE_LABELS[l.purpose]), " ", h("span", { class: "lease-subject" }, l.subject)),
    sub,
  );
}

function expiresCell(l: LeaseRecord): HTMLElement {
  if (!active(l)) {
    return h("td", { class: "nowrap" }, h("span", { class: "muted", "data-testid": "lease-expires" }, l.state === "revoked" ? `revoked ${when(l.updated_at)}` : `ended ${when(l.expires_at ?? l.updated_at)}`));
  }
  return h(
    "td",
    { class: "nowrap", title: l.expires_at ?? "no end" },
    h("span", { class: "lease-countdown", "data-testid": "lease-expires", "data-expires": l.expires_at ?? "" }, countdown(l.expires_at)),
    h("span", { class: "cell-sub" }, l.expires_at ? `at ${when(l.expires_at)}` : "—"),
  );
}

function stateCell(l: LeaseRecord): HTMLElement {
  const result = results.get(l.lease_id);
  return h(
    "td",
    { "data-testid": "lease-state-cell" },
    h("span", { class: "lease-state", "data-state": l.state, "data-testid": "lease-state" }, STATE_LABELS[l.state]),
    !l.vault_exists && h("span", { class: "cell-sub warn-note" }, "vault removed"),
    result &&
      h(
        "span",
        { class: `cell-sub lease-result ${result.ok ? "ok" : "failed"}`, "data-testid": "lease-result", "data-ok": String(result.ok), role: result.ok ? "status" : "alert" },
        result.text,
      ),
  );
}

/** A button that asks once more before a revoke ("Confirm"), for a few seconds. */
function confirming(button: HTMLButtonElement, label: string, run: () => Promise<void>): void {
  let armed = 0;
  button.addEventListener("click", () => {
    if (button.dataset.state !== "confirm") {
      button.dataset.state = "confirm";
      button.textContent = "Confirm";
      window.clearTimeout(armed);
      armed = window.setTimeout(() => {
        delete button.dataset.state;
        button.textContent = label;
      }, 5000);
      return;
    }
    window.clearTimeout(armed);
    delete button.dataset.state;
    void run();
  });
}

function actionsCell(l: LeaseRecord): HTMLElement {
  const can = active(l) && l.vault_exists;
  const renew = h(
    "button",
    { type: "button", class: "btn btn-small", "data-testid": "lease-renew", disabled: can && l.renewable ? undefined : "", title: l.renewable ? "Extend by its duration when issued" : "This lease is not renewable" },
    "Renew",
  ) as HTMLButtonElement;
  const revoke = h(
    "button",
    { type: "button", class: "btn btn-small btn-danger-outline", "data-testid": "lease-revoke", disabled: can ? undefined : "", title: "Revoke now: the database user is dropped" },
    "Revoke",
  ) as HTMLButtonElement;
  const busy = (b: HTMLButtonElement, text: string): void => {
    renew.disabled = true;
    revoke.disabled = true;
    b.replaceChildren(h("span", { class: "spinner", "aria-hidden": "true" }), h("span", {}, text));
  };
  renew.addEventListener("click", () => {
    busy(renew, "Renewing…");
    void act(l, () => renewLease(l.lease_id), (n) => `Renewed: ends ${countdown(n.expires_at)}`);
  });
  confirming(revoke, "Revoke", async () => {
    busy(revoke, "Revoking…");
    await act(l, () => revokeLease(l.lease_id), () => "Revoked: the user can no longer log in");
  });
  return h("td", { class: "actions" }, h("div", { class: "actions-inner" }, renew, revoke));
}

async function act(l: LeaseRecord, call: () => Promise<LeaseRecord>, said: (n: LeaseRecord) => string): Promise<void> {
  try {
    const next = await call();
    results.set(next.lease_id, { ok: true, text: said(next) });
    leases = leases.map((x) => (x.lease_id === next.lease_id ? next : x));
    rerender(next);
  } catch (error: unknown) {
    results.set(l.lease_id, { ok: false, text: messageOf(error) });
    rerender(l);
  }
}

function row(l: LeaseRecord): HTMLTableRowElement {
  return h(
    "tr",
    { "data-testid": "lease-row", "data-lease-id": l.lease_id, "data-state": l.state, "data-vault": l.vault },
    h(
      "th",
      { scope: "row" },
      h("span", { class: "vault-name", "data-testid": "lease-vault" }, l.vault),
      h("span", { class: "cell-sub nowrap" }, "role ", h("span", { class: "mono" }, l.role)),
    ),
    userCell(l),
    purposeCell(l),
    h("td", { class: "nowrap", title: l.issued_at }, when(l.issued_at)),
    expiresCell(l),
    stateCell(l),
    actionsCell(l),
  );
}

/** Replaces the row of `l` (after Renew, Revoke, reveal). */
function rerender(l: LeaseRecord): void {
  const current = view.querySelector(`[data-testid="lease-row"][data-lease-id="${CSS.escape(l.lease_id)}"]`);
  current?.replaceWith(row(l));
}

const lazy: { observer: IntersectionObserver | null } = { observer: null };

function table(list: LeaseRecord[]): HTMLElement {
  const headers = ["Vault · role", "User", "For", "Issued", "Expires", "State"];
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "vault-table lease-table", "data-testid": "lease-table", "aria-rowcount": String(list.length + 1) },
      h("caption", { class: "sr-only" }, "Leases"),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ...headers.map((label) => h("th", { scope: "col" }, label)),
          h("th", { scope: "col", class: "actions" }, h("span", { class: "sr-only" }, "Actions")),
        ),
      ),
      lazyRows(list, row, headers.length + 1, lazy),
    ),
  );
}

function emptyState(filtered: boolean): HTMLElement {
  if (filtered) {
    const clear = h("button", { type: "button", class: "btn", "data-testid": "lease-clear-filters" }, "Show all leases");
    clear.addEventListener("click", () => {
      vaultFilter.value = "";
      stateFilter.value = "";
      void refreshLeases();
    });
    return h(
      "div",
      { class: "empty", "data-testid": "lease-empty-state", "data-filtered": "true" },
      h("h3", { class: "empty-title" }, "No leases match these filters"),
      h("p", { class: "empty-text" }, "Other vaults or states may have some."),
      clear,
    );
  }
  return h(
    "div",
    { class: "empty", "data-testid": "lease-empty-state", "data-filtered": "false" },
    h("h3", { class: "empty-title" }, "No leases yet"),
    h(
      "p",
      { class: "empty-text" },
      "When a preview, a Test connection, an export or a render reads a database-engine vault (PostgreSQL, MySQL, MariaDB), ",
      "Vault issues a database user with a lease. Each one shows here: the user, what it was for, until when, and its state. ",
      "A preview's or test's user is revoked when the editor closes; an export's is kept for its file until you revoke it.",
    ),
    h(
      "p",
      { class: "empty-hint" },
      "From a terminal: ",
      h("code", { class: "mono nowrap" }, "vaultdesk lease list"),
      " — the command line shares this window's data directory.",
    ),
  );
}

function showNotice(outcomes: LeaseOutcome[], what: string, none: string): void {
  const failed = outcomes.filter((o) => o.error);
  const done = outcomes.length - failed.length;
  notice.hidden = false;
  notice.dataset.state = failed.length > 0 ? "failed" : "done";
  if (outcomes.length === 0) {
    notice.replaceChildren(h("span", { "data-testid": "lease-notice-text" }, none));
    return;
  }
  notice.replaceChildren(h("span", { "data-testid": "lease-notice-text" }, `${what}: revoked ${done} of ${outcomes.length}.`));
  if (failed.length > 0) {
    notice.append(
      h(
        "ul",
        { class: "lease-notice-list" },
        ...failed.map((o) => h("li", {}, h("span", { class: "mono" }, o.lease.lease_id), ": ", o.error ?? "")),
      ),
    );
  }
  for (const o of outcomes) {
    results.set(o.lease.lease_id, o.error ? { ok: false, text: o.error } : { ok: true, text: "Revoked" });
  }
}

function fillVaultFilter(names: string[]): void {
  const chosen = vaultFilter.value;
  const all = [...new Set(names)].sort((a, b) => a.localeCompare(b));
  vaultFilter.replaceChildren(h("option", { value: "" }, "All vaults"), ...all.map((n) => h("option", { value: n }, n)));
  vaultFilter.value = all.includes(chosen) ? chosen : "";
  syncVaultButton();
}

function syncVaultButton(): void {
  const v = vaultFilter.value;
  revokeVaultButton.disabled = v === "";
  revokeVaultButton.title = v ? `Revoke every live lease of ${v}, exports included` : "Choose a vault in the filter first";
}

let loading = false;
let again = false;

/** Loads the leases with the filters as set (the vault list too, for the filter). */
export async function refreshLeases(): Promise<void> {
  if (loading) {
    again = true;
    return;
  }
  loading = true;
  refreshButton.disabled = true;
  view.setAttribute("aria-busy", "true");
  status.textContent = "Loading leases…";
  try {
    const [list, vaults, everything] = await Promise.all([
      listLeases(vaultFilter.value || null, (stateFilter.value || null) as LeaseState | null),
      listVaults().catch(() => []),
      vaultFilter.value || stateFilter.value ? listLeases(null, null) : null,
    ]);
    leases = list;
    fillVaultFilter([...vaults.map((v) => v.name), ...(everything ?? list).map((l) => l.vault)]);
    const filtered = vaultFilter.value !== "" || stateFilter.value !== "";
    view.replaceChildren(list.length === 0 ? emptyState(filtered) : table(list));
    // Nothing recorded at all: the filters and bulk revokes have nothing to act on.
    toolbar.hidden = list.length === 0 && !filtered;
    const live = list.filter(active).length;
    const time = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    const count = list.length === 0 ? "No leases" : `${list.length} lease${list.length === 1 ? "" : "s"}, ${live} live`;
    status.textContent = `${count} · updated ${time}`;
  } catch (error: unknown) {
    view.replaceChildren(
      h(
        "div",
        { class: "error", role: "alert", "data-testid": "lease-error" },
        h("h3", { class: "error-title" }, "Could not load the leases"),
        h("p", { class: "error-message" }, messageOf(error)),
      ),
    );
    status.textContent = "Loading failed";
  } finally {
    view.setAttribute("aria-busy", "false");
    refreshButton.disabled = false;
    loading = false;
  }
  if (again) {
    again = false;
    await refreshLeases();
  }
}

refreshButton.addEventListener("click", () => void refreshLeases());
vaultFilter.addEventListener("change", () => {
  syncVaultButton();
  void refreshLeases();
});
stateFilter.addEventListener("change", () => void refreshLeases());

confirming(revokeVaultButton, "Revoke all of this vault", async () => {
  const vault = vaultFilter.value;
  if (!vault) return;
  revokeVaultButton.disabled = true;
  try {
    const outcomes = await revokeVaultLeases(vault);
    showNotice(outcomes, `Vault ${vault}`, `Vault ${vault} has no live lease.`);
  } catch (error: unknown) {
    notice.hidden = false;
    notice.dataset.state = "failed";
    notice.replaceChildren(h("span", { "data-testid": "lease-notice-text" }, messageOf(error)));
  }
  await refreshLeases();
});

leftoversButton.addEventListener("click", () => {
  leftoversButton.disabled = true;
  void revokeLeftOverPreviews()
    .then((outcomes) => showNotice(outcomes, "Left-over previews", "No preview or test credentials outlived their process."))
    .catch((error: unknown) => {
      notice.hidden = false;
      notice.dataset.state = "failed";
      notice.replaceChildren(h("span", { "data-testid": "lease-notice-text" }, messageOf(error)));
    })
    .then(() => refreshLeases())
    .finally(() => {
      leftoversButton.disabled = false;
    });
});

// The countdowns tick while the page is shown.
window.setInterval(() => {
  if (page.hidden) return;
  const now = Date.now();
  for (const el of view.querySelectorAll<HTMLElement>("[data-expires]")) {
    el.textContent = countdown(el.dataset.expires || null, now);
  }
}, 1000);
