// The Connectors page's state: the stored connectors, the status line (with the notice of an
// Export all), and the actions of the list (open the editor, delete, export all).

import type { ConnectorSummary } from "../app-bindings/ConnectorSummary";
import type { KindFields } from "../app-bindings/KindFields";
import type { ExportFormat } from "../bindings/ExportFormat";
import { plainMessageOf } from "../lib/errors";
import { countText } from "../lib/format";
import { connectorKinds, exportAllConnectors, listConnectors, removeConnector } from "../lib/ipc";
import { serialised } from "../lib/refresh-queue";
import { forgetSuggestions } from "./suggestions";

export interface ConnectorApi {
  listConnectors: typeof listConnectors;
  removeConnector: typeof removeConnector;
  exportAllConnectors: typeof exportAllConnectors;
  connectorKinds: typeof connectorKinds;
}

export class ConnectorStore {
  connectors = $state<ConnectorSummary[]>([]);
  busy = $state(true);
  loaded = $state(false);
  error = $state<unknown>(null);
  status = $state("");
  /** An Export all's result: how many files went where (shown as the status). */
  exported = $state<{ count: number; path: string } | null>(null);
  exporting = $state(false);
  highlight = $state<string | null>(null);
  generation = $state(0);
  /** The open editor: the kinds with their fields, and the connector edited (null: a new one). */
  editor = $state<{ kinds: KindFields[]; connector: ConnectorSummary | null } | null>(null);
  #kinds: KindFields[] | null = null;

  constructor(private readonly api: ConnectorApi = { listConnectors, removeConnector, exportAllConnectors, connectorKinds }) {}

  readonly refresh = serialised(async (opts: { done?: string; highlight?: string } = {}) => {
    this.busy = true;
    this.exported = null;
    this.status = "Loading connectors…";
    try {
      const list = await this.api.listConnectors();
      this.connectors = list;
      this.error = null;
      this.highlight = opts.highlight ?? null;
      this.generation += 1;
      const n = countText(list.length, "connector");
      this.status = opts.done ? `${opts.done} · ${n}` : n;
    } catch (error: unknown) {
      this.error = error;
      this.status = "Loading failed";
    } finally {
      this.busy = false;
      this.loaded = true;
    }
  });

  /** The editor saved `c`: the list reads again with it highlighted. */
  saved(c: ConnectorSummary, message: string): void {
    void this.refresh({ done: message, highlight: c.name });
  }

  /** Opens the editor on `c`, or on a new connector. */
  async edit(c: ConnectorSummary | null): Promise<void> {
    try {
      this.#kinds ??= await this.api.connectorKinds();
      // Vaults may have changed on the other page since the last suggestions.
      forgetSuggestions();
      this.editor = { kinds: this.#kinds, connector: c };
    } catch (e: unknown) {
      this.status = `The editor could not open: ${plainMessageOf(e)}`;
    }
  }

  /** Deletes a connector (throws what went wrong; the dialog shows it). */
  async remove(name: string): Promise<void> {
    await this.api.removeConnector(name);
    void this.refresh({ done: `Deleted ${name}` });
  }

  async exportAll(format: ExportFormat): Promise<void> {
    this.exporting = true;
    this.exported = null;
    this.status = "Choose a folder…";
    try {
      const result = await this.api.exportAllConnectors(format);
      if (result === null) this.status = "Export cancelled";
      else this.exported = { count: result.files.length, path: result.path };
    } catch (e: unknown) {
      this.status = `Not exported: ${plainMessageOf(e)}`;
    } finally {
      this.exporting = false;
    }
  }
}
