//! One live connection to one AWS vault: the SDK clients (built on first use), and the secret
//! cached in memory for the vault's cache TTL. Concurrent resolutions share one GetSecretValue
//! (single flight: the cache's lock is held across the read, so waiters find it filled).
//! Credentials from the default chain or an assumed role are refreshed by the SDK's identity
//! cache before they expire.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::{Mutex, OnceCell};

use super::client::AwsClient;
use super::error::AwsError;
use crate::model::{Credentials, Vault, VaultSpec};
use crate::provider::vault::kv::KvSecret;
use crate::provider::vault::{ResolvedSecret, SecretValue, SessionStats, VaultError};

pub struct AwsSession {
    spec: VaultSpec,
    creds: Credentials,
    pub(crate) updated_at: String,
    client: OnceCell<AwsClient>,
    cache: Mutex<Option<Arc<ResolvedSecret>>>,
    reads: AtomicU64,
}

impl std::fmt::Debug for AwsSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsSession").field("vault", &self.spec.name).finish_non_exhaustive()
    }
}

impl AwsSession {
    pub fn new(vault: &Vault, creds: Credentials) -> AwsSession {
        AwsSession {
            spec: vault.spec.clone(),
            creds,
            updated_at: vault.updated_at.clone(),
            client: OnceCell::new(),
            cache: Mutex::new(None),
            reads: AtomicU64::new(0),
        }
    }

    pub fn spec(&self) -> &VaultSpec {
        &self.spec
    }

    async fn client(&self) -> Result<&AwsClient, VaultError> {
        self.client.get_or_try_init(|| AwsClient::new(&self.spec, &self.creds)).await.map_err(VaultError::aws)
    }

    /// The secret: from the cache while fresh, else one GetSecretValue shared by every caller
    /// waiting meanwhile.
    pub async fn resolve(&self) -> Result<Arc<ResolvedSecret>, VaultError> {
        let mut cached = self.cache.lock().await;
        if let Some(s) = cached.as_ref().filter(|s| s.is_fresh()) {
            return Ok(s.clone());
        }
        let client = self.client().await?;
        self.reads.fetch_add(1, Ordering::Relaxed);
        let secret = client.read(self.spec.engine_type).await.map_err(VaultError::aws)?;
        let ttl = Duration::from_secs(self.spec.cache_ttl_secs);
        let resolved = Arc::new(ResolvedSecret::read_now(
            SecretValue::Kv(KvSecret { data: secret.data, version: 0, warnings: Vec::new() }),
            ttl,
        ));
        *cached = (!ttl.is_zero()).then(|| resolved.clone());
        Ok(resolved)
    }

    /// Key names (never values) of the secret: the object's structure with `null` leaves.
    pub async fn key_names(&self) -> Result<Value, VaultError> {
        let secret = self.resolve().await?;
        Ok(names_only(secret.json().expose()))
    }

    pub fn stats(&self) -> SessionStats {
        SessionStats { reads: self.reads.load(Ordering::Relaxed), ..SessionStats::default() }
    }

    /// Drops the cached secret (nothing to revoke: AWS issues no leases).
    pub async fn close(&self) {
        self.cache.lock().await.take();
    }
}

/// Objects keep their keys, every other value becomes `null`.
pub(crate) fn names_only(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), names_only(v))).collect()),
        _ => Value::Null,
    }
}

impl From<AwsError> for VaultError {
    fn from(e: AwsError) -> Self {
        VaultError::aws(e)
    }
}
