import { describe, expect, it } from "vitest";
import { breakParts, countdown, countText, formatSecs, leaves, secretIdWarning } from "./format";

const DAY = 24 * 3600 * 1000;
const now = Date.parse("2026-01-10T12:00:00Z");

describe("breakParts", () => {
  it("cuts a URL after slashes and before dots and colons, never in the scheme", () => {
    expect(breakParts("https://vault.example.com:8200")).toEqual(["https://vault", ".example", ".com", ":8200"]);
    expect(breakParts("secret/app/config")).toEqual(["secret/", "app/", "config"]);
    expect(breakParts("db-role-name")).toEqual(["db-role-name"]);
  });
});

describe("secretIdWarning", () => {
  it("says nothing without a status or far from the end", () => {
    expect(secretIdWarning(null, now)).toBeNull();
    expect(secretIdWarning({ expires_at: new Date(now + 30 * DAY).toISOString(), uses_left: null }, now)).toBeNull();
  });
  it("warns a week ahead, on the day, and once expired", () => {
    expect(secretIdWarning({ expires_at: new Date(now + 3 * DAY + 1000).toISOString(), uses_left: null }, now)).toBe("Secret ID expires in 3 days");
    expect(secretIdWarning({ expires_at: new Date(now + DAY + 1000).toISOString(), uses_left: null }, now)).toBe("Secret ID expires in 1 day");
    expect(secretIdWarning({ expires_at: new Date(now + 3600_000).toISOString(), uses_left: null }, now)).toBe("Secret ID expires today");
    expect(secretIdWarning({ expires_at: new Date(now - 1).toISOString(), uses_left: null }, now)).toBe("Secret ID expired");
  });
  it("warns at one use left", () => {
    expect(secretIdWarning({ expires_at: null, uses_left: 1 }, now)).toBe("Secret ID: 1 use left");
    expect(secretIdWarning({ expires_at: null, uses_left: 2 }, now)).toBeNull();
  });
});

describe("counts and durations", () => {
  it("counts", () => {
    expect(countText(0, "vault")).toBe("No vaults");
    expect(countText(1, "vault")).toBe("1 vault");
    expect(countText(3, "vault")).toBe("3 vaults");
  });
  it("counts down to a lease's end and since", () => {
    expect(countdown(null, now)).toBe("no end");
    expect(countdown(new Date(now + 581_000).toISOString(), now)).toBe("in 9m 41s");
    expect(countdown(new Date(now - 180_000).toISOString(), now)).toBe("ended 3m 00s ago");
    expect(countdown(new Date(now + 2 * DAY + 3600_000).toISOString(), now)).toBe("in 2d 1h");
    expect(countdown("not a date", now)).toBe("not a date");
  });
  it("formats seconds", () => {
    expect(formatSecs(0)).toBe("now");
    expect(formatSecs(59)).toBe("59s");
    expect(formatSecs(61)).toBe("1m 01s");
    expect(formatSecs(3661)).toBe("1h 1m");
  });
});

describe("leaves", () => {
  it("lists every leaf of a rendered config with its path as Rust writes it", () => {
    expect(leaves({ host: "h", headers: { Authorization: "x" }, hosts: [{ port: 1 }] })).toEqual([
      ["host", "h"],
      ["headers.Authorization", "x"],
      ["hosts[0].port", 1],
    ]);
  });
});
