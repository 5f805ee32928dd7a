//! The KV version 2 secrets engine: a secret's current version, and its key names without values.

use reqwest::Method;
use secrecy::SecretString;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::error::VaultError;
use super::http::{Envelope, Purpose, VaultClient};
use crate::sensitive::Sensitive;

/// A KV v2 secret: the current version's data (sensitive) and its version number.
#[derive(Debug, Clone)]
pub struct KvSecret {
    pub data: Sensitive<Map<String, Value>>,
    pub version: u64,
    pub warnings: Vec<String>,
}

impl VaultClient {
    /// The current version of the KV v2 secret at `<mount>/data/<path>`.
    pub async fn kv2_read(
        &self,
        token: &SecretString,
        mount: &str,
        path: &str,
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
        }
        let api = format!("{mount}/data/{path}");
        let env: Envelope<Data> = self.call(Method::GET, &api, Some(token), None, Purpose::KvRead).await?;
        let d = env
            .data
            .ok_or_else(|| VaultError::Malformed { path: api.clone(), detail: "no data block".into() })?;
        let (Some(data), Some(meta)) = (d.data, d.metadata) else {
            // KV v2 answers a deleted (not destroyed) version with data: null.
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
