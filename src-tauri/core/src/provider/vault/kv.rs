//! The KV secrets engines: version 2 (a secret's current version, its key names without values)
//! and version 1 (unversioned: the secret as stored; key names taken from it).

use reqwest::Method;
use secrecy::SecretString;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::error::VaultError;
use super::http::{Envelope, Purpose, VaultClient};
use crate::sensitive::Sensitive;

/// A KV secret: the data (sensitive) and, for KV v2, the current version's number (0 for KV v1).
#[derive(Debug, Clone)]
pub struct KvSecret {
    pub data: Sensitive<Map<String, Value>>,
    pub version: u64,
    pub warnings: Vec<String>,
}

impl VaultClient {
    /// The KV v2 secret at `<mount>/data/<path>`: the current version, or `version` when pinned.
    pub async fn kv2_read(
        &self,
        token: &SecretString,
        mount: &str,
        path: &str,
        version: Option<u64>,
    ) -> Result<KvSecret, VaultError> {
        #[derive(Deserialize)]
        struct Data {
            data: Option<Map<String, Value>>,
            metadata: Option<Meta>,
        }
        #[derive(Deserialize)]
        struct Meta {
            #[serde(default)]
            version: u64,
            #[serde(default)]
            deletion_time: String,
            #[serde(default)]
            destroyed: bool,
        }
        let api = format!("{mount}/data/{path}");
        let url = match version {
            Some(v) => format!("{api}?version={v}"),
            None => api.clone(),
        };
        let answer = self.call::<Data>(Method::GET, &url, Some(token), None, Purpose::KvRead).await;
        let env = match (answer, version) {
            (Err(VaultError::SecretNotFound { .. }), Some(v)) => {
                // A pinned version: 404 is a deleted or destroyed version, or one the secret does
                // not have. The metadata (when readable) tells which.
                let state = self.kv2_version_state(token, mount, path, v).await;
                return Err(VaultError::VersionUnavailable { path: api, version: v, state });
            }
            (other, _) => other?,
        };
        let d = env
            .data
            .ok_or_else(|| VaultError::Malformed { path: api.clone(), detail: "no data block".into() })?;
        let (Some(data), Some(meta)) = (d.data, d.metadata.as_ref()) else {
            // KV v2 answers a deleted (not destroyed) version with data: null.
            if let (Some(v), Some(m)) = (version, d.metadata.as_ref()) {
                let state = if m.destroyed {
                    "destroyed"
                } else if !m.deletion_time.is_empty() {
                    "deleted"
                } else {
                    "empty"
                };
                return Err(VaultError::VersionUnavailable { path: api, version: v, state: state.into() });
            }
            return Err(VaultError::SecretNotFound { path: api });
        };
        Ok(KvSecret {
            data: Sensitive::new(data),
            version: meta.version,
            warnings: env.warnings.unwrap_or_default(),
        })
    }

    /// Key names (no values) of the KV v2 secret: nested objects, `null` at the leaves.
    pub async fn kv2_subkeys(
        &self,
        token: &SecretString,
        mount: &str,
        path: &str,
    ) -> Result<Value, VaultError> {
        #[derive(Deserialize)]
        struct Data {
            subkeys: Option<Value>,
        }
        let api = format!("{mount}/subkeys/{path}");
        let env: Envelope<Data> = self.call(Method::GET, &api, Some(token), None, Purpose::KvRead).await?;
        env.data.and_then(|d| d.subkeys).ok_or(VaultError::SecretNotFound { path: api })
    }
}

impl VaultClient {
    /// The KV v1 secret at `<mount>/<path>` (no versions).
    pub async fn kv1_read(
        &self,
        token: &SecretString,
        mount: &str,
        path: &str,
    ) -> Result<KvSecret, VaultError> {
        let api = format!("{mount}/{path}");
        let env: Envelope<Map<String, Value>> =
            self.call(Method::GET, &api, Some(token), None, Purpose::KvRead).await?;
        let data = env.data.ok_or(VaultError::SecretNotFound { path: api })?;
        Ok(KvSecret { data: Sensitive::new(data), version: 0, warnings: env.warnings.unwrap_or_default() })
    }
}

/// The key names of `data` as nested objects with `null` leaves: what the subkeys endpoint
/// answers for KV v2, made from a KV v1 secret (which has no such endpoint). No value survives.
pub fn key_names_of(data: &Map<String, Value>) -> Value {
    Value::Object(
        data.iter()
            .map(|(k, v)| {
                let names = match v {
                    Value::Object(inner) => key_names_of(inner),
                    _ => Value::Null,
                };
                (k.clone(), names)
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn key_names_keep_the_shape_and_drop_every_value() {
        let data = serde_json::json!({"user": "u", "db": {"password": "p", "port": 5432}, "list": [1]});
        let names = super::key_names_of(data.as_object().expect("object"));
        assert_eq!(
            names,
            serde_json::json!({"user": null, "db": {"password": null, "port": null}, "list": null})
        );
    }
}

impl VaultClient {
    /// The current version number of the KV v2 secret (`<mount>/metadata/<path>`), when the
    /// token may read its metadata.
    pub async fn kv2_current_version(&self, token: &SecretString, mount: &str, path: &str) -> Option<u64> {
        #[derive(Deserialize)]
        struct Meta {
            #[serde(default)]
            current_version: u64,
        }
        let api = format!("{mount}/metadata/{path}");
        let env: Envelope<Meta> =
            self.call(Method::GET, &api, Some(token), None, Purpose::KvRead).await.ok()?;
        env.data.map(|m| m.current_version)
    }
}

impl VaultClient {
    /// What became of `version` of the KV v2 secret, from its metadata: "deleted", "destroyed",
    /// "not a version of this secret (current: N)", or "missing or deleted" when the metadata
    /// cannot be read.
    async fn kv2_version_state(&self, token: &SecretString, mount: &str, path: &str, version: u64) -> String {
        #[derive(Deserialize)]
        struct Meta {
            #[serde(default)]
            current_version: u64,
            #[serde(default)]
            versions: std::collections::BTreeMap<String, V>,
        }
        #[derive(Deserialize)]
        struct V {
            #[serde(default)]
            deletion_time: String,
            #[serde(default)]
            destroyed: bool,
        }
        let api = format!("{mount}/metadata/{path}");
        let meta = self
            .call::<Meta>(Method::GET, &api, Some(token), None, Purpose::KvRead)
            .await
            .ok()
            .and_then(|e| e.data);
        let Some(meta) = meta else { return "missing or deleted".into() };
        match meta.versions.get(&version.to_string()) {
            Some(v) if v.destroyed => "destroyed".into(),
            Some(v) if !v.deletion_time.is_empty() => "deleted".into(),
            Some(_) => "missing or deleted".into(),
            None => format!("not a version of this secret (the current version is {})", meta.current_version),
        }
    }
}
