//! The connector commands: list, the editor's fields and vault choices, pre-fill, save, the
//! live preview and export. Like `commands.rs`, each forwards to `vaultdesk-core`; the SQLite
//! and keyring steps run on the blocking pool, Vault requests on the async runtime through the
//! app's one [`VaultHub`] (so a preview typed letter by letter reads each secret once per cache
//! TTL, not once per keystroke).
//!
//! Secret values leave Rust only when the user asks: `preview_connector` masks unless `reveal`
//! is set, and with `field` it reveals that one value and keeps every other masked. Export
//! writes the file itself; the rendered text never crosses the IPC.
//!
//! Export asks for the target with the native dialog, opened from Rust (the window holds no
//! dialog permission). For the E2E, which cannot drive a native dialog, the environment
//! variable `VAULTDESK_E2E_EXPORT_DIR` replaces the dialog with a fixed folder: a single
//! connector goes to `DIR/NAME.FORMAT`, "export all" to `DIR` itself. Nothing else changes.

#![allow(clippy::result_large_err)]

use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;
use serde_json::{Map, Value};
use tauri::async_runtime::spawn_blocking;
use tauri::{AppHandle, State, WebviewWindow};
use tauri_plugin_dialog::DialogExt;
use ts_rs::TS;
use vaultdesk_core::connector::{Connector, ConnectorInput, ConnectorKind, ConnectorPatch, FieldSpec};
use vaultdesk_core::export::{self, ExportFormat};
use vaultdesk_core::render::{self, Preview, RenderPlan};
use vaultdesk_core::template::RenderMode;
use vaultdesk_core::vault::VaultHub;
use vaultdesk_core::{ErrorPayload, Store, Vault};

use crate::commands::{data_dir, internal};
use crate::DataDir;

/// The app's Vault sessions, shared by every command for the life of the window.
#[derive(Default)]
pub(crate) struct Hub(pub(crate) Arc<VaultHub>);

/// The E2E's export folder: set, it replaces the native save dialog (the user's choice of
/// where secrets are written). Honoured in debug builds only (the E2E runs the debug build
/// tests/scripts/build-app.sh makes) and only as an absolute path; a release build ignores it.
#[cfg(debug_assertions)]
const EXPORT_DIR_ENV: &str = "VAULTDESK_E2E_EXPORT_DIR";

/// `VAULTDESK_E2E_EXPORT_DIR` in a debug build, refused unless absolute; `None` otherwise.
fn e2e_export_dir() -> Result<Option<PathBuf>, ErrorPayload> {
    #[cfg(debug_assertions)]
    if let Some(d) = std::env::var_os(EXPORT_DIR_ENV) {
        let d = PathBuf::from(d);
        if !d.is_absolute() {
            return Err(internal(&format!("{EXPORT_DIR_ENV} must be an absolute path: {}", d.display())));
        }
        return Ok(Some(d));
    }
    Ok(None)
}

/// A kind and the fields its editor shows.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../app-bindings/")]
pub struct KindFields {
    pub kind: ConnectorKind,
    pub fields: Vec<FieldSpec>,
}

/// A connector as the list shows it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../app-bindings/")]
pub struct ConnectorSummary {
    #[serde(flatten)]
    pub connector: Connector,
    /// How many `{{secrets...}}` references its configuration holds.
    pub references: usize,
    /// The distinct vaults they name, as written.
    pub referenced_vaults: Vec<String>,
}

impl ConnectorSummary {
    fn new(c: Connector) -> Self {
        let refs = c.references();
        let mut vaults: Vec<String> = Vec::new();
        for r in &refs {
            if !vaults.iter().any(|v| v.eq_ignore_ascii_case(&r.vault)) {
                vaults.push(r.vault.clone());
            }
        }
        ConnectorSummary { references: refs.len(), referenced_vaults: vaults, connector: c }
    }
}

/// Where an export went.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../app-bindings/")]
pub struct ExportResult {
    /// The file written, or the folder for "export all".
    pub path: String,
    /// The files written (one for a single connector).
    pub files: Vec<String>,
}

pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ErrorPayload> + Send + 'static,
) -> Result<T, ErrorPayload> {
    spawn_blocking(f).await.map_err(|e| internal(&format!("the command stopped unexpectedly: {e}")))?
}

fn open(
    dir: &State<'_, DataDir>,
) -> Result<(PathBuf, impl FnOnce() -> Result<Store, ErrorPayload>), ErrorPayload> {
    let dir = data_dir(dir)?.clone();
    let d = dir.clone();
    Ok((dir, move || Store::open(&d).map_err(|e| e.payload())))
}

fn parse_kind(kind: &str) -> Result<ConnectorKind, ErrorPayload> {
    ConnectorKind::parse(kind).ok_or_else(|| {
        vaultdesk_core::Error::InvalidConnector(vaultdesk_core::ValidationErrors::single(
            "kind",
            "must be one of postgresql, mysql, mariadb, mongodb, rest",
        ))
        .payload()
    })
}

/// Every kind with its fields, in the order the editor offers them.
#[tauri::command]
pub(crate) fn connector_kinds() -> Vec<KindFields> {
    ConnectorKind::ALL.into_iter().map(|kind| KindFields { kind, fields: kind.fields() }).collect()
}

/// Every stored connector, by name.
#[tauri::command]
pub(crate) async fn list_connectors(dir: State<'_, DataDir>) -> Result<Vec<ConnectorSummary>, ErrorPayload> {
    let (_, open) = open(&dir)?;
    blocking(move || {
        let store = open()?;
        let list = store.list_connectors().map_err(|e| e.payload())?;
        Ok(list.into_iter().map(ConnectorSummary::new).collect())
    })
    .await
}

/// The vaults a connector of `kind` may use: the "Secrets Manager" dropdown.
#[tauri::command]
pub(crate) async fn compatible_vaults(
    dir: State<'_, DataDir>,
    kind: ConnectorKind,
) -> Result<Vec<Vault>, ErrorPayload> {
    let (_, open) = open(&dir)?;
    blocking(move || open()?.compatible_vaults(kind).map_err(|e| e.payload())).await
}

/// The fields a new connector of `kind` gets from `vault`: references, never values (a KV
/// vault's key names come from the subkeys endpoint).
#[tauri::command]
pub(crate) async fn prefill_connector(
    dir: State<'_, DataDir>,
    hub: State<'_, Hub>,
    kind: ConnectorKind,
    vault: String,
) -> Result<Map<String, Value>, ErrorPayload> {
    let (_, open) = open(&dir)?;
    let (vault, load) = blocking(move || {
        let store = open()?;
        let v = store.get_vault(&vault).map_err(|e| e.payload())?;
        let load = store.credential_loader(&v);
        Ok((v, load))
    })
    .await?;
    render::prefill_from_vault(&hub.0, &vault, load, kind).await.map_err(|e| e.payload())
}

/// The key names of a vault's secret (subkeys: names, never values), for autocomplete; the
/// database engines' credentials object has fixed names.
#[tauri::command]
pub(crate) async fn vault_keys(
    dir: State<'_, DataDir>,
    hub: State<'_, Hub>,
    vault: String,
) -> Result<Value, ErrorPayload> {
    let (_, open) = open(&dir)?;
    let (vault, load) = blocking(move || {
        let store = open()?;
        let v = store.get_vault(&vault).map_err(|e| e.payload())?;
        let load = store.credential_loader(&v);
        Ok((v, load))
    })
    .await?;
    if vault.spec.engine_type.is_database() {
        let keys = ["username", "password", "lease_id", "lease_duration", "renewable"];
        return Ok(Value::Object(keys.iter().map(|k| ((*k).to_owned(), Value::Null)).collect()));
    }
    let session = hub.0.session(&vault, load).await.map_err(|e| e.payload())?;
    session.subkeys().await.map_err(|e| vaultdesk_core::Error::from(e).payload())
}

/// Validates and stores a new connector; every invalid field is reported at once.
#[tauri::command]
pub(crate) async fn add_connector(
    dir: State<'_, DataDir>,
    input: ConnectorInput,
) -> Result<ConnectorSummary, ErrorPayload> {
    let (_, open) = open(&dir)?;
    blocking(move || {
        let mut store = open()?;
        store.add_connector(&input).map(ConnectorSummary::new).map_err(|e| e.payload())
    })
    .await
}

/// Stores the editor of the connector `name` as submitted: name, kind, vault (none clears
/// it) and the whole configuration.
#[tauri::command]
pub(crate) async fn update_connector(
    dir: State<'_, DataDir>,
    name: String,
    input: ConnectorInput,
) -> Result<ConnectorSummary, ErrorPayload> {
    let (_, open) = open(&dir)?;
    blocking(move || {
        let mut store = open()?;
        let patch = ConnectorPatch {
            rename: Some(input.name),
            kind: Some(input.kind),
            vault: Some(input.vault.unwrap_or_default()),
            config: Some(input.config),
        };
        store.update_connector(&name, &patch).map(ConnectorSummary::new).map_err(|e| e.payload())
    })
    .await
}

#[tauri::command]
pub(crate) async fn remove_connector(dir: State<'_, DataDir>, name: String) -> Result<(), ErrorPayload> {
    let (_, open) = open(&dir)?;
    blocking(move || open()?.remove_connector(&name).map(drop).map_err(|e| e.payload())).await
}

/// Renders an editor's configuration, saved or not: masked, or with `reveal` every value, or
/// with `reveal` and `field` only that field's value (the others stay masked). Template errors
/// and missing keys come back as field errors under `config.FIELD`.
#[tauri::command]
pub(crate) async fn preview_connector(
    dir: State<'_, DataDir>,
    hub: State<'_, Hub>,
    input: ConnectorInput,
    reveal: bool,
    field: Option<String>,
) -> Result<Preview, ErrorPayload> {
    let mode = if reveal { RenderMode::Reveal } else { RenderMode::Mask };
    let (preview, masked) = render_input(&dir, &hub.0, input, mode, field.is_some() && reveal).await?;
    match (field, masked) {
        (Some(f), Some(masked)) => {
            let config = reveal_only(&masked.config, &preview.config, &f);
            Ok(Preview { config, revealed: false, ..masked })
        }
        _ => Ok(preview),
    }
}

/// `input` as a connector rendered with `mode` (and masked too when `also_masked`).
async fn render_input(
    dir: &State<'_, DataDir>,
    hub: &VaultHub,
    input: ConnectorInput,
    mode: RenderMode,
    also_masked: bool,
) -> Result<(Preview, Option<Preview>), ErrorPayload> {
    let kind = parse_kind(&input.kind)?;
    let connector = Connector {
        id: String::new(),
        name: input.name.trim().to_owned(),
        kind,
        vault: input.vault.clone(),
        config: input.config,
        created_at: String::new(),
        updated_at: String::new(),
    };
    let (_, open) = open(dir)?;
    let (plan, connector) = blocking(move || {
        let store = open()?;
        // Save's checks (the selected and referenced vaults exist and suit the kind); the
        // name is not what a preview checks, an unsaved form may not have one yet.
        let check = ConnectorInput {
            name: "preview".to_owned(),
            kind: connector.kind.as_str().to_owned(),
            vault: connector.vault.clone(),
            config: connector.config.clone(),
        };
        // A form being typed may still miss required fields: those are Save's and Export's
        // to report; the vault problems are reported here.
        let form_errors =
            vaultdesk_core::connector::validate_connector(&check.name, &check.kind, &check.config)
                .err()
                .map(|e| e.0)
                .unwrap_or_default();
        match store.check_connector_input(&check) {
            Ok(()) => {}
            Err(vaultdesk_core::Error::InvalidConnector(e)) => {
                let vault_errors: Vec<_> = e.0.into_iter().filter(|f| !form_errors.contains(f)).collect();
                if !vault_errors.is_empty() {
                    return Err(vaultdesk_core::Error::InvalidConnector(
                        vaultdesk_core::validate::ValidationErrors(vault_errors),
                    )
                    .payload());
                }
            }
            Err(e) => return Err(e.payload()),
        }
        let plan = RenderPlan::new(&store, &[&connector.config]).map_err(|e| e.payload())?;
        Ok((plan, connector))
    })
    .await?;
    let fetched = plan.fetch(hub).await.map_err(|e| e.payload())?;
    let one = |mode| {
        fetched
            .previews(std::slice::from_ref(&connector), mode)
            .map_err(|e| e.payload())?
            .into_iter()
            .next()
            .ok_or_else(|| internal("nothing was rendered"))
    };
    let preview = one(mode)?;
    let masked = if also_masked { Some(one(RenderMode::Mask)?) } else { None };
    Ok((preview, masked))
}

/// `masked` with the value at `field` (a path as `template::strings` writes it) taken from
/// `revealed`.
fn reveal_only(masked: &Value, revealed: &Value, field: &str) -> Value {
    fn walk(m: &Value, r: &Value, path: &str, field: &str) -> Value {
        if path == field {
            return r.clone();
        }
        match (m, r) {
            (Value::Object(mo), Value::Object(ro)) => Value::Object(
                mo.iter()
                    .map(|(k, mv)| {
                        let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                        let v = ro.get(k).map_or_else(|| mv.clone(), |rv| walk(mv, rv, &p, field));
                        (k.clone(), v)
                    })
                    .collect(),
            ),
            (Value::Array(ma), Value::Array(ra)) => Value::Array(
                ma.iter()
                    .enumerate()
                    .map(|(i, mv)| {
                        ra.get(i)
                            .map_or_else(|| mv.clone(), |rv| walk(mv, rv, &format!("{path}[{i}]"), field))
                    })
                    .collect(),
            ),
            _ => m.clone(),
        }
    }
    walk(masked, revealed, "", field)
}

/// Checks the editor's configuration as Save does, renders it with its secrets and writes it as
/// `format` where the native save dialog says (mode 0600, atomic). Resolves to `null` when the
/// dialog is cancelled.
#[tauri::command]
pub(crate) async fn export_connector(
    app: AppHandle,
    window: WebviewWindow,
    dir: State<'_, DataDir>,
    hub: State<'_, Hub>,
    input: ConnectorInput,
    format: ExportFormat,
) -> Result<Option<ExportResult>, ErrorPayload> {
    // The suggested file name; an unsaved form's name may be empty or hold anything.
    let stem = input.name.trim();
    let stem = if stem.is_empty() || stem.contains(['/', '\\']) || stem.starts_with('.') {
        "connector"
    } else {
        stem
    };
    let file_name = format!("{stem}.{}", format.extension());
    // The file must be a configuration Save would accept: the same checks, by field.
    vaultdesk_core::connector::validate_connector(&input.name, &input.kind, &input.config)
        .map_err(|e| vaultdesk_core::Error::InvalidConnector(e).payload())?;
    // Render first: a broken reference is reported before a dialog asks where to put nothing.
    let (preview, _) = render_input(&dir, &hub.0, input, RenderMode::Reveal, false).await?;
    let text = export::to_text(&preview.config, format).map_err(|e| e.payload())?;
    let (path, force) = match e2e_export_dir()? {
        // The E2E (debug builds only): no dialog, and no overwrite.
        Some(d) => (d.join(&file_name), false),
        None => {
            let (tx, rx) = tokio::sync::oneshot::channel();
            // Modal to the window that asked, as a desktop save dialog should be.
            app.dialog()
                .file()
                .set_parent(&window)
                .set_title("Export connector")
                .set_file_name(&file_name)
                .add_filter(format.extension().to_uppercase(), &[format.extension()])
                .save_file(move |p| {
                    let _ = tx.send(p);
                });
            match rx.await.ok().flatten() {
                None => return Ok(None),
                // The dialog already asked before replacing an existing file.
                Some(p) => (p.into_path().map_err(|e| internal(&format!("the chosen file: {e}")))?, true),
            }
        }
    };
    let target = path.clone();
    blocking(move || export::write_atomic(&target, &text, force).map_err(|e| e.payload())).await?;
    let shown = path.display().to_string();
    Ok(Some(ExportResult { path: shown.clone(), files: vec![shown] }))
}

/// Renders every stored connector (all their vaults fetched at once) and writes
/// `FOLDER/NAME.FORMAT` for each in the folder the native dialog picks. Nothing is written
/// when one file exists or one connector cannot be rendered. `null` when cancelled.
#[tauri::command]
pub(crate) async fn export_all_connectors(
    app: AppHandle,
    window: WebviewWindow,
    dir: State<'_, DataDir>,
    hub: State<'_, Hub>,
    format: ExportFormat,
) -> Result<Option<ExportResult>, ErrorPayload> {
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
                Some(p) => p.into_path().map_err(|e| internal(&format!("the chosen folder: {e}")))?,
            }
        }
    };
    let (_, open) = open(&dir)?;
    let target_dir = folder.clone();
    let (plan, connectors, targets) = blocking(move || {
        let store = open()?;
        let connectors = store.list_connectors().map_err(|e| e.payload())?;
        let targets: Vec<PathBuf> = connectors
            .iter()
            .map(|c| target_dir.join(format!("{}.{}", c.name, format.extension())))
            .collect();
        // Refuse before any Vault request when a target exists.
        for t in &targets {
            export::check_target(t, false).map_err(|e| e.payload())?;
        }
        let docs: Vec<&Value> = connectors.iter().map(|c| &c.config).collect();
        let plan = RenderPlan::new(&store, &docs).map_err(|e| e.payload())?;
        Ok((plan, connectors, targets))
    })
    .await?;
    let fetched = plan.fetch(&hub.0).await.map_err(|e| e.payload())?;
    let previews = fetched.previews(&connectors, RenderMode::Reveal).map_err(|e| e.payload())?;
    let texts = previews
        .iter()
        .map(|p| export::to_text(&p.config, format).map_err(|e| e.payload()))
        .collect::<Result<Vec<_>, _>>()?;
    let files: Vec<String> = targets.iter().map(|t| t.display().to_string()).collect();
    // All or nothing: no folder is left with some of the files.
    let pairs: Vec<(PathBuf, String)> = targets.into_iter().zip(texts).collect();
    blocking(move || export::write_all(&pairs, false).map_err(|e| e.payload())).await?;
    Ok(Some(ExportResult { path: folder.display().to_string(), files }))
}

/// Closes the Vault session of a vault that was updated or removed (revoking its leases).
pub(crate) fn forget_vault(hub: &Hub, vault_id: String) {
    let hub = hub.0.clone();
    tauri::async_runtime::spawn(async move { hub.forget(&vault_id).await });
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn one_field_is_revealed_and_every_other_stays_masked() {
        let masked =
            json!({"username": "••••••••", "auth": {"token": "••••••••"}, "list": ["••••••••", "x"]});
        let revealed = json!({"username": "app", "auth": {"token": "t0k"}, "list": ["s3", "x"]});
        assert_eq!(
            reveal_only(&masked, &revealed, "auth.token"),
            json!({"username": "••••••••", "auth": {"token": "t0k"}, "list": ["••••••••", "x"]}),
            "a nested field"
        );
        assert_eq!(
            reveal_only(&masked, &revealed, "list[0]"),
            json!({"username": "••••••••", "auth": {"token": "••••••••"}, "list": ["s3", "x"]}),
            "an array element"
        );
        assert_eq!(reveal_only(&masked, &revealed, "nothing"), masked, "an unknown field reveals nothing");
    }

    #[test]
    fn the_list_counts_references_and_names_each_vault_once() {
        let c = Connector {
            id: "i".into(),
            name: "api".into(),
            kind: ConnectorKind::Rest,
            vault: None,
            config: json!({"base_url": "{{secrets.kv.url}}", "headers": {"A": "{{secrets.KV.a}}{{secrets.other.b}}"}}),
            created_at: String::new(),
            updated_at: String::new(),
        };
        let s = ConnectorSummary::new(c);
        assert_eq!(s.references, 3);
        assert_eq!(s.referenced_vaults, ["kv", "other"], "vault names are case-insensitive");
    }
}
