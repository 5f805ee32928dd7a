// The connector editor: name, kind, the "Secrets Manager" vault and the kind's fields (built
// from `ConnectorKind::fields()`), with a live preview beside them and export.
//
// As in the vault form, Rust decides what is valid and answers with field errors
// (`config.<field>`), which land under their inputs. The preview renders the unsaved form on
// every edit (debounced; the command runs off the UI thread and a newer edit supersedes an
// older answer). It is masked: secret values reach the webview only when the user reveals one
// value, reveals all, or copies a value — each an explicit action.

import type { ConnectorSummary } from "../app-bindings/ConnectorSummary";
import type { KindFields } from "../app-bindings/KindFields";
import type { ConnectorInput } from "../bindings/ConnectorInput";
import type { ConnectorKind } from "../bindings/ConnectorKind";
import type { ErrorPayload } from "../bindings/ErrorPayload";
import type { ExportFormat } from "../bindings/ExportFormat";
import type { FieldError } from "../bindings/FieldError";
import type { FieldSpec } from "../bindings/FieldSpec";
import type { Preview } from "../bindings/Preview";
import type { ReferenceState } from "../bindings/ReferenceState";
import type { Vault } from "../bindings/Vault";
import { h, icon, ICONS, openModal } from "../lib/dom";
import {
  addConnector,
  CommandError,
  compatibleVaults,
  endPreviews,
  exportConnector,
  prefillConnector,
  previewConnector,
  refreshVault,
  updateConnector,
} from "../lib/ipc";
import { attachAutocomplete } from "./autocomplete";
import { connectorTest } from "./connector-test";
import { dialogHead } from "../vaults/vault-form";
import { ENGINE_LABELS, KIND_LABELS } from "../lib/labels";
import { formatSecs, leaves } from "../lib/format";
import { fieldKey, plainMessageOf as messageOf, sentence } from "../lib/errors";

const FIELD_LABELS: Record<string, string> = {
  host: "Host",
  port: "Port",
  database: "Database",
  username: "Username",
  password: "Password",
  tls_mode: "TLS mode",
  options: "Driver options",
  connection_string: "Connection string",
  auth_source: "Auth source",
  replica_set: "Replica set",
  tls: "TLS",
  base_url: "Base URL",
  headers: "Headers",
  query: "Query parameters",
  auth: "Authentication",
  timeout: "Timeout",
};

const AUTH_TYPES = ["none", "basic", "bearer", "api_key"] as const;
const AUTH_LABELS: Record<(typeof AUTH_TYPES)[number], string> = {
  none: "None",
  basic: "Basic (username and password)",
  bearer: "Bearer token",
  api_key: "API key",
};
const AUTH_PARTS: Record<(typeof AUTH_TYPES)[number], string[]> = {
  none: [],
  basic: ["username", "password"],
  bearer: ["token"],
  api_key: ["name", "value", "in"],
};

const ICON_EYE = ["M1.5 8s2.4-4.5 6.5-4.5S14.5 8 14.5 8s-2.4 4.5-6.5 4.5S1.5 8 1.5 8z", "M8 6a2 2 0 1 0 0 4a2 2 0 1 0 0-4z"];
const ICON_EYE_OFF = [...ICON_EYE, "M2.5 2.5l11 11"];
const ICON_COPY = ["M5.5 5.5h7v8h-7z", "M3.5 10.5v-8h7"];
const ICON_EXPORT = ["M8 2.5v8", "M4.5 7L8 10.5 11.5 7", "M3 13.5h10"];

export interface ConnectorHost {
  saved(connector: ConnectorSummary, message: string): void;
}

export type ConnectorMode = { kind: "add" } | { kind: "edit"; connector: ConnectorSummary };

/** One field of the kind: its box, how to read and set it, where its errors go. */
interface Control {
  spec: FieldSpec;
  box: HTMLElement;
  error: HTMLElement;
  focus: HTMLElement;
  get(): unknown;
  set(value: unknown): void;
  /** The value as text, to compare with what a pre-fill put there. */
  text(): string;
}


function display(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === null || v === undefined) return "";
  return JSON.stringify(v);
}

/** What the core shows for a secret value it does not reveal. */
const MASK = "••••••••";

function formatAge(iso: string): string {
  if (!iso) return "not fetched";
  const t = new Date(iso);
  return `fetched ${t.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" })}`;
}

async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    return;
  } catch {
    // WebKitGTK may refuse the async clipboard: fall back to a selection copy.
  }
  const area = h("textarea", { class: "sr-only", "aria-hidden": "true", tabindex: "-1" });
  area.value = text;
  document.body.append(area);
  area.select();
  const ok = document.execCommand("copy");
  area.value = "";
  area.remove();
  if (!ok) throw new Error("the clipboard refused the copy");
}

export async function openConnectorForm(host: ConnectorHost, kinds: KindFields[], mode: ConnectorMode): Promise<void> {
  const editing = mode.kind === "edit" ? mode.connector : null;
  const kindOf = (k: string): KindFields => kinds.find((x) => x.kind === k) ?? kinds[0]!;

  // --- header fields: name, kind, vault ---
  const errors = new Map<string, HTMLElement>();
  const nameInput = h("input", {
    id: "connector-name",
    type: "text",
    class: "input",
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "e.g. orders-db",
    "aria-describedby": "connector-name-help connector-name-error",
    "data-testid": "connector-field-name",
  });
  const nameError = h("p", { class: "field-error", "aria-live": "polite", id: "connector-name-error", "data-testid": "connector-error-name" });
  errors.set("name", nameError);
  const kindSelect = h(
    "select",
    { id: "connector-kind", class: "input", "aria-describedby": "connector-kind-error", "data-testid": "connector-field-kind" },
    ...kinds.map((k) => h("option", { value: k.kind }, KIND_LABELS[k.kind])),
  );
  const kindError = h("p", { class: "field-error", "aria-live": "polite", id: "connector-kind-error", "data-testid": "connector-error-kind" });
  errors.set("kind", kindError);
  const vaultSelect = h("select", {
    id: "connector-vault",
    class: "input",
    "aria-describedby": "connector-vault-help connector-vault-error",
    "data-testid": "connector-field-vault",
  });
  const vaultHelp = h("p", { class: "help", id: "connector-vault-help", "data-testid": "connector-vault-help" });
  const vaultError = h("p", { class: "field-error", "aria-live": "polite", id: "connector-vault-error", "data-testid": "connector-error-vault" });
  errors.set("vault", vaultError);

  const fieldsBox = h("div", { class: "connector-fields", "data-testid": "connector-fields" });
  const banner = h("div", { class: "form-banner", role: "alert", hidden: "", "data-testid": "connector-form-error" });

  const formColumn = h(
    "div",
    { class: "form-col" },
    banner,
    h(
      "fieldset",
      { class: "section" },
      h("legend", { class: "section-title" }, "Connector"),
      h(
        "div",
        { class: "grid-2" },
        h(
          "div",
          { class: "field" },
          h("label", { for: "connector-name", class: "label" }, "Name"),
          nameInput,
          h("p", { class: "help", id: "connector-name-help" }, "Letters, digits, - and _; the export's file name."),
          nameError,
        ),
        h("div", { class: "field" }, h("label", { for: "connector-kind", class: "label" }, "Kind"), kindSelect, kindError),
      ),
      h(
        "div",
        { class: "field" },
        h("label", { for: "connector-vault", class: "label" }, "Secrets Manager"),
        vaultSelect,
        vaultHelp,
        vaultError,
      ),
    ),
    h(
      "fieldset",
      { class: "section" },
      h("legend", { class: "section-title" }, "Configuration"),
      h(
        "p",
        { class: "help section-help" },
        "Any text may hold ",
        h("code", { class: "mono" }, "{{secrets.VAULT.KEY}}"),
        ": type ",
        h("code", { class: "mono" }, "{{secrets."),
        " for vault and key names.",
      ),
      fieldsBox,
    ),
  );

  // --- preview column ---
  const revealAll = h(
    "button",
    { type: "button", class: "btn btn-small", "aria-pressed": "false", "data-testid": "reveal-all" },
    icon(...ICON_EYE),
    h("span", {}, "Reveal all"),
  );
  const previewState = h("p", { class: "preview-state", role: "status", "aria-live": "polite", "data-testid": "preview-state" });
  const valuesBox = h("div", { class: "preview-values", "data-testid": "preview-values" });
  const refsBox = h("div", { class: "preview-refs", "data-testid": "preview-refs" });
  const formatSelect = h(
    "select",
    { id: "connector-export-format", class: "input input-compact", "data-testid": "export-format" },
    h("option", { value: "json" }, "JSON"),
    h("option", { value: "yaml" }, "YAML"),
    h("option", { value: "env" }, "env"),
  );
  const exportButton = h(
    "button",
    { type: "button", class: "btn", "data-testid": "export-button" },
    icon(...ICON_EXPORT),
    h("span", {}, "Export…"),
  );
  // "Refresh now" of the vaults the preview reads: their cached secrets and tokens are dropped
  // and the preview reads again (a rotated password shows at once).
  const refreshSecrets = h(
    "button",
    { type: "button", class: "btn btn-small", "data-testid": "refresh-secrets", title: "Drop the cached secrets of these vaults and read them again" },
    icon(...ICONS.refresh),
    h("span", {}, "Refresh"),
  );
  const exportNotice = h("p", { class: "export-notice", role: "status", "aria-live": "polite", "data-testid": "export-notice" });
  const previewColumn = h(
    "aside",
    { class: "preview-col", "aria-labelledby": "preview-title", "data-testid": "preview-panel" },
    h("div", { class: "preview-head" }, h("h3", { class: "test-title", id: "preview-title" }, "Live preview"), revealAll),
    previewState,
    valuesBox,
    h("div", { class: "preview-sub-row" }, h("h4", { class: "preview-sub" }, "References"), refreshSecrets),
    refsBox,
  );
  exportButton.title = "Render with the secrets and write a file (mode 0600) where you choose";
  const tester = connectorTest({
    readInput: () => readInput(),
    kind: () => kindSelect.value as ConnectorKind,
    showFieldError: (field, message) => showFieldError({ field, path: field.split("."), message }) !== null,
    showPayload: (error) => {
      clearErrors();
      showPayload(error, "Test connection");
    },
  });
  previewColumn.append(tester.panel);
  tester.button.title = "Connect with these settings and their secrets, stage by stage";

  const saveButton = h("button", { type: "submit", class: "btn btn-primary", "data-testid": "connector-save" }, editing ? "Update" : "Save");
  const cancelButton = h("button", { type: "button", class: "btn", "data-testid": "connector-cancel" }, "Cancel");
  const footStatus = h("p", { class: "foot-status", role: "alert", "data-testid": "connector-form-status" });
  const form = h(
    "form",
    { class: "dialog-form", novalidate: "" },
    h("div", { class: "dialog-body vault-form-body connector-form-body" }, formColumn, previewColumn),
    h(
      "div",
      { class: "dialog-foot" },
      tester.button,
      h("label", { for: "connector-export-format", class: "sr-only" }, "Export format"),
      formatSelect,
      exportButton,
      exportNotice,
      footStatus,
      h("span", { class: "foot-spacer" }),
      cancelButton,
      saveButton,
    ),
  );
  const dialog = h(
    "dialog",
    { class: "dialog dialog-wide dialog-connector", "aria-labelledby": "connector-form-title", "data-testid": "connector-form" },
    dialogHead(
      "connector-form-title",
      editing ? `Edit ${editing.name}` : "Add a connector",
      "Choose a vault to pre-fill references; the preview renders as you type.",
      () => close(),
    ),
    form,
  );

  // --- the kind's fields ---
  let controls = new Map<string, Control>();
  /** Values a pre-fill wrote, by field: replaced by the next pre-fill unless edited since. */
  let prefilled = new Map<string, string>();

  function textInput(id: string, spec: FieldSpec, placeholder?: string): HTMLInputElement {
    const input = h("input", {
      id,
      type: "text",
      class: "input mono",
      autocomplete: "off",
      spellcheck: "false",
      placeholder,
      "aria-describedby": `${id}-help ${id}-error`,
      "data-testid": `connector-field-${spec.name}`,
    });
    attachAutocomplete(input);
    return input;
  }

  function buildControl(spec: FieldSpec): Control {
    const id = `connector-config-${spec.name}`;
    const label = FIELD_LABELS[spec.name] ?? spec.name;
    const error = h("p", { class: "field-error", "aria-live": "polite", id: `${id}-error`, "data-testid": `connector-error-${spec.name}` });
    const help = spec.help ? h("p", { class: "help", id: `${id}-help` }, /^[a-z]+:\/\//.test(spec.help) ? spec.help : spec.help[0]!.toUpperCase() + spec.help.slice(1)) : null;
    const labelEl = h("label", { for: id, class: "label" }, label, spec.required ? h("span", { class: "required", "aria-hidden": "true" }, " *") : null);
    let control: Control;
    switch (spec.field_type) {
      case "choice":
      case "bool": {
        const options = spec.field_type === "bool" ? ["true", "false"] : spec.options;
        const select = h(
          "select",
          { id, class: "input", "aria-describedby": `${id}-help ${id}-error`, "data-testid": `connector-field-${spec.name}` },
          h("option", { value: "" }, "— not set —"),
          ...options.map((o) => h("option", { value: o }, o)),
        );
        control = {
          spec,
          box: h("div", { class: "field", "data-field": spec.name }, labelEl, select, help, error),
          error,
          focus: select,
          get: () => (select.value === "" ? undefined : spec.field_type === "bool" && (select.value === "true" || select.value === "false") ? select.value === "true" : select.value),
          set: (v) => {
            const s = display(v);
            if (s !== "" && ![...select.options].some((o) => o.value === s)) select.append(h("option", { value: s }, s));
            select.value = s;
          },
          text: () => select.value,
        };
        break;
      }
      case "map": {
        const area = h("textarea", {
          id,
          class: "input mono textarea",
          rows: "3",
          spellcheck: "false",
          placeholder: spec.name === "headers" ? "Authorization: Bearer {{secrets.api.token}}" : "name: value",
          "aria-describedby": `${id}-help ${id}-error`,
          "data-testid": `connector-field-${spec.name}`,
        });
        attachAutocomplete(area);
        const mapHelp = h("p", { class: "help", id: `${id}-help` }, `${spec.help ? `${spec.help[0]!.toUpperCase()}${spec.help.slice(1)}` : "Entries"}: one per line, as name: value.`);
        control = {
          spec,
          box: h("div", { class: "field", "data-field": spec.name }, labelEl, area, mapHelp, error),
          error,
          focus: area,
          get: () => {
            const out: Record<string, string> = {};
            for (const line of area.value.split("\n")) {
              if (line.trim() === "") continue;
              const at = line.indexOf(":");
              // A line without a colon becomes a name with no value; Save names the problem.
              if (at < 0) out[line.trim()] = "";
              else out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
            }
            return Object.keys(out).length === 0 ? undefined : out;
          },
          set: (v) => {
            area.value =
              v && typeof v === "object"
                ? Object.entries(v as Record<string, unknown>)
                    .map(([k, x]) => `${k}: ${display(x)}`)
                    .join("\n")
                : "";
          },
          text: () => area.value,
        };
        break;
      }
      case "auth": {
        const typeSelect = h(
          "select",
          { id, class: "input", "aria-describedby": `${id}-error`, "data-testid": "connector-field-auth" },
          h("option", { value: "" }, "— not set —"),
          ...AUTH_TYPES.map((t) => h("option", { value: t }, AUTH_LABELS[t])),
        );
        const parts = new Map<string, HTMLInputElement | HTMLSelectElement>();
        const partBoxes = new Map<string, HTMLElement>();
        for (const part of ["username", "password", "token", "name", "value"]) {
          const pid = `${id}-${part}`;
          const input = h("input", {
            id: pid,
            type: "text",
            class: "input mono",
            autocomplete: "off",
            spellcheck: "false",
            placeholder: part === "name" ? "e.g. X-API-Key" : `{{secrets.VAULT.${part === "value" ? "api_key" : part}}}`,
            "data-testid": `connector-field-auth-${part}`,
          });
          attachAutocomplete(input);
          parts.set(part, input);
          partBoxes.set(
            part,
            h("div", { class: "field" }, h("label", { for: pid, class: "label" }, part === "name" ? "Key name" : part === "value" ? "Key value" : part[0]!.toUpperCase() + part.slice(1)), input),
          );
        }
        const inSelect = h(
          "select",
          { id: `${id}-in`, class: "input", "data-testid": "connector-field-auth-in" },
          h("option", { value: "header" }, "Header"),
          h("option", { value: "query" }, "Query parameter"),
        );
        parts.set("in", inSelect);
        partBoxes.set("in", h("div", { class: "field" }, h("label", { for: `${id}-in`, class: "label" }, "Sent as"), inSelect));
        const partsBox = h("div", { class: "grid-2 auth-parts" }, ...partBoxes.values());
        const sync = (): void => {
          const t = typeSelect.value as (typeof AUTH_TYPES)[number] | "";
          for (const [p, b] of partBoxes) b.hidden = t === "" || !AUTH_PARTS[t].includes(p);
          partsBox.hidden = t === "" || t === "none";
        };
        typeSelect.addEventListener("change", sync);
        control = {
          spec,
          box: h("div", { class: "field", "data-field": "auth" }, labelEl, typeSelect, partsBox, error),
          error,
          focus: typeSelect,
          get: () => {
            const t = typeSelect.value as (typeof AUTH_TYPES)[number] | "";
            if (t === "") return undefined;
            const out: Record<string, string> = { type: t };
            for (const p of AUTH_PARTS[t]) {
              const v = parts.get(p)!.value.trim();
              if (v !== "") out[p] = v;
            }
            return out;
          },
          set: (v) => {
            const o = v && typeof v === "object" ? (v as Record<string, unknown>) : {};
            typeSelect.value = typeof o.type === "string" ? o.type : "";
            for (const [p, input] of parts) input.value = p === "in" ? display(o[p] ?? "header") : display(o[p] ?? "");
            sync();
          },
          text: () => {
            const v = control.get();
            return v === undefined ? "" : JSON.stringify(v);
          },
        };
        sync();
        break;
      }
      default: {
        const placeholder =
          spec.field_type === "port" ? "e.g. 5432" : spec.field_type === "duration" ? "30s" : spec.name === "password" ? "{{secrets.VAULT.password}}" : undefined;
        const input = textInput(id, spec, placeholder);
        control = {
          spec,
          box: h("div", { class: "field", "data-field": spec.name }, labelEl, input, help, error),
          error,
          focus: input,
          get: () => {
            const v = input.value.trim();
            if (v === "") return undefined;
            if (spec.field_type === "port" && /^\d+$/.test(v)) return Number(v);
            return v;
          },
          set: (v) => (input.value = display(v)),
          text: () => input.value,
        };
      }
    }
    return control;
  }

  function buildFields(kind: ConnectorKind, keep: Record<string, unknown>): void {
    controls = new Map();
    const specs = kindOf(kind).fields;
    const boxes: HTMLElement[] = [];
    const pending: HTMLElement[] = [];
    const flush = (): void => {
      if (pending.length === 2) boxes.push(h("div", { class: "grid-2" }, ...pending.splice(0)));
      else boxes.push(...pending.splice(0));
    };
    for (const spec of specs) {
      const c = buildControl(spec);
      controls.set(spec.name, c);
      if (keep[spec.name] !== undefined) c.set(keep[spec.name]);
      errors.set(`config.${spec.name}`, c.error);
      // Short fields side by side; long ones (texts that hold URLs, maps, auth) full width.
      const short = ["port", "choice", "bool", "duration"].includes(spec.field_type) || ["database", "username", "password", "auth_source", "replica_set"].includes(spec.name);
      if (short) {
        pending.push(c.box);
        if (pending.length === 2) flush();
      } else {
        flush();
        boxes.push(c.box);
      }
    }
    flush();
    fieldsBox.replaceChildren(...boxes);
  }

  function config(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, c] of controls) {
      const v = c.get();
      if (v !== undefined) out[name] = v;
    }
    return out;
  }

  function readInput(): ConnectorInput {
    const input: ConnectorInput = { name: nameInput.value.trim(), kind: kindSelect.value, config: config() };
    if (vaultSelect.value !== "") input.vault = vaultSelect.value;
    return input;
  }

  // --- vaults for the kind ---
  let vaults: Vault[] = [];
  // A kind changed twice quickly starts two loads; only the latest may fill the list (an earlier
  // answer arriving last would list vaults of the previous kind).
  let vaultLoads = 0;
  async function loadVaults(): Promise<void> {
    const kind = kindSelect.value as ConnectorKind;
    const selected = vaultSelect.value || editing?.vault || "";
    const load = ++vaultLoads;
    let listed: Vault[];
    try {
      listed = await compatibleVaults(kind);
    } catch (e: unknown) {
      if (load !== vaultLoads) return;
      listed = [];
      vaultError.textContent = `The vaults could not be listed: ${messageOf(e)}`;
    }
    if (load !== vaultLoads) return;
    vaults = listed;
    vaultSelect.replaceChildren(
      h("option", { value: "" }, vaults.length === 0 ? "— no compatible vault —" : "— none —"),
      ...vaults.map((v) => h("option", { value: v.name }, `${v.name} · ${ENGINE_LABELS[v.engine_type]}`)),
    );
    const still = vaults.find((v) => v.name.toLowerCase() === selected.toLowerCase());
    vaultSelect.value = still ? still.name : "";
    vaultHelp.textContent =
      kind === "rest"
        ? "KV vaults only. Choosing one pre-fills the fields it has keys for, as references."
        : `KV vaults and ${KIND_LABELS[kind]} database engines. Choosing one pre-fills fields as references.`;
    if (selected && !still) vaultHelp.textContent = `“${selected}” cannot serve a ${KIND_LABELS[kind]} connector. ${vaultHelp.textContent}`;
  }

  async function prefill(): Promise<void> {
    const vault = vaultSelect.value;
    if (vault === "") return;
    vaultError.textContent = "";
    vaultHelp.textContent = `Reading the key names of ${vault}…`;
    try {
      const fields = await prefillConnector(kindSelect.value as ConnectorKind, vault);
      if (vaultSelect.value !== vault) return;
      const filled: string[] = [];
      for (const [name, value] of Object.entries(fields)) {
        const c = controls.get(name);
        if (!c) continue;
        const current = c.text();
        if (current === "" || prefilled.get(name) === current) {
          c.set(value);
          c.error.replaceChildren();
          c.focus.removeAttribute("aria-invalid");
          prefilled.set(name, c.text());
          const label = FIELD_LABELS[name] ?? name;
          filled.push(label[0]!.toLowerCase() + label.slice(1));
        }
      }
      vaultHelp.textContent =
        filled.length > 0
          ? `Pre-filled ${filled.length === 1 ? filled[0] : `${filled.slice(0, -1).join(", ")} and ${filled[filled.length - 1]}`} from ${vault} (secrets as references).`
          : Object.keys(fields).length > 0
            ? `Nothing pre-filled: those fields already have values.`
            : `${vault} has no key this kind can pre-fill; write references by hand.`;
      schedulePreview();
    } catch (e: unknown) {
      vaultHelp.textContent = "";
      vaultError.textContent = `Could not pre-fill: ${messageOf(e)}`;
    }
  }

  // --- errors ---
  function clearErrors(): void {
    for (const el of errors.values()) el.replaceChildren();
    for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
    banner.hidden = true;
    banner.replaceChildren();
    footStatus.textContent = "";
  }

  /** A field error by its path: `["config", "headers", "Authorization"]` → the headers box, with the sub-path in the message. */
  function showFieldError(field: FieldError): HTMLElement | null {
    const { key, sub } = fieldKey(field);
    const message = field.message;
    const el = errors.get(key);
    if (!el) return null;
    const text = sub ? `${sub}: ${message}` : sentence(message);
    el.append(h("span", { class: "field-error-msg" }, text));
    const control = key === "name" ? nameInput : key === "kind" ? kindSelect : key === "vault" ? vaultSelect : controls.get(key.slice(7))?.focus;
    control?.setAttribute("aria-invalid", "true");
    return control ?? null;
  }

  function showPayload(error: unknown, action: string): void {
    const payload: ErrorPayload | null = error instanceof CommandError ? error.payload : null;
    if (payload && payload.fields.length > 0) {
      const elsewhere: string[] = [];
      let first: HTMLElement | null = null;
      for (const f of payload.fields) {
        const c = showFieldError(f);
        if (!c) elsewhere.push(`${f.field} ${f.message}.`);
        first ??= c;
      }
      const n = payload.fields.length;
      footStatus.textContent = `${action} needs ${n === 1 ? "one fix" : `${n} fixes`}: see the highlighted fields.`;
      if (elsewhere.length > 0) {
        banner.replaceChildren(h("strong", {}, `${action} needs these fixes too:`), h("span", {}, ` ${elsewhere.join(" ")}`));
        banner.hidden = false;
      }
      first?.focus();
    } else {
      footStatus.textContent = `${action} failed.`;
      banner.replaceChildren(h("strong", {}, `${action} failed.`), h("span", {}, ` ${messageOf(error)}`));
      banner.hidden = false;
    }
  }

  // --- the live preview ---
  let revealingAll = false;
  /** Values revealed one by one, by field path; refreshed with every render. */
  const revealed = new Map<string, unknown>();
  /** The field's template text when it was revealed: a reveal ends when the text changes. */
  const revealedText = new Map<string, string>();
  function fieldText(input: ConnectorInput, path: string): string {
    const exact = leaves(input.config).find(([f]) => f === path);
    if (exact) return JSON.stringify(exact[1]);
    // Rendered paths can be finer than the form's (headers.X-Name): compare the whole field.
    const top = path.split(/[.[]/)[0] ?? path;
    return JSON.stringify((input.config as Record<string, unknown>)[top] ?? null);
  }
  function forget(path: string): void {
    revealed.delete(path);
    revealedText.delete(path);
  }
  /** Replaces every revealed value in the DOM with the mask (the preview failed or was dropped). */
  function scrubRevealed(): void {
    for (const row of valuesBox.querySelectorAll<HTMLElement>('[data-testid="preview-row"][data-revealed="true"]')) {
      row.dataset.revealed = "false";
      const text = row.querySelector<HTMLElement>('[data-testid="preview-value"]');
      if (text) {
        text.textContent = MASK;
        text.classList.remove("is-revealed");
        text.classList.add("is-masked");
      }
      // The buttons' handlers hold the revealed value: drop them with it.
      row.querySelector(".value-actions")?.replaceChildren();
    }
  }
  let lastPreview: Preview | null = null;
  let receivedAt = 0;
  let seq = 0;
  let timer: number | undefined;
  /** Field errors the last preview put under the fields (cleared by the next one). */
  let previewErrors: HTMLElement[] = [];

  function schedulePreview(delay = 300): void {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void runPreview(), delay);
  }

  function clearPreviewErrors(): void {
    for (const el of previewErrors) {
      el.replaceChildren();
    }
    // A field keeps its mark while another message (Save's, Test connection's) stays under it.
    for (const el of fieldsBox.querySelectorAll("[aria-invalid]")) {
      if (!el.closest("[data-field]")?.querySelector(".field-error")?.hasChildNodes()) el.removeAttribute("aria-invalid");
    }
    previewErrors = [];
  }

  async function runPreview(): Promise<void> {
    const id = ++seq;
    const input = readInput();
    for (const [f, text] of revealedText) if (fieldText(input, f) !== text) forget(f);
    previewColumn.setAttribute("aria-busy", "true");
    previewState.dataset.state = "running";
    previewState.replaceChildren(h("span", { class: "spinner", "aria-hidden": "true" }), "Rendering…");
    try {
      const preview = await previewConnector(input, revealingAll, null);
      const singles = revealingAll ? [] : [...revealed.keys()];
      const values = await Promise.all(
        singles.map((f) =>
          previewConnector(input, true, f).then(
            (p) => [f, leaves(p.config).find(([path]) => path === f)?.[1]] as const,
            () => [f, undefined] as const,
          ),
        ),
      );
      if (id !== seq) return;
      for (const [f, v] of values) {
        if (v === undefined) forget(f);
        else if (revealed.has(f)) revealed.set(f, v);
      }
      clearPreviewErrors();
      lastPreview = preview;
      receivedAt = Date.now();
      previewState.dataset.state = "ok";
      const n = preview.references.length;
      previewState.textContent = `${revealingAll ? "Revealed" : "Masked"} · ${n === 0 ? "no references" : n === 1 ? "1 reference" : `${n} references`}`;
      valuesBox.classList.remove("is-stale");
      refsBox.classList.remove("is-stale");
      renderValues();
      renderRefs();
    } catch (error: unknown) {
      if (id !== seq) return;
      clearPreviewErrors();
      lastPreview = null;
      revealed.clear();
      revealedText.clear();
      scrubRevealed();
      previewState.dataset.state = "error";
      const payload = error instanceof CommandError ? error.payload : null;
      const placed: string[] = [];
      for (const f of payload?.fields ?? []) {
        const { key, top } = fieldKey(f);
        const before = errors.get(key);
        if (showFieldError(f) && before) {
          previewErrors.push(before);
          placed.push(FIELD_LABELS[top] ?? f.field);
        }
      }
      previewState.replaceChildren(
        h(
          "span",
          { class: "preview-error", "data-testid": "preview-error" },
          placed.length > 0 ? `Cannot render: see ${placed.join(", ")}.` : `Cannot render: ${messageOf(error)}`,
        ),
      );
      // The last good render stays, dimmed and masked: the layout does not jump while typing.
      valuesBox.classList.add("is-stale");
      refsBox.classList.add("is-stale");
    } finally {
      if (id === seq) previewColumn.setAttribute("aria-busy", "false");
    }
  }

  function secretFields(): Set<string> {
    // Referenced fields, and secrets typed in as literal values (masked the same way).
    return new Set([...(lastPreview?.references.map((r) => r.field) ?? []), ...(lastPreview?.literal_secrets ?? [])]);
  }

  function renderValues(): void {
    if (!lastPreview) {
      scrubRevealed();
      return;
    }
    const secret = secretFields();
    const rows = leaves(lastPreview.config);
    if (rows.length === 0) {
      valuesBox.replaceChildren(h("p", { class: "muted preview-empty" }, "Fill in a field to see it rendered."));
      return;
    }
    valuesBox.replaceChildren(
      h(
        "dl",
        { class: "value-list" },
        ...rows.map(([path, value]) => {
          const isSecret = secret.has(path);
          const shown = revealingAll || !isSecret ? value : revealed.has(path) ? revealed.get(path) : value;
          const isRevealed = isSecret && (revealingAll || revealed.has(path));
          const actions: HTMLElement[] = [];
          if (isSecret && !revealingAll) {
            const b = h(
              "button",
              {
                type: "button",
                class: "btn btn-icon-only btn-ghost btn-tiny",
                "aria-label": `${isRevealed ? "Hide" : "Reveal"} ${path}`,
                "aria-pressed": isRevealed ? "true" : "false",
                title: isRevealed ? "Hide" : "Reveal",
                "data-testid": "reveal-value",
              },
              icon(...(isRevealed ? ICON_EYE_OFF : ICON_EYE)),
            );
            b.addEventListener("click", () => void toggleReveal(path));
            actions.push(b);
          }
          const copy = h(
            "button",
            { type: "button", class: "btn btn-icon-only btn-ghost btn-tiny", "aria-label": `Copy ${path}`, title: "Copy", "data-testid": "copy-value" },
            icon(...ICON_COPY),
          );
          copy.addEventListener("click", () => void copyValue(path, isSecret && !isRevealed ? null : shown));
          actions.push(copy);
          return h(
            "div",
            { class: "value-row", "data-testid": "preview-row", "data-field": path, "data-secret": isSecret ? "true" : "false", "data-revealed": isRevealed ? "true" : "false" },
            h("dt", { class: "value-path mono" }, path),
            h("dd", { class: `value-text mono${isSecret ? (isRevealed ? " is-revealed" : " is-masked") : ""}`, "data-testid": "preview-value" }, display(shown)),
            h("dd", { class: "value-actions" }, ...actions),
            ...(lastPreview?.literal_secrets.includes(path)
              ? [h("dd", { class: "value-warning", "data-testid": "literal-secret-warning" }, "Stored in clear in the local database; move it to a vault.")]
              : []),
          );
        }),
      ),
    );
  }

  function renderRefs(): void {
    const refs = lastPreview?.references ?? [];
    if (refs.length === 0) {
      refsBox.replaceChildren(h("p", { class: "muted preview-empty" }, "No {{secrets…}} reference yet."));
      return;
    }
    const elapsed = Math.floor((Date.now() - receivedAt) / 1000);
    refsBox.replaceChildren(
      h(
        "ul",
        { class: "ref-list" },
        ...refs.map((r: ReferenceState) =>
          h(
            "li",
            { class: "ref-item", "data-testid": "preview-ref", "data-vault": r.vault, "data-key": r.key },
            h("span", { class: "ref-text mono" }, `{{${r.reference}}}`),
            h(
              "span",
              { class: "ref-meta" },
              h("span", {}, `${r.field} · vault `, h("strong", {}, r.vault), " · key ", h("span", { class: "mono" }, r.key)),
              h(
                "span",
                { class: "ref-cache", "data-testid": "preview-ref-cache" },
                `${formatAge(r.fetched_at)} · `,
                r.expires_in_secs === null ? "not cached (TTL 0)" : `cache expires in ${formatSecs(r.expires_in_secs - elapsed)}`,
              ),
            ),
          ),
        ),
      ),
    );
  }
  const ticker = window.setInterval(() => {
    if (!dialog.isConnected) window.clearInterval(ticker);
    else if (lastPreview) renderRefs();
  }, 1000);

  async function toggleReveal(path: string): Promise<void> {
    if (revealed.has(path)) {
      forget(path);
      renderValues();
      return;
    }
    try {
      const input = readInput();
      const p = await previewConnector(input, true, path);
      if (!lastPreview) return;
      revealed.set(path, leaves(p.config).find(([f]) => f === path)?.[1]);
      revealedText.set(path, fieldText(input, path));
      renderValues();
      valuesBox.querySelector<HTMLElement>(`[data-field="${CSS.escape(path)}"] [data-testid="reveal-value"]`)?.focus();
    } catch (e: unknown) {
      previewState.textContent = `Could not reveal ${path}: ${messageOf(e)}`;
    }
  }

  async function copyValue(path: string, known: unknown | null): Promise<void> {
    try {
      let value = known;
      if (value === null) {
        const p = await previewConnector(readInput(), true, path);
        value = leaves(p.config).find(([f]) => f === path)?.[1];
      }
      await copyText(display(value));
      previewState.textContent = `Copied ${path}.`;
    } catch (e: unknown) {
      previewState.textContent = `Could not copy ${path}: ${messageOf(e)}`;
    }
  }

  refreshSecrets.addEventListener("click", () => {
    const vaults = [...new Set((lastPreview?.references ?? []).map((r) => r.vault))];
    if (vaults.length === 0) return;
    refreshSecrets.disabled = true;
    Promise.all(vaults.map((v) => refreshVault(v)))
      .then(
        () => schedulePreview(0),
        (e: unknown) => {
          previewState.textContent = `Refresh failed: ${messageOf(e)}`;
        },
      )
      .finally(() => {
        refreshSecrets.disabled = false;
      });
  });
  revealAll.addEventListener("click", () => {
    revealingAll = !revealingAll;
    revealAll.setAttribute("aria-pressed", revealingAll ? "true" : "false");
    revealAll.replaceChildren(icon(...(revealingAll ? ICON_EYE_OFF : ICON_EYE)), h("span", {}, revealingAll ? "Mask all" : "Reveal all"));
    if (!revealingAll) {
      revealed.clear();
      revealedText.clear();
      // Mask at once, whatever the next preview does.
      scrubRevealed();
    }
    void runPreview();
  });

  // --- export ---
  exportButton.addEventListener("click", () => void doExport());
  async function doExport(): Promise<void> {
    exportButton.disabled = true;
    exportNotice.dataset.state = "running";
    exportNotice.textContent = "Choose where to save…";
    try {
      const result = await exportConnector(readInput(), formatSelect.value as ExportFormat);
      if (result === null) {
        exportNotice.dataset.state = "";
        exportNotice.textContent = "Export cancelled.";
      } else {
        exportNotice.dataset.state = "done";
        exportNotice.replaceChildren("Exported to ", h("span", { class: "mono", "data-testid": "export-path" }, result.path), " (0600)");
      }
    } catch (e: unknown) {
      exportNotice.dataset.state = "error";
      const payload = e instanceof CommandError ? e.payload : null;
      if (payload && payload.fields.length > 0) {
        // Field problems go under their fields, as for Save.
        clearErrors();
        showPayload(e, "Export");
        exportNotice.textContent = "Not exported.";
      } else {
        exportNotice.textContent = `Not exported: ${messageOf(e)}`;
      }
    } finally {
      exportButton.disabled = false;
    }
  }

  // --- edits ---
  let pristine = true;
  form.addEventListener("input", (e) => {
    pristine = false;
    escapeArmed = false;
    footStatus.textContent = "";
    const t = e.target;
    // An edited field's old message goes: the next Save or preview says what is still wrong.
    const box = t instanceof HTMLElement ? t.closest<HTMLElement>(".field") : null;
    box?.querySelector(".field-error")?.replaceChildren();
    if (t instanceof HTMLElement) t.removeAttribute("aria-invalid");
    if (t instanceof HTMLElement && t.closest(".connector-fields")) {
      // An edited field is no longer the pre-fill's.
      const name = t.closest<HTMLElement>("[data-field]")?.dataset.field;
      if (name) prefilled.delete(name);
    }
    schedulePreview();
  });
  form.addEventListener("change", (e) => {
    const t = e.target;
    if (t === kindSelect) {
      const keep = config();
      buildFields(kindSelect.value as ConnectorKind, keep);
      tester.reset();
      prefilled = new Map();
      void loadVaults().then(() => schedulePreview(0));
      pristine = false;
      return;
    }
    if (t === vaultSelect) {
      pristine = false;
      void prefill();
      return;
    }
    if (t instanceof HTMLSelectElement) {
      pristine = false;
      schedulePreview(0);
    }
  });

  // --- save ---
  let saving = false;
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void save();
  });
  async function save(): Promise<void> {
    if (saving) return;
    saving = true;
    saveButton.disabled = true;
    saveButton.replaceChildren(h("span", { class: "spinner", "aria-hidden": "true" }), h("span", {}, "Saving…"));
    clearErrors();
    previewErrors = [];
    try {
      const input = readInput();
      const saved = editing ? await updateConnector(editing.name, input) : await addConnector(input);
      close();
      host.saved(saved, editing ? `Updated ${saved.name}` : `Saved ${saved.name}`);
    } catch (error: unknown) {
      showPayload(error, editing ? "Update" : "Save");
    } finally {
      saving = false;
      saveButton.disabled = false;
      saveButton.replaceChildren(editing ? "Update" : "Save");
    }
  }

  function close(): void {
    tester.cancel();
    window.clearTimeout(timer);
    window.clearInterval(ticker);
    seq++;
    revealed.clear();
    revealedText.clear();
    // Drop revealed values from the DOM before the dialog leaves it.
    valuesBox.replaceChildren();
    dialog.close();
    // The editor's previews and tests end with it: their database credentials are revoked
    // (exported ones are kept). Best effort: quitting the app ends them too.
    void endPreviews().catch(() => undefined);
  }
  cancelButton.addEventListener("click", close);
  let escapeArmed = false;
  function onEscape(): void {
    // Escape inside an open suggestion list closes the list only (autocomplete handles it).
    if (document.querySelector(".ac-list:not([hidden])")) return;
    if (pristine || escapeArmed) {
      close();
      return;
    }
    escapeArmed = true;
    footStatus.textContent = "Unsaved changes: press Escape again to discard them.";
  }

  // --- initial values ---
  nameInput.value = editing?.name ?? "";
  kindSelect.value = editing?.kind ?? "postgresql";
  buildFields(kindSelect.value as ConnectorKind, (editing?.config as Record<string, unknown>) ?? {});
  tester.reset();
  await loadVaults();
  if (editing?.vault) vaultSelect.value = vaults.find((v) => v.name.toLowerCase() === editing.vault!.toLowerCase())?.name ?? "";
  openModal(dialog, { initial: editing ? (controls.values().next().value?.focus ?? nameInput) : nameInput, onEscape });
  void runPreview();
}
