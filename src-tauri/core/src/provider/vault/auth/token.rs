//! Token login: the admin's own token, used as is. Its policies and remaining TTL come from
//! `auth/token/lookup-self`; a token that lookup refuses is expired or revoked (a named error
//! saying how to replace it). The session renews it while in use when it is renewable, and
//! never revokes it: it is the admin's, not vaultdesk's.

use secrecy::SecretString;

use crate::provider::vault::error::VaultError;
use crate::provider::vault::http::VaultClient;
use crate::provider::vault::token::AuthInfo;

impl VaultClient {
    pub async fn use_token(&self, token: &SecretString) -> Result<AuthInfo, VaultError> {
        match self.lookup_self(token).await {
            Ok(info) => Ok(AuthInfo {
                client_token: token.clone(),
                token_policies: info.policies.clone(),
                policies: info.policies,
                lease_duration: info.ttl.as_secs(),
                renewable: info.renewable,
                metadata: None,
                num_uses: 0,
            }),
            Err(VaultError::PermissionDenied { .. }) => Err(VaultError::TokenInvalid),
            Err(e) => Err(e),
        }
    }
}
