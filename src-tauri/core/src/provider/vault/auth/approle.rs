//! AppRole login: a Role ID and a Secret ID for a token.

use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
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
        let purpose = Purpose::Login { auth_mount };
        let env: Envelope<Value> = match self.call(Method::POST, &path, None, Some(&body), purpose).await {
            Err(VaultError::AuthMountNotFound { .. }) if self.approle_mount_answers(&path).await => {
                // "permission denied" from a mount that exists: OpenBao and Vault answer so to a
                // login while the role is locked out after repeated failures ("user lockout").
                return Err(VaultError::LockedOut { auth_mount: auth_mount.to_owned() });
            }
            other => other?,
        };
        env.auth.ok_or_else(|| VaultError::Malformed {
            path,
            detail: "the login response has no auth block".into(),
        })
    }

    /// Whether an AppRole mount answers at `login_path`: a login without any credential (which
    /// counts against no role's lockout) is "permission denied" only where no mount is.
    async fn approle_mount_answers(&self, login_path: &str) -> bool {
        let empty = serde_json::json!({});
        let probe = self.send(Method::POST, login_path, None, Some(&empty), Purpose::Other).await;
        // Any other answer of the server itself ("missing role_id") means a mount is there.
        matches!(probe, Ok(_) | Err(VaultError::Server { .. } | VaultError::BadRequest { .. }))
    }
}

/// What `sys/wrapping/lookup` says of a wrapping token (nothing secret).
#[derive(Debug, Clone, Deserialize)]
pub struct WrappingInfo {
    #[serde(default)]
    pub creation_path: String,
    #[serde(default)]
    pub creation_ttl: u64,
    #[serde(default)]
    pub creation_time: String,
}

impl VaultClient {
    /// Unwraps a response-wrapped Secret ID (`sys/wrapping/unwrap`, authenticated by the
    /// wrapping token itself). A token already unwrapped, expired or never issued is
    /// [`VaultError::WrappingTokenInvalid`]: a possible interception, said so.
    pub async fn unwrap_secret_id(&self, wrapping_token: &SecretString) -> Result<SecretString, VaultError> {
        #[derive(Deserialize)]
        struct Data {
            secret_id: Option<SecretString>,
        }
        let path = "sys/wrapping/unwrap";
        let empty = serde_json::json!({});
        let env: Envelope<Data> = self
            .call(Method::POST, path, Some(wrapping_token), Some(&empty), Purpose::Other)
            .await
            .map_err(wrapping_error)?;
        env.data.and_then(|d| d.secret_id).ok_or_else(|| VaultError::Malformed {
            path: path.into(),
            detail: "the wrapped response holds no secret_id: it does not wrap a Secret ID".into(),
        })
    }

    /// Looks a wrapping token up without unwrapping it (`sys/wrapping/lookup`).
    pub async fn lookup_wrapping(&self, wrapping_token: &SecretString) -> Result<WrappingInfo, VaultError> {
        let path = "sys/wrapping/lookup";
        let body = serde_json::json!({ "token": wrapping_token.expose_secret() });
        let env: Envelope<WrappingInfo> =
            self.call(Method::POST, path, None, Some(&body), Purpose::Other).await.map_err(wrapping_error)?;
        env.data.ok_or_else(|| VaultError::Malformed { path: path.into(), detail: "no data".into() })
    }
}

fn wrapping_error(e: VaultError) -> VaultError {
    match e {
        VaultError::BadRequest { ref message, .. } | VaultError::Server { ref message, .. }
            if message.contains("wrapping token is not valid") || message.contains("does not exist") =>
        {
            VaultError::WrappingTokenInvalid
        }
        VaultError::PermissionDenied { .. } => VaultError::WrappingTokenInvalid,
        e => e,
    }
}

pub use crate::model::SecretIdStatus;

impl VaultClient {
    /// Looks the Secret ID up (`auth/<mount>/role/<role>/secret-id/lookup`), where the AppRole's
    /// policy allows it (it often does not: `None` then).
    pub async fn secret_id_status(
        &self,
        token: &SecretString,
        auth_mount: &str,
        role: &str,
        secret_id: &SecretString,
    ) -> Option<SecretIdStatus> {
        #[derive(Deserialize)]
        struct Data {
            #[serde(default)]
            expiration_time: String,
            #[serde(default)]
            secret_id_num_uses: u64,
        }
        let path = format!("auth/{auth_mount}/role/{role}/secret-id/lookup");
        let body = serde_json::json!({ "secret_id": secret_id.expose_secret() });
        let env: Envelope<Data> =
            self.call(Method::POST, &path, Some(token), Some(&body), Purpose::Other).await.ok()?;
        let d = env.data?;
        // Vault writes the zero time for "never".
        let expires_at = (!d.expiration_time.is_empty() && !d.expiration_time.starts_with("0001-"))
            .then_some(d.expiration_time);
        Some(SecretIdStatus {
            expires_at,
            uses_left: (d.secret_id_num_uses > 0).then_some(d.secret_id_num_uses),
        })
    }
}
