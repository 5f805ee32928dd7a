//! AppRole login: a Role ID and a Secret ID for a token.

use reqwest::Method;
use secrecy::ExposeSecret;
use serde_json::Value;

use crate::model::AppRoleCredentials;
use crate::provider::vault::error::VaultError;
use crate::provider::vault::http::{Envelope, Purpose, VaultClient};
use crate::provider::vault::token::AuthInfo;

impl VaultClient {
    /// AppRole login at `auth/<auth_mount>/login`.
    pub async fn login_approle(
        &self,
        auth_mount: &str,
        creds: &AppRoleCredentials,
    ) -> Result<AuthInfo, VaultError> {
        let path = format!("auth/{auth_mount}/login");
        let body = serde_json::json!({
            "role_id": creds.role_id.expose_secret(),
            "secret_id": creds.secret_id.expose_secret(),
        });
        let env: Envelope<Value> =
            self.call(Method::POST, &path, None, Some(&body), Purpose::Login { auth_mount }).await?;
        env.auth.ok_or_else(|| VaultError::Malformed {
            path,
            detail: "the login response has no auth block".into(),
        })
    }
}
