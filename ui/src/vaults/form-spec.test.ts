// The vault form's field list by provider and login method, a stored vault as the form
// (input→form), and what Test and Save send (form→input, keyring parts).

import { describe, expect, it } from "vitest";
import { summary } from "./fixtures";
import { advancedChanged, credential, initialValues, inputFrom, shownFields } from "./form-spec";

describe("form-spec", () => {
  it("shows each login method's own fields and the engine's", () => {
    const approle = shownFields(false, "approle", "kv2");
    expect(["role_id", "secret_id", "secret_id_wrapped", "path", "kv_version"].every((k) => approle.has(k))).toBe(true);
    expect(approle.has("token") || approle.has("db_role") || approle.has("aws_region")).toBe(false);
    expect(shownFields(false, "approle", "kv1").has("kv_version")).toBe(false);
    const ldap = shownFields(false, "ldap", "postgresql");
    expect(["auth_username", "password", "db_role", "connection_name"].every((k) => ldap.has(k))).toBe(true);
    expect(ldap.has("path") || ldap.has("role_id")).toBe(false);
    const aws = shownFields(true, "aws_default", "kv");
    expect(["aws_region", "aws_secret_id", "aws_profile", "url", "cache_ttl"].every((k) => aws.has(k))).toBe(true);
    expect(aws.has("access_key_id") || aws.has("namespace") || aws.has("engine_name")).toBe(false);
  });

  it("a stored vault comes back as the form, without its secret parts, and goes out the same", () => {
    const v = summary({ kv_version: 3, cache_ttl: "1h30m", tls_skip_verify: true });
    const values = initialValues({ kind: "edit", vault: v }, null);
    expect(values.text.url).toBe("https://vault.example.com:8200");
    expect(values.text.kv_version).toBe("3");
    expect(values.text.secret_id).toBe("");
    expect(values.method).toBe("approle");
    expect(advancedChanged(false, values)).toBe(true);
    const input = inputFrom(false, values);
    expect(input).toMatchObject({ name: "prod-kv", provider: "hashicorp_vault", engine_type: "kv2", path: "app/config", kv_version: "3", tls_skip_verify: true, auth_mount: "approle" });
  });

  it("a new vault takes the defaults; an AWS one does not take Vault's address", () => {
    const defaults = { name: "", url: "https://vault.local:8200", engine_name: "", engine_type: "kv2", tls_ca_cert: "/ca.pem" };
    const vault = initialValues({ kind: "add", name: "x", flavor: "openbao" }, defaults);
    expect(vault.text.url).toBe("https://vault.local:8200");
    expect(advancedChanged(false, vault)).toBe(true);
    const aws = initialValues({ kind: "add", name: "x", flavor: "aws" }, defaults);
    expect(aws.text.url).toBe("");
    expect(aws.method).toBe("aws_keys");
    expect(aws.engine).toBe("kv");
    expect(advancedChanged(true, aws)).toBe(false);
  });

  it("sends only the chosen method's and engine's fields", () => {
    const values = initialValues({ kind: "add", name: "db", flavor: "hashicorp" }, null);
    values.method = "token";
    values.engine = "postgresql";
    Object.assign(values.text, { url: " https://v:8200 ", auth_mount: "approle", auth_username: "jane", path: "left/over", db_role: "ro" });
    const input = inputFrom(false, values);
    expect(input.url).toBe("https://v:8200");
    expect(input.auth_mount).toBe("");
    expect(input.auth_username).toBe("");
    expect(input.path).toBe("");
    expect(input.db_role).toBe("ro");
  });

  it("the keyring parts: AppRole's IDs, a method's secret, AWS keys with the session token", () => {
    const v = initialValues({ kind: "add", name: "a", flavor: "hashicorp" }, null);
    Object.assign(v.text, { role_id: "r", secret_id: "s", token: "t" });
    expect([credential(false, v, "role_id"), credential(false, v, "secret_id")]).toEqual(["r", "s"]);
    v.method = "token";
    expect([credential(false, v, "role_id"), credential(false, v, "secret_id")]).toEqual([null, "t"]);
    const a = initialValues({ kind: "add", name: "a", flavor: "aws" }, null);
    Object.assign(a.text, { access_key_id: "AKIA", secret_access_key: "key", session_token: " tok " });
    expect([credential(true, a, "role_id"), credential(true, a, "secret_id")]).toEqual(["AKIA", "key\ntok"]);
    a.method = "aws_default";
    expect(credential(true, a, "secret_id")).toBeNull();
  });
});
