//! The keyring half of a change: every write and delete a change makes, remembered with what the
//! entry held before, so a failure (of the keyring itself or of the SQLite commit that follows)
//! puts every entry back. One helper for add, update and remove.

use rusqlite::Transaction;
use secrecy::SecretString;

use crate::keyring::CredentialStore;
use crate::{Error, Result};

pub(super) struct KeyringTx<'a> {
    keyring: &'a dyn CredentialStore,
    /// (account, what it held before), in the order changed.
    undo: Vec<(String, Option<SecretString>)>,
}

impl<'a> KeyringTx<'a> {
    pub(super) fn new(keyring: &'a dyn CredentialStore) -> Self {
        KeyringTx { keyring, undo: Vec::new() }
    }

    /// Writes an entry this change creates (a new vault's): undoing deletes it. No read first.
    pub(super) fn create(&mut self, account: &str, value: &SecretString) -> Result<()> {
        self.keyring.set(account, value)?;
        self.undo.push((account.to_owned(), None));
        Ok(())
    }

    /// Replaces an entry; undoing restores what it held (or deletes it if it held nothing).
    pub(super) fn replace(&mut self, account: &str, value: &SecretString) -> Result<()> {
        let before = self.keyring.get(account)?;
        self.keyring.set(account, value)?;
        self.undo.push((account.to_owned(), before));
        Ok(())
    }

    /// Deletes an entry (a missing one is fine); undoing writes it back.
    pub(super) fn delete(&mut self, account: &str) -> Result<()> {
        let before = self.keyring.get(account)?;
        self.keyring.delete(account)?;
        self.undo.push((account.to_owned(), before));
        Ok(())
    }

    /// Puts every changed entry back, last change first. Best effort: the error that led here is
    /// the one worth reporting.
    fn rollback(self) {
        for (account, before) in self.undo.into_iter().rev() {
            let _ = match before {
                Some(v) => self.keyring.set(&account, &v),
                None => self.keyring.delete(&account),
            };
        }
    }
}

/// Runs the keyring part of a change inside the open SQLite transaction `tx`, then commits it.
/// If the keyring part or the commit fails, the keyring is restored and the transaction rolled
/// back (dropping it): SQLite and the keyring keep agreeing.
pub(super) fn commit_with_keyring(
    tx: Transaction<'_>,
    keyring: &dyn CredentialStore,
    storage: impl Fn(rusqlite::Error) -> Error,
    change: impl FnOnce(&mut KeyringTx<'_>) -> Result<()>,
) -> Result<()> {
    let mut ktx = KeyringTx::new(keyring);
    if let Err(e) = change(&mut ktx) {
        ktx.rollback();
        return Err(e);
    }
    if let Err(e) = tx.commit() {
        ktx.rollback();
        return Err(storage(e));
    }
    Ok(())
}
