// The app's commands, listed once with what the window sends and gets back. This file is
// included by `lib.rs`, which registers them (`tauri::generate_handler!`) and generates the UI's
// typed command map `ui/src/app-bindings/commands.ts` from the Rust types listed here (ts-rs),
// and by `build.rs`, which declares them to Tauri's ACL and writes `capabilities/main.json`
// (the window may call these and nothing else). Adding a command is its function plus one line
// here; the bindings check fails when the committed map or capability file is stale.
//
// Arguments are listed as the window sends them (Tauri's IPC takes them in camelCase); the
// function's own parameters before them (state, window, app handle) are not sent.
macro_rules! app_commands {
    ($then:ident) => {
        $then! {
            vaults::app_info() -> AppInfo;
            vaults::list_vaults() -> Vec<VaultSummary>;
            vaults::vault_defaults() -> VaultInput;
            vaults::doctor() -> DoctorReport;
            vaults::add_vault(
                input: VaultInput,
                role_id: Option<SecretString>,
                secret_id: Option<SecretString>,
                secret_id_wrapped: bool,
                token_from_env: bool
            ) -> VaultSummary;
            vaults::refresh_vault(name: String) -> RefreshReport;
            vaults::oidc_login(name: String, remember: bool, on_url: Channel<String>) -> OidcLoginReport;
            vaults::update_vault(
                name: String,
                input: VaultInput,
                role_id: Option<SecretString>,
                secret_id: Option<SecretString>,
                reuse_credentials: bool,
                secret_id_wrapped: bool,
                token_from_env: bool
            ) -> VaultSummary;
            vaults::remove_vault(name: String, force: bool) -> ();
            vaults::test_vault(
                input: VaultInput,
                role_id: Option<SecretString>,
                secret_id: Option<SecretString>,
                existing: Option<String>,
                reuse_credentials: bool,
                secret_id_wrapped: bool,
                token_from_env: bool,
                request_id: String,
                on_stage: Channel<StageReport>
            ) -> Option<TestReport>;
            vaults::cancel_test(request_id: String) -> ();
            connectors::connector_kinds() -> Vec<KindFields>;
            connectors::list_connectors() -> Vec<ConnectorSummary>;
            connectors::compatible_vaults(kind: ConnectorKind) -> Vec<Vault>;
            connectors::prefill_connector(kind: ConnectorKind, vault: String) -> Map<String, Value>;
            connectors::vault_keys(vault: String) -> Value;
            connectors::add_connector(input: ConnectorInput) -> ConnectorSummary;
            connectors::update_connector(name: String, input: ConnectorInput) -> ConnectorSummary;
            connectors::remove_connector(name: String) -> ();
            connectors::preview_connector(input: ConnectorInput, reveal: bool, field: Option<String>) -> Preview;
            connectors::test_connector(
                input: ConnectorInput,
                method: Option<String>,
                path: Option<String>,
                request_id: String,
                on_stage: Channel<ConnectorStageReport>
            ) -> Option<ConnectorTestReport>;
            connectors::export_connector(input: ConnectorInput, format: ExportFormat) -> Option<ExportResult>;
            connectors::export_all_connectors(format: ExportFormat) -> Option<ExportResult>;
            leases::list_leases(vault: Option<String>, lease_state: Option<LeaseState>) -> Vec<LeaseRecord>;
            leases::renew_lease(lease_id: String) -> LeaseRecord;
            leases::revoke_lease(lease_id: String) -> LeaseRecord;
            leases::revoke_vault_leases(vault: String) -> Vec<LeaseOutcome>;
            leases::revoke_left_over_previews() -> Vec<LeaseOutcome>;
            leases::end_previews() -> ();
        }
    };
}
