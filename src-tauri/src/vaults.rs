//! The vault commands. Each unpacks the window's state and calls one use case of
//! `vaultdesk_core::Core` (which does its SQLite and keyring work off the async workers); errors
//! reach the UI as `ErrorPayload`, so a form can branch on `code` and put `fields` under their
//! inputs.
//!
//! Role ID and Secret ID arrive as `SecretString`s straight from the IPC payload and only go
//! back out to the keyring or to Vault; no command returns them.

// `ErrorPayload` is the IPC contract (serialised once per failed call); its size is irrelevant.
#![allow(clippy::result_large_err)]

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use serde::Serialize;
use tauri::async_runtime::spawn;
use tauri::State;
use tokio::task::AbortHandle;
use ts_rs::TS;
use vaultdesk_core::ops::{DoctorReport, OidcLoginReport, RefreshReport, TestTarget, VaultSummary};
use vaultdesk_core::provider::{self, StageReport, TestReport};
use vaultdesk_core::{CredentialsPatch, Error, ErrorPayload, SecretString, VaultInput, VaultPatch};

use crate::AppState;

/// What the window shows about itself.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export_to = "../app-bindings/")]
pub struct AppInfo {
    /// The data directory in use: `--data-dir`, else `$VAULTDESK_DATA_DIR`, else the platform's.
    pub data_dir: String,
    /// The app's version (`Cargo.toml`).
    pub version: String,
    /// Started by `vaultdesk demo` (the `--demo` argument) on its throwaway data directory.
    pub demo: bool,
}

/// Tests in flight, by the request id the UI chose, so `cancel_test` can abort one. An id
/// cancelled before its test started (still validating) is remembered and never starts.
#[derive(Default)]
pub(crate) struct RunningTests {
    running: Mutex<HashMap<String, AbortHandle>>,
    cancelled_early: Mutex<HashSet<String>>,
}

#[tauri::command(async)]
pub(crate) fn app_info(state: State<'_, AppState>) -> Result<AppInfo, ErrorPayload> {
    let dir = state.data_dir.as_ref().map_err(Clone::clone)?;
    Ok(AppInfo {
        data_dir: dir.display().to_string(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        demo: state.demo,
    })
}

/// What is out of step between the database, the OS keyring and the data directory's files
/// (read only; `vaultdesk doctor --repair` repairs). The window shows a notice when there is
/// something.
#[tauri::command]
pub(crate) async fn doctor(state: State<'_, AppState>) -> Result<DoctorReport, ErrorPayload> {
    Ok(state.core()?.doctor(false).await?)
}

/// Every stored vault, by name, with the connectors using each.
#[tauri::command]
pub(crate) async fn list_vaults(state: State<'_, AppState>) -> Result<Vec<VaultSummary>, ErrorPayload> {
    Ok(state.core()?.list_vaults().await?)
}

/// What the "+ Vault" form starts with: `VAULT_ADDR`, `VAULT_NAMESPACE` and `VAULT_CACERT`
/// from the app's environment, as the CLI's `vault add` uses them.
#[tauri::command(async)]
pub(crate) fn vault_defaults() -> VaultInput {
    VaultInput::default().with_env_defaults()
}

/// Validates and stores a new vault; its login secrets go to the OS keyring. `secret_id` is the
/// secret part of the form's login method (Secret ID, token or password); with
/// `secret_id_wrapped` it is a wrapping token, unwrapped once here. Nothing is stored on failure.
#[tauri::command]
pub(crate) async fn add_vault(
    state: State<'_, AppState>,
    input: VaultInput,
    role_id: Option<SecretString>,
    secret_id: Option<SecretString>,
    secret_id_wrapped: bool,
    token_from_env: bool,
) -> Result<VaultSummary, ErrorPayload> {
    let creds =
        CredentialsPatch { role_id, secret_id, reuse_credentials: false, secret_id_wrapped, token_from_env };
    Ok(state.core()?.add_vault(input, creds).await?)
}

/// Signs in to the OIDC vault `name` in the admin's browser: sends the provider's URL to
/// `on_url` (the window shows it, in case no browser opens), opens it, and waits (at most five
/// minutes) for the browser to come back. The token stays in the app's memory, or in the OS
/// keyring until it expires with `remember`; it never reaches the window.
#[tauri::command]
pub(crate) async fn oidc_login(
    state: State<'_, AppState>,
    name: String,
    remember: bool,
    on_url: tauri::ipc::Channel<String>,
) -> Result<OidcLoginReport, ErrorPayload> {
    let core = state.core()?;
    let pending = core.oidc_login_start(name).await?;
    let url = pending.auth_url().to_owned();
    let _ = on_url.send(url.clone());
    vaultdesk_core::desktop::open_url(&url);
    Ok(core.oidc_login_finish(pending, remember, std::time::Duration::from_secs(300)).await?)
}

/// "Refresh now": drops the vault's cached secret and token so that the next read is fresh.
#[tauri::command]
pub(crate) async fn refresh_vault(
    state: State<'_, AppState>,
    name: String,
) -> Result<RefreshReport, ErrorPayload> {
    Ok(state.core()?.refresh_vault(name).await?)
}

/// Stores the edit form of the vault `name`: every field as submitted (empty clears an optional
/// one), the IDs replaced only when given. A change of server keeps the stored IDs only with
/// `reuse_credentials`, which the form sets after the admin confirmed it (`confirm_credentials`
/// otherwise).
#[tauri::command]
pub(crate) async fn update_vault(
    state: State<'_, AppState>,
    name: String,
    input: VaultInput,
    role_id: Option<SecretString>,
    secret_id: Option<SecretString>,
    reuse_credentials: bool,
    secret_id_wrapped: bool,
    token_from_env: bool,
) -> Result<VaultSummary, ErrorPayload> {
    let creds = CredentialsPatch { role_id, secret_id, reuse_credentials, secret_id_wrapped, token_from_env };
    Ok(state.core()?.update_vault(name, VaultPatch::from_form(input), creds).await?)
}

/// Removes the vault and its keyring entries. Refused (`in_use`, naming them) while connectors
/// use it, unless `force`: then their selection is cleared and their references stay.
#[tauri::command]
pub(crate) async fn remove_vault(
    state: State<'_, AppState>,
    name: String,
    force: bool,
) -> Result<(), ErrorPayload> {
    state.core()?.remove_vault(name, force).await?;
    Ok(())
}

/// Runs the staged Test on a form, saved or not, sending each stage to `on_stage` as it ends.
/// `existing` names the stored vault an edit form belongs to: IDs left empty come from its
/// keyring entries, as long as the server is the one they were stored for or
/// `reuse_credentials` confirms it. Resolves to `null` when `cancel_test(request_id)` aborted it.
#[tauri::command]
#[allow(clippy::too_many_arguments)]
pub(crate) async fn test_vault(
    state: State<'_, AppState>,
    tests: State<'_, RunningTests>,
    input: VaultInput,
    role_id: Option<SecretString>,
    secret_id: Option<SecretString>,
    existing: Option<String>,
    reuse_credentials: bool,
    secret_id_wrapped: bool,
    token_from_env: bool,
    request_id: String,
    on_stage: tauri::ipc::Channel<StageReport>,
) -> Result<Option<TestReport>, ErrorPayload> {
    let target = match existing {
        Some(name) => TestTarget::Stored { name, patch: VaultPatch::from_form(input) },
        None => TestTarget::Unsaved(input),
    };
    // A Test of the stored vault with its stored Secret ID: what it learns of that Secret ID
    // (expiry, uses left) is kept for the list.
    let stored = match &target {
        TestTarget::Stored { name, .. } if secret_id.is_none() => Some(name.clone()),
        _ => None,
    };
    let creds = CredentialsPatch { role_id, secret_id, reuse_credentials, secret_id_wrapped, token_from_env };
    let core = state.core()?;
    let (spec, creds) = core.prepare_test(target, creds).await?;
    let report = run_cancellable(&tests, request_id, async move {
        let mut send = |stage: &StageReport| {
            let _ = on_stage.send(stage.clone());
        };
        provider::test(&spec, &creds, &mut send).await
    })
    .await?;
    if let (Some(name), Some(r)) = (stored, &report) {
        core.record_test(name, r).await?;
    }
    Ok(report)
}

/// Runs a test as a task `cancel_test(request_id)` can abort: `None` when it was, or when it
/// was cancelled before it started.
pub(crate) async fn run_cancellable<T: Send + 'static>(
    tests: &RunningTests,
    request_id: String,
    test: impl std::future::Future<Output = T> + Send + 'static,
) -> Result<Option<T>, ErrorPayload> {
    let handle = {
        let mut running = lock(&tests.running);
        if lock(&tests.cancelled_early).remove(&request_id) {
            return Ok(None);
        }
        let handle = spawn(test);
        running.insert(request_id.clone(), handle.inner().abort_handle());
        handle
    };
    let outcome = handle.await;
    lock(&tests.running).remove(&request_id);
    match outcome {
        Ok(report) => Ok(Some(report)),
        Err(tauri::Error::JoinError(e)) if e.is_cancelled() => Ok(None),
        Err(e) => Err(Error::Internal { detail: format!("the test stopped unexpectedly: {e}") }.into()),
    }
}

/// Aborts the test started with `request_id` (a vault's or a connector's); its call resolves to
/// `null`.
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

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding these locks leaves plain maps behind; they stay usable.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
