//! Rendering documents with references: find the vaults they name (SQLite, no Vault), fetch
//! every distinct vault's secret concurrently through the [`VaultHub`] (one login and one read
//! per vault while its cache is fresh), then render each document with [`Renderer`].
//!
//! The steps are separate so an async front end can keep the `Store` (not `Sync`) out of its
//! futures: [`RenderPlan::new`] is synchronous, [`RenderPlan::fetch`] is `Send`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::connector::{Connector, ConnectorKind};
use crate::model::{Credentials, Vault};
use crate::provider::{IssuedLease, ResolvedSecret, VaultHub};
use crate::rendered_types::fit_rendered;
use crate::template::{self, Reference, RenderMode, Renderer, SecretData, TemplateError};
use crate::{Error, Result, Store};

type Loader = Box<dyn FnOnce() -> Result<Credentials> + Send + 'static>;

/// What a batch of documents needs from Vault, found without contacting it.
pub struct RenderPlan {
    /// One reference per vault named (the first): what the renderer needs to know of them.
    refs: Vec<Reference>,
    sources: Vec<(Vault, Loader)>,
}

impl std::fmt::Debug for RenderPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let vaults: Vec<&str> = self.sources.iter().map(|(v, _)| v.spec.name.as_str()).collect();
        f.debug_struct("RenderPlan").field("vaults", &vaults).finish_non_exhaustive()
    }
}

impl RenderPlan {
    /// The references of `docs` and the stored vaults they name. A syntax error or a reference
    /// to a vault that does not exist fails here, before any request.
    pub fn new(store: &Store, docs: &[&Value]) -> Result<RenderPlan> {
        // One reference per vault: a batch of 1,000 connectors keeps 1 of their 5,000, not all.
        let mut refs: Vec<Reference> = Vec::new();
        for d in docs {
            template::visit_references(d, &mut |field, r| {
                if !refs.iter().any(|k| k.vault.eq_ignore_ascii_case(&r.vault)) {
                    refs.push(Reference { field: field.to_owned(), ..r.clone() });
                }
            })?;
        }
        let mut sources = Vec::new();
        for name in template::vault_names(&refs) {
            match store.get_vault(&name) {
                Ok(v) => {
                    let load = store.credential_loader(&v);
                    sources.push((v, Box::new(load) as Loader));
                }
                Err(Error::VaultNotFound { .. }) => {
                    let r = refs.iter().find(|r| r.vault.to_lowercase() == name).cloned().unwrap_or_default();
                    let available = store.list_vaults()?.into_iter().map(|v| v.spec.name).collect();
                    return Err(TemplateError::MissingVault {
                        field: r.field,
                        reference: r.text,
                        vault: r.vault,
                        available,
                    }
                    .into());
                }
                Err(e) => return Err(e),
            }
        }
        Ok(RenderPlan { refs, sources })
    }

    /// The vaults this plan reads.
    pub fn vaults(&self) -> impl Iterator<Item = &Vault> {
        self.sources.iter().map(|(v, _)| v)
    }

    /// Fetches every vault's secret at once (sessions and caches of `hub`).
    pub async fn fetch(self, hub: &VaultHub) -> Result<Fetched> {
        self.fetch_for(hub, false).await
    }

    /// [`RenderPlan::fetch`]; with `keep`, leased credentials are issued for a file that keeps
    /// them (export, render): not cached, and not revoked when the session ends.
    pub async fn fetch_for(self, hub: &VaultHub, keep: bool) -> Result<Fetched> {
        let jobs = self.sources.into_iter().map(|(vault, load)| async move {
            let session = hub.session(&vault, load).await?;
            let secret = if keep { session.resolve_kept().await? } else { session.resolve().await? };
            crate::timings::mark("secret fetched");
            Ok::<_, Error>((vault, secret))
        });
        let mut data = SecretData::new();
        let mut states = BTreeMap::new();
        let mut issued = Vec::new();
        let mut failed = None;
        for r in futures_util::future::join_all(jobs).await {
            let (vault, secret) = match r {
                Ok(v) => v,
                Err(e) => {
                    failed.get_or_insert(e);
                    continue;
                }
            };
            if let Some(lease) = secret.issued_lease() {
                issued.push(Issued { vault: vault.clone(), lease, at: secret.fetched_at });
            }
            data.insert(&vault.spec.name, secret.json());
            let fetched_at = rfc3339(secret.fetched_at);
            states.insert(vault.spec.name.to_lowercase(), (vault.spec.name.clone(), secret, fetched_at));
        }
        if let Some(e) = failed {
            if keep {
                // Nobody receives them: credentials issued for the file are revoked at once.
                for i in &issued {
                    if let Some(s) = hub.existing(&i.vault.id) {
                        let _ = s.revoke_lease(&i.lease.lease_id).await;
                    }
                }
            }
            return Err(e);
        }
        Ok(Fetched { data, states, refs: self.refs, issued })
    }
}

/// Leased credentials a fetch obtained (or found in the cache): the vault, the lease, when
/// they were issued.
#[derive(Debug, Clone)]
pub struct Issued {
    pub vault: Vault,
    pub lease: IssuedLease,
    pub at: SystemTime,
}

/// Fetched secrets, ready to render the planned documents.
pub struct Fetched {
    data: SecretData,
    /// By lower-cased vault name: the name as stored, the secret, when it was fetched (RFC 3339).
    states: BTreeMap<String, (String, Arc<ResolvedSecret>, String)>,
    refs: Vec<Reference>,
    /// The leased credentials among the secrets.
    pub issued: Vec<Issued>,
}

impl std::fmt::Debug for Fetched {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetched")
            .field("vaults", &self.states.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// One reference of a preview: where it is, what it reads, and the cache state of its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReferenceState {
    pub field: String,
    /// As written, e.g. `secrets.orders-db.password`.
    pub reference: String,
    pub vault: String,
    /// `db.host`, or `(whole secret)`.
    pub key: String,
    /// When Vault was asked, RFC 3339 UTC.
    pub fetched_at: String,
    /// Seconds until the cached secret is fetched again; `None` with caching off.
    #[ts(type = "number | null")]
    pub expires_in_secs: Option<u64>,
}

impl Fetched {
    /// A renderer over these secrets.
    pub fn renderer(&self, mode: RenderMode) -> Renderer<'_> {
        Renderer::new(&self.data, &self.refs, mode)
    }

    /// The references of `doc` with their cache state.
    pub fn reference_states(&self, doc: &Value) -> Vec<ReferenceState> {
        self.states_of(template::extract_all(doc).unwrap_or_default())
    }

    /// The state of vault `name` (as written): found without lower-casing when it is written
    /// as stored (the usual case: one lookup, no allocation).
    fn state_of(&self, name: &str) -> Option<&(String, Arc<ResolvedSecret>, String)> {
        self.states.get(name).or_else(|| self.states.get(&name.to_lowercase()))
    }

    /// `refs` with the cache state of their secrets.
    pub fn states_of(&self, refs: Vec<Reference>) -> Vec<ReferenceState> {
        refs.into_iter()
            .map(|r| {
                let state = self.state_of(&r.vault);
                let key = r.key_path();
                ReferenceState {
                    vault: state.map_or_else(|| r.vault.clone(), |(n, _, _)| n.clone()),
                    field: r.field,
                    reference: r.text,
                    key,
                    fetched_at: state.map(|(_, _, at)| at.clone()).unwrap_or_default(),
                    expires_in_secs: state
                        .and_then(|(_, s, _)| s.expires_at.is_some().then(|| s.expires_in()).flatten())
                        .map(|d| d.as_secs()),
                }
            })
            .collect()
    }
}

fn rfc3339(t: SystemTime) -> String {
    chrono::DateTime::<chrono::Utc>::from(t).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A connector rendered for the screen: masked unless revealed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Preview {
    pub connector: String,
    pub kind: ConnectorKind,
    pub revealed: bool,
    #[ts(type = "Record<string, unknown>")]
    pub config: Value,
    pub references: Vec<ReferenceState>,
    /// Fields holding a secret typed in as a literal value (masked like a reference): stored in
    /// clear in the local database, better moved to a vault.
    pub literal_secrets: Vec<String>,
}

/// `e` of connector `name`, named as such when a batch holds several.
fn of_connector(mut e: TemplateError, name: &str, batch: usize) -> Error {
    if batch > 1 {
        // Several at once: say which connector the field belongs to.
        let field = e.field_mut();
        *field = format!("connector \"{name}\", {field}");
    }
    Error::from(e)
}

impl Fetched {
    /// The configurations of `connectors` rendered with `mode` and checked against their
    /// fields' types, without a preview's reference states (an export).
    pub fn configs(&self, connectors: &[Connector], mode: RenderMode) -> Result<Vec<Value>> {
        let renderer = self.renderer(mode);
        connectors
            .iter()
            .map(|c| {
                let named = |e| of_connector(e, &c.name, connectors.len());
                let mut config = renderer.render(&c.config).map_err(named)?;
                fit_rendered(c.kind, &c.config, &mut config).map_err(named)?;
                Ok(config)
            })
            .collect()
    }

    /// Renders `connectors` (whose references this was planned for) with `mode`.
    /// Every rendered value must fit its field's type (`rendered_types`); a masked render is
    /// checked on the values it masks.
    pub fn previews(&self, connectors: &[Connector], mode: RenderMode) -> Result<Vec<Preview>> {
        let renderer = self.renderer(mode);
        let checker = (mode == RenderMode::Mask).then(|| self.renderer(RenderMode::Reveal));
        connectors
            .iter()
            .map(|c| {
                let named = |e| of_connector(e, &c.name, connectors.len());
                let (mut config, refs) = renderer.render_with_references(&c.config).map_err(named)?;
                match &checker {
                    None => fit_rendered(c.kind, &c.config, &mut config).map_err(named)?,
                    Some(reveal) => {
                        let mut revealed = reveal.render(&c.config).map_err(named)?;
                        fit_rendered(c.kind, &c.config, &mut revealed).map_err(named)?;
                    }
                }
                let literal_secrets = crate::literal_secrets::literal_secrets(c.kind, &c.config);
                if mode == RenderMode::Mask {
                    crate::literal_secrets::mask(&mut config, &literal_secrets);
                }
                Ok(Preview {
                    connector: c.name.clone(),
                    kind: c.kind,
                    revealed: mode == RenderMode::Reveal,
                    config,
                    references: self.states_of(refs),
                    literal_secrets,
                })
            })
            .collect()
    }
}

/// Renders `connectors` (all their secrets fetched at once) with `mode`.
///
/// This future holds `&Store` and is not `Send`; an async front end uses
/// [`crate::ops::Core`], which runs the three steps itself: [`RenderPlan::new`] (sync),
/// [`RenderPlan::fetch`] (`Send`), then [`Fetched::previews`] (sync).
pub async fn render_connectors(
    store: &Store,
    hub: &VaultHub,
    connectors: &[Connector],
    mode: RenderMode,
) -> Result<Vec<Preview>> {
    let docs: Vec<&Value> = connectors.iter().map(|c| &c.config).collect();
    let fetched = RenderPlan::new(store, &docs)?.fetch(hub).await?;
    fetched.previews(connectors, mode)
}

/// Renders any JSON document (a parsed JSON or YAML file) with `mode`.
pub async fn render_document(store: &Store, hub: &VaultHub, doc: &Value, mode: RenderMode) -> Result<Value> {
    let fetched = RenderPlan::new(store, &[doc])?.fetch(hub).await?;
    Ok(fetched.renderer(mode).render(doc)?)
}

/// The pre-filled fields for a new connector of `kind` using `vault`: from the key names of a
/// KV secret (names, never values), or a database engine's username and password. Refused when
/// the vault does not suit the kind.
pub async fn prefill_from_vault<C: Into<crate::provider::Credentials> + Send + 'static>(
    hub: &VaultHub,
    vault: &Vault,
    load: impl FnOnce() -> Result<C> + Send + 'static,
    kind: ConnectorKind,
) -> Result<serde_json::Map<String, Value>> {
    if let Some(why) = kind.incompatibility(vault.spec.engine_type) {
        return Err(Error::InvalidConnector(crate::ValidationErrors::single(
            "vault",
            format!("vault \"{}\" cannot be used: {why}", vault.spec.name),
        )));
    }
    if vault.spec.engine_type.is_database() {
        // The credentials as references; where the connection points (host, port, database)
        // from the engine's connection configuration when the vault's policy may read it —
        // without it the host stays for the user to give.
        let mut out = crate::connector::prefill(kind, vault, None);
        if let Ok(fields) = hub.session(vault, load).await?.connection_fields().await {
            for (k, v) in fields {
                if kind.fields().iter().any(|f| f.name == k) {
                    out.entry(k).or_insert(v);
                }
            }
        }
        return Ok(out);
    }
    let keys = hub.session(vault, load).await?.key_names().await?;
    Ok(crate::connector::prefill(kind, vault, Some(&keys)))
}

#[cfg(test)]
mod tests {
    /// The Vault step of a render can run on a multi-threaded runtime (Tauri's async commands).
    #[test]
    fn fetching_is_send() {
        fn assert_send<T: Send>(_: &T) {}
        let hub = crate::provider::VaultHub::new();
        let plan = super::RenderPlan { refs: Vec::new(), sources: Vec::new() };
        let fut = plan.fetch(&hub);
        assert_send(&fut);
    }
}
