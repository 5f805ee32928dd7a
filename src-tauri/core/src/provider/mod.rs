//! Secret stores behind one interface. A provider validates its configuration (in
//! [`crate::validate`]), runs the staged Test, resolves the one secret a stored vault points at
//! (a JSON value, through its session's cache), lists key names without values, and issues,
//! renews and revokes the leased credentials it has.
//!
//! Adding a provider is a folder beside `vault/` and a variant of [`Session`] and
//! [`Credentials`]; nothing else in the core, the CLI or the app asks "is it Vault".

pub mod aws;
pub mod hub;
pub mod vault;

use std::sync::Arc;

use serde_json::Value;

pub use hub::{LeaseEvent, LeaseEvents, VaultHub};
pub use vault::{ResolvedSecret, SecretValue, SessionStats, StageReport, StageStatus, TestReport, TestStage};

pub use crate::model::Credentials;
use crate::model::{Provider, Vault, VaultSpec};
use crate::Result;

/// One live connection to one stored vault, whatever its provider.
#[derive(Debug)]
pub enum Session {
    Vault(vault::VaultSession),
    Aws(aws::AwsSession),
}

impl Session {
    /// A session for `vault` with `creds`; nothing is sent until the first request.
    pub fn open(vault: &Vault, creds: Credentials) -> Result<Session> {
        match vault.spec.provider {
            Provider::HashicorpVault => Ok(Session::Vault(vault::VaultSession::new(vault, creds)?)),
            Provider::AwsSecretsManager => Ok(Session::Aws(aws::AwsSession::new(vault, creds))),
        }
    }

    pub fn spec(&self) -> &VaultSpec {
        match self {
            Session::Vault(s) => s.spec(),
            Session::Aws(s) => s.spec(),
        }
    }

    /// Whether this session was opened for `vault` exactly as it is stored now.
    pub(crate) fn serves(&self, vault: &Vault) -> bool {
        match self {
            Session::Vault(s) => s.updated_at == vault.updated_at && s.spec() == &vault.spec,
            Session::Aws(s) => s.updated_at == vault.updated_at && s.spec() == &vault.spec,
        }
    }

    /// The vault's secret: from the cache while fresh, else from the store (one request shared
    /// by all concurrent callers).
    pub async fn resolve(&self) -> Result<Arc<ResolvedSecret>> {
        match self {
            Session::Vault(s) => Ok(s.resolve().await?),
            Session::Aws(s) => Ok(s.resolve().await?),
        }
    }

    /// Key names (never values) of the secret, as nested objects with `null` leaves.
    pub async fn key_names(&self) -> Result<Value> {
        match self {
            Session::Vault(s) => Ok(s.key_names().await?),
            Session::Aws(s) => Ok(s.key_names().await?),
        }
    }

    /// The connection fields (`host`, `port`, `database`) a database engine knows, for
    /// pre-filling a connector: plain configuration, never credentials. Empty when the store
    /// has none (KV, AWS).
    pub async fn connection_fields(&self) -> Result<serde_json::Map<String, Value>> {
        let mut out = serde_json::Map::new();
        if let Session::Vault(s) = self {
            if let Some(info) = s.connection_details().await? {
                if let Some(h) = info.host {
                    out.insert("host".into(), Value::String(h));
                }
                if let Some(p) = info.port {
                    out.insert("port".into(), Value::from(p));
                }
                if let Some(d) = info.database {
                    out.insert("database".into(), Value::String(d));
                }
            }
        }
        Ok(out)
    }

    /// What this session asked its store, for tests and benchmarks.
    pub fn stats(&self) -> SessionStats {
        match self {
            Session::Vault(s) => s.stats(),
            Session::Aws(s) => s.stats(),
        }
    }

    /// Ends the session: its token, and every credential it issued, are revoked.
    pub async fn close(&self) {
        match self {
            Session::Vault(s) => s.close().await,
            Session::Aws(s) => s.close().await,
        }
    }

    /// Reports what it does to its leases on its own (renewals, revocations) to `events`.
    pub fn with_lease_events(self, events: LeaseEvents) -> Session {
        match self {
            Session::Vault(s) => Session::Vault(s.with_lease_events(events)),
            // AWS issues no leases.
            s @ Session::Aws(_) => s,
        }
    }

    /// The vault's secret for a file that keeps it (export, render): leased credentials are
    /// issued for it alone, never cached, and outlive the session (see `leases` in the core's
    /// op layer); a secret without a lease comes through the cache as with [`Session::resolve`].
    pub async fn resolve_kept(&self) -> Result<Arc<ResolvedSecret>> {
        match self {
            Session::Vault(s) => Ok(s.resolve_kept().await?),
            Session::Aws(s) => Ok(s.resolve().await?),
        }
    }

    /// Extends the lease `lease_id` by `increment`; returns its new duration from now.
    pub async fn renew_lease(
        &self,
        lease_id: &str,
        increment: std::time::Duration,
    ) -> Result<std::time::Duration> {
        match self {
            Session::Vault(s) => Ok(s.renew_lease_now(lease_id, increment).await?),
            Session::Aws(_) => Err(crate::Error::invalid("lease_id", "AWS Secrets Manager issues no leases")),
        }
    }

    /// Revokes the lease `lease_id` at once; cached credentials of that lease are dropped.
    pub async fn revoke_lease(&self, lease_id: &str) -> Result<()> {
        match self {
            Session::Vault(s) => Ok(s.revoke_lease_now(lease_id).await?),
            Session::Aws(_) => Err(crate::Error::invalid("lease_id", "AWS Secrets Manager issues no leases")),
        }
    }
}

/// What a resolved secret's lease says, whatever the provider: nothing secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedLease {
    pub lease_id: String,
    /// The issued user name (database engines).
    pub username: String,
    pub duration: std::time::Duration,
    pub renewable: bool,
}

/// The staged Test of a configuration, saved or not, calling `on_stage` as each stage ends.
/// Dropping the future cancels it; whatever it started is ended in the background.
pub async fn test(
    spec: &VaultSpec,
    creds: &Credentials,
    on_stage: &mut (dyn FnMut(&StageReport) + Send),
) -> TestReport {
    match spec.provider {
        Provider::HashicorpVault => vault::test_vault_with_progress(spec, creds, on_stage).await,
        Provider::AwsSecretsManager => aws::test_aws_with_progress(spec, creds, on_stage).await,
    }
}

/// The Secret ID inside a response-wrapping token, unwrapped once at the server of `spec`.
pub async fn unwrap_secret_id(
    spec: &VaultSpec,
    wrapping_token: &secrecy::SecretString,
) -> Result<secrecy::SecretString> {
    match spec.provider {
        Provider::HashicorpVault => {
            let client = vault::VaultClient::new(spec)?;
            let client = client.in_namespace(vault::auth::login_namespace(spec));
            Ok(client.unwrap_secret_id(wrapping_token).await?)
        }
        Provider::AwsSecretsManager => {
            Err(crate::Error::invalid("secret_id", "wrapped Secret IDs are a Vault feature"))
        }
    }
}

/// Starts the OIDC browser sign-in of `spec` (login namespace, auth mount and role).
pub async fn oidc_start(spec: &VaultSpec) -> Result<vault::auth::oidc::OidcFlow> {
    match spec.provider {
        Provider::HashicorpVault => {
            let client = vault::VaultClient::new(spec)?;
            let client = client.in_namespace(vault::auth::login_namespace(spec));
            let role = spec.auth_role.as_deref().unwrap_or_default();
            Ok(client.oidc_start(&spec.auth_mount, role).await?)
        }
        Provider::AwsSecretsManager => {
            Err(crate::Error::invalid("auth_method", "OIDC sign-in is a Vault login"))
        }
    }
}
