// The editor's "Test connection" as state: the form as it is (saved or not) goes to Rust, which
// renders it with its secrets (no value comes back), connects with a real client and streams
// each stage as it ends. Running it again while it runs cancels it (Rust drops the test and
// closes its connections).

import type { ConnectorInput } from "../bindings/ConnectorInput";
import type { ConnectorKind } from "../bindings/ConnectorKind";
import type { ConnectorStage } from "../bindings/ConnectorStage";
import type { ConnectorStageReport } from "../bindings/ConnectorStageReport";
import type { StageStatus } from "../bindings/StageStatus";
import { cancelTest, CommandError, requestId as newRequestId, testConnector } from "../lib/ipc";

// Record<Union, string>: a new stage in Rust fails `tsc` until labelled here.
export const STAGE_LABELS: Record<ConnectorStage, string> = {
  secrets: "Secrets resolved",
  address: "Connection URI",
  dns: "Host name resolves",
  tcp: "TCP connection",
  tls: "TLS",
  request: "Request",
  authentication: "Authentication",
  query: "Query",
  privileges: "Privileges",
};

/** The stages each kind runs, in order (as `connector_probe::stages_after_secrets`). */
export const KIND_STAGES: Record<ConnectorKind, ConnectorStage[]> = {
  postgresql: ["secrets", "dns", "tcp", "tls", "authentication", "query", "privileges"],
  mysql: ["secrets", "dns", "tcp", "tls", "authentication", "query", "privileges"],
  mariadb: ["secrets", "dns", "tcp", "tls", "authentication", "query", "privileges"],
  mongodb: ["secrets", "address", "dns", "tcp", "tls", "authentication"],
  rest: ["secrets", "dns", "tcp", "tls", "request", "authentication"],
};

export type ShownStatus = StageStatus | "running" | "pending";

export const STATUS_LABELS: Record<ShownStatus, string> = {
  passed: "Passed",
  warning: "Warning",
  failed: "Failed",
  skipped: "Skipped",
  running: "Checking",
  pending: "Not run",
};

export interface StageRow {
  stage: ConnectorStage;
  status: ShownStatus;
  report: ConnectorStageReport | undefined;
}

export interface TestApi {
  testConnector: typeof testConnector;
  cancelTest: typeof cancelTest;
}

export interface TestHooks {
  /** Puts a failed stage's error under its field (`config.password`...). */
  fieldError(field: string, message: string): void;
  /** A command error (an invalid form), shown as Save shows it. */
  payload(error: unknown): void;
}

export class ConnectorTestRun {
  stages = $state<ConnectorStageReport[]>([]);
  running = $state(false);
  /** "", running, passed, warning, failed, error or cancelled. */
  outcome = $state("");
  result = $state("");
  #last: ConnectorStageReport[] = [];
  #requestId: string | null = null;

  constructor(private readonly api: TestApi = { testConnector, cancelTest }) {}

  /** The stages to show for `kind`: the report's, or the kind's with their state. */
  rows(kind: ConnectorKind): StageRow[] {
    const names = this.stages.length > 0 && !this.running ? this.stages.map((s) => s.stage) : (KIND_STAGES[kind] ?? []);
    let waiting = this.running;
    return names.map((stage) => {
      const report = this.stages.find((s) => s.stage === stage);
      let status: ShownStatus = report?.status ?? "pending";
      if (!report && waiting) {
        status = "running";
        waiting = false;
      }
      return { stage, status, report };
    });
  }

  cancel(): void {
    if (!this.#requestId) return;
    const id = this.#requestId;
    this.#requestId = null;
    void this.api.cancelTest(id).catch(() => undefined);
    this.running = false;
    this.stages = this.#last;
    this.outcome = "cancelled";
    this.result = "Test cancelled.";
  }

  /** The kind changed (or the editor opened): nothing run yet. */
  reset(): void {
    this.cancel();
    this.#last = [];
    this.stages = [];
    this.outcome = "";
    this.result = "";
  }

  async run(input: ConnectorInput, kind: ConnectorKind, method: string, path: string, hooks: TestHooks): Promise<void> {
    if (this.#requestId) {
      this.cancel();
      return;
    }
    const id = newRequestId("c");
    this.#requestId = id;
    this.running = true;
    this.stages = [];
    this.outcome = "running";
    this.result = "Testing…";
    const onStage = (stage: ConnectorStageReport): void => {
      if (this.#requestId !== id) return;
      this.stages = [...this.stages.filter((s) => s.stage !== stage.stage), stage];
    };
    try {
      const rest = kind === "rest";
      const report = await this.api.testConnector(input, rest ? method.trim() || null : null, rest ? path.trim() || null : null, id, onStage);
      if (this.#requestId !== id) return; // cancelled, or superseded
      this.#requestId = null;
      this.running = false;
      if (report === null) {
        this.stages = this.#last;
        this.outcome = "cancelled";
        this.result = "Test cancelled.";
        return;
      }
      this.#last = report.stages;
      this.stages = report.stages;
      const failed = report.stages.find((s) => s.status === "failed");
      const warned = report.stages.some((s) => s.status === "warning");
      this.outcome = failed ? "failed" : warned ? "warning" : "passed";
      this.result = failed ? `Test failed: ${failed.error?.message ?? failed.summary}` : warned ? "Test passed with warnings." : "Test passed.";
      if (failed?.error?.field) hooks.fieldError(failed.error.field, `${failed.error.message} — ${failed.error.hint}`);
    } catch (error: unknown) {
      if (this.#requestId !== id) return;
      this.#requestId = null;
      this.running = false;
      this.stages = [];
      this.outcome = "error";
      this.result = error instanceof CommandError && error.payload?.fields.length ? "Fix the highlighted fields, then test again." : "";
      hooks.payload(error);
    }
  }
}
