//! The lease commands: the credentials vaultdesk obtained with a lease (previews, tests,
//! exports, renders), listed without their password, renewed and revoked through the vault's
//! session; and the end of the editor's previews. Each calls one use case of
//! `vaultdesk_core::Core` (`ops/leases.rs`).

#![allow(clippy::result_large_err)]

use tauri::State;
use vaultdesk_core::model::{LeaseRecord, LeaseState};
use vaultdesk_core::ops::LeaseOutcome;
use vaultdesk_core::store::LeaseFilter;
use vaultdesk_core::ErrorPayload;

use crate::AppState;

/// The recorded leases, newest first, of `vault` (any when `null`) in `state` (any when `null`).
#[tauri::command]
pub(crate) async fn list_leases(
    state: State<'_, AppState>,
    vault: Option<String>,
    lease_state: Option<LeaseState>,
) -> Result<Vec<LeaseRecord>, ErrorPayload> {
    let filter = LeaseFilter { vault, state: lease_state, active: false };
    Ok(state.core()?.list_leases(filter).await?)
}

/// Renews a lease by its duration when issued.
#[tauri::command]
pub(crate) async fn renew_lease(
    state: State<'_, AppState>,
    lease_id: String,
) -> Result<LeaseRecord, ErrorPayload> {
    Ok(state.core()?.renew_lease(lease_id, None).await?)
}

/// Revokes a lease now (the database user is dropped).
#[tauri::command]
pub(crate) async fn revoke_lease(
    state: State<'_, AppState>,
    lease_id: String,
) -> Result<LeaseRecord, ErrorPayload> {
    Ok(state.core()?.revoke_lease(lease_id).await?)
}

/// Revokes every live lease of `vault`; one refused does not stop the others.
#[tauri::command]
pub(crate) async fn revoke_vault_leases(
    state: State<'_, AppState>,
    vault: String,
) -> Result<Vec<LeaseOutcome>, ErrorPayload> {
    Ok(state.core()?.revoke_vault_leases(vault).await?)
}

/// Revokes the preview and test credentials a vaultdesk process that has ended left live.
#[tauri::command]
pub(crate) async fn revoke_left_over_previews(
    state: State<'_, AppState>,
) -> Result<Vec<LeaseOutcome>, ErrorPayload> {
    Ok(state.core()?.revoke_left_over_previews().await?)
}

/// The connector editor closed: its previews' and tests' credentials are revoked (exported
/// ones are kept).
#[tauri::command]
pub(crate) async fn end_previews(state: State<'_, AppState>) -> Result<(), ErrorPayload> {
    Ok(state.core()?.end_previews().await?)
}
