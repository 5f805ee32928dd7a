//! Keyring changes in progress, so that a process killed in the middle of one (`kill -9`, a
//! crash, the app closed by force) leaves nothing the next open cannot put right.
//!
//! A change that touches the keyring commits its intent (table `keyring_intents`) before the
//! first keyring write, and no SQLite write transaction is open while the keyring is written:
//!
//! | change | 1. commit | 2. keyring | 3. commit | 4. keyring | 5. commit |
//! |---|---|---|---|---|---|
//! | add | intent `staged` | write both entries | vault row, drop intent | | |
//! | update with new IDs | intent `staged` | write `ACCOUNT.pending` | vault row, intent `committed` | pending → entry, delete pending | drop intent |
//! | remove | delete row, intent `committed` | delete both entries | drop intent | | |
//!
//! Settling an intent left behind: a `staged` one is undone (an add's entries deleted, an
//! update's pending entries deleted: the vault keeps its old pair); a `committed` one is
//! completed (an update's pending entries moved into place, a remove's entries deleted). Every
//! step is idempotent, so a process killed while settling is settled again later. Before and
//! after, every vault has both entries, and every entry belongs to a vault or to an intent.
//!
//! Whose intent is abandoned: each process that writes intents holds an exclusive `flock` on
//! `locks/OWNER.lock` in the data directory for as long as its store is open; the kernel drops
//! it when the process dies. An intent whose owner's lock can be taken is abandoned; the one who
//! took the lock settles it (two processes never settle the same owner's intents at once).

use std::fs::File;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};
use secrecy::SecretString;

use super::Store;
use crate::keyring::CredentialStore;
use crate::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Op {
    Add,
    Update,
    Remove,
}

impl Op {
    fn as_str(self) -> &'static str {
        match self {
            Op::Add => "add",
            Op::Update => "update",
            Op::Remove => "remove",
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct Intent {
    pub vault_id: String,
    pub op: Op,
    pub committed: bool,
    pub vault_name: String,
    /// Which entries the change writes (update: the pending ones it stages).
    pub role_id: bool,
    pub secret_id: bool,
    pub owner: String,
}

/// The keyring account of a vault's entry (`which` is `role_id` or `secret_id`).
pub(super) fn account(store_id: &str, vault_id: &str, which: &str) -> String {
    format!("{store_id}/{vault_id}/{which}")
}

/// Where an update stages a new value until its vault row is committed.
pub(super) fn pending(account: &str) -> String {
    format!("{account}.pending")
}

pub(super) fn insert(conn: &Connection, i: &Intent) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO keyring_intents (vault_id, op, state, vault_name, role_id, secret_id, owner, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            i.vault_id,
            i.op.as_str(),
            if i.committed { "committed" } else { "staged" },
            i.vault_name,
            i.role_id,
            i.secret_id,
            i.owner,
            super::now()
        ],
    )?;
    Ok(())
}

pub(super) fn mark_committed(conn: &Connection, vault_id: &str) -> rusqlite::Result<()> {
    conn.execute("UPDATE keyring_intents SET state = 'committed' WHERE vault_id = ?1", [vault_id])?;
    Ok(())
}

pub(super) fn delete(conn: &Connection, vault_id: &str, owner: &str) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM keyring_intents WHERE vault_id = ?1 AND owner = ?2", [vault_id, owner])?;
    Ok(())
}

pub(super) fn all(conn: &Connection) -> rusqlite::Result<Vec<Intent>> {
    let mut stmt = conn.prepare(
        "SELECT vault_id, op, state, vault_name, role_id, secret_id, owner FROM keyring_intents \
         ORDER BY created_at",
    )?;
    let rows = stmt.query_map([], |r| {
        let op: String = r.get(1)?;
        let state: String = r.get(2)?;
        Ok(Intent {
            vault_id: r.get(0)?,
            op: match op.as_str() {
                "add" => Op::Add,
                "update" => Op::Update,
                _ => Op::Remove,
            },
            committed: state == "committed",
            vault_name: r.get(3)?,
            role_id: r.get(4)?,
            secret_id: r.get(5)?,
            owner: r.get(6)?,
        })
    })?;
    rows.collect()
}

fn vault_exists(conn: &Connection, vault_id: &str) -> rusqlite::Result<bool> {
    conn.query_row("SELECT 1 FROM vaults WHERE id = ?1", [vault_id], |_| Ok(()))
        .optional()
        .map(|r| r.is_some())
}

/// What settling an intent did, in a sentence without any secret.
pub(super) fn describe(i: &Intent, undone: bool) -> String {
    let what = match i.op {
        Op::Add => "add",
        Op::Update => "update of the IDs",
        Op::Remove => "removal",
    };
    let done = if undone { "undone" } else { "completed" };
    format!("an interrupted {what} of vault \"{}\" was {done}", i.vault_name)
}

/// Brings the keyring in line with the vault row for `i`; returns whether the change was undone
/// (else completed). The intent itself is left for the caller to drop. Idempotent.
pub(super) fn settle_keyring(
    conn: &Connection,
    keyring: &dyn CredentialStore,
    store_id: &str,
    i: &Intent,
) -> Result<bool> {
    let storage_free = |e: rusqlite::Error| Error::Internal { detail: e.to_string() };
    let accounts = [("role_id", i.role_id), ("secret_id", i.secret_id)];
    match (i.op, i.committed) {
        (Op::Add, _) => {
            // The row and the intent's removal commit together: a row means nothing to undo.
            if !vault_exists(conn, &i.vault_id).map_err(storage_free)? {
                for (which, _) in accounts {
                    keyring.delete(&account(store_id, &i.vault_id, which))?;
                }
            }
            Ok(true)
        }
        (Op::Update, false) => {
            for (which, _) in accounts.iter().filter(|(_, on)| *on) {
                keyring.delete(&pending(&account(store_id, &i.vault_id, which)))?;
            }
            Ok(true)
        }
        (Op::Update, true) => {
            for (which, _) in accounts.iter().filter(|(_, on)| *on) {
                let acct = account(store_id, &i.vault_id, which);
                if let Some(v) = keyring.get(&pending(&acct))? {
                    keyring.set(&acct, &v)?;
                    keyring.delete(&pending(&acct))?;
                }
            }
            Ok(false)
        }
        (Op::Remove, _) => {
            for (which, _) in accounts {
                keyring.delete(&account(store_id, &i.vault_id, which))?;
            }
            Ok(false)
        }
    }
}

/// The lock file of `owner`'s keyring changes (an owner is a random hex id; anything else
/// read from the database is not used as a path).
pub(super) fn lock_path(data_dir: &Path, owner: &str) -> Option<PathBuf> {
    (!owner.is_empty() && owner.len() <= 64 && owner.chars().all(|c| c.is_ascii_hexdigit()))
        .then(|| data_dir.join("locks").join(format!("{owner}.lock")))
}

/// Opens (creating) and locks `path` without waiting. `Ok(None)`: someone holds it.
pub(super) fn try_lock(path: &Path) -> std::io::Result<Option<File>> {
    if let Some(dir) = path.parent() {
        super::create_private_dir_io(dir)?;
    }
    let file = private_file(path)?;
    #[cfg(unix)]
    {
        use rustix::fs::{flock, FlockOperation};
        match flock(&file, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => Ok(Some(file)),
            Err(e) if e == rustix::io::Errno::WOULDBLOCK => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
    #[cfg(not(unix))]
    {
        // No advisory locks here: a foreign intent counts as abandoned (only Linux is tested).
        Ok(Some(file))
    }
}

fn private_file(path: &Path) -> std::io::Result<File> {
    let mut o = std::fs::OpenOptions::new();
    o.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)
}

impl Store {
    /// Takes this store's owner lock (once), before its first intent is written.
    pub(super) fn claim_owner(&mut self) -> Result<()> {
        if self.owner_lock.is_some() {
            return Ok(());
        }
        let err = |detail: String| Error::DataDir { path: self.data_dir.clone(), detail };
        let path = lock_path(&self.data_dir, &self.owner).ok_or_else(|| err("bad owner id".into()))?;
        match try_lock(&path) {
            Ok(Some(f)) => {
                self.owner_lock = Some(f);
                Ok(())
            }
            Ok(None) => Err(err(format!("{} is locked by another process", path.display()))),
            Err(e) => Err(err(format!("{}: {e}", path.display()))),
        }
    }

    /// Undoes this process's own change after a failure: the keyring part is settled and the
    /// intent dropped. If the keyring cannot be reached the intent stays, for the next open.
    pub(super) fn abandon(&mut self, i: &Intent) {
        let settled = settle_keyring(&self.conn, self.keyring.as_ref(), &self.store_id, i);
        if settled.is_ok() {
            let _ = delete(&self.conn, &i.vault_id, &i.owner);
        }
    }

    /// Settles the intents whose owner process is gone; returns what was done (and what could
    /// not be, with why). Takes no write lock when there is nothing to settle.
    pub(super) fn recover(&mut self) -> Vec<String> {
        let mut notes = Vec::new();
        let Ok(intents) = all(&self.conn) else { return notes };
        let mut owners: Vec<String> = intents.iter().map(|i| i.owner.clone()).collect();
        owners.sort();
        owners.dedup();
        for owner in owners.into_iter().filter(|o| *o != self.owner) {
            let Some(path) = lock_path(&self.data_dir, &owner) else { continue };
            let Ok(Some(lock)) = try_lock(&path) else { continue };
            // Read again under the lock: another process may have settled them meanwhile.
            let mine: Vec<Intent> =
                all(&self.conn).unwrap_or_default().into_iter().filter(|i| i.owner == owner).collect();
            let mut all_settled = true;
            for i in mine {
                match settle_keyring(&self.conn, self.keyring.as_ref(), &self.store_id, &i) {
                    Ok(undone) => match delete(&self.conn, &i.vault_id, &owner) {
                        Ok(()) => notes.push(describe(&i, undone)),
                        Err(e) => {
                            all_settled = false;
                            notes.push(format!("{} (not recorded: {e})", describe(&i, undone)));
                        }
                    },
                    Err(e) => {
                        all_settled = false;
                        notes.push(format!(
                            "an interrupted change of vault \"{}\" could not be settled yet: {e}",
                            i.vault_name
                        ));
                    }
                }
            }
            if all_settled {
                let _ = std::fs::remove_file(&path);
            }
            drop(lock);
        }
        notes
    }

    /// How many keyring changes are recorded as in progress (tests of the fast tier).
    #[cfg(any(test, feature = "test-keyring"))]
    pub fn intent_count(&self) -> Result<usize> {
        all(&self.conn).map(|v| v.len()).map_err(|e| self.storage_err(e))
    }
}

/// Writes a pending value; the caller records it in the intent first.
pub(super) fn stage(keyring: &dyn CredentialStore, account: &str, value: &SecretString) -> Result<()> {
    keyring.set(&pending(account), value)
}
