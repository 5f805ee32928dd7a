//! The connector commands: the editor's kinds and vault choices, pre-fill, key names, save, the
//! live preview and export. Each calls one use case of `vaultdesk_core::Core`; the window's one
//! `Core` shares its Vault sessions, so a preview typed letter by letter reads each secret once
//! per cache TTL, not once per keystroke.
//!
//! Secret values leave Rust only when the user asks: `preview_connector` masks unless `reveal`
//! is set, and with `field` it reveals that one value and keeps every other masked. Export
//! writes the file itself; the rendered text never crosses the IPC.
//!
//! Export asks for the target with the native dialog, opened from Rust (the window holds no
//! dialog permission). For the E2E, which cannot drive a native dialog, a build with the `e2e`
//! feature (never a build users run) lets `VAULTDESK_E2E_EXPORT_DIR` replace the dialog with a
//! fixed folder: a single connector goes to `DIR/NAME.FORMAT`, "export all" to `DIR` itself.

#![allow(clippy::result_large_err)]

use std::path::PathBuf;

use serde_json::{Map, Value};
use tauri::{AppHandle, State, WebviewWindow};
use tauri_plugin_dialog::DialogExt;
use vaultdesk_core::connector::{ConnectorInput, ConnectorKind, ConnectorPatch};
use vaultdesk_core::connector_probe::{ConnectorStageReport, ConnectorTestReport, TestOptions};
use vaultdesk_core::export::ExportFormat;
use vaultdesk_core::ops::{self, ConnectorSource, ConnectorSummary, ExportResult, KindFields, Reveal};
use vaultdesk_core::render::Preview;
use vaultdesk_core::{Error, ErrorPayload, Vault};

use crate::vaults::{run_cancellable, RunningTests};
use crate::AppState;

/// The E2E's export folder: set, it replaces the native save dialog (the user's choice of
/// where secrets are written). Compiled only into a build with the `e2e` feature
/// (`scripts/build-app.sh --e2e`, for tests/scripts/e2e.sh), and only as an absolute path; the
/// builds users run do not contain it.
#[cfg(feature = "e2e")]
const EXPORT_DIR_ENV: &str = "VAULTDESK_E2E_EXPORT_DIR";

/// `VAULTDESK_E2E_EXPORT_DIR` in an `e2e` build, refused unless absolute; `None` otherwise.
pub(crate) fn e2e_export_dir() -> Result<Option<PathBuf>, ErrorPayload> {
    #[cfg(feature = "e2e")]
    if let Some(d) = std::env::var_os(EXPORT_DIR_ENV) {
        let d = PathBuf::from(d);
        if !d.is_absolute() {
            let detail = format!("{EXPORT_DIR_ENV} must be an absolute path: {}", d.display());
            return Err(Error::Internal { detail }.into());
        }
        return Ok(Some(d));
    }
    Ok(None)
}

/// Every kind with its fields, in the order the editor offers them.
#[tauri::command]
pub(crate) fn connector_kinds() -> Vec<KindFields> {
    ops::connectors::connector_kinds()
}

/// Every stored connector, by name.
#[tauri::command]
pub(crate) async fn list_connectors(
    state: State<'_, AppState>,
) -> Result<Vec<ConnectorSummary>, ErrorPayload> {
    Ok(state.core()?.list_connectors().await?)
}

/// The vaults a connector of `kind` may use: the "Secrets Manager" dropdown.
#[tauri::command]
pub(crate) async fn compatible_vaults(
    state: State<'_, AppState>,
    kind: ConnectorKind,
) -> Result<Vec<Vault>, ErrorPayload> {
    Ok(state.core()?.compatible_vaults(kind).await?)
}

/// The fields a new connector of `kind` gets from `vault`: references, never values.
#[tauri::command]
pub(crate) async fn prefill_connector(
    state: State<'_, AppState>,
    kind: ConnectorKind,
    vault: String,
) -> Result<Map<String, Value>, ErrorPayload> {
    Ok(state.core()?.prefill(kind, vault).await?)
}

/// The key names of a vault's secret (names, never values), for autocomplete.
#[tauri::command]
pub(crate) async fn vault_keys(state: State<'_, AppState>, vault: String) -> Result<Value, ErrorPayload> {
    Ok(state.core()?.key_names(vault).await?)
}

/// Validates and stores a new connector; every invalid field is reported at once.
#[tauri::command]
pub(crate) async fn add_connector(
    state: State<'_, AppState>,
    input: ConnectorInput,
) -> Result<ConnectorSummary, ErrorPayload> {
    Ok(state.core()?.add_connector(input).await?)
}

/// Stores the editor of the connector `name` as submitted: name, kind, vault (none clears
/// it) and the whole configuration.
#[tauri::command]
pub(crate) async fn update_connector(
    state: State<'_, AppState>,
    name: String,
    input: ConnectorInput,
) -> Result<ConnectorSummary, ErrorPayload> {
    Ok(state.core()?.update_connector(name, ConnectorPatch::from_form(input)).await?)
}

#[tauri::command]
pub(crate) async fn remove_connector(state: State<'_, AppState>, name: String) -> Result<(), ErrorPayload> {
    state.core()?.remove_connector(name).await?;
    Ok(())
}

/// Renders an editor's configuration, saved or not: masked, or with `reveal` every value, or
/// with `reveal` and `field` only that field's value (the others stay masked). Template errors
/// and missing keys come back as field errors under `config.FIELD`.
#[tauri::command]
pub(crate) async fn preview_connector(
    state: State<'_, AppState>,
    input: ConnectorInput,
    reveal: bool,
    field: Option<String>,
) -> Result<Preview, ErrorPayload> {
    let reveal = match (reveal, field) {
        (false, _) => Reveal::Masked,
        (true, None) => Reveal::All,
        (true, Some(f)) => Reveal::Field(f),
    };
    Ok(state.core()?.preview(ConnectorSource::Form(input), reveal).await?)
}

/// Test connection on the editor's form, saved or not: checked as Save checks it, rendered with
/// its secrets in Rust (no value reaches the window), then tried stage by stage, each sent to
/// `on_stage` as it ends. `method` and `path` shape a REST test's request. Resolves to `null`
/// when `cancel_test(request_id)` aborted it (its connections are closed).
#[tauri::command]
#[allow(clippy::too_many_arguments)]
pub(crate) async fn test_connector(
    state: State<'_, AppState>,
    tests: State<'_, RunningTests>,
    input: ConnectorInput,
    method: Option<String>,
    path: Option<String>,
    request_id: String,
    on_stage: tauri::ipc::Channel<ConnectorStageReport>,
) -> Result<Option<ConnectorTestReport>, ErrorPayload> {
    let core = state.core()?.clone();
    let connector = core.connector_for_test(ConnectorSource::Form(input)).await?;
    let options = TestOptions { method, path };
    run_cancellable(&tests, request_id, async move {
        let mut send = |stage: &ConnectorStageReport| {
            let _ = on_stage.send(stage.clone());
        };
        core.test_checked(&connector, &options, &mut send).await
    })
    .await
}

/// Checks the editor's configuration as Save does, renders it with its secrets and writes it as
/// `format` where the native save dialog says (mode 0600, atomic). Resolves to `null` when the
/// dialog is cancelled.
#[tauri::command]
pub(crate) async fn export_connector(
    app: AppHandle,
    window: WebviewWindow,
    state: State<'_, AppState>,
    input: ConnectorInput,
    format: ExportFormat,
) -> Result<Option<ExportResult>, ErrorPayload> {
    let core = state.core()?;
    // Checked first (no Vault request): a broken template or a missing vault is reported
    // before a dialog asks where to put nothing. Secrets are read, and database credentials
    // issued, only once the dialog returned a path.
    let prepared = core.prepare_export(ConnectorSource::Form(input), format).await?;
    let (path, force) = match e2e_export_dir()? {
        // The E2E (debug builds only): no dialog, and no overwrite.
        Some(d) => (d.join(&prepared.file_name), false),
        None => {
            let (tx, rx) = tokio::sync::oneshot::channel();
            // Modal to the window that asked, as a desktop save dialog should be.
            app.dialog()
                .file()
                .set_parent(&window)
                .set_title("Export connector")
                .set_file_name(&prepared.file_name)
                .add_filter(format.extension().to_uppercase(), &[format.extension()])
                .save_file(move |p| {
                    let _ = tx.send(p);
                });
            match rx.await.ok().flatten() {
                // Cancelled: nothing was read, nothing issued.
                None => return Ok(None),
                // The dialog already asked before replacing an existing file.
                Some(p) => (p.into_path().map_err(|e| chosen("file", e))?, true),
            }
        }
    };
    let rendered = core.render_prepared(prepared).await?;
    Ok(Some(core.write_export(rendered, path, force).await?))
}

/// Renders every stored connector (all their vaults fetched at once) and writes
/// `FOLDER/NAME.FORMAT` for each in the folder the native dialog picks. Nothing is written
/// when one file exists or one connector cannot be rendered. `null` when cancelled.
#[tauri::command]
pub(crate) async fn export_all_connectors(
    app: AppHandle,
    window: WebviewWindow,
    state: State<'_, AppState>,
    format: ExportFormat,
) -> Result<Option<ExportResult>, ErrorPayload> {
    let core = state.core()?;
    let folder = match e2e_export_dir()? {
        Some(d) => d,
        None => {
            let (tx, rx) = tokio::sync::oneshot::channel();
            app.dialog()
                .file()
                .set_parent(&window)
                .set_title("Export all connectors to a folder")
                .pick_folder(move |p| {
                    let _ = tx.send(p);
                });
            match rx.await.ok().flatten() {
                None => return Ok(None),
                Some(p) => p.into_path().map_err(|e| chosen("folder", e))?,
            }
        }
    };
    Ok(Some(core.export_all(folder, format, false).await?))
}

fn chosen(what: &str, e: impl std::fmt::Display) -> ErrorPayload {
    Error::Internal { detail: format!("the chosen {what}: {e}") }.into()
}
