//! The live sessions of one process, by vault id, whatever their provider. A vault whose stored
//! configuration changed gets a new session, and the old one is closed (its leases revoked).
//!
//! What sessions do to the leases they issued on their own (a renewal while in use, a
//! revocation when credentials are replaced or the session closes) is queued here as
//! [`LeaseEvent`]s; the op layer writes them to the store's lease records.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use super::{Credentials, Session};
use crate::model::Vault;

/// A change a session made to a lease on its own, for the store's lease records. Carries the
/// lease id (a handle, not a secret) and never a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeaseEvent {
    /// Renewed: it now ends `duration` after `at`.
    Renewed { lease_id: String, duration: std::time::Duration, at: std::time::SystemTime },
    /// Revoked (explicitly, or with the token that issued it).
    Revoked { lease_id: String },
}

/// Where sessions queue their [`LeaseEvent`]s.
pub type LeaseEvents = Arc<Mutex<Vec<LeaseEvent>>>;

#[derive(Default)]
pub struct VaultHub {
    sessions: Mutex<HashMap<String, Arc<Session>>>,
    events: LeaseEvents,
}

impl std::fmt::Debug for VaultHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VaultHub").field("sessions", &lock(&self.sessions).len()).finish()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere cannot leave the map in a state worse than stale; keep going.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl VaultHub {
    pub fn new() -> VaultHub {
        VaultHub::default()
    }

    /// The session for `vault`, created with `load_credentials` (a blocking keyring read, run off
    /// the async workers) when there is none or the stored configuration changed since.
    pub async fn session<F, C>(&self, vault: &Vault, load_credentials: F) -> crate::Result<Arc<Session>>
    where
        F: FnOnce() -> crate::Result<C> + Send + 'static,
        C: Into<Credentials> + Send + 'static,
    {
        if let Some(s) = lock(&self.sessions).get(&vault.id) {
            if s.serves(vault) {
                return Ok(s.clone());
            }
        }
        let creds = tokio::task::spawn_blocking(load_credentials)
            .await
            .map_err(|e| crate::Error::Internal { detail: format!("the keyring task failed: {e}") })??;
        crate::timings::mark("keyring read");
        let fresh = Arc::new(Session::open(vault, creds.into())?.with_lease_events(self.events.clone()));
        let (session, replaced) = {
            let mut sessions = lock(&self.sessions);
            match sessions.get(&vault.id) {
                // Another caller created it meanwhile: use theirs.
                Some(s) if s.serves(vault) => (s.clone(), None),
                _ => (fresh.clone(), sessions.insert(vault.id.clone(), fresh)),
            }
        };
        if let Some(old) = replaced {
            old.close().await;
        }
        Ok(session)
    }

    /// The lease changes sessions made on their own since the last call.
    pub fn take_lease_events(&self) -> Vec<LeaseEvent> {
        std::mem::take(&mut *lock(&self.events))
    }

    /// The live session of `vault_id`, if any (no login is made).
    pub fn existing(&self, vault_id: &str) -> Option<Arc<Session>> {
        lock(&self.sessions).get(vault_id).cloned()
    }

    /// Closes the session of a vault that was updated or removed.
    pub async fn forget(&self, vault_id: &str) {
        let old = lock(&self.sessions).remove(vault_id);
        if let Some(s) = old {
            s.close().await;
        }
    }

    /// Closes every session (revoking their leases).
    pub async fn close_all(&self) {
        let all: Vec<_> = lock(&self.sessions).drain().map(|(_, s)| s).collect();
        for s in all {
            s.close().await;
        }
    }
}
