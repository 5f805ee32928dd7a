//! What can go wrong connecting with a connector's configuration, as named variants: a one-line
//! message, a hint an admin can act on, and the form field it belongs under (`config.host`,
//! `config.password`...), like [`crate::provider::vault::VaultErrorInfo`]. None carries a
//! password, token or header value: messages name hosts, ports, users and databases.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectorError {
    #[error("{field}: {detail}")]
    InvalidValue { field: String, detail: String },
    #[error("host \"{host}\" could not be resolved")]
    DnsFailure { host: String, field: String },
    #[error("{host}:{port} refused the connection")]
    ConnectionRefused { host: String, port: u16, field: String },
    #[error("{host}:{port} is unreachable: {detail}")]
    HostUnreachable { host: String, port: u16, detail: String, field: String },
    #[error("{what}: no answer within {secs}s")]
    Timeout { what: String, secs: u64, field: String },
    #[error("TLS refused: {host}:{port} does not offer TLS, and tls_mode {mode} requires it")]
    TlsRefused { host: String, port: u16, mode: String },
    #[error("TLS required: the server refuses unencrypted connections ({detail})")]
    TlsRequired { detail: String },
    #[error("TLS: the certificate of {host} is signed by an unknown authority")]
    TlsUnknownCa { host: String, field: String },
    #[error("TLS: the certificate is not valid for the host name \"{host}\"")]
    TlsNameMismatch { host: String, field: String },
    #[error("TLS: the certificate of {host} has expired or is not yet valid")]
    TlsExpired { host: String },
    #[error("TLS handshake with {host} failed: {detail}")]
    Tls { host: String, detail: String },
    #[error("TLS settings: {detail}")]
    TlsConfig { field: String, detail: String },
    #[error("wrong password for user \"{user}\"")]
    WrongPassword { user: String },
    #[error("login refused for user \"{user}\": {detail}")]
    LoginRefused { user: String, detail: String },
    #[error("the server asks for a password and the configuration has none")]
    PasswordMissing,
    #[error("database \"{database}\" does not exist")]
    DatabaseNotFound { database: String },
    #[error("user \"{user}\" may not use database \"{database}\"")]
    DatabaseDenied { user: String, database: String },
    #[error("not a {expected} server: {detail}")]
    Protocol { expected: String, detail: String },
    #[error("the server reported: {detail}")]
    Server { detail: String },
    #[error("authentication refused: the API answered {status}")]
    Unauthorized { status: u16, field: String },
    #[error("authentication accepted but access denied: the API answered {status}")]
    Forbidden { status: u16, field: String },
    #[error("the API answered {status}: {detail}")]
    HttpStatus { status: u16, detail: String },
    #[error("request failed: {detail}")]
    Request { detail: String, field: String },
}

/// Stable codes of [`ConnectorError`], for the UI to branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ConnectorErrorCode {
    /// The secrets could not be resolved or the configuration rendered.
    Secrets,
    InvalidValue,
    DnsFailure,
    ConnectionRefused,
    HostUnreachable,
    Timeout,
    TlsRefused,
    TlsRequired,
    TlsUnknownCa,
    TlsNameMismatch,
    TlsExpired,
    Tls,
    TlsConfig,
    WrongPassword,
    LoginRefused,
    PasswordMissing,
    DatabaseNotFound,
    DatabaseDenied,
    Protocol,
    Server,
    Unauthorized,
    Forbidden,
    HttpStatus,
    Request,
}

/// A [`ConnectorError`] as a front end receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ConnectorErrorInfo {
    pub code: ConnectorErrorCode,
    pub message: String,
    pub hint: String,
    /// The form field the error belongs under (`config.host`, `config.password`...), if any.
    pub field: Option<String>,
}

impl ConnectorError {
    pub fn code(&self) -> ConnectorErrorCode {
        use ConnectorError as E;
        use ConnectorErrorCode as C;
        match self {
            E::InvalidValue { .. } => C::InvalidValue,
            E::DnsFailure { .. } => C::DnsFailure,
            E::ConnectionRefused { .. } => C::ConnectionRefused,
            E::HostUnreachable { .. } => C::HostUnreachable,
            E::Timeout { .. } => C::Timeout,
            E::TlsRefused { .. } => C::TlsRefused,
            E::TlsRequired { .. } => C::TlsRequired,
            E::TlsUnknownCa { .. } => C::TlsUnknownCa,
            E::TlsNameMismatch { .. } => C::TlsNameMismatch,
            E::TlsExpired { .. } => C::TlsExpired,
            E::Tls { .. } => C::Tls,
            E::TlsConfig { .. } => C::TlsConfig,
            E::WrongPassword { .. } => C::WrongPassword,
            E::LoginRefused { .. } => C::LoginRefused,
            E::PasswordMissing => C::PasswordMissing,
            E::DatabaseNotFound { .. } => C::DatabaseNotFound,
            E::DatabaseDenied { .. } => C::DatabaseDenied,
            E::Protocol { .. } => C::Protocol,
            E::Server { .. } => C::Server,
            E::Unauthorized { .. } => C::Unauthorized,
            E::Forbidden { .. } => C::Forbidden,
            E::HttpStatus { .. } => C::HttpStatus,
            E::Request { .. } => C::Request,
        }
    }

    /// What the admin can do about it.
    pub fn hint(&self) -> String {
        use ConnectorError as E;
        match self {
            E::InvalidValue { .. } => "check the value (or the secret it references)".into(),
            E::DnsFailure { .. } => "check the host name".into(),
            E::ConnectionRefused { .. } => {
                "check the port, and that the server is running and listening on that address".into()
            }
            E::HostUnreachable { .. } => "check the host and the network (VPN, firewall, routes)".into(),
            E::Timeout { .. } => "check network access (VPN, firewall) and that the server is up".into(),
            E::TlsRefused { .. } => {
                "enable TLS on the server, or set tls_mode to prefer or disable".into()
            }
            E::TlsRequired { .. } => "set tls_mode to require, verify-ca or verify-full".into(),
            E::TlsUnknownCa { .. } => {
                "give the CA that signed the server's certificate (options.sslrootcert), or use tls_mode require"
                    .into()
            }
            E::TlsNameMismatch { .. } => {
                "use the host name the certificate was issued for, or tls_mode verify-ca".into()
            }
            E::TlsExpired { .. } => "renew the server's certificate, or check this machine's clock".into(),
            E::Tls { .. } => "check the server's TLS setup and tls_mode".into(),
            E::TlsConfig { .. } => "point the CA option at a readable PEM file".into(),
            E::WrongPassword { .. } => {
                "check the password (or the secret it references) and that the user exists".into()
            }
            E::LoginRefused { .. } => "check the user and the server's access rules (pg_hba.conf, host grants)".into(),
            E::PasswordMissing => "fill in the password (or reference it from a vault)".into(),
            E::DatabaseNotFound { .. } => "check the database name, or create the database".into(),
            E::DatabaseDenied { .. } => "grant the user access to this database".into(),
            E::Protocol { .. } => "check the host and port: another service answers there".into(),
            E::Server { .. } => "see the server's message; check its logs".into(),
            E::Unauthorized { .. } => "check the auth type and its credentials (or the secrets they reference)".into(),
            E::Forbidden { .. } => "the credentials are valid but lack the rights for this path".into(),
            E::HttpStatus { .. } => "check the base URL and the test path".into(),
            E::Request { .. } => "check the base URL and the network".into(),
        }
    }

    /// The form field the error belongs under.
    pub fn field(&self) -> Option<String> {
        use ConnectorError as E;
        match self {
            E::InvalidValue { field, .. }
            | E::DnsFailure { field, .. }
            | E::ConnectionRefused { field, .. }
            | E::HostUnreachable { field, .. }
            | E::Timeout { field, .. }
            | E::TlsUnknownCa { field, .. }
            | E::TlsNameMismatch { field, .. }
            | E::TlsConfig { field, .. }
            | E::Unauthorized { field, .. }
            | E::Forbidden { field, .. }
            | E::Request { field, .. } => Some(field.clone()),
            E::TlsRefused { .. } | E::TlsRequired { .. } | E::TlsExpired { .. } | E::Tls { .. } => {
                Some("config.tls_mode".into())
            }
            E::WrongPassword { .. } | E::PasswordMissing => Some("config.password".into()),
            E::LoginRefused { .. } => Some("config.username".into()),
            E::DatabaseNotFound { .. } | E::DatabaseDenied { .. } => Some("config.database".into()),
            E::Protocol { .. } => Some("config.port".into()),
            E::Server { .. } | E::HttpStatus { .. } => None,
        }
    }

    pub fn info(&self) -> ConnectorErrorInfo {
        ConnectorErrorInfo {
            code: self.code(),
            message: self.to_string(),
            hint: self.hint(),
            field: self.field(),
        }
    }
}

/// A failure to resolve the secrets or render the configuration, as a `secrets` stage error.
pub(crate) fn secrets_info(e: &crate::Error) -> ConnectorErrorInfo {
    let payload = e.payload();
    let field = payload
        .fields
        .first()
        .map(|f| f.field.clone())
        .or_else(|| payload.vault.as_ref().map(|_| "vault".to_owned()));
    let hint = match &payload.vault {
        Some(v) => v.hint.clone(),
        None => "fix the reference, or the vault's secret, then test again".into(),
    };
    let message = match payload.fields.first() {
        Some(f) if !payload.message.contains(&f.message) => format!("{}: {}", f.field, f.message),
        _ => payload.message,
    };
    ConnectorErrorInfo { code: ConnectorErrorCode::Secrets, message, hint, field }
}
