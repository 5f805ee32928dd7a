// The "Connectors" page: the stored connectors (name, kind, vault, references), "+ Connector"
// and the editor (./connector-form.ts), delete, and "Export all" to a folder.

import type { ConnectorSummary } from "../app-bindings/ConnectorSummary";
import type { KindFields } from "../app-bindings/KindFields";
import type { ExportFormat } from "../bindings/ExportFormat";
import { byId, h, icon, ICONS, lazyRows, openModal } from "../lib/dom";
import { CommandError, connectorKinds, exportAllConnectors, listConnectors, removeConnector } from "../lib/ipc";
import { openConnectorForm, type ConnectorHost } from "./connector-form";
import { KIND_LABELS } from "../lib/labels";
import { plainMessageOf as messageOf } from "../lib/errors";
import { dialogHead } from "../vaults/vault-form";
import { forgetSuggestions } from "./autocomplete";

const view = byId<HTMLDivElement>("connector-view");
const status = byId<HTMLParagraphElement>("connector-status");
const addButton = byId<HTMLButtonElement>("add-connector");
const exportAllButton = byId<HTMLButtonElement>("export-all");
const exportAllFormat = byId<HTMLSelectElement>("export-all-format");

let kinds: KindFields[] | null = null;
let count = 0;

const host: ConnectorHost = {
  saved(c, message) {
    void refreshConnectors(message, c.name);
  },
};


async function openEditor(connector: ConnectorSummary | null): Promise<void> {
  try {
    kinds ??= await connectorKinds();
    // Vaults may have changed on the other page since the last suggestions.
    forgetSuggestions();
    await openConnectorForm(host, kinds, connector ? { kind: "edit", connector } : { kind: "add" });
  } catch (e: unknown) {
    status.textContent = `The editor could not open: ${messageOf(e)}`;
  }
}

function none(): HTMLElement {
  return h("span", { class: "muted", "aria-label": "none" }, "—");
}

function row(c: ConnectorSummary): HTMLTableRowElement {
  const edit = h(
    "button",
    { type: "button", class: "btn btn-icon-only btn-ghost", "aria-label": `Edit ${c.name}`, title: "Edit", "data-testid": "edit-connector" },
    icon(...ICONS.pencil),
  );
  const remove = h(
    "button",
    { type: "button", class: "btn btn-icon-only btn-ghost btn-ghost-danger", "aria-label": `Delete ${c.name}`, title: "Delete", "data-testid": "remove-connector" },
    icon(...ICONS.trash),
  );
  edit.addEventListener("click", () => void openEditor(c));
  remove.addEventListener("click", () => openDeleteConnector(c));
  const refs =
    c.references === 0
      ? h("span", { class: "muted" }, "none")
      : h("span", { class: "num-strong" }, String(c.references));
  return h(
    "tr",
    { "data-testid": "connector-row", "data-connector-name": c.name },
    h("th", { scope: "row" }, h("span", { class: "vault-name", "data-testid": "connector-name" }, c.name)),
    h("td", { "data-testid": "connector-kind", "data-kind": c.kind }, h("span", { class: "badge", "data-kind": c.kind }, KIND_LABELS[c.kind])),
    h("td", { "data-testid": "connector-vault" }, c.vault ? h("span", { class: "mono nowrap" }, c.vault) : none()),
    h(
      "td",
      { "data-testid": "connector-references", "data-count": String(c.references) },
      refs,
      c.referenced_vaults.length > 0 &&
        h("span", { class: "cell-sub" }, `from ${c.referenced_vaults.join(", ")}`),
    ),
    h("td", { class: "actions" }, h("div", { class: "actions-inner" }, edit, remove)),
  );
}

/** The observer building the connector table's further rows. */
const lazy: { observer: IntersectionObserver | null } = { observer: null };

/** The table of `list` (a long one is built as it is scrolled to: `lazyRows`). */
function table(list: ConnectorSummary[], upTo?: string): HTMLElement {
  const body = lazyRows(list, row, 5, lazy, upTo ? list.findIndex((c) => c.name === upTo) + 1 : 0);
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "vault-table connector-table", "data-testid": "connector-table", "aria-rowcount": String(list.length + 1) },
      h("caption", { class: "sr-only" }, "Connectors"),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ...["Name", "Kind", "Secrets Manager", "References"].map((l) => h("th", { scope: "col" }, l)),
          h("th", { scope: "col", class: "actions" }, h("span", { class: "sr-only" }, "Actions")),
        ),
      ),
      body,
    ),
  );
}

function emptyState(): HTMLElement {
  const add = h("button", { type: "button", class: "btn btn-primary", "data-testid": "empty-add-connector" }, icon(...ICONS.plus), h("span", {}, "Connector"));
  add.addEventListener("click", () => void openEditor(null));
  return h(
    "div",
    { class: "empty", "data-testid": "connector-empty-state" },
    h("h3", { class: "empty-title" }, "No connectors yet"),
    h(
      "p",
      { class: "empty-text" },
      "A connector is the configuration of a PostgreSQL, MySQL, MariaDB or MongoDB client, or of a REST API, ",
      "whose passwords and keys are references such as {{secrets.prod-kv.password}} instead of values. ",
      "vaultdesk renders it with the secrets when you preview or export it.",
    ),
    add,
    h(
      "p",
      { class: "empty-hint" },
      "Or from a terminal: ",
      h("code", { class: "mono nowrap" }, "vaultdesk connector add"),
      ".",
    ),
  );
}

let loading = false;
let queued: { done?: string; highlight?: string } | null = null;

export async function refreshConnectors(done?: string, highlight?: string): Promise<void> {
  if (loading) {
    queued = { ...(done ? { done } : {}), ...(highlight ? { highlight } : {}) };
    return;
  }
  loading = true;
  view.setAttribute("aria-busy", "true");
  status.textContent = "Loading connectors…";
  try {
    const list = await listConnectors();
    count = list.length;
    exportAllButton.disabled = count === 0;
    view.replaceChildren(list.length === 0 ? emptyState() : table(list, highlight));
    const n = list.length === 0 ? "No connectors" : list.length === 1 ? "1 connector" : `${list.length} connectors`;
    status.textContent = done ? `${done} · ${n}` : n;
    if (highlight) view.querySelector(`[data-connector-name="${CSS.escape(highlight)}"]`)?.classList.add("just-saved");
  } catch (error: unknown) {
    const code = error instanceof CommandError ? (error.payload?.code ?? "ipc") : "unexpected";
    view.replaceChildren(
      h(
        "div",
        { class: "error", role: "alert", "data-testid": "connector-error-state", "data-error-code": code },
        h("h3", { class: "error-title" }, "Could not load the connectors"),
        h("p", { class: "error-message" }, messageOf(error)),
      ),
    );
    status.textContent = "Loading failed";
  } finally {
    view.setAttribute("aria-busy", "false");
    loading = false;
  }
  if (queued) {
    const next = queued;
    queued = null;
    await refreshConnectors(next.done, next.highlight);
  }
}

function openDeleteConnector(c: ConnectorSummary): void {
  const error = h("p", { class: "form-banner", role: "alert", hidden: "", "data-testid": "connector-delete-error" });
  const cancel = h("button", { type: "button", class: "btn", "data-testid": "connector-delete-cancel" }, "Cancel");
  const confirm = h("button", { type: "submit", class: "btn btn-danger", "data-testid": "connector-delete-confirm" }, icon(...ICONS.trash), h("span", {}, "Delete connector"));
  const form = h(
    "form",
    { class: "dialog-form", novalidate: "" },
    h(
      "div",
      { class: "dialog-body" },
      h(
        "p",
        { class: "confirm-text" },
        "This removes the configuration of ",
        h("strong", {}, c.name),
        ` (${KIND_LABELS[c.kind]}). Files exported from it and the secrets in its vaults are not touched.`,
      ),
      error,
    ),
    h("div", { class: "dialog-foot" }, h("span", { class: "foot-spacer" }), cancel, confirm),
  );
  const dialog = h(
    "dialog",
    { class: "dialog dialog-small", role: "alertdialog", "aria-labelledby": "connector-delete-title", "data-testid": "connector-delete-dialog" },
    dialogHead("connector-delete-title", `Delete connector “${c.name}”?`, null, () => dialog.close()),
    form,
  );
  cancel.addEventListener("click", () => dialog.close());
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    confirm.disabled = true;
    removeConnector(c.name).then(
      () => {
        dialog.close();
        void refreshConnectors(`Deleted ${c.name}`);
      },
      (err: unknown) => {
        confirm.disabled = false;
        error.textContent = `Not deleted: ${messageOf(err)}`;
        error.hidden = false;
      },
    );
  });
  openModal(dialog, { initial: cancel });
}

async function exportAll(): Promise<void> {
  exportAllButton.disabled = true;
  status.textContent = "Choose a folder…";
  try {
    const result = await exportAllConnectors(exportAllFormat.value as ExportFormat);
    if (result === null) {
      status.textContent = "Export cancelled";
    } else {
      const n = result.files.length;
      status.replaceChildren(
        h("span", { "data-testid": "export-all-notice" }, `Exported ${n} connector${n === 1 ? "" : "s"} to `, h("span", { class: "mono" }, result.path), " (mode 0600)"),
      );
    }
  } catch (e: unknown) {
    status.textContent = `Not exported: ${messageOf(e)}`;
  } finally {
    exportAllButton.disabled = count === 0;
  }
}

addButton.addEventListener("click", () => void openEditor(null));
exportAllButton.addEventListener("click", () => void exportAll());
