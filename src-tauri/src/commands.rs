//! The commands the window may invoke. Each is a one-liner onto `vaultdesk-core`, runs on
//! Tauri's async pool (never the UI thread: SQLite may wait on a busy lock) and returns the
//! core's `ErrorPayload` so the UI can branch on `code`.
//!
//! Adding a command means three edits: `generate_handler!` in `lib.rs`, the command list in
//! `build.rs`, and a grant in `capabilities/main.json`.

// `ErrorPayload` is the IPC contract (serialised once per failed call); its size is irrelevant.
#![allow(clippy::result_large_err)]

use std::path::PathBuf;

use serde::Serialize;
use tauri::State;
use ts_rs::TS;
use vaultdesk_core::validate::format_duration;
use vaultdesk_core::{ErrorPayload, Store, Vault};

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
}

impl From<Vault> for VaultSummary {
    fn from(vault: Vault) -> Self {
        let cache_ttl = format_duration(vault.spec.cache_ttl_secs);
        VaultSummary { vault, cache_ttl }
    }
}

/// Every stored vault, by name. The database is opened per call: the CLI may write to it at
/// the same time, and WAL plus a busy timeout make that safe.
#[tauri::command(async)]
pub(crate) fn list_vaults(dir: State<'_, DataDir>) -> Result<Vec<VaultSummary>, ErrorPayload> {
    let vaults = Store::open(data_dir(&dir)?).and_then(|s| s.list_vaults()).map_err(|e| e.payload())?;
    Ok(vaults.into_iter().map(VaultSummary::from).collect())
}

#[tauri::command(async)]
pub(crate) fn app_info(dir: State<'_, DataDir>) -> Result<AppInfo, ErrorPayload> {
    Ok(AppInfo {
        data_dir: data_dir(&dir)?.display().to_string(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    })
}

fn data_dir(dir: &DataDir) -> Result<&PathBuf, ErrorPayload> {
    dir.0.as_ref().map_err(Clone::clone)
}
