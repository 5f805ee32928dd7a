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
