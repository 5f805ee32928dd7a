// Pure conversions of the vault pages: a stored vault as the form's input (a Test from the
// list submits it), and a Test report as the list's "Last test" cell.

import type { TestReport } from "../bindings/TestReport";
import type { VaultInput } from "../bindings/VaultInput";
import type { VaultSummary } from "../app-bindings/VaultSummary";
import { stageLabel } from "../lib/labels";

/** The outcome of a vault's last Test, kept in the window's memory by vault id. */
export interface LastTest {
  status: "passed" | "warning" | "failed";
  at: Date;
  summary: string;
}

export function lastTestOf(report: TestReport): LastTest {
  const failed = report.stages.find((s) => s.status === "failed");
  const warning = report.stages.find((s) => s.status === "warning");
  const status = failed ? "failed" : warning ? "warning" : "passed";
  const summary = failed
    ? `${stageLabel(failed.stage, "")}: ${failed.error?.message ?? failed.summary}`
    : warning
      ? `${stageLabel(warning.stage, "")}: ${warning.summary}`
      : "All stages passed";
  return { status, at: new Date(), summary };
}

/** The stored configuration of `v` as a form would submit it (for a Test from the list). */
export function inputOf(v: VaultSummary): VaultInput {
  return {
    name: v.name,
    provider: v.provider,
    url: v.url,
    namespace: v.namespace ?? "",
    auth_method: v.auth_method,
    auth_mount: v.auth_mount,
    auth_username: v.auth_username ?? "",
    auth_role: v.auth_role ?? "",
    login_namespace: v.login_namespace ?? "",
    kv_version: v.kv_version != null ? String(v.kv_version) : "",
    engine_name: v.engine_name,
    engine_type: v.engine_type,
    path: v.path ?? "",
    db_role: v.db_role ?? "",
    connection_name: v.connection_name ?? "",
    cache_ttl: v.cache_ttl,
    tls_ca_cert: v.tls_ca_cert ?? "",
    tls_client_cert: v.tls_client_cert ?? "",
    tls_client_key: v.tls_client_key ?? "",
    tls_skip_verify: v.tls_skip_verify,
    tls_skip_hostname: v.tls_skip_hostname,
    allow_http: v.allow_http,
    connect_timeout: v.connect_timeout,
    request_timeout: v.request_timeout,
    aws_region: v.aws?.region ?? "",
    aws_secret_id: v.aws?.secret_id ?? "",
    aws_version_stage: v.aws?.version_stage ?? "",
    aws_version_id: v.aws?.version_id ?? "",
    aws_profile: v.aws?.profile ?? "",
    aws_role_arn: v.aws?.role_arn ?? "",
    aws_external_id: v.aws?.external_id ?? "",
  };
}
