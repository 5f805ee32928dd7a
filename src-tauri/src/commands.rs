//! The commands the window may invoke. Each is a thin call onto `vaultdesk-core`, runs on
//! Tauri's async pool (never the UI thread: SQLite may wait on a busy lock, the keyring is a
//! blocking D-Bus call, Vault is the network) and returns the core's `ErrorPayload` so the UI
//! can branch on `code` and put `fields` under their inputs.
//!
//! Adding a command means three edits: `generate_handler!` in `lib.rs`, the command list in
//! `build.rs`, and a grant in `capabilities/main.json`.
//!
//! Role ID and Secret ID arrive as `SecretString`s straight from the IPC payload and only go
//! back out to the keyring or to Vault; no command returns them.

// `ErrorPayload` is the IPC contract (serialised once per failed call); its size is irrelevant.
#![allow(clippy::result_large_err)]

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Mutex;

use serde::Serialize;
use tauri::async_runtime::{spawn, spawn_blocking};
use tauri::State;
use tokio::task::AbortHandle;
use ts_rs::TS;
use vaultdesk_core::validate::format_duration;
use vaultdesk_core::vault::{StageReport, TestReport};
use vaultdesk_core::{
    AppRoleCredentials, CredentialsPatch, ErrorCode, ErrorPayload, SecretString, Store, TlsInput, Vault,
    VaultInput, VaultPatch,
};

use crate::connectors::{blocking, forget_vault, Hub};
use crate::DataDir;

/// What the window shows about itself.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../app-bindings/")]
pub struct AppInfo {
    /// The data directory in use: `--data-dir`, else `$VAULTDESK_DATA_DIR`, else the platform's.
    pub data_dir: String,
    /// The app's version (`Cargo.toml`).
    pub version: String,
}

/// A vault as the list shows it: the stored configuration plus its cache TTL already written
/// the way the CLI writes it (`5m`, `1h30m`, `0`), so the two never disagree.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../app-bindings/")]
pub struct VaultSummary {
    #[serde(flatten)]
    pub vault: Vault,
    /// `cache_ttl_secs` formatted by `vaultdesk_core::validate::format_duration`.
    pub cache_ttl: String,
    /// The timeouts written the same way, for the edit form.
    pub connect_timeout: String,
    pub request_timeout: String,
    /// Names of the connectors that select or reference this vault: the delete dialog names
    /// them, and only a forced removal goes ahead while there are any.
    pub used_by: Vec<String>,
}

impl VaultSummary {
    fn new(vault: Vault, used_by: Vec<String>) -> Self {
        let cache_ttl = format_duration(vault.spec.cache_ttl_secs);
        let connect_timeout = format_duration(vault.spec.tls.connect_timeout_secs);
        let request_timeout = format_duration(vault.spec.tls.request_timeout_secs);
        VaultSummary { vault, cache_ttl, connect_timeout, request_timeout, used_by }
    }

    fn with_usage(store: &Store, vault: Vault) -> Result<Self, vaultdesk_core::Error> {
        let used_by = store.connectors_using(&vault.spec.name)?;
        Ok(VaultSummary::new(vault, used_by))
    }
}

/// Tests in flight, by the request id the UI chose, so `cancel_test` can abort one. An id
/// cancelled before its test started (still validating) is remembered and never starts.
#[derive(Default)]
pub(crate) struct RunningTests {
    running: Mutex<HashMap<String, AbortHandle>>,
    cancelled_early: Mutex<HashSet<String>>,
}

/// Every stored vault, by name. The database is opened per call: the CLI may write to it at
/// the same time, and WAL plus a busy timeout make that safe.
/// SQLite (busy waits) and the keyring (D-Bus) block: they run off the async workers.
#[tauri::command]
pub(crate) async fn list_vaults(dir: State<'_, DataDir>) -> Result<Vec<VaultSummary>, ErrorPayload> {
    let dir = data_dir(&dir)?.clone();
    blocking(move || {
        let store = Store::open(&dir).map_err(|e| e.payload())?;
        let vaults = store.list_vaults().map_err(|e| e.payload())?;
        vaults.into_iter().map(|v| VaultSummary::with_usage(&store, v).map_err(|e| e.payload())).collect()
    })
    .await
}

#[tauri::command(async)]
pub(crate) fn app_info(dir: State<'_, DataDir>) -> Result<AppInfo, ErrorPayload> {
    Ok(AppInfo {
        data_dir: data_dir(&dir)?.display().to_string(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    })
}

/// What the "+ Vault" form starts with: `VAULT_ADDR`, `VAULT_NAMESPACE` and `VAULT_CACERT`
/// from the app's environment, as the CLI's `vault add` uses them.
#[tauri::command(async)]
pub(crate) fn vault_defaults() -> VaultInput {
    VaultInput::default().with_env_defaults()
}

/// Validates and stores a new vault; the IDs go to the OS keyring. Nothing is stored on failure.
#[tauri::command]
pub(crate) async fn add_vault(
    dir: State<'_, DataDir>,
    input: VaultInput,
    role_id: SecretString,
    secret_id: SecretString,
) -> Result<VaultSummary, ErrorPayload> {
    let creds = AppRoleCredentials { role_id, secret_id };
    let dir = data_dir(&dir)?.clone();
    blocking(move || {
        let mut store = Store::open(&dir).map_err(|e| e.payload())?;
        let vault = store.add_vault(&input, &creds).map_err(|e| e.payload())?;
        VaultSummary::with_usage(&store, vault).map_err(|e| e.payload())
    })
    .await
}

/// Stores the edit form of the vault `name`: every field as submitted (empty clears an optional
/// one), the IDs replaced only when given.
#[tauri::command]
pub(crate) async fn update_vault(
    dir: State<'_, DataDir>,
    hub: State<'_, Hub>,
    name: String,
    input: VaultInput,
    role_id: Option<SecretString>,
    secret_id: Option<SecretString>,
) -> Result<VaultSummary, ErrorPayload> {
    let creds = CredentialsPatch { role_id, secret_id };
    let dir = data_dir(&dir)?.clone();
    let (store, vault) = blocking(move || {
        let mut store = Store::open(&dir).map_err(|e| e.payload())?;
        let vault = store.update_vault(&name, &form_patch(input), &creds).map_err(|e| e.payload())?;
        Ok((store, vault))
    })
    .await?;
    // Previews must not keep using the old configuration's session.
    forget_vault(&hub, vault.id.clone());
    blocking(move || VaultSummary::with_usage(&store, vault).map_err(|e| e.payload())).await
}

/// Removes the vault and its keyring entries. Refused (`in_use`, naming them) while connectors
/// use it, unless `force`: then their selection is cleared and their references stay.
#[tauri::command]
pub(crate) async fn remove_vault(
    dir: State<'_, DataDir>,
    hub: State<'_, Hub>,
    name: String,
    force: bool,
) -> Result<(), ErrorPayload> {
    let dir = data_dir(&dir)?.clone();
    let vault = blocking(move || {
        let mut store = Store::open(&dir).map_err(|e| e.payload())?;
        let removed = if force { store.remove_vault_forced(&name) } else { store.remove_vault(&name) };
        removed.map_err(|e| e.payload())
    })
    .await?;
    forget_vault(&hub, vault.id);
    Ok(())
}

/// Runs the staged Test on a form, saved or not. `existing` names the stored vault an edit
/// form belongs to: IDs left empty come from its keyring entries. Resolves to `null` when
/// `cancel_test(request_id)` aborted it.
#[tauri::command]
pub(crate) async fn test_vault(
    dir: State<'_, DataDir>,
    tests: State<'_, RunningTests>,
    input: VaultInput,
    role_id: Option<SecretString>,
    secret_id: Option<SecretString>,
    existing: Option<String>,
    request_id: String,
    on_stage: tauri::ipc::Channel<StageReport>,
) -> Result<Option<TestReport>, ErrorPayload> {
    let dir = data_dir(&dir)?.clone();
    let creds = CredentialsPatch { role_id, secret_id };
    // Validation and the keyring read block: off the async workers.
    let prepared = spawn_blocking(move || {
        Store::open(&dir).and_then(|s| s.prepare_test(&input, existing.as_deref(), &creds))
    })
    .await
    .map_err(|e| internal(&format!("the test could not start: {e}")))?
    .map_err(|e| e.payload())?;
    let (spec, creds) = prepared;

    let handle = {
        let mut running = lock(&tests.running);
        if lock(&tests.cancelled_early).remove(&request_id) {
            return Ok(None);
        }
        // Each stage goes to the window as it ends; the final report follows as the result.
        let handle = spawn(async move {
            let mut send = |stage: &StageReport| {
                let _ = on_stage.send(stage.clone());
            };
            vaultdesk_core::vault::test_vault_with_progress(&spec, &creds, &mut send).await
        });
        running.insert(request_id.clone(), handle.inner().abort_handle());
        handle
    };
    let outcome = handle.await;
    lock(&tests.running).remove(&request_id);
    match outcome {
        Ok(report) => Ok(Some(report)),
        Err(tauri::Error::JoinError(e)) if e.is_cancelled() => Ok(None),
        Err(e) => Err(internal(&format!("the test stopped unexpectedly: {e}"))),
    }
}

/// Aborts the test started with `request_id`; its `test_vault` call resolves to `null`.
/// Unknown or finished ids are ignored.
#[tauri::command]
pub(crate) fn cancel_test(tests: State<'_, RunningTests>, request_id: String) {
    let running = lock(&tests.running);
    match running.get(&request_id) {
        Some(handle) => handle.abort(),
        None => {
            lock(&tests.cancelled_early).insert(request_id);
        }
    }
}

/// The whole edit form as a patch: every field set, so what the form shows is what is stored.
fn form_patch(input: VaultInput) -> VaultPatch {
    let text = |v: Option<String>| Some(v.unwrap_or_default());
    VaultPatch {
        rename: Some(input.name),
        url: Some(input.url),
        namespace: text(input.namespace),
        auth_mount: input.auth_mount,
        engine_name: Some(input.engine_name),
        engine_type: Some(input.engine_type),
        path: text(input.path),
        db_role: text(input.db_role),
        connection_name: text(input.connection_name),
        cache_ttl: input.cache_ttl,
        tls: TlsInput {
            tls_ca_cert: text(input.tls.tls_ca_cert),
            tls_client_cert: text(input.tls.tls_client_cert),
            tls_client_key: text(input.tls.tls_client_key),
            tls_skip_verify: Some(input.tls.tls_skip_verify.unwrap_or(false)),
            connect_timeout: input.tls.connect_timeout,
            request_timeout: input.tls.request_timeout,
        },
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding these locks leaves plain maps behind; they stay usable.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

pub(crate) fn internal(message: &str) -> ErrorPayload {
    ErrorPayload {
        code: ErrorCode::Storage,
        message: message.to_owned(),
        fields: Vec::new(),
        vault: None,
        connectors: Vec::new(),
    }
}

pub(crate) fn data_dir(dir: &DataDir) -> Result<&PathBuf, ErrorPayload> {
    dir.0.as_ref().map_err(Clone::clone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_edit_form_becomes_a_patch_that_sets_or_clears_every_field() {
        let input = VaultInput {
            name: "renamed".into(),
            url: "https://v:8200".into(),
            engine_name: "db".into(),
            engine_type: "postgresql".into(),
            db_role: Some("ro".into()),
            cache_ttl: Some("1h".into()),
            ..VaultInput::default()
        };
        let patch = form_patch(input);
        assert_eq!(patch.rename.as_deref(), Some("renamed"), "the name field renames");
        assert_eq!(patch.path.as_deref(), Some(""), "a field absent from the form is cleared, not kept");
        assert_eq!(patch.namespace.as_deref(), Some(""), "an empty namespace clears it");
        assert_eq!(patch.cache_ttl.as_deref(), Some("1h"));
        assert_eq!(patch.tls.tls_skip_verify, Some(false), "an unticked skip-verify turns it off");
        assert_eq!(patch.auth_mount, None, "no auth mount in the form keeps the stored one");
    }
}
