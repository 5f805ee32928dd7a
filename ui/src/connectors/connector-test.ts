// The connector editor's "Test connection": the form as it is (saved or not) goes to Rust, which
// renders it with its secrets (no value comes back), connects with a real client and streams
// each stage as it ends. The stages panel reuses the vault Test's markup and classes; a failed
// stage's error also goes under the field it names. Clicking again while it runs cancels it
// (Rust drops the test and closes its connections).

import type { ConnectorInput } from "../bindings/ConnectorInput";
import type { ConnectorKind } from "../bindings/ConnectorKind";
import type { ConnectorStage } from "../bindings/ConnectorStage";
import type { ConnectorStageReport } from "../bindings/ConnectorStageReport";
import type { ConnectorTestReport } from "../bindings/ConnectorTestReport";
import type { StageStatus } from "../bindings/StageStatus";
import { h, icon, ICONS } from "../lib/dom";
import { cancelTest, CommandError, requestId as newRequestId, testConnector } from "../lib/ipc";

// Record<Union, string>: a new stage in Rust fails `tsc` until labelled here.
const STAGE_LABELS: Record<ConnectorStage, string> = {
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
const KIND_STAGES: Record<ConnectorKind, ConnectorStage[]> = {
  postgresql: ["secrets", "dns", "tcp", "tls", "authentication", "query", "privileges"],
  mysql: ["secrets", "dns", "tcp", "tls", "authentication", "query", "privileges"],
  mariadb: ["secrets", "dns", "tcp", "tls", "authentication", "query", "privileges"],
  mongodb: ["secrets", "address", "dns", "tcp", "tls", "authentication"],
  rest: ["secrets", "dns", "tcp", "tls", "request", "authentication"],
};

const STATUS_LABELS: Record<StageStatus | "running" | "pending", string> = {
  passed: "Passed",
  warning: "Warning",
  failed: "Failed",
  skipped: "Skipped",
  running: "Checking",
  pending: "Not run",
};

export interface ConnectorTestHooks {
  /** The form as Save would send it. */
  readInput(): ConnectorInput;
  /** The kind chosen in the form. */
  kind(): ConnectorKind;
  /** Puts a stage's error under its field (`config.password`...); false when there is none. */
  showFieldError(field: string, message: string): boolean;
  /** Shows a command error (invalid form) as Save does. */
  showPayload(error: unknown): void;
}

export interface ConnectorTest {
  /** The panel for the preview column. */
  panel: HTMLElement;
  /** The footer's Test connection / Cancel test button. */
  button: HTMLButtonElement;
  /** Cancels a running test (the editor closes). */
  cancel(): void;
  /** Cancels, and shows the stages of the form's kind as not run (the kind changed). */
  reset(): void;
}

export function connectorTest(hooks: ConnectorTestHooks): ConnectorTest {
  const stageList = h("ol", { class: "stages", "data-testid": "connector-test-stages" });
  const result = h("p", { class: "test-result", role: "status", "aria-live": "polite", "data-testid": "connector-test-result" });
  const method = h("input", { id: "connector-test-method", class: "input input-compact mono", value: "GET", "data-testid": "connector-test-method" });
  const path = h("input", { id: "connector-test-path", class: "input mono", value: "/", "data-testid": "connector-test-path" });
  const restOptions = h(
    "div",
    { class: "connector-test-request", hidden: "" },
    h("label", { class: "label", for: "connector-test-path" }, "Test request"),
    h("label", { class: "sr-only", for: "connector-test-method" }, "Test request method"),
    h("div", { class: "connector-test-request-row" }, method, path),
  );
  const panel = h(
    "section",
    { class: "connector-test", "aria-labelledby": "connector-test-title", "data-testid": "connector-test-panel" },
    h("h4", { class: "preview-sub", id: "connector-test-title" }, "Connection test"),
    h("p", { class: "test-intro" }, "Connects with these settings and their secrets (never shown): each stage with its time."),
    restOptions,
    stageList,
    result,
  );
  const button = h(
    "button",
    { type: "button", class: "btn", "data-testid": "connector-test-button" },
    icon(...ICONS.play),
    h("span", {}, "Test connection"),
  );

  let requestId: string | null = null;
  let last: ConnectorTestReport | null = null;

  const kind = (): ConnectorKind => hooks.kind();

  function render(report: ConnectorTestReport | null, running: boolean): void {
    const k = kind();
    restOptions.hidden = k !== "rest";
    const stages = report && report.stages.length > 0 && !running ? report.stages.map((s) => s.stage) : (KIND_STAGES[k] ?? []);
    let waiting = running;
    stageList.replaceChildren(
      ...stages.map((stage) => {
        const r = report?.stages.find((s) => s.stage === stage);
        let status: StageStatus | "running" | "pending" = r?.status ?? "pending";
        if (!r && waiting) {
          status = "running";
          waiting = false;
        }
        return h(
          "li",
          { class: "stage", "data-stage": stage, "data-status": status, "data-testid": `connector-stage-${stage}` },
          h("span", { class: "stage-icon", "aria-hidden": "true" }),
          h(
            "div",
            { class: "stage-main" },
            h(
              "div",
              { class: "stage-line" },
              h("span", { class: "stage-label" }, STAGE_LABELS[stage]),
              h("span", { class: "stage-status" }, STATUS_LABELS[status]),
              r && r.status !== "skipped" ? h("span", { class: "stage-time mono" }, `${r.millis} ms`) : null,
            ),
            r ? h("p", { class: "stage-summary", "data-testid": `connector-stage-${stage}-summary` }, r.summary) : null,
            r?.error?.hint ? h("p", { class: "stage-hint" }, r.error.hint) : null,
          ),
        );
      }),
    );
  }

  function setRunning(on: boolean): void {
    button.replaceChildren(
      on ? h("span", { class: "spinner", "aria-hidden": "true" }) : icon(...ICONS.play),
      h("span", {}, on ? "Cancel test" : "Test connection"),
    );
    button.setAttribute("data-state", on ? "running" : "idle");
    panel.setAttribute("aria-busy", on ? "true" : "false");
  }

  function cancel(): void {
    if (!requestId) return;
    const id = requestId;
    requestId = null;
    void cancelTest(id).catch(() => undefined);
    setRunning(false);
    render(last, false);
    result.dataset.outcome = "cancelled";
    result.textContent = "Test cancelled.";
  }

  async function run(): Promise<void> {
    if (requestId) {
      cancel();
      return;
    }
    const id = newRequestId("c");
    requestId = id;
    setRunning(true);
    render(null, true);
    panel.scrollIntoView({ block: "nearest" });
    result.dataset.outcome = "running";
    result.textContent = "Testing…";
    const seen: ConnectorStageReport[] = [];
    const onStage = (stage: ConnectorStageReport): void => {
      if (requestId !== id) return;
      seen.push(stage);
      render({ ok: false, stages: seen }, true);
    };
    try {
      const k = kind();
      const report = await testConnector(
        hooks.readInput(),
        k === "rest" ? method.value.trim() || null : null,
        k === "rest" ? path.value.trim() || null : null,
        id,
        onStage,
      );
      if (requestId !== id) return; // cancelled, or superseded
      requestId = null;
      setRunning(false);
      if (report === null) {
        render(last, false);
        result.dataset.outcome = "cancelled";
        result.textContent = "Test cancelled.";
        return;
      }
      last = report;
      render(report, false);
      const failed = report.stages.find((s) => s.status === "failed");
      const warned = report.stages.some((s) => s.status === "warning");
      result.dataset.outcome = failed ? "failed" : warned ? "warning" : "passed";
      result.textContent = failed
        ? `Test failed: ${failed.error?.message ?? failed.summary}`
        : warned
          ? "Test passed with warnings."
          : "Test passed.";
      if (failed?.error?.field) hooks.showFieldError(failed.error.field, `${failed.error.message} — ${failed.error.hint}`);
    } catch (error: unknown) {
      if (requestId !== id) return;
      requestId = null;
      setRunning(false);
      render(null, false);
      result.dataset.outcome = "error";
      result.textContent = error instanceof CommandError && error.payload?.fields.length ? "Fix the highlighted fields, then test again." : "";
      hooks.showPayload(error);
    }
  }

  function reset(): void {
    cancel();
    last = null;
    render(null, false);
    result.dataset.outcome = "";
    result.textContent = "";
  }

  button.addEventListener("click", () => void run());
  render(null, false);
  return { panel, button, cancel, reset };
}
