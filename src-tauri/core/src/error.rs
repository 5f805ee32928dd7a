//! Errors of the core, as data a front end can branch on. The CLI maps `ErrorCode` to an exit
//! code; the app sends an `Error`, which serialises as its `ErrorPayload` (`{code, message,
//! fields, ...}`), so a form can put each message under its field and commands return
//! `Result<T, Error>` with `?`. No message ever contains a Role ID, Secret ID, token or secret
//! value.

use std::path::PathBuf;

use serde::{Deserialize, Serialize, Serializer};
use ts_rs::TS;

use crate::provider::vault::{VaultError, VaultErrorInfo};
use crate::validate::{FieldError, ValidationErrors};

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What a login method keeps in the keyring, for the needs-credentials message.
fn needs_what(m: crate::model::AuthMethod) -> String {
    if m.uses_role_id() {
        format!("{} and {}", m.role_id_label(), m.secret_label())
    } else {
        m.secret_label().to_owned()
    }
}

/// The `vault update` flags that supply them.
fn needs_flags(m: crate::model::AuthMethod) -> String {
    let flag = |f: &str| format!("--{}-file FILE", f.replace('_', "-"));
    if m.uses_role_id() {
        format!("{} {}", flag(m.role_id_field()), flag(m.secret_field()))
    } else {
        flag(m.secret_field())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("invalid vault configuration: {0}")]
    Invalid(ValidationErrors),

    #[error("no vault named \"{name}\"")]
    VaultNotFound { name: String },

    #[error("a vault named \"{name}\" already exists (vault names are case-insensitive)")]
    VaultExists { name: String },

    /// The keyring daemon is absent, locked or refused access. Nothing was changed.
    #[error(
        "OS keyring unavailable ({detail}); nothing was changed. On Linux a Secret Service \
         provider (gnome-keyring, KeePassXC) must be running and unlocked in this session"
    )]
    KeyringUnavailable { detail: String },

    /// The keyring works but lacks an entry the vault needs.
    #[error(
        "the {which} of vault \"{vault}\" is missing from the OS keyring; store it again with \
         `vaultdesk vault update {vault} --{flag}-file FILE`",
        flag = which.replace(' ', "-").to_lowercase()
    )]
    CredentialMissing { vault: String, which: &'static str },

    /// The vault was imported without its credentials and none were supplied since.
    #[error(
        "vault \"{vault}\" needs credentials: it was imported without its {what}; supply them with \
         `vaultdesk vault update {vault} {flags}` (or the pencil in the window's vault list)",
        what = needs_what(*method),
        flags = needs_flags(*method)
    )]
    NeedsCredentials { vault: String, method: crate::model::AuthMethod },

    #[error("OS keyring error: {detail}")]
    Keyring { detail: String },

    /// A Test or an update would send the stored Secret ID to a server (or over a connection)
    /// other than the one it was stored for. Nothing was sent or stored.
    #[error(
        "the stored Role ID and Secret ID were saved for {stored}; this configuration would send \
         them to {new} (changed: {changed}). Give the Secret ID again, or confirm that the stored \
         IDs may be sent to {new}",
        stored = .0.stored_host,
        new = .0.new_host,
        changed = .0.changed.join(", ")
    )]
    CredentialsForOtherServer(Box<crate::store::CredentialsTarget>),

    #[error("data directory {}: {detail}", path.display())]
    DataDir { path: PathBuf, detail: String },

    #[error("database {}: {detail}", path.display())]
    Storage { path: PathBuf, detail: String },

    /// Boxed: `VaultError` is large and `Result<_, Error>` is everywhere.
    #[error("{0}")]
    Vault(Box<VaultError>),

    #[error("invalid connector: {0}")]
    InvalidConnector(ValidationErrors),

    /// A configuration file to import (`vault import-config`) with invalid entries; nothing was
    /// imported. Fields are prefixed with their entry: `vaults[1] "prod".url`.
    #[error("invalid configuration file, nothing was imported: {0}")]
    InvalidImport(ValidationErrors),

    #[error("no connector named \"{name}\"")]
    ConnectorNotFound { name: String },

    #[error("a connector named \"{name}\" already exists (connector names are case-insensitive)")]
    ConnectorExists { name: String },

    /// `vault remove` while connectors use the vault (selected or referenced).
    #[error(
        "vault \"{name}\" is used by connector{} {}; change them first, or remove the vault anyway",
        if connectors.len() == 1 { "" } else { "s" },
        connectors.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ")
    )]
    VaultInUse { name: String, connectors: Vec<String> },

    /// `vault update` changing the engine type while connectors whose kind would no longer fit
    /// select or reference the vault.
    #[error(
        "vault \"{name}\" cannot become {engine_type}: connector{} {} would no longer fit it; \
         change or remove {} first",
        if connectors.len() == 1 { "" } else { "s" },
        connectors.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", "),
        if connectors.len() == 1 { "it" } else { "them" }
    )]
    EngineChangeRefused { name: String, engine_type: String, connectors: Vec<String> },

    /// A reference or template that cannot be rendered (names references and keys, never values).
    #[error("{0}")]
    Template(Box<crate::template::TemplateError>),

    /// An export target exists and `--force` was not given. Nothing was written.
    #[error("{} exists; nothing was written (use --force to overwrite)", path.display())]
    FileExists { path: PathBuf },

    #[error("{}: {detail}", path.display())]
    File { path: PathBuf, detail: String },

    /// A file given as input (a document to render) is not what it should be.
    #[error("{}: {detail}", path.display())]
    InvalidFile { path: PathBuf, detail: String },

    #[error("no recorded lease \"{lease_id}\" (`vaultdesk lease list` shows them)")]
    LeaseNotFound { lease_id: String },

    #[error("\"{lease_id}\" matches {matches} recorded leases; give the whole lease id")]
    LeaseAmbiguous { lease_id: String, matches: usize },

    #[error("lease \"{lease_id}\" is {state}: there is nothing to renew")]
    LeaseEnded { lease_id: String, state: &'static str },

    /// The lease's vault was removed: vaultdesk has no login for it any more.
    #[error(
        "lease \"{lease_id}\" was issued by vault \"{vault}\", which is no longer stored; \
         vaultdesk cannot log in to renew or revoke it (it ends with its lease)"
    )]
    LeaseVaultGone { lease_id: String, vault: String },

    /// Something that should not happen did (a task panicked or was cancelled); a bug.
    #[error("internal error: {detail}")]
    Internal { detail: String },
}

/// What went wrong, for a front end to branch on. Stable: the CLI's exit codes and the UI
/// depend on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    InvalidInput,
    NotFound,
    AlreadyExists,
    KeyringUnavailable,
    CredentialMissing,
    /// The vault was imported without credentials; `vault update` or the form supplies them.
    NeedsCredentials,
    /// Stored credentials would go to another server; `ErrorPayload::credentials_target` says
    /// which. Give the Secret ID again or confirm (`reuse_credentials`).
    ConfirmCredentials,
    Keyring,
    Storage,
    /// Talking to Vault failed; `ErrorPayload::vault` says how.
    Vault,
    /// The vault is used by connectors; `ErrorPayload::message` lists them.
    InUse,
    /// A bug: a task panicked or stopped unexpectedly.
    Internal,
}

/// An error as the UI receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ErrorPayload {
    pub code: ErrorCode,
    /// One sentence for the user.
    pub message: String,
    /// Field-level errors of an invalid submission; empty otherwise.
    pub fields: Vec<FieldError>,
    /// The Vault failure, with its code, hint and field, when `code` is `vault`.
    pub vault: Option<VaultErrorInfo>,
    /// The connectors using the vault, when `code` is `in_use`.
    pub connectors: Vec<String>,
    /// The stored and the new server, when `code` is `confirm_credentials`.
    pub credentials_target: Option<crate::store::CredentialsTarget>,
}

impl Error {
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Invalid(_) => ErrorCode::InvalidInput,
            Error::VaultNotFound { .. } => ErrorCode::NotFound,
            Error::VaultExists { .. } => ErrorCode::AlreadyExists,
            Error::KeyringUnavailable { .. } => ErrorCode::KeyringUnavailable,
            Error::CredentialMissing { .. } => ErrorCode::CredentialMissing,
            Error::NeedsCredentials { .. } => ErrorCode::NeedsCredentials,
            Error::CredentialsForOtherServer(_) => ErrorCode::ConfirmCredentials,
            Error::Keyring { .. } => ErrorCode::Keyring,
            Error::DataDir { .. } | Error::Storage { .. } => ErrorCode::Storage,
            Error::Vault(_) => ErrorCode::Vault,
            Error::InvalidConnector(_) | Error::Template(_) | Error::InvalidImport(_) => {
                ErrorCode::InvalidInput
            }
            Error::ConnectorNotFound { .. } | Error::LeaseNotFound { .. } => ErrorCode::NotFound,
            Error::LeaseAmbiguous { .. } | Error::LeaseEnded { .. } => ErrorCode::InvalidInput,
            Error::LeaseVaultGone { .. } => ErrorCode::NotFound,
            Error::ConnectorExists { .. } | Error::FileExists { .. } => ErrorCode::AlreadyExists,
            Error::VaultInUse { .. } | Error::EngineChangeRefused { .. } => ErrorCode::InUse,
            Error::File { .. } => ErrorCode::Storage,
            Error::InvalidFile { .. } => ErrorCode::InvalidInput,
            Error::Internal { .. } => ErrorCode::Internal,
        }
    }

    pub fn payload(&self) -> ErrorPayload {
        let fields = match self {
            Error::Invalid(e) | Error::InvalidConnector(e) | Error::InvalidImport(e) => e.0.clone(),
            Error::VaultExists { .. } => {
                vec![FieldError::new("name", "is already used by another vault")]
            }
            Error::ConnectorExists { .. } => {
                vec![FieldError::new("name", "is already used by another connector")]
            }
            Error::Template(t) => vec![crate::connector::template_field_error(t)],
            Error::EngineChangeRefused { .. } => {
                vec![FieldError::new("engine_type", "does not suit the connectors that use this vault")]
            }
            Error::CredentialsForOtherServer(t) => vec![FieldError::new(
                "secret_id",
                format!(
                    "is required: the stored one was saved for {}, and this configuration would send it to \
                     {} (changed: {})",
                    t.stored_host,
                    t.new_host,
                    t.changed.join(", ")
                ),
            )],
            _ => Vec::new(),
        };
        let vault = match self {
            Error::Vault(v) => Some(v.info()),
            _ => None,
        };
        let connectors = match self {
            Error::VaultInUse { connectors, .. } | Error::EngineChangeRefused { connectors, .. } => {
                connectors.clone()
            }
            _ => Vec::new(),
        };
        let credentials_target = match self {
            Error::CredentialsForOtherServer(t) => Some((**t).clone()),
            _ => None,
        };
        ErrorPayload {
            code: self.code(),
            message: self.to_string(),
            fields,
            vault,
            connectors,
            credentials_target,
        }
    }

    pub(crate) fn invalid(field: &str, message: impl Into<String>) -> Error {
        Error::Invalid(ValidationErrors::single(field, message))
    }
}

/// An error crosses the IPC as its payload, so app commands return `Result<T, Error>`.
impl Serialize for Error {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        self.payload().serialize(serializer)
    }
}

impl From<Error> for ErrorPayload {
    fn from(e: Error) -> Self {
        e.payload()
    }
}

impl From<crate::template::TemplateError> for Error {
    fn from(e: crate::template::TemplateError) -> Self {
        Error::Template(Box::new(e))
    }
}

impl From<VaultError> for Error {
    fn from(e: VaultError) -> Self {
        Error::Vault(Box::new(e))
    }
}

impl From<ValidationErrors> for Error {
    fn from(e: ValidationErrors) -> Self {
        Error::Invalid(e)
    }
}

impl From<FieldError> for Error {
    fn from(e: FieldError) -> Self {
        Error::Invalid(ValidationErrors(vec![e]))
    }
}
