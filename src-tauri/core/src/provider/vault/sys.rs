//! `sys/`: health, leases, capabilities and mount information.

use std::collections::BTreeMap;
use std::time::Duration;

use reqwest::Method;
use secrecy::SecretString;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::error::VaultError;
use super::http::{json_error, server_secs, Envelope, Purpose, VaultClient};

/// `sys/health`.
#[derive(Debug, Clone, Deserialize)]
pub struct Health {
    pub initialized: bool,
    pub sealed: bool,
    pub standby: bool,
    #[serde(default)]
    pub performance_standby: bool,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub cluster_name: Option<String>,
}

/// A lease on a dynamic secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub id: String,
    pub duration: Duration,
    pub renewable: bool,
}

/// `sys/internal/ui/mounts/<path>`: what is mounted there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountInfo {
    pub kind: String,
    pub version: Option<String>,
}

impl VaultClient {
    /// `sys/health`, asking for a 200 whatever the state so the body always says it.
    pub async fn health(&self) -> Result<Health, VaultError> {
        let path =
            "sys/health?standbyok=true&perfstandbyok=true&sealedcode=200&uninitcode=200&drsecondarycode=200";
        let body = self.send(Method::GET, path, None, None, Purpose::Other).await?;
        serde_json::from_slice(&body).map_err(|e| VaultError::Malformed {
            path: "sys/health".into(),
            detail: format!("not a Vault health response: {}", json_error(&e)),
        })
    }

    /// Extends a lease by `increment`.
    pub async fn renew_lease(
        &self,
        token: &SecretString,
        lease_id: &str,
        increment: Duration,
    ) -> Result<Lease, VaultError> {
        let body = serde_json::json!({ "lease_id": lease_id, "increment": increment.as_secs() });
        let env: Envelope<Value> =
            self.call(Method::PUT, "sys/leases/renew", Some(token), Some(&body), Purpose::Other).await?;
        Ok(Lease { id: env.lease_id, duration: server_secs(env.lease_duration), renewable: env.renewable })
    }

    /// Revokes a lease at once (the database user is dropped).
    pub async fn revoke_lease(&self, token: &SecretString, lease_id: &str) -> Result<(), VaultError> {
        let body = serde_json::json!({ "lease_id": lease_id });
        self.send(Method::PUT, "sys/leases/revoke", Some(token), Some(&body), Purpose::Other)
            .await
            .map(|_| ())
    }

    /// The token's capabilities on each of `paths`.
    pub async fn capabilities_self(
        &self,
        token: &SecretString,
        paths: &[String],
    ) -> Result<BTreeMap<String, Vec<String>>, VaultError> {
        let body = serde_json::json!({ "paths": paths });
        let env: Envelope<Map<String, Value>> = self
            .call(Method::POST, "sys/capabilities-self", Some(token), Some(&body), Purpose::Other)
            .await?;
        let data = env.data.unwrap_or_default();
        Ok(paths
            .iter()
            .map(|p| {
                let caps = data
                    .get(p)
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(|c| c.as_str().map(str::to_owned)).collect())
                    .unwrap_or_default();
                (p.clone(), caps)
            })
            .collect())
    }

    /// What is mounted at `path` (type and KV version), through the UI mounts endpoint that
    /// every token may read for paths it has access to.
    pub async fn mount_info(&self, token: &SecretString, path: &str) -> Result<MountInfo, VaultError> {
        #[derive(Deserialize)]
        struct Data {
            #[serde(rename = "type", default)]
            kind: String,
            #[serde(default)]
            options: Option<BTreeMap<String, Value>>,
        }
        let api = format!("sys/internal/ui/mounts/{path}");
        let env: Envelope<Data> = self.call(Method::GET, &api, Some(token), None, Purpose::Other).await?;
        let d = env.data.ok_or_else(|| VaultError::Malformed { path: api, detail: "no data".into() })?;
        let version = d.options.and_then(|o| o.get("version").and_then(|v| v.as_str().map(str::to_owned)));
        Ok(MountInfo { kind: d.kind, version })
    }
}
