//! Leases: the credentials vaultdesk obtained with a lease (database engines), recorded without
//! their password when they are obtained (preview, Test connection, export, render), and what an
//! admin does with them: list, renew, revoke one, revoke all of a vault, revoke the previews a
//! gone process left.
//!
//! - A **preview's** or **test's** credentials come through the session cache and end with the
//!   session: when the command ends, when the connector editor closes, when the app quits
//!   ([`Core::close`]); revoking the session's token revokes them, which the default policy
//!   allows. The session reports it, and the records say `revoked`.
//! - An **export's** or **render's** credentials are issued with a login of their own
//!   ([`crate::provider::Session::resolve_kept`]) that no session revokes: they are kept for the
//!   file, with its path, until their lease (or that login's token) ends or an admin revokes them.
//!
//! Renew and revoke go through the vault's session (`sys/leases/renew`, `sys/leases/revoke`);
//! a policy that refuses them is named (`VaultError::LeaseDenied`). Nothing here asks which
//! provider a vault has.

use std::time::{Duration, SystemTime};

use serde::Serialize;
use ts_rs::TS;

use super::Core;
use crate::model::{LeasePurpose, LeaseRecord, LeaseState};
use crate::provider::LeaseEvent;
use crate::render::Issued;
use crate::store::{LeaseFilter, NewLease};
use crate::{Error, Result};

/// What became of one lease of a bulk revoke.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export_to = "../app-bindings/")]
pub struct LeaseOutcome {
    pub lease: LeaseRecord,
    /// Why it could not be revoked (message and hint); `None` when it was.
    pub error: Option<String>,
}

/// What credentials were obtained for, as the records say it.
#[derive(Debug, Clone)]
pub(crate) struct LeaseUse {
    pub purpose: LeasePurpose,
    pub subject: String,
    pub export_path: Option<String>,
}

impl LeaseUse {
    pub(crate) fn new(
        purpose: LeasePurpose,
        subject: impl Into<String>,
        export_path: Option<String>,
    ) -> Self {
        LeaseUse { purpose, subject: subject.into(), export_path }
    }
}

fn utc(t: SystemTime) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::<chrono::Utc>::from(t)
}

/// An error's message with its hint, for a line of a bulk result.
fn explained(e: &Error) -> String {
    match e.payload().vault {
        Some(v) => format!("{}; {}", v.message, v.hint),
        None => e.to_string(),
    }
}

impl Core {
    /// Records the leased credentials among `issued`, obtained for `what`.
    pub(crate) async fn record_issued(&self, issued: &[Issued], what: &LeaseUse) -> Result<()> {
        let known = |id: &String| {
            self.recorded.lock().unwrap_or_else(std::sync::PoisonError::into_inner).contains(id)
        };
        let rows: Vec<NewLease> = issued
            .iter()
            .filter(|i| !known(&i.lease.lease_id))
            .map(|i| NewLease {
                lease_id: i.lease.lease_id.clone(),
                vault_id: i.vault.id.clone(),
                vault_name: i.vault.spec.name.clone(),
                role: i.vault.spec.db_role.clone().unwrap_or_default(),
                username: i.lease.username.clone(),
                purpose: what.purpose,
                subject: what.subject.clone(),
                export_path: what.export_path.clone(),
                issued_at: utc(i.at),
                ttl_secs: i.lease.duration.as_secs(),
                renewable: i.lease.renewable,
            })
            .collect();
        if rows.is_empty() {
            return Ok(());
        }
        let ids: Vec<String> = rows.iter().map(|r| r.lease_id.clone()).collect();
        self.with_store(move |store| rows.iter().try_for_each(|r| store.record_lease(r))).await?;
        self.recorded.lock().unwrap_or_else(std::sync::PoisonError::into_inner).extend(ids);
        Ok(())
    }

    /// Credentials obtained for a file that was not written (cancelled, failed): recorded, then
    /// revoked at once, since nobody holds them (a policy refusing the revoke leaves them live,
    /// and the record says so).
    pub(crate) async fn discard_issued(&self, issued: &[Issued], what: &LeaseUse) {
        if self.record_issued(issued, what).await.is_err() {
            return;
        }
        for i in issued {
            if let Ok(lease) = self.get_lease(i.lease.lease_id.clone()).await {
                let _ = self.revoke_record(&lease).await;
            }
        }
    }

    /// Writes what sessions did to their leases on their own (renewed while in use, revoked
    /// when replaced or when the session ended) to the records.
    pub(crate) async fn settle_lease_events(&self) -> Result<()> {
        let events = self.hub.take_lease_events();
        if events.is_empty() {
            return Ok(());
        }
        self.with_store(move |store| {
            for e in events {
                match e {
                    LeaseEvent::Renewed { lease_id, duration, at } => {
                        let end = utc(at + duration);
                        store.set_lease_state(&lease_id, LeaseState::Renewed, Some(end))?;
                    }
                    LeaseEvent::Revoked { lease_id } => {
                        store.set_lease_state(&lease_id, LeaseState::Revoked, None)?
                    }
                }
            }
            Ok(())
        })
        .await
    }

    /// The recorded leases matching `filter`, newest first (those past their end are expired).
    /// What this process's sessions did on their own since (a renewal while in use, a session
    /// replaced after a vault update) is written first.
    pub async fn list_leases(&self, filter: LeaseFilter) -> Result<Vec<LeaseRecord>> {
        self.settle_lease_events().await?;
        self.with_store(move |store| store.list_leases(&filter)).await
    }

    /// The record of `id` (the whole lease id, or its last segment).
    pub async fn get_lease(&self, id: String) -> Result<LeaseRecord> {
        self.settle_lease_events().await?;
        self.with_store(move |store| store.get_lease(&id)).await
    }

    /// The session of the vault that issued `lease` (its stored configuration and keyring IDs).
    async fn lease_session(&self, lease: &LeaseRecord) -> Result<std::sync::Arc<crate::provider::Session>> {
        let (id, lease_id, name) = (lease.vault_id.clone(), lease.lease_id.clone(), lease.vault.clone());
        let (vault, load) = self
            .with_store(move |store| match store.find_vault_by_id(&id)? {
                Some(v) => {
                    let load = store.credential_loader(&v);
                    Ok((v, load))
                }
                None => Err(Error::LeaseVaultGone { lease_id, vault: name }),
            })
            .await?;
        self.hub.session(&vault, load).await
    }

    /// Extends the lease `id` by `increment` (default: its duration when issued). Only a live
    /// or renewed lease can be renewed.
    pub async fn renew_lease(&self, id: String, increment: Option<Duration>) -> Result<LeaseRecord> {
        let lease = self.get_lease(id).await?;
        if !lease.state.is_active() {
            return Err(Error::LeaseEnded { lease_id: lease.lease_id, state: lease.state.as_str() });
        }
        let session = self.lease_session(&lease).await?;
        let increment = increment.unwrap_or(Duration::from_secs(lease.ttl_secs.max(1)));
        let at = SystemTime::now();
        let duration = session.renew_lease(&lease.lease_id, increment).await?;
        let lease_id = lease.lease_id.clone();
        self.with_store(move |store| {
            store.set_lease_state(&lease_id, LeaseState::Renewed, Some(utc(at + duration)))?;
            store.get_lease(&lease_id)
        })
        .await
    }

    /// Revokes the lease `id` at once (the database user is dropped). Cached credentials of
    /// that lease are dropped too, so the next preview gets new ones.
    pub async fn revoke_lease(&self, id: String) -> Result<LeaseRecord> {
        let lease = self.get_lease(id).await?;
        self.revoke_record(&lease).await
    }

    async fn revoke_record(&self, lease: &LeaseRecord) -> Result<LeaseRecord> {
        let session = self.lease_session(lease).await?;
        session.revoke_lease(&lease.lease_id).await?;
        let lease_id = lease.lease_id.clone();
        self.with_store(move |store| {
            store.set_lease_state(&lease_id, LeaseState::Revoked, None)?;
            store.get_lease(&lease_id)
        })
        .await
    }

    /// Revokes every live or renewed lease recorded for `vault` (exports included); one that
    /// cannot be revoked does not stop the others.
    pub async fn revoke_vault_leases(&self, vault: String) -> Result<Vec<LeaseOutcome>> {
        let name = vault.clone();
        let stored = self.with_store(move |store| store.get_vault(&name)).await?;
        let filter = LeaseFilter { vault: Some(stored.spec.name.clone()), state: None, active: true };
        let leases = self.list_leases(filter).await?;
        Ok(self.revoke_each(leases).await)
    }

    /// Revokes the preview and test credentials that outlived their process (killed before it
    /// could end them, or whose revocation failed) and are still live.
    pub async fn revoke_left_over_previews(&self) -> Result<Vec<LeaseOutcome>> {
        let leases = self.with_store(|store| store.left_over_previews()).await?;
        Ok(self.revoke_each(leases).await)
    }

    async fn revoke_each(&self, leases: Vec<LeaseRecord>) -> Vec<LeaseOutcome> {
        let mut out = Vec::with_capacity(leases.len());
        for lease in leases {
            match self.revoke_record(&lease).await {
                Ok(l) => out.push(LeaseOutcome { lease: l, error: None }),
                Err(e) => out.push(LeaseOutcome { error: Some(explained(&e)), lease }),
            }
        }
        out
    }

    /// Ends the previews and tests of this process: every session is closed (its token revoked,
    /// and with it the preview and test credentials it issued; exported ones were issued apart
    /// and are kept), and the records say so. The editor calls it when it closes.
    pub async fn end_previews(&self) -> Result<()> {
        self.hub.close_all().await;
        self.settle_lease_events().await
    }
}
