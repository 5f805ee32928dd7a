//! Login methods, one file each. Every method ends in the same place: a token and its lease
//! ([`super::token::AuthInfo`]) that the session holds and renews — and, when the session
//! logged in itself, revokes at the end. A token the admin gave (`token` method) is theirs:
//! vaultdesk renews it while in use but never revokes it.

pub mod approle;
pub mod jwt;
pub mod oidc;
pub mod password;
pub mod token;

use super::error::VaultError;
// The client a login speaks through: the login namespace when the vault has one.
pub(crate) fn login_namespace(spec: &VaultSpec) -> Option<&str> {
    spec.login_namespace.as_deref().or(spec.namespace.as_deref())
}
use super::http::VaultClient;
use super::token::AuthInfo;
use crate::model::{AuthMethod, Credentials, VaultSpec};

/// The token a login gave, and whether it is vaultdesk's own (to revoke when done).
#[derive(Debug, Clone)]
pub struct Login {
    pub auth: AuthInfo,
    pub owned: bool,
}

impl VaultClient {
    /// Logs in to the vault of `spec` with `creds`, by its login method. `self` speaks to the
    /// login namespace (see [`VaultClient::in_namespace`]).
    pub async fn login(&self, spec: &VaultSpec, creds: &Credentials) -> Result<Login, VaultError> {
        let mount = spec.auth_mount.as_str();
        let owned = |auth| Login { auth, owned: true };
        match (spec.auth_method, creds) {
            (AuthMethod::Jwt, Credentials::Jwt(jwt)) => {
                let role = spec.auth_role.as_deref().unwrap_or_default();
                self.login_jwt(mount, role, jwt).await.map(owned)
            }
            (AuthMethod::Approle, Credentials::AppRole(c)) => self.login_approle(mount, c).await.map(owned),
            (AuthMethod::Oidc, Credentials::Oidc { token, remembered }) => {
                let Some(t) = token else {
                    return Err(VaultError::OidcLoginNeeded { auth_mount: mount.to_owned() });
                };
                // vaultdesk signed in for it: revoked when done, unless kept in the keyring.
                match self.use_token(t).await {
                    Ok(auth) => Ok(Login { auth, owned: !remembered }),
                    Err(VaultError::TokenInvalid) => {
                        Err(VaultError::OidcLoginNeeded { auth_mount: mount.to_owned() })
                    }
                    Err(e) => Err(e),
                }
            }
            (AuthMethod::Token, Credentials::Token(t)) => {
                self.use_token(t).await.map(|auth| Login { auth, owned: false })
            }
            (m @ (AuthMethod::Userpass | AuthMethod::Ldap), Credentials::Password(p)) => {
                let user = spec.auth_username.as_deref().unwrap_or_default();
                self.login_password(mount, user, p, m == AuthMethod::Ldap).await.map(owned)
            }
            (m, _) => Err(VaultError::Malformed {
                path: format!("auth/{mount}"),
                detail: format!("the stored credentials are not those of {}", m.label()),
            }),
        }
    }
}
