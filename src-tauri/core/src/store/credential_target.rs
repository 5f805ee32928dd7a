//! Where stored credentials may go: only to the server they were stored for. A vault's Role ID
//! and Secret ID were given for one URL host and port (and scheme), namespace, auth mount, CA,
//! client certificate and TLS-verification setting; a Test or an update that changes any of
//! these does not take the stored Secret ID along unless the Secret ID is given again or the
//! admin confirms (`CredentialsPatch::reuse_credentials`). One rule for both front doors, applied
//! by [`Store::prepare_test`](super::Store::prepare_test) and
//! [`Store::update_vault`](super::Store::update_vault) before anything is sent or stored.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::{CredentialsPatch, VaultSpec};
use crate::Error;

/// The server stored credentials were saved for and the one a change would send them to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CredentialsTarget {
    /// `scheme://host:port` of the stored URL.
    pub stored_host: String,
    /// `scheme://host:port` of the new URL (the same as `stored_host` when only another
    /// setting changed).
    pub new_host: String,
    /// What differs, in words: `server address`, `namespace`, `auth mount`, `CA certificate`,
    /// `client certificate`, `TLS verification`.
    pub changed: Vec<String>,
}

/// `scheme://host:port` of a validated URL, the port written out even when it is the default.
fn origin(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => format!(
            "{}://{}:{}",
            u.scheme(),
            u.host_str().unwrap_or_default(),
            u.port_or_known_default().map(|p| p.to_string()).unwrap_or_default()
        ),
        Err(_) => url.to_owned(),
    }
}

/// Where a configuration's credentials go: its URL's origin, or for AWS without an endpoint
/// override, the region's own endpoint.
fn place(spec: &VaultSpec) -> String {
    match &spec.aws {
        Some(a) if spec.url.is_empty() => format!("https://secretsmanager.{}.amazonaws.com:443", a.region),
        _ => origin(&spec.url),
    }
}

/// What differs between the server `stored` credentials were saved for and `new`; `None` when
/// they would go to the same place with the same protection.
pub fn credential_target_change(stored: &VaultSpec, new: &VaultSpec) -> Option<CredentialsTarget> {
    let (stored_host, new_host) = (place(stored), place(new));
    let (a, b) = (&stored.tls, &new.tls);
    let changed: Vec<String> = [
        ("server address", stored_host != new_host),
        ("namespace", stored.namespace != new.namespace),
        ("login namespace", stored.login_namespace != new.login_namespace),
        ("login method", stored.auth_method != new.auth_method),
        ("auth mount", stored.auth_mount != new.auth_mount),
        ("user name", stored.auth_username != new.auth_username),
        ("role", stored.auth_role != new.auth_role),
        ("CA certificate", a.tls_ca_cert != b.tls_ca_cert),
        (
            "client certificate",
            a.tls_client_cert != b.tls_client_cert || a.tls_client_key != b.tls_client_key,
        ),
        (
            "TLS verification",
            a.tls_skip_verify != b.tls_skip_verify || a.tls_skip_hostname != b.tls_skip_hostname,
        ),
        ("AWS region", stored.aws.as_ref().map(|a| &a.region) != new.aws.as_ref().map(|a| &a.region)),
    ]
    .into_iter()
    .filter(|(_, differs)| *differs)
    .map(|(what, _)| what.to_owned())
    .collect();
    (!changed.is_empty()).then_some(CredentialsTarget { stored_host, new_host, changed })
}

/// Refuses to use the stored Secret ID of `stored` with `new` unless a Secret ID is given or
/// the admin confirmed. (A Role ID identifies the AppRole and is not enough to log in; the
/// stored one may go along with a Secret ID given again.)
pub(super) fn check_stored_credentials(
    stored: &VaultSpec,
    new: &VaultSpec,
    creds: &CredentialsPatch,
) -> Result<(), Error> {
    if stored.auth_method != new.auth_method {
        // The stored secret is another method's: it cannot serve, confirmed or not.
        let method = new.auth_method;
        if creds.secret_id.is_none() && method.stores_secret() {
            return Err(Error::invalid(
                method.secret_field(),
                format!(
                    "is required: the login method changes from {} to {}, which needs its own {}",
                    stored.auth_method.label(),
                    method.label(),
                    method.secret_label()
                ),
            ));
        }
        if method.uses_role_id() && creds.role_id.is_none() {
            return Err(Error::invalid(
                method.role_id_field(),
                format!(
                    "is required: the login method changes from {} to {}",
                    stored.auth_method.label(),
                    method.label()
                ),
            ));
        }
        return Ok(());
    }
    if creds.secret_id.is_some() || creds.reuse_credentials {
        return Ok(());
    }
    match credential_target_change(stored, new) {
        Some(target) => Err(Error::CredentialsForOtherServer(Box::new(target))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::VaultInput;

    fn spec(url: &str) -> VaultSpec {
        crate::validate::validate_input(&VaultInput {
            name: "v".into(),
            url: url.into(),
            engine_name: "kv".into(),
            engine_type: "kv2".into(),
            path: Some("a".into()),
            ..VaultInput::default()
        })
        .expect("valid")
    }

    #[test]
    fn only_what_decides_where_and_how_credentials_go_counts() {
        let stored = spec("https://vault.example.com:8200");
        let mut same = stored.clone();
        same.cache_ttl_secs = 1;
        same.path = Some("other".into());
        same.url = "https://vault.example.com:8200/prefix".into();
        assert_eq!(
            credential_target_change(&stored, &same),
            None,
            "path, TTL and URL prefix keep the server"
        );
        assert_eq!(
            credential_target_change(&stored, &spec("https://vault.example.com")).map(|t| t.new_host),
            Some("https://vault.example.com:443".into()),
            "another port"
        );
        assert!(credential_target_change(&stored, &spec("http://127.0.0.1:8200")).is_some());
        for change in [
            |s: &mut VaultSpec| s.namespace = Some("team".into()),
            |s: &mut VaultSpec| s.auth_mount = "other".into(),
            |s: &mut VaultSpec| s.tls.tls_ca_cert = Some("/ca.pem".into()),
            |s: &mut VaultSpec| s.tls.tls_client_key = Some("/k.pem".into()),
            |s: &mut VaultSpec| s.tls.tls_skip_verify = true,
        ] {
            let mut new = stored.clone();
            change(&mut new);
            let t = credential_target_change(&stored, &new).expect("changed");
            assert_eq!(t.stored_host, t.new_host, "same host, another setting: {t:?}");
        }
    }

    #[test]
    fn a_given_secret_id_or_a_confirmation_lets_the_change_through() {
        let (stored, new) = (spec("https://a.example.com"), spec("https://b.example.com"));
        let none = CredentialsPatch::default();
        let err = check_stored_credentials(&stored, &new, &none).expect_err("refused");
        let text = err.to_string();
        assert!(
            text.contains("https://a.example.com:443") && text.contains("https://b.example.com:443"),
            "{text}"
        );
        assert_eq!(err.payload().fields[0].field, "secret_id");
        let given =
            CredentialsPatch { secret_id: Some("s".to_owned().into()), ..CredentialsPatch::default() };
        assert!(check_stored_credentials(&stored, &new, &given).is_ok());
        let confirmed = CredentialsPatch { reuse_credentials: true, ..CredentialsPatch::default() };
        assert!(check_stored_credentials(&stored, &new, &confirmed).is_ok());
        let role_only =
            CredentialsPatch { role_id: Some("r".to_owned().into()), ..CredentialsPatch::default() };
        assert!(
            check_stored_credentials(&stored, &new, &role_only).is_err(),
            "a Role ID alone is not enough"
        );
    }
}
