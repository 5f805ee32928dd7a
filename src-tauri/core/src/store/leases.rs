//! Lease records: the credentials vaultdesk obtained with a lease, written when they are
//! obtained and updated as they are renewed, revoked or run out. No password or token is ever
//! written here (see `model/lease.rs`).
//!
//! A preview's or test's credentials belong to the process that obtained them (`owner`, the
//! store's owner id, whose lock file `locks/OWNER.lock` the process holds while it runs): they
//! are left over when that process is gone and they are still live.

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::intents::{lock_path, try_lock};
use super::{now, Store};
use crate::model::{LeasePurpose, LeaseRecord, LeaseState};
use crate::{Error, Result};

/// A lease obtained now, to record.
#[derive(Debug, Clone)]
pub struct NewLease {
    pub lease_id: String,
    pub vault_id: String,
    pub vault_name: String,
    pub role: String,
    pub username: String,
    pub purpose: LeasePurpose,
    pub subject: String,
    pub export_path: Option<String>,
    pub issued_at: chrono::DateTime<chrono::Utc>,
    pub ttl_secs: u64,
    pub renewable: bool,
}

/// Which records to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeaseFilter {
    /// A vault's name (case-insensitive), as it is now or was when the lease was issued.
    pub vault: Option<String>,
    pub state: Option<LeaseState>,
    /// Live and renewed only.
    pub active: bool,
}

pub(crate) fn stamp(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

const SELECT: &str = "SELECT l.lease_id, l.vault_id, COALESCE(v.name, l.vault_name), v.id IS NOT NULL, \
     l.role, l.username, l.purpose, l.subject, l.export_path, l.issued_at, l.expires_at, l.ttl_secs, \
     l.renewable, l.state, l.updated_at, l.owner \
     FROM leases l LEFT JOIN vaults v ON v.id = l.vault_id";

fn read(r: &Row<'_>) -> rusqlite::Result<(LeaseRecord, String)> {
    let purpose: String = r.get(6)?;
    let state: String = r.get(13)?;
    let bad = |what: &str, v: &str| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            format!("unknown lease {what} \"{v}\"").into(),
        )
    };
    Ok((
        LeaseRecord {
            lease_id: r.get(0)?,
            vault_id: r.get(1)?,
            vault: r.get(2)?,
            vault_exists: r.get(3)?,
            role: r.get(4)?,
            username: r.get(5)?,
            purpose: LeasePurpose::parse(&purpose).ok_or_else(|| bad("purpose", &purpose))?,
            subject: r.get(7)?,
            export_path: r.get(8)?,
            issued_at: r.get(9)?,
            expires_at: r.get(10)?,
            ttl_secs: u64::try_from(r.get::<_, i64>(11)?).unwrap_or(0),
            renewable: r.get(12)?,
            state: LeaseState::parse(&state).ok_or_else(|| bad("state", &state))?,
            updated_at: r.get(14)?,
        },
        r.get(15)?,
    ))
}

/// Live or renewed leases whose end has passed become expired.
fn expire_past(conn: &Connection) -> rusqlite::Result<usize> {
    let now = now();
    // Read first: an up-to-date table takes no write lock.
    let due: i64 = conn.query_row(
        "SELECT count(*) FROM leases WHERE state IN ('live', 'renewed') AND expires_at IS NOT NULL \
         AND expires_at <= ?1",
        [&now],
        |r| r.get(0),
    )?;
    if due == 0 {
        return Ok(0);
    }
    conn.execute(
        "UPDATE leases SET state = 'expired', updated_at = ?1 WHERE state IN ('live', 'renewed') \
         AND expires_at IS NOT NULL AND expires_at <= ?1",
        [&now],
    )
}

impl Store {
    /// Records a lease just obtained. Credentials served again from the cache keep the record
    /// of their first use (what they were issued for).
    pub fn record_lease(&mut self, l: &NewLease) -> Result<()> {
        if !l.purpose.is_kept() {
            // Whether this process is still running tells a left-over preview from a live one.
            let _ = self.claim_owner();
        }
        let expires = (l.ttl_secs > 0).then(|| {
            stamp(
                l.issued_at + chrono::Duration::seconds(i64::try_from(l.ttl_secs).unwrap_or(i64::MAX / 1000)),
            )
        });
        let now = now();
        self.conn
            .execute(
                "INSERT OR IGNORE INTO leases (lease_id, vault_id, vault_name, role, username, purpose, \
                 subject, export_path, issued_at, expires_at, ttl_secs, renewable, state, owner, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'live', ?13, ?14)",
                params![
                    l.lease_id,
                    l.vault_id,
                    l.vault_name,
                    l.role,
                    l.username,
                    l.purpose.as_str(),
                    l.subject,
                    l.export_path,
                    stamp(l.issued_at),
                    expires,
                    i64::try_from(l.ttl_secs).unwrap_or(i64::MAX),
                    l.renewable,
                    self.owner,
                    now,
                ],
            )
            .map_err(|e| self.storage_err(e))?;
        Ok(())
    }

    /// The recorded leases matching `filter`, newest first; those past their end are marked
    /// expired first.
    pub fn list_leases(&self, filter: &LeaseFilter) -> Result<Vec<LeaseRecord>> {
        expire_past(&self.conn).map_err(|e| self.storage_err(e))?;
        let mut stmt = self
            .conn
            .prepare(&format!("{SELECT} ORDER BY l.issued_at DESC, l.lease_id"))
            .map_err(|e| self.storage_err(e))?;
        let rows = stmt
            .query_map([], read)
            .map_err(|e| self.storage_err(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.storage_err(e))?;
        let vault = filter.vault.as_deref().map(str::to_lowercase);
        Ok(rows
            .into_iter()
            .map(|(l, _)| l)
            .filter(|l| vault.as_deref().is_none_or(|v| l.vault.to_lowercase() == v))
            .filter(|l| filter.state.is_none_or(|s| l.state == s))
            .filter(|l| !filter.active || l.state.is_active())
            .collect())
    }

    /// The record of `id`: the whole lease id, or its last segment when that names one lease.
    pub fn get_lease(&self, id: &str) -> Result<LeaseRecord> {
        expire_past(&self.conn).map_err(|e| self.storage_err(e))?;
        let exact = self
            .conn
            .query_row(&format!("{SELECT} WHERE l.lease_id = ?1"), [id], read)
            .optional()
            .map_err(|e| self.storage_err(e))?;
        if let Some((l, _)) = exact {
            return Ok(l);
        }
        let mut stmt = self
            .conn
            .prepare(&format!("{SELECT} WHERE substr(l.lease_id, -length(?1) - 1) = '/' || ?1"))
            .map_err(|e| self.storage_err(e))?;
        let mut found = stmt
            .query_map([id], read)
            .map_err(|e| self.storage_err(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.storage_err(e))?;
        match found.len() {
            1 => Ok(found.remove(0).0),
            0 => Err(Error::LeaseNotFound { lease_id: id.to_owned() }),
            n => Err(Error::LeaseAmbiguous { lease_id: id.to_owned(), matches: n }),
        }
    }

    /// Sets a lease's state (and, renewed, its new end).
    pub fn set_lease_state(
        &self,
        lease_id: &str,
        state: LeaseState,
        expires_at: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<()> {
        self.conn
            .execute(
                "UPDATE leases SET state = ?2, expires_at = COALESCE(?3, expires_at), updated_at = ?4 \
                 WHERE lease_id = ?1",
                params![lease_id, state.as_str(), expires_at.map(stamp), now()],
            )
            .map_err(|e| self.storage_err(e))?;
        Ok(())
    }

    /// Preview and test leases still recorded as live whose process is gone (killed, or their
    /// revocation failed): nothing ends them but their lease or a revoke.
    pub fn left_over_previews(&self) -> Result<Vec<LeaseRecord>> {
        expire_past(&self.conn).map_err(|e| self.storage_err(e))?;
        let mut stmt = self
            .conn
            .prepare(&format!(
                "{SELECT} WHERE l.purpose IN ('preview', 'test') AND l.state IN ('live', 'renewed') \
                 ORDER BY l.issued_at"
            ))
            .map_err(|e| self.storage_err(e))?;
        let rows = stmt
            .query_map([], read)
            .map_err(|e| self.storage_err(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.storage_err(e))?;
        Ok(rows.into_iter().filter(|(_, owner)| self.owner_gone(owner)).map(|(l, _)| l).collect())
    }

    /// Whether the process of `owner` has ended (its lock file can be taken, or is missing).
    fn owner_gone(&self, owner: &str) -> bool {
        if owner == self.owner {
            return false;
        }
        let Some(path) = lock_path(&self.data_dir, owner) else { return true };
        if !path.exists() {
            return true;
        }
        matches!(try_lock(&path), Ok(Some(_)))
    }

    /// The stored vault of `id`, if it still exists.
    pub fn find_vault_by_id(&self, id: &str) -> Result<Option<crate::Vault>> {
        Ok(self.list_vaults()?.into_iter().find(|v| v.id == id))
    }
}
