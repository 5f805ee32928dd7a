//! `auth/token/*-self`: what a session does with the token it holds, whatever the login method.

use reqwest::Method;
use secrecy::SecretString;
use serde::Deserialize;
use serde_json::Value;
use std::time::Duration;

use super::error::VaultError;
use super::http::{server_secs, Envelope, Purpose, VaultClient};

/// The `auth` block of a login or token renewal. The token is a `SecretString`.
#[derive(Debug, Clone, Deserialize)]
pub struct AuthInfo {
    pub client_token: SecretString,
    #[serde(default)]
    pub policies: Vec<String>,
    #[serde(default)]
    pub token_policies: Vec<String>,
    /// Seconds; 0 means the token does not expire.
    #[serde(default)]
    pub lease_duration: u64,
    #[serde(default)]
    pub renewable: bool,
    /// The login's metadata (AppRole: `role_name`). Not secret.
    #[serde(default)]
    pub metadata: Option<std::collections::BTreeMap<String, String>>,
    /// How many requests the token may make (AppRole `token_num_uses`); 0 means no limit.
    #[serde(default)]
    pub num_uses: u64,
}

/// `auth/token/lookup-self`, without the token id.
#[derive(Debug, Clone)]
pub struct TokenInfo {
    pub policies: Vec<String>,
    pub ttl: Duration,
    pub renewable: bool,
}

impl VaultClient {
    /// `auth/token/renew-self`.
    pub async fn renew_self(&self, token: &SecretString) -> Result<AuthInfo, VaultError> {
        let path = "auth/token/renew-self";
        let env: Envelope<Value> =
            self.call(Method::POST, path, Some(token), Some(&serde_json::json!({})), Purpose::Other).await?;
        env.auth.ok_or_else(|| VaultError::Malformed { path: path.into(), detail: "no auth block".into() })
    }

    /// `auth/token/revoke-self`: ends the token at once.
    pub async fn revoke_self(&self, token: &SecretString) -> Result<(), VaultError> {
        self.send(Method::POST, "auth/token/revoke-self", Some(token), None, Purpose::Other).await.map(|_| ())
    }

    /// `auth/token/lookup-self`: policies and remaining TTL (the token id is not kept).
    pub async fn lookup_self(&self, token: &SecretString) -> Result<TokenInfo, VaultError> {
        #[derive(Deserialize)]
        struct Data {
            #[serde(default)]
            policies: Vec<String>,
            #[serde(default)]
            ttl: u64,
            #[serde(default)]
            renewable: bool,
        }
        let path = "auth/token/lookup-self";
        let env: Envelope<Data> = self.call(Method::GET, path, Some(token), None, Purpose::Other).await?;
        let d =
            env.data.ok_or_else(|| VaultError::Malformed { path: path.into(), detail: "no data".into() })?;
        Ok(TokenInfo { policies: d.policies, ttl: server_secs(d.ttl), renewable: d.renewable })
    }
}
