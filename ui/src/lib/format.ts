// Pure formatting shared by the pages: counts, durations, countdowns, wrap points of URLs,
// the Secret ID expiry note, the leaves of a rendered config.

import type { SecretIdStatus } from "../bindings/SecretIdStatus";

/** "No vaults", "1 vault", "3 vaults". */
export function countText(n: number, one: string, many = `${one}s`): string {
  return n === 0 ? `No ${many}` : n === 1 ? `1 ${one}` : `${n} ${many}`;
}

/**
 * A URL or path cut where it may wrap: after `/`, before `.` and `:` (never in or right after
 * the scheme's `://`), so `https://vault.example.com:8200` breaks as `https://vault.example.com`
 * / `:8200`, not at a hyphen inside a host or role name.
 */
export function breakParts(text: string): string[] {
  return text.split(/(?<=\/)(?<!:\/\/)(?!\/)|(?=[.:](?!\/\/))/);
}

/** A week or less before the Secret ID expires (or one use left), as the last Test learnt it. */
export function secretIdWarning(st: SecretIdStatus | null, now = Date.now()): string | null {
  if (!st) return null;
  const left = st.expires_at ? Date.parse(st.expires_at) - now : Number.POSITIVE_INFINITY;
  const week = 7 * 24 * 3600 * 1000;
  if (left <= 0) return "Secret ID expired";
  if (left <= week) {
    const days = Math.floor(left / (24 * 3600 * 1000));
    return days >= 1 ? `Secret ID expires in ${days} day${days === 1 ? "" : "s"}` : "Secret ID expires today";
  }
  if (st.uses_left !== null && st.uses_left <= 1) return "Secret ID: 1 use left";
  return null;
}

/** "14:05": a time of day as the lists show it. */
export function clock(at: Date): string {
  return at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

/** `in 9m 41s`, `ended 3m ago`: the time to (or since) `expires`, at a glance. */
export function countdown(expires: string | null, now = Date.now()): string {
  if (!expires) return "no end";
  const at = Date.parse(expires);
  if (Number.isNaN(at)) return expires;
  const secs = Math.round((at - now) / 1000);
  const span = (s: number): string => {
    if (s >= 86400) return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
    if (s >= 3600) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
    if (s >= 60) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
    return `${s}s`;
  };
  return secs > 0 ? `in ${span(secs)}` : secs === 0 ? "now" : `ended ${span(-secs)} ago`;
}

export function formatSecs(total: number): string {
  if (total <= 0) return "now";
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${String(s).padStart(2, "0")}s`;
  return `${s}s`;
}

/** Every leaf of a rendered config with its path as Rust writes it (`a.b`, `list[0]`). */
export function leaves(value: unknown, path = "", out: [string, unknown][] = []): [string, unknown][] {
  if (Array.isArray(value)) {
    value.forEach((v, i) => leaves(v, `${path}[${i}]`, out));
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) leaves(v, path === "" ? k : `${path}.${k}`, out);
  } else {
    out.push([path, value]);
  }
  return out;
}
