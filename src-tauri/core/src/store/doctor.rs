//! What is out of step between SQLite, the OS keyring and the data directory's files, and its
//! repair (`vaultdesk doctor [--repair]`, the app's notice).
//!
//! Orphaned keyring entries: the keyring crate cannot list entries, so the OS's own listing is
//! used where there is one ([`CredentialStore::list_accounts`]: on Linux a Secret Service search
//! for `service=vaultdesk`, keeping the accounts that start with this data directory's store
//! id). An entry is orphaned when its vault does not exist and no change in progress accounts
//! for it. Elsewhere the doctor says it cannot list, and only settles recorded changes.

use std::collections::BTreeSet;

use serde::Serialize;
use ts_rs::TS;

use super::{intents, vaults, Store};
use crate::Result;

/// What kind of thing is out of step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export_to = "../app-bindings/")]
pub enum FindingKind {
    /// A keyring entry of this data directory whose vault does not exist.
    OrphanedEntry,
    /// A vault whose Role ID or Secret ID is not in the keyring.
    MissingCredential,
    /// The data directory or a database file was readable by others.
    Permissions,
    /// A keyring change left by a process that stopped in the middle of it.
    InterruptedChange,
    /// The keyring could not be asked (unavailable, or it cannot list its entries here).
    KeyringUnchecked,
}

/// One thing out of step, in a sentence that names vaults and keyring accounts, never values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export_to = "../app-bindings/")]
pub struct DoctorFinding {
    pub kind: FindingKind,
    pub message: String,
    /// Already put right (when the store was opened, or by the repair).
    pub repaired: bool,
}

impl DoctorFinding {
    pub(super) fn fixed(kind: FindingKind, message: String) -> Self {
        DoctorFinding { kind, message, repaired: true }
    }
    fn open(kind: FindingKind, message: String) -> Self {
        DoctorFinding { kind, message, repaired: false }
    }
}

impl Store {
    /// Everything out of step, with what opening the store already put right; with `repair`,
    /// abandoned changes are settled and orphaned entries deleted. A vault missing an ID cannot
    /// be repaired here (the ID is not known): the finding says how to store it again.
    pub fn doctor(&mut self, repair: bool) -> Result<Vec<DoctorFinding>> {
        let mut findings = self.opened.clone();
        if repair {
            let settled = self.recover();
            findings
                .extend(settled.into_iter().map(|m| DoctorFinding::fixed(FindingKind::InterruptedChange, m)));
        }
        let in_progress = intents::all(&self.conn).map_err(|e| self.storage_err(e))?;
        for i in &in_progress {
            findings.push(DoctorFinding::open(
                FindingKind::InterruptedChange,
                format!(
                    "a change of vault \"{}\" is in progress or could not be settled yet (another \
                     vaultdesk may be running; it is settled when that one ends)",
                    i.vault_name
                ),
            ));
        }
        let vaults = vaults::all(&self.conn).map_err(|e| self.storage_err(e))?;
        for v in &vaults {
            if in_progress.iter().any(|i| i.vault_id == v.id) {
                continue;
            }
            let loc = self.keyring_location(v);
            for (which, flag, acct) in [
                ("Role ID", "role-id", &loc.role_id_account),
                ("Secret ID", "secret-id", &loc.secret_id_account),
            ] {
                match self.keyring.get(acct) {
                    Ok(Some(_)) => {}
                    Ok(None) => findings.push(DoctorFinding::open(
                        FindingKind::MissingCredential,
                        format!(
                            "vault \"{}\" has no {which} in the OS keyring (account {acct}); store it \
                             again with `vaultdesk vault update {} --{flag}-file FILE`",
                            v.spec.name, v.spec.name
                        ),
                    )),
                    Err(e) => {
                        findings.push(DoctorFinding::open(FindingKind::KeyringUnchecked, e.to_string()));
                        return Ok(findings);
                    }
                }
            }
        }
        let prefix = format!("{}/", self.store_id);
        let accounts = match self.keyring.list_accounts(&prefix) {
            Ok(Some(a)) => a,
            Ok(None) => {
                findings.push(DoctorFinding::open(
                    FindingKind::KeyringUnchecked,
                    "this platform's keyring cannot list its entries: orphaned entries are not looked for"
                        .into(),
                ));
                return Ok(findings);
            }
            Err(e) => {
                findings.push(DoctorFinding::open(FindingKind::KeyringUnchecked, e.to_string()));
                return Ok(findings);
            }
        };
        let ids: BTreeSet<&str> = vaults.iter().map(|v| v.id.as_str()).collect();
        let changing: BTreeSet<&str> = in_progress.iter().map(|i| i.vault_id.as_str()).collect();
        for acct in accounts {
            let rest = acct.strip_prefix(&prefix).unwrap_or(&acct);
            let (vault_id, which) = rest.split_once('/').unwrap_or((rest, ""));
            let known = matches!(which, "role_id" | "secret_id") && ids.contains(vault_id);
            if known || changing.contains(vault_id) {
                continue;
            }
            let mut f = DoctorFinding::open(
                FindingKind::OrphanedEntry,
                format!("keyring entry {acct} belongs to no vault of this data directory"),
            );
            if repair {
                self.keyring.delete(&acct)?;
                f.message.push_str("; removed");
                f.repaired = true;
            }
            findings.push(f);
        }
        if repair {
            self.remove_stale_locks();
        }
        Ok(findings)
    }

    /// Lock files of processes that ended with no change left (a process killed between taking
    /// its lock and recording a change, or after its last one).
    fn remove_stale_locks(&self) {
        let Ok(entries) = std::fs::read_dir(self.data_dir.join("locks")) else { return };
        let owners: BTreeSet<String> =
            intents::all(&self.conn).unwrap_or_default().into_iter().map(|i| i.owner).collect();
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let Some(owner) = name.strip_suffix(".lock") else { continue };
            if owner == self.owner || owners.contains(owner) {
                continue;
            }
            if let Ok(Some(_lock)) = intents::try_lock(&e.path()) {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}
