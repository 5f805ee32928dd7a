//! What is out of step between SQLite, the OS keyring and the data directory's files, and its
//! repair (`vaultdesk doctor [--repair]`, the app's notice).
//!
//! Orphaned keyring entries: the keyring crate cannot list entries, so the OS's own listing is
//! used where there is one ([`CredentialStore::list_accounts`]: on Linux a Secret Service search
//! for `service=vaultdesk`, keeping the accounts that start with this data directory's store
//! id). An entry is orphaned when its vault does not exist and no change in progress accounts
//! for it. Elsewhere the doctor says it cannot list, and only settles recorded changes.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::Serialize;
use ts_rs::TS;

use super::{intents, vaults, Store};
use crate::keyring::CredentialStore;
use crate::model::AuthMethod;
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

/// What the doctor needs from SQLite, taken under the store's lock; the keyring is asked
/// afterwards ([`DoctorSnapshot::check`]) so that a slow keyring never holds up other users of
/// the store (the window's vault list waited for it).
pub struct DoctorSnapshot {
    findings: Vec<DoctorFinding>,
    changing: BTreeSet<String>,
    /// (vault name, login method, Role ID account, secret account) of every vault not being
    /// changed.
    vaults: Vec<(String, AuthMethod, String, String)>,
    /// Vault id → whether its login method uses the first entry (Role ID, Access Key ID), and
    /// whether it uses the secret entry at all.
    ids: BTreeMap<String, (bool, bool)>,
    prefix: String,
    keyring: Arc<dyn CredentialStore>,
}

/// The doctor's findings, and the orphaned keyring accounts among them (for the repair).
pub struct DoctorCheck {
    pub findings: Vec<DoctorFinding>,
    orphans: Vec<(usize, String)>,
}

impl DoctorSnapshot {
    /// Asks the keyring: a missing ID of a vault, entries of this data directory that belong to
    /// no vault. Reads only; blocking.
    pub fn check(self) -> DoctorCheck {
        let mut findings = self.findings;
        let mut orphans = Vec::new();
        for (name, method, role_acct, secret_acct) in &self.vaults {
            let flag = method.secret_field().replace('_', "-");
            let first_flag = method.role_id_field().replace('_', "-");
            let parts = [
                (method.role_id_label(), first_flag.as_str(), role_acct),
                (method.secret_label(), flag.as_str(), secret_acct),
            ];
            let wanted = if method.stores_secret() { 2 - usize::from(!method.uses_role_id()) } else { 0 };
            for (which, flag, acct) in parts.into_iter().skip(2 - wanted) {
                match self.keyring.get(acct) {
                    Ok(Some(_)) => {}
                    Ok(None) => findings.push(DoctorFinding::open(
                        FindingKind::MissingCredential,
                        format!(
                            "vault \"{name}\" has no {which} in the OS keyring (account {acct}); store it \
                             again with `vaultdesk vault update {name} --{}-file FILE`",
                            flag
                        ),
                    )),
                    Err(e) => {
                        findings.push(DoctorFinding::open(FindingKind::KeyringUnchecked, e.to_string()));
                        return DoctorCheck { findings, orphans };
                    }
                }
            }
        }
        let accounts = match self.keyring.list_accounts(&self.prefix) {
            Ok(Some(a)) => a,
            Ok(None) => {
                findings.push(DoctorFinding::open(
                    FindingKind::KeyringUnchecked,
                    "this platform's keyring cannot list its entries: orphaned entries are not looked for"
                        .into(),
                ));
                return DoctorCheck { findings, orphans };
            }
            Err(e) => {
                findings.push(DoctorFinding::open(FindingKind::KeyringUnchecked, e.to_string()));
                return DoctorCheck { findings, orphans };
            }
        };
        for acct in accounts {
            let rest = acct.strip_prefix(&self.prefix).unwrap_or(&acct);
            let (vault_id, which) = rest.split_once('/').unwrap_or((rest, ""));
            let known = match (which, self.ids.get(vault_id)) {
                ("secret_id", Some((_, may_keep_secret))) => *may_keep_secret,
                ("role_id", Some((uses_role_id, _))) => *uses_role_id,
                _ => false,
            };
            if known || self.changing.contains(vault_id) {
                continue;
            }
            orphans.push((findings.len(), acct.clone()));
            findings.push(DoctorFinding::open(
                FindingKind::OrphanedEntry,
                format!("keyring entry {acct} belongs to no vault of this data directory"),
            ));
        }
        DoctorCheck { findings, orphans }
    }
}

impl Store {
    /// What the doctor needs from SQLite (and what opening the store already put right); with
    /// `repair`, abandoned changes are settled first.
    pub fn doctor_snapshot(&mut self, repair: bool) -> Result<DoctorSnapshot> {
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
        let changing: BTreeSet<String> = in_progress.iter().map(|i| i.vault_id.clone()).collect();
        let all = vaults::all(&self.conn).map_err(|e| self.storage_err(e))?;
        let ids = all
            .iter()
            .map(|v| {
                // An OIDC vault may keep a remembered token in its secret entry; the AWS default
                // chain keeps nothing.
                let m = v.spec.auth_method;
                (v.id.clone(), (m.uses_role_id(), m != AuthMethod::AwsDefault))
            })
            .collect();
        let vaults = all
            .iter()
            // A vault imported without credentials has none yet, by design: not out of step.
            .filter(|v| !changing.contains(&v.id) && !v.needs_credentials)
            .map(|v| {
                let loc = self.keyring_location(v);
                (v.spec.name.clone(), v.spec.auth_method, loc.role_id_account, loc.secret_id_account)
            })
            .collect();
        Ok(DoctorSnapshot {
            findings,
            changing,
            vaults,
            ids,
            prefix: format!("{}/", self.store_id),
            keyring: self.keyring.clone(),
        })
    }

    /// Everything out of step, with what opening the store already put right; with `repair`,
    /// abandoned changes are settled and orphaned entries deleted. A vault missing an ID cannot
    /// be repaired here (the ID is not known): the finding says how to store it again.
    pub fn doctor(&mut self, repair: bool) -> Result<Vec<DoctorFinding>> {
        let check = self.doctor_snapshot(repair)?.check();
        if !repair {
            return Ok(check.findings);
        }
        let mut findings = check.findings;
        for (i, acct) in check.orphans {
            self.keyring.delete(&acct)?;
            findings[i].message.push_str("; removed");
            findings[i].repaired = true;
        }
        self.remove_stale_locks();
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
