//! JWT login: a signed JWT (kept in the keyring) and a role of the auth mount for a token, at
//! `auth/<mount>/login`. An expired or unverifiable JWT and an unknown role are named apart.

use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

use crate::provider::vault::error::VaultError;
use crate::provider::vault::http::{Envelope, Purpose, VaultClient};
use crate::provider::vault::token::AuthInfo;

impl VaultClient {
    pub async fn login_jwt(
        &self,
        auth_mount: &str,
        role: &str,
        jwt: &SecretString,
    ) -> Result<AuthInfo, VaultError> {
        let path = format!("auth/{auth_mount}/login");
        let body = serde_json::json!({ "role": role, "jwt": jwt.expose_secret() });
        let purpose = Purpose::JwtLogin { auth_mount, role };
        let env: Envelope<Value> = self.call(Method::POST, &path, None, Some(&body), purpose).await?;
        env.auth.ok_or_else(|| VaultError::Malformed {
            path,
            detail: "the login response has no auth block".into(),
        })
    }
}
