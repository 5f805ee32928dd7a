// The vault form's staged Test as state: each stage as it ends (a stage may come again with a
// fuller summary), a ticking "Testing… N s" while it runs, the outcome. Running it again while
// it runs cancels it.

import type { StageReport } from "../bindings/StageReport";
import type { TestReport } from "../bindings/TestReport";
import type { TestStage } from "../bindings/TestStage";
import { cancelTest, requestId as newRequestId } from "../lib/ipc";

export interface StageRow {
  stage: TestStage;
  status: StageReport["status"] | "running" | "pending";
  report: StageReport | undefined;
}

export class VaultTestRun {
  stages = $state<StageReport[]>([]);
  running = $state(false);
  /** "", running, passed, warning, failed, error or cancelled. */
  outcome = $state("");
  result = $state("");
  /** The introduction shows until a Test ran. */
  intro = $state(true);
  last: TestReport | null = null;
  #requestId: string | null = null;
  #ticker: number | undefined;

  constructor(private readonly cancelApi: typeof cancelTest = cancelTest) {}

  rows(order: TestStage[]): StageRow[] {
    return order.map((stage) => {
      const report = this.stages.find((s) => s.stage === stage);
      return { stage, status: report?.status ?? (this.running ? "running" : "pending"), report };
    });
  }

  get active(): boolean {
    return this.#requestId !== null;
  }

  #stop(): void {
    this.running = false;
    window.clearInterval(this.#ticker);
  }

  cancel(): void {
    if (!this.#requestId) return;
    const id = this.#requestId;
    this.#requestId = null;
    void this.cancelApi(id).catch(() => undefined);
    this.#stop();
    this.stages = this.last?.stages ?? [];
    this.outcome = "cancelled";
    this.result = "Test cancelled.";
  }

  /** Starts a run: its request id and the stage callback, or null when this call cancelled one. */
  start(): { id: string; onStage: (s: StageReport) => void } | null {
    if (this.#requestId) {
      this.cancel();
      return null;
    }
    const id = newRequestId("t");
    this.#requestId = id;
    this.running = true;
    this.stages = [];
    this.intro = false;
    this.outcome = "running";
    // A ticking clock shows that the wait for the next stage is alive, to compare with the
    // timeouts in Advanced.
    const started = Date.now();
    const tick = (): void => {
      const secs = Math.floor((Date.now() - started) / 1000);
      this.result = secs < 1 ? "Testing…" : `Testing… ${secs} s`;
    };
    tick();
    this.#ticker = window.setInterval(tick, 1000);
    const onStage = (stage: StageReport): void => {
      if (this.#requestId !== id) return;
      this.stages = [...this.stages.filter((s) => s.stage !== stage.stage), stage];
    };
    return { id, onStage };
  }

  /** Whether `id` is still the current run (not cancelled or superseded). */
  current(id: string): boolean {
    return this.#requestId === id;
  }

  /** The run `id` ended with `report` (null: cancelled by Rust). */
  finish(id: string, report: TestReport | null, outcome: "passed" | "warning" | "failed" | null): void {
    if (this.#requestId !== id) return;
    this.#requestId = null;
    this.#stop();
    if (report === null || outcome === null) {
      this.stages = this.last?.stages ?? [];
      this.outcome = "cancelled";
      this.result = "Test cancelled.";
      return;
    }
    this.last = report;
    this.stages = report.stages;
    this.outcome = outcome;
    this.result = outcome === "failed" ? "Test failed: see the highlighted stage and field." : outcome === "warning" ? "Test passed with warnings." : "Test passed.";
  }

  /** The run `id` failed before any stage (an invalid form...). */
  fail(id: string): void {
    if (this.#requestId !== id) return;
    this.#requestId = null;
    this.#stop();
    this.stages = [];
    this.intro = true;
    this.outcome = "error";
    this.result = "";
  }
}
