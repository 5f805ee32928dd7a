// Generated from src-tauri/src/command_list.rs by src-tauri/src/command_map.rs. Do not edit.

import type { Channel } from "@tauri-apps/api/core";
import type { AppInfo } from "./AppInfo";
import type { ConnectorInput } from "../bindings/ConnectorInput";
import type { ConnectorKind } from "../bindings/ConnectorKind";
import type { ConnectorStageReport } from "../bindings/ConnectorStageReport";
import type { ConnectorSummary } from "./ConnectorSummary";
import type { ConnectorTestReport } from "../bindings/ConnectorTestReport";
import type { DoctorReport } from "./DoctorReport";
import type { ExportFormat } from "../bindings/ExportFormat";
import type { ExportResult } from "./ExportResult";
import type { KindFields } from "./KindFields";
import type { LeaseOutcome } from "./LeaseOutcome";
import type { LeaseRecord } from "../bindings/LeaseRecord";
import type { LeaseState } from "../bindings/LeaseState";
import type { OidcLoginReport } from "./OidcLoginReport";
import type { Preview } from "../bindings/Preview";
import type { RefreshReport } from "./RefreshReport";
import type { StageReport } from "../bindings/StageReport";
import type { TestReport } from "../bindings/TestReport";
import type { Vault } from "../bindings/Vault";
import type { VaultInput } from "../bindings/VaultInput";
import type { VaultSummary } from "./VaultSummary";

/** Every command the window may invoke: the arguments it sends and what it resolves to. */
export interface Commands {
  app_info: { args: Record<string, never>; result: AppInfo };
  list_vaults: { args: Record<string, never>; result: Array<VaultSummary> };
  vault_defaults: { args: Record<string, never>; result: VaultInput };
  doctor: { args: Record<string, never>; result: DoctorReport };
  add_vault: { args: { input: VaultInput; roleId: string | null; secretId: string | null; secretIdWrapped: boolean; tokenFromEnv: boolean }; result: VaultSummary };
  refresh_vault: { args: { name: string }; result: RefreshReport };
  oidc_login: { args: { name: string; remember: boolean; onUrl: Channel<string> }; result: OidcLoginReport };
  update_vault: { args: { name: string; input: VaultInput; roleId: string | null; secretId: string | null; reuseCredentials: boolean; secretIdWrapped: boolean; tokenFromEnv: boolean }; result: VaultSummary };
  remove_vault: { args: { name: string; force: boolean }; result: null };
  test_vault: { args: { input: VaultInput; roleId: string | null; secretId: string | null; existing: string | null; reuseCredentials: boolean; secretIdWrapped: boolean; tokenFromEnv: boolean; requestId: string; onStage: Channel<StageReport> }; result: TestReport | null };
  cancel_test: { args: { requestId: string }; result: null };
  connector_kinds: { args: Record<string, never>; result: Array<KindFields> };
  list_connectors: { args: Record<string, never>; result: Array<ConnectorSummary> };
  compatible_vaults: { args: { kind: ConnectorKind }; result: Array<Vault> };
  prefill_connector: { args: { kind: ConnectorKind; vault: string }; result: Record<string, unknown> };
  vault_keys: { args: { vault: string }; result: unknown };
  add_connector: { args: { input: ConnectorInput }; result: ConnectorSummary };
  update_connector: { args: { name: string; input: ConnectorInput }; result: ConnectorSummary };
  remove_connector: { args: { name: string }; result: null };
  preview_connector: { args: { input: ConnectorInput; reveal: boolean; field: string | null }; result: Preview };
  test_connector: { args: { input: ConnectorInput; method: string | null; path: string | null; requestId: string; onStage: Channel<ConnectorStageReport> }; result: ConnectorTestReport | null };
  export_connector: { args: { input: ConnectorInput; format: ExportFormat }; result: ExportResult | null };
  export_all_connectors: { args: { format: ExportFormat }; result: ExportResult | null };
  list_leases: { args: { vault: string | null; leaseState: LeaseState | null }; result: Array<LeaseRecord> };
  renew_lease: { args: { leaseId: string }; result: LeaseRecord };
  revoke_lease: { args: { leaseId: string }; result: LeaseRecord };
  revoke_vault_leases: { args: { vault: string }; result: Array<LeaseOutcome> };
  revoke_left_over_previews: { args: Record<string, never>; result: Array<LeaseOutcome> };
  end_previews: { args: Record<string, never>; result: null };
}

/** Their names. */
export const COMMANDS = [
  "app_info",
  "list_vaults",
  "vault_defaults",
  "doctor",
  "add_vault",
  "refresh_vault",
  "oidc_login",
  "update_vault",
  "remove_vault",
  "test_vault",
  "cancel_test",
  "connector_kinds",
  "list_connectors",
  "compatible_vaults",
  "prefill_connector",
  "vault_keys",
  "add_connector",
  "update_connector",
  "remove_connector",
  "preview_connector",
  "test_connector",
  "export_connector",
  "export_all_connectors",
  "list_leases",
  "renew_lease",
  "revoke_lease",
  "revoke_vault_leases",
  "revoke_left_over_previews",
  "end_previews",
] as const satisfies ReadonlyArray<keyof Commands>;

export type Command = (typeof COMMANDS)[number];
