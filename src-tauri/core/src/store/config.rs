//! What `vault import-config` needs from the store: the whole file checked against the stored
//! rows before anything is written, and a vault stored without its credentials ("needs
//! credentials").

use std::collections::BTreeSet;

use super::{connectors, now, vaults, Store};
use crate::connector::ConnectorInput;
use crate::model::{Vault, VaultInput};
use crate::validate::{validate_input, FieldError, ValidationErrors};
use crate::{Error, Result};

/// An entry of an import that is checked: its place in the file and its name, for messages.
fn entry(list: &str, i: usize, name: &str) -> String {
    format!("{list}[{i}] \"{}\"", name.trim())
}

/// `e` as a field of the entry `at`.
fn prefixed(at: &str, e: FieldError) -> FieldError {
    FieldError::new(format!("{at}.{}", e.field), e.message)
}

/// The names of an import's entries that already exist and are left as they are
/// (`--skip-existing`), as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSkips {
    pub vaults: Vec<String>,
    pub connectors: Vec<String>,
}

impl Store {
    /// Checks an import as a whole: every vault's fields, every connector's fields and
    /// references (against the stored vaults and the file's), and names already used (refused,
    /// or with `skip_existing` left out and returned). Runs in a write transaction that inserts the
    /// file's rows and is always rolled back, so the checks are Save's own; nothing is written.
    /// Every problem is reported at once, each field prefixed with its entry
    /// (`vaults[1] "prod".url`).
    pub fn check_import(
        &mut self,
        vaults_in: &[VaultInput],
        connectors_in: &[ConnectorInput],
        skip_existing: bool,
    ) -> Result<ImportSkips> {
        let path = self.db_path.clone();
        let storage = super::storage_error(&path);
        let tx = self.write_tx()?;
        let mut errs = ValidationErrors(Vec::new());
        let mut skips = ImportSkips::default();
        let mut seen = BTreeSet::new();
        for (i, input) in vaults_in.iter().enumerate() {
            let at = entry("vaults", i, &input.name);
            if !seen.insert(input.name.trim().to_lowercase()) {
                errs.push(&format!("{at}.name"), "appears twice in the file");
                continue;
            }
            if let Some(v) = vaults::find_by_name(&tx, &input.name).map_err(&storage)? {
                if skip_existing {
                    skips.vaults.push(v.spec.name);
                    continue;
                }
            }
            match validate_input(input) {
                Err(e) => errs.0.extend(e.0.into_iter().map(|f| prefixed(&at, f))),
                Ok(spec) => {
                    if let Some(v) = vaults::find_by_name(&tx, &spec.name).map_err(&storage)? {
                        errs.push(
                            &format!("{at}.name"),
                            format!(
                                "a vault named \"{}\" already exists (use --skip-existing to leave it as it is)",
                                v.spec.name
                            ),
                        );
                        continue;
                    }
                    let now = now();
                    let row = Vault {
                        id: uuid::Uuid::new_v4().to_string(),
                        spec,
                        created_at: now.clone(),
                        updated_at: now,
                        secret_id_status: None,
                        needs_credentials: true,
                    };
                    vaults::insert(&tx, &row).map_err(&storage)?;
                }
            }
        }
        let mut seen = BTreeSet::new();
        for (i, input) in connectors_in.iter().enumerate() {
            let at = entry("connectors", i, &input.name);
            if !seen.insert(input.name.trim().to_lowercase()) {
                errs.push(&format!("{at}.name"), "appears twice in the file");
                continue;
            }
            if let Some(c) = connectors::find(&tx, &input.name).map_err(&storage)? {
                if skip_existing {
                    skips.connectors.push(c.name);
                    continue;
                }
                errs.push(
                    &format!("{at}.name"),
                    format!(
                        "a connector named \"{}\" already exists (use --skip-existing to leave it as it is)",
                        c.name
                    ),
                );
                continue;
            }
            match connectors::check_all(&tx, input, &storage) {
                Ok(_) => {}
                Err(Error::InvalidConnector(e)) => errs.0.extend(e.0.into_iter().map(|f| prefixed(&at, f))),
                Err(e) => return Err(e),
            }
        }
        // Dropping the transaction rolls it back: the checks wrote nothing.
        drop(tx);
        if errs.is_empty() {
            Ok(skips)
        } else {
            Err(Error::InvalidImport(errs))
        }
    }

    /// Stores a vault without its credentials: its row, marked "needs credentials" (nothing in
    /// the keyring, so no keyring change to make crash-safe). `vault update` with its IDs, or the
    /// form, completes it.
    pub fn add_vault_needing_credentials(&mut self, input: &VaultInput) -> Result<Vault> {
        let spec = validate_input(input).map_err(Error::Invalid)?;
        let now = now();
        let vault = Vault {
            id: uuid::Uuid::new_v4().to_string(),
            // A login method that stores nothing (OIDC, the AWS default chain) needs nothing.
            needs_credentials: spec.auth_method.stores_secret(),
            spec,
            created_at: now.clone(),
            updated_at: now,
            secret_id_status: None,
        };
        let path = self.db_path.clone();
        let storage = super::storage_error(&path);
        let tx = self.write_tx()?;
        if let Some(existing) = vaults::find_by_name(&tx, &vault.spec.name).map_err(&storage)? {
            return Err(Error::VaultExists { name: existing.spec.name });
        }
        vaults::insert(&tx, &vault).map_err(&storage)?;
        tx.commit().map_err(&storage)?;
        Ok(vault)
    }
}
