// The connector editor's fields, built from the kind's field list (`ConnectorKind::fields()`):
// labels, what each field type holds in the form, and the conversions between the form and the
// configuration Rust checks (input→form and form→input). Pure: unit-tested in fields.test.ts.

import type { FieldSpec } from "../bindings/FieldSpec";

export const FIELD_LABELS: Record<string, string> = {
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

export const AUTH_TYPES = ["none", "basic", "bearer", "api_key"] as const;
export type AuthType = (typeof AUTH_TYPES)[number];
export const AUTH_LABELS: Record<AuthType, string> = {
  none: "None",
  basic: "Basic (username and password)",
  bearer: "Bearer token",
  api_key: "API key",
};
export const AUTH_PARTS: Record<AuthType, string[]> = {
  none: [],
  basic: ["username", "password"],
  bearer: ["token"],
  api_key: ["name", "value", "in"],
};
export const AUTH_TEXT_PARTS = ["username", "password", "token", "name", "value"] as const;

/** The form's value of an auth field: the type and every part's text. */
export interface AuthValue {
  type: AuthType | "";
  username: string;
  password: string;
  token: string;
  name: string;
  value: string;
  in: string;
}

/** What a field holds in the form: text for every type but auth. */
export type FieldValue = string | AuthValue;

export const label = (name: string): string => FIELD_LABELS[name] ?? name;

export function display(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === null || v === undefined) return "";
  return JSON.stringify(v);
}

export function emptyAuth(): AuthValue {
  return { type: "", username: "", password: "", token: "", name: "", value: "", in: "header" };
}

/** A stored configuration value as the form shows it (input→form). */
export function toForm(spec: FieldSpec, v: unknown): FieldValue {
  switch (spec.field_type) {
    case "auth": {
      const o = v && typeof v === "object" ? (v as Record<string, unknown>) : {};
      const a = emptyAuth();
      a.type = typeof o.type === "string" && (AUTH_TYPES as readonly string[]).includes(o.type) ? (o.type as AuthType) : "";
      for (const p of AUTH_TEXT_PARTS) a[p] = display(o[p] ?? "");
      a.in = display(o.in ?? "header");
      return a;
    }
    case "map":
      return v && typeof v === "object"
        ? Object.entries(v as Record<string, unknown>)
            .map(([k, x]) => `${k}: ${display(x)}`)
            .join("\n")
        : "";
    default:
      return display(v);
  }
}

/** The form's value as the configuration Rust checks (form→input); undefined when not set. */
export function fromForm(spec: FieldSpec, v: FieldValue): unknown {
  if (typeof v !== "string") {
    if (v.type === "") return undefined;
    const out: Record<string, string> = { type: v.type };
    for (const p of AUTH_PARTS[v.type]) {
      const x = v[p as keyof AuthValue].trim();
      if (x !== "") out[p] = x;
    }
    return out;
  }
  switch (spec.field_type) {
    case "choice":
      return v === "" ? undefined : v;
    case "bool":
      return v === "" ? undefined : v === "true" ? true : v === "false" ? false : v;
    case "map": {
      const out: Record<string, string> = {};
      for (const line of v.split("\n")) {
        if (line.trim() === "") continue;
        const at = line.indexOf(":");
        // A line without a colon becomes a name with no value; Save names the problem.
        if (at < 0) out[line.trim()] = "";
        else out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
      }
      return Object.keys(out).length === 0 ? undefined : out;
    }
    default: {
      const t = v.trim();
      if (t === "") return undefined;
      if (spec.field_type === "port" && /^\d+$/.test(t)) return Number(t);
      return t;
    }
  }
}

/** The configuration of the form's values (fields not set are left out). */
export function configOf(specs: FieldSpec[], values: Record<string, FieldValue>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of specs) {
    const v = values[spec.name];
    if (v === undefined) continue;
    const c = fromForm(spec, v);
    if (c !== undefined) out[spec.name] = c;
  }
  return out;
}

/** The form's values of a configuration, for every field of the kind. */
export function valuesOf(specs: FieldSpec[], config: Record<string, unknown>): Record<string, FieldValue> {
  return Object.fromEntries(specs.map((s) => [s.name, toForm(s, config[s.name])]));
}

/** A value as text, to compare with what a pre-fill put there. */
export function textOf(spec: FieldSpec, v: FieldValue): string {
  if (typeof v === "string") return v;
  const c = fromForm(spec, v);
  return c === undefined ? "" : JSON.stringify(c);
}

/** Rows of the field grid: short fields two by two, long ones (URLs, maps, auth) alone. */
export function layout(specs: FieldSpec[]): FieldSpec[][] {
  const rows: FieldSpec[][] = [];
  let pending: FieldSpec[] = [];
  const flush = (): void => {
    if (pending.length > 0) rows.push(pending);
    pending = [];
  };
  for (const spec of specs) {
    const short =
      ["port", "choice", "bool", "duration"].includes(spec.field_type) ||
      ["database", "username", "password", "auth_source", "replica_set"].includes(spec.name);
    if (short) {
      pending.push(spec);
      if (pending.length === 2) flush();
    } else {
      flush();
      rows.push([spec]);
    }
  }
  flush();
  return rows;
}

/** The help under a field, as a sentence (URLs left as they are). */
export function helpOf(spec: FieldSpec): string {
  if (spec.field_type === "map") return `${spec.help ? `${spec.help[0]!.toUpperCase()}${spec.help.slice(1)}` : "Entries"}: one per line, as name: value.`;
  if (!spec.help) return "";
  return /^[a-z]+:\/\//.test(spec.help) ? spec.help : spec.help[0]!.toUpperCase() + spec.help.slice(1);
}

export function placeholderOf(spec: FieldSpec): string | undefined {
  if (spec.field_type === "map") return spec.name === "headers" ? "Authorization: Bearer {{secrets.api.token}}" : "name: value";
  if (spec.field_type === "port") return "e.g. 5432";
  if (spec.field_type === "duration") return "30s";
  if (spec.name === "password") return "{{secrets.VAULT.password}}";
  return undefined;
}

/** "a", "a and b", "a, b and c". */
export function listText(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}
