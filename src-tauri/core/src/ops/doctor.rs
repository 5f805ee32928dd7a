//! The doctor: what is out of step between SQLite, the OS keyring and the data directory's files
//! (`vaultdesk doctor`, and the app's notice), and its repair.

use serde::Serialize;
use ts_rs::TS;

use super::Core;
use crate::store::DoctorFinding;
use crate::Result;

/// Everything the doctor found, including what opening the store already put right.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export_to = "../app-bindings/")]
pub struct DoctorReport {
    pub findings: Vec<DoctorFinding>,
}

impl DoctorReport {
    /// Whether something is still out of step (not repaired).
    pub fn needs_attention(&self) -> bool {
        self.findings.iter().any(|f| !f.repaired)
    }
}

impl Core {
    /// Lists what is out of step; with `repair`, settles abandoned keyring changes and removes
    /// orphaned keyring entries of this data directory. A vault missing an ID stays a finding
    /// (its ID is not known here). Reads only, without `repair`.
    pub async fn doctor(&self, repair: bool) -> Result<DoctorReport> {
        if repair {
            return self.with_store(move |store| Ok(DoctorReport { findings: store.doctor(true)? })).await;
        }
        // The keyring is read after the store is released: the list must not wait for it.
        let snapshot = self.with_store(|store| store.doctor_snapshot(false)).await?;
        let check = tokio::task::spawn_blocking(move || snapshot.check()).await.map_err(|e| {
            crate::Error::Internal { detail: format!("the doctor's check stopped unexpectedly: {e}") }
        })?;
        Ok(DoctorReport { findings: check.findings })
    }
}
