//! Userpass and LDAP login: a user name (in the configuration) and a password (in the keyring)
//! for a token, at `auth/<mount>/login/<user>`. Both methods share the request; their refusals
//! are named apart (an LDAP server Vault cannot reach is not a wrong password).

use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

use crate::provider::vault::error::VaultError;
use crate::provider::vault::http::{Envelope, Purpose, VaultClient};
use crate::provider::vault::token::AuthInfo;

impl VaultClient {
    pub async fn login_password(
        &self,
        auth_mount: &str,
        user: &str,
        password: &SecretString,
        ldap: bool,
    ) -> Result<AuthInfo, VaultError> {
        let path = format!("auth/{auth_mount}/login/{}", path_segment(user));
        let body = serde_json::json!({ "password": password.expose_secret() });
        let purpose = Purpose::PasswordLogin { auth_mount, user, ldap };
        let env: Envelope<Value> = self.call(Method::POST, &path, None, Some(&body), purpose).await?;
        env.auth.ok_or_else(|| VaultError::Malformed {
            path: format!("auth/{auth_mount}/login"),
            detail: "the login response has no auth block".into(),
        })
    }
}

/// `user` as one URL path segment: unreserved characters as they are, every other byte as %XX.
fn path_segment(user: &str) -> String {
    user.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'@' => {
                (b as char).to_string()
            }
            b => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_user_name_stays_one_path_segment() {
        assert_eq!(super::path_segment("jane.doe@corp"), "jane.doe@corp");
        assert_eq!(super::path_segment("a b/../c"), "a%20b%2F..%2Fc");
    }
}
