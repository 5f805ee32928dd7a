//! What can go wrong talking to Vault, as named variants a front end can branch on. Each has a
//! one-line message (what and where), a hint (what to do), and the form field it concerns. None
//! carries a token, Role ID, Secret ID or secret value: messages are built from paths, names and
//! Vault's own error strings, which do not echo request bodies.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    #[error("Vault at {url} is unreachable: connection refused")]
    ConnectionRefused { url: String },
    #[error("Vault at {url} is unreachable: host \"{host}\" could not be resolved")]
    DnsFailure { url: String, host: String },
    #[error("Vault at {url} did not answer within {secs}s")]
    Timeout { url: String, secs: u64 },
    #[error("Vault at {url} is unreachable: {detail}")]
    Unreachable { url: String, detail: String },
    #[error("TLS: the certificate of {url} is signed by an unknown authority")]
    TlsUnknownCa { url: String },
    #[error("TLS: the certificate of {url} is not valid for that host name")]
    TlsNameMismatch { url: String },
    #[error("TLS: the certificate of {url} has expired or is not yet valid")]
    TlsExpired { url: String },
    #[error("TLS handshake with {url} failed: {detail}")]
    Tls { url: String, detail: String },
    #[error("TLS settings: {detail}")]
    TlsConfig { field: &'static str, detail: String },
    #[error("Vault at {url} is sealed")]
    Sealed { url: String },
    #[error("Vault at {url} is not initialized")]
    NotInitialized { url: String },
    #[error("login refused: invalid Role ID or Secret ID for auth mount \"{auth_mount}\"")]
    InvalidCredentials { auth_mount: String },
    #[error(
        "login refused: the AppRole on auth mount \"{auth_mount}\" is locked out after repeated \
         failed logins"
    )]
    LockedOut { auth_mount: String },
    #[error("login refused: wrong password or unknown user \"{user}\" on auth mount \"{auth_mount}\"")]
    WrongPassword { auth_mount: String, user: String },
    #[error(
        "LDAP login on auth mount \"{auth_mount}\" failed: Vault cannot reach its LDAP server ({detail})"
    )]
    LdapUnavailable { auth_mount: String, detail: String },
    #[error("the token is expired, revoked or not known to this Vault")]
    TokenInvalid,
    #[error("JWT login on auth mount \"{auth_mount}\" refused: {detail}")]
    JwtRejected { auth_mount: String, detail: String },
    #[error("role \"{role}\" not found on JWT auth mount \"{auth_mount}\"")]
    JwtRoleNotFound { auth_mount: String, role: String },
    #[error("OIDC login needed for auth mount \"{auth_mount}\": no token from a browser sign-in yet")]
    OidcLoginNeeded { auth_mount: String },
    #[error("OIDC sign-in refused: the browser came back with another login's state (or a stale one)")]
    OidcStateMismatch { auth_mount: String },
    #[error("OIDC sign-in cancelled at the provider")]
    OidcCancelled { auth_mount: String },
    #[error("OIDC sign-in on auth mount \"{auth_mount}\": role \"{role}\" does not allow vaultdesk's loopback redirect")]
    OidcRedirectNotAllowed { auth_mount: String, role: String },
    #[error(
        "OIDC sign-in on auth mount \"{auth_mount}\" timed out: the browser did not come back within {secs}s"
    )]
    OidcTimeout { auth_mount: String, secs: u64 },
    #[error("OIDC sign-in on auth mount \"{auth_mount}\" refused: {detail}")]
    OidcRejected { auth_mount: String, detail: String },
    #[error("version {version} of \"{path}\" is {state}")]
    VersionUnavailable { path: String, version: u64, state: String },
    #[error(
        "SECURITY: the wrapping token was already unwrapped, has expired, or was never issued — if it \
         was not you who unwrapped it, someone else may hold the Secret ID"
    )]
    WrappingTokenInvalid,
    #[error(
        "plain HTTP to {url} is not allowed: the Secret ID and tokens would cross the network unencrypted"
    )]
    PlainHttp { url: String },
    #[error("namespace \"{namespace}\" not found")]
    NamespaceNotFound { namespace: String },
    #[error("auth mount \"{auth_mount}\" not found (or not a mount of this login method)")]
    AuthMountNotFound { auth_mount: String },
    #[error("permission denied on \"{path}\"")]
    PermissionDenied { path: String },
    #[error(
        "the vault's policy does not allow {operation} of leases (update on \"sys/leases/{operation}\")"
    )]
    LeaseDenied { operation: &'static str },
    #[error("engine \"{mount}\" is not mounted")]
    MountNotFound { mount: String },
    #[error("no secret at \"{path}\"")]
    SecretNotFound { path: String },
    #[error("mount \"{mount}\" is not a {expected} engine ({found})")]
    WrongKvEngine { mount: String, expected: String, found: String, suggest: Option<String> },
    #[error("database role \"{role}\" not found in engine \"{mount}\"")]
    DatabaseRoleNotFound { mount: String, role: String },
    #[error(
        "connection \"{connection}\" uses the {plugin} plugin, but the vault's engine type is \
         {engine_type}"
    )]
    EnginePluginMismatch { connection: String, plugin: String, engine_type: String },
    #[error("Vault rate-limited the request to \"{path}\"")]
    RateLimited { path: String, retry_after_secs: Option<u64> },
    #[error("Vault answered {status} on \"{path}\": {message}")]
    Server { path: String, status: u16, message: String },
    #[error("Vault refused the request to \"{path}\" ({status}): {message}")]
    BadRequest { path: String, status: u16, message: String },
    #[error("unexpected answer from Vault on \"{path}\": {detail}")]
    Malformed { path: String, detail: String },
    #[error("response too large from Vault on \"{path}\": more than {limit_mib} MiB (not read further)")]
    ResponseTooLarge { path: String, limit_mib: u64 },
    /// AWS Secrets Manager's failures (the provider's own named errors, same shape).
    #[error(transparent)]
    Aws(Box<crate::provider::aws::AwsError>),
}

/// Stable codes of [`VaultError`], for the UI to branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum VaultErrorCode {
    ConnectionRefused,
    DnsFailure,
    Timeout,
    Unreachable,
    TlsUnknownCa,
    TlsNameMismatch,
    TlsExpired,
    Tls,
    TlsConfig,
    Sealed,
    NotInitialized,
    InvalidCredentials,
    LockedOut,
    WrongPassword,
    LdapUnavailable,
    TokenInvalid,
    JwtRejected,
    JwtRoleNotFound,
    VersionUnavailable,
    OidcLoginNeeded,
    OidcStateMismatch,
    OidcCancelled,
    OidcRedirectNotAllowed,
    OidcTimeout,
    OidcRejected,
    WrappingTokenInvalid,
    PlainHttp,
    NamespaceNotFound,
    AuthMountNotFound,
    PermissionDenied,
    LeaseDenied,
    MountNotFound,
    SecretNotFound,
    WrongKvEngine,
    DatabaseRoleNotFound,
    EnginePluginMismatch,
    RateLimited,
    Server,
    BadRequest,
    Malformed,
    ResponseTooLarge,
    // AWS Secrets Manager
    AwsUnknownEndpoint,
    AwsInvalidKeys,
    AwsExpiredCredentials,
    AwsNoCredentials,
    AwsProfileNotFound,
    AwsAssumeRoleFailed,
    AwsAccessDenied,
    AwsSecretNotFound,
    AwsSecretDeleted,
    AwsVersionNotFound,
    AwsDecryptionFailure,
    AwsThrottled,
    AwsNotJsonObject,
    AwsMissingDatabaseKeys,
    AwsRequestFailed,
}

/// A [`VaultError`] as a front end receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct VaultErrorInfo {
    pub code: VaultErrorCode,
    pub message: String,
    pub hint: String,
    /// The configuration field the error concerns (`url`, `secret_id`, `path`...), if any.
    pub field: Option<String>,
}

impl VaultError {
    pub fn code(&self) -> VaultErrorCode {
        use VaultError as E;
        use VaultErrorCode as C;
        match self {
            E::ConnectionRefused { .. } => C::ConnectionRefused,
            E::DnsFailure { .. } => C::DnsFailure,
            E::Timeout { .. } => C::Timeout,
            E::Unreachable { .. } => C::Unreachable,
            E::TlsUnknownCa { .. } => C::TlsUnknownCa,
            E::TlsNameMismatch { .. } => C::TlsNameMismatch,
            E::TlsExpired { .. } => C::TlsExpired,
            E::Tls { .. } => C::Tls,
            E::TlsConfig { .. } => C::TlsConfig,
            E::Sealed { .. } => C::Sealed,
            E::NotInitialized { .. } => C::NotInitialized,
            E::InvalidCredentials { .. } => C::InvalidCredentials,
            E::LockedOut { .. } => C::LockedOut,
            E::WrongPassword { .. } => C::WrongPassword,
            E::LdapUnavailable { .. } => C::LdapUnavailable,
            E::TokenInvalid => C::TokenInvalid,
            E::JwtRejected { .. } => C::JwtRejected,
            E::JwtRoleNotFound { .. } => C::JwtRoleNotFound,
            E::VersionUnavailable { .. } => C::VersionUnavailable,
            E::OidcLoginNeeded { .. } => C::OidcLoginNeeded,
            E::OidcStateMismatch { .. } => C::OidcStateMismatch,
            E::OidcCancelled { .. } => C::OidcCancelled,
            E::OidcRedirectNotAllowed { .. } => C::OidcRedirectNotAllowed,
            E::OidcTimeout { .. } => C::OidcTimeout,
            E::OidcRejected { .. } => C::OidcRejected,
            E::WrappingTokenInvalid => C::WrappingTokenInvalid,
            E::PlainHttp { .. } => C::PlainHttp,
            E::NamespaceNotFound { .. } => C::NamespaceNotFound,
            E::AuthMountNotFound { .. } => C::AuthMountNotFound,
            E::PermissionDenied { .. } => C::PermissionDenied,
            E::LeaseDenied { .. } => C::LeaseDenied,
            E::MountNotFound { .. } => C::MountNotFound,
            E::SecretNotFound { .. } => C::SecretNotFound,
            E::WrongKvEngine { .. } => C::WrongKvEngine,
            E::DatabaseRoleNotFound { .. } => C::DatabaseRoleNotFound,
            E::EnginePluginMismatch { .. } => C::EnginePluginMismatch,
            E::RateLimited { .. } => C::RateLimited,
            E::Server { .. } => C::Server,
            E::BadRequest { .. } => C::BadRequest,
            E::Malformed { .. } => C::Malformed,
            E::ResponseTooLarge { .. } => C::ResponseTooLarge,
            E::Aws(a) => a.code(),
        }
    }

    /// What the admin can do about it.
    pub fn hint(&self) -> String {
        use VaultError as E;
        match self {
            E::ConnectionRefused { .. } => {
                "check the port and that Vault is running and listening on that address".into()
            }
            E::DnsFailure { .. } => "check the host name in the Vault URL".into(),
            E::Timeout { .. } => {
                "check network access (VPN, firewall) or raise the timeouts in Advanced".into()
            }
            E::Unreachable { .. } => "check the Vault URL and the network".into(),
            E::TlsUnknownCa { .. } => {
                "set the CA certificate that signed Vault's certificate (Advanced > CA certificate)".into()
            }
            E::TlsNameMismatch { .. } => {
                "use the host name the certificate was issued for in the Vault URL".into()
            }
            E::TlsExpired { .. } => "renew Vault's certificate, or check this machine's clock".into(),
            E::Tls { .. } => {
                "check that the URL's scheme and port serve TLS and the TLS settings in Advanced".into()
            }
            E::TlsConfig { .. } => "point the TLS settings at readable PEM files".into(),
            E::Sealed { .. } => "unseal Vault (bao/vault operator unseal), then test again".into(),
            E::NotInitialized { .. } => "initialize Vault (operator init) first".into(),
            E::InvalidCredentials { .. } => {
                "check the Role ID and Secret ID; Secret IDs expire or run out of uses — generate a new one"
                    .into()
            }
            E::LockedOut { .. } => {
                "wait for the lockout to end (OpenBao and Vault default: 15 minutes) or have an admin \
                 unlock it (sys/locked-users), then check the Secret ID: repeated wrong ones cause this"
                    .into()
            }
            E::WrongPassword { .. } => {
                "check the user name and password; repeated failures can lock the user out".into()
            }
            E::LdapUnavailable { .. } => {
                "the LDAP server Vault's ldap auth points at is down or unreachable from Vault; ask \
                 Vault's admin (auth/<mount>/config url)"
                    .into()
            }
            E::TokenInvalid => "create a new token (e.g. `bao login` or `vault token create`) and store it \
                 with `vaultdesk vault update NAME --token-file FILE` or the form's Token field"
                .into(),
            E::JwtRejected { .. } => "check the JWT: not expired, signed by a key the mount trusts, and with the \
                 audience and claims the role binds (bound_audiences, bound_claims, user_claim)"
                .into(),
            E::JwtRoleNotFound { .. } => "check the role name: it is a role of the JWT auth mount".into(),
            E::VersionUnavailable { .. } => "pin another version, or clear the pin to read the current one".into(),
            E::OidcLoginNeeded { .. } => {
                "sign in with the vault's Log in button, or `vaultdesk vault login NAME` (--remember keeps the token \
                 in the OS keyring until it expires)"
                    .into()
            }
            E::OidcStateMismatch { .. } => "start the sign-in again from vaultdesk, and finish it in the same browser tab".into(),
            E::OidcCancelled { .. } => "sign in again and approve the request at the provider".into(),
            E::OidcRedirectNotAllowed { .. } => "add http://127.0.0.1:8250/oidc/callback to the role's allowed_redirect_uris \
                 (Vault accepts any port on the loopback address for it)"
                .into(),
            E::OidcTimeout { .. } => "sign in again; finish the provider's page before the time runs out".into(),
            E::OidcRejected { .. } => "check the OIDC auth mount's configuration and the role's bound claims".into(),
            E::WrappingTokenInvalid => "ask for a new wrapped Secret ID, and have the AppRole's Secret IDs \
                 checked (secret-id accessors): an unwrapped token that you did not unwrap is a sign \
                 of interception"
                .into(),
            E::PlainHttp { .. } => {
                "use https://, or allow plain HTTP for this vault (--allow-http, or Advanced > Allow plain HTTP)"
                    .into()
            }
            E::NamespaceNotFound { .. } => {
                "check the namespace's spelling and parent path, or leave it empty for the root".into()
            }
            E::AuthMountNotFound { .. } => {
                "check the auth mount path (default: the method's name, e.g. approle) and that the login method is enabled there".into()
            }
            E::PermissionDenied { .. } => "grant the AppRole's policy read on this path".into(),
            E::LeaseDenied { operation } => format!(
                "add `path \"sys/leases/{operation}\" {{ capabilities = [\"update\"] }}` to the AppRole's \
                 policy, or let the lease run out"
            ),
            E::MountNotFound { .. } => {
                "check the engine name: it is the path the secrets engine is mounted at".into()
            }
            E::SecretNotFound { .. } => "check the engine name and the path to the secret".into(),
            E::WrongKvEngine { suggest: Some(t), .. } => {
                format!("choose engine type {t}: it matches what is mounted there (detected by the Test)")
            }
            E::WrongKvEngine { .. } => "choose the engine type that matches the mount, or point at a KV mount".into(),
            E::DatabaseRoleNotFound { .. } => "check the database role name in the database engine".into(),
            E::EnginePluginMismatch { .. } => {
                "choose the engine type of the database the connection points at, or another connection"
                    .into()
            }
            E::RateLimited { .. } => {
                "wait and retry, or raise the cache TTL so fewer requests are made".into()
            }
            E::Server { .. } => "Vault reported an internal problem; check its logs".into(),
            E::BadRequest { .. } => "check the configuration values for this path".into(),
            E::Malformed { .. } => {
                "check that the URL points at Vault or OpenBao and not at another service".into()
            }
            E::ResponseTooLarge { .. } => {
                "check that the URL points at Vault or OpenBao; no Vault answer vaultdesk reads is that large"
                    .into()
            }
            E::Aws(a) => a.hint(),
        }
    }

    /// The configuration field the error belongs under in a form.
    pub fn field(&self) -> Option<&'static str> {
        use VaultError as E;
        match self {
            E::ConnectionRefused { .. }
            | E::DnsFailure { .. }
            | E::Timeout { .. }
            | E::Unreachable { .. }
            | E::TlsNameMismatch { .. }
            | E::Sealed { .. }
            | E::NotInitialized { .. }
            | E::Malformed { .. }
            | E::ResponseTooLarge { .. }
            | E::PlainHttp { .. } => Some("url"),
            E::TlsUnknownCa { .. } | E::TlsExpired { .. } | E::Tls { .. } => Some("tls_ca_cert"),
            E::TlsConfig { field, .. } => Some(field),
            E::InvalidCredentials { .. } | E::LockedOut { .. } | E::WrappingTokenInvalid => Some("secret_id"),
            E::WrongPassword { .. } => Some("password"),
            E::LdapUnavailable { .. } => Some("auth_mount"),
            E::TokenInvalid => Some("token"),
            E::JwtRejected { .. } => Some("jwt"),
            E::JwtRoleNotFound { .. } => Some("auth_role"),
            E::VersionUnavailable { .. } => Some("kv_version"),
            E::OidcLoginNeeded { .. }
            | E::OidcStateMismatch { .. }
            | E::OidcCancelled { .. }
            | E::OidcTimeout { .. }
            | E::OidcRejected { .. } => None,
            E::OidcRedirectNotAllowed { .. } => Some("auth_role"),
            E::NamespaceNotFound { .. } => Some("namespace"),
            E::AuthMountNotFound { .. } => Some("auth_mount"),
            E::PermissionDenied { .. } | E::SecretNotFound { .. } => Some("path"),
            E::MountNotFound { .. } => Some("engine_name"),
            E::WrongKvEngine { suggest: Some(_), .. } => Some("engine_type"),
            E::WrongKvEngine { .. } => Some("engine_name"),
            E::DatabaseRoleNotFound { .. } => Some("db_role"),
            E::EnginePluginMismatch { .. } => Some("engine_type"),
            E::RateLimited { .. } | E::Server { .. } | E::BadRequest { .. } | E::LeaseDenied { .. } => None,
            E::Aws(a) => a.field(),
        }
    }

    pub fn info(&self) -> VaultErrorInfo {
        VaultErrorInfo {
            code: self.code(),
            message: self.to_string(),
            hint: self.hint(),
            field: self.field().map(str::to_owned),
        }
    }

    /// An AWS failure.
    pub fn aws(e: crate::provider::aws::AwsError) -> VaultError {
        VaultError::Aws(Box::new(e))
    }

    /// Whether a fresh login might cure it (the token expired or was revoked).
    pub(crate) fn may_be_stale_token(&self) -> bool {
        matches!(self, VaultError::PermissionDenied { .. })
    }
}
