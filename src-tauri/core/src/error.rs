//! Errors of the core, as data a front end can branch on. The CLI maps `ErrorCode` to an exit
//! code; the app sends `ErrorPayload` (`{code, message, fields}`) so a form can put each message
//! under its field. No message ever contains a Role ID, Secret ID, token or secret value.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::validate::{FieldError, ValidationErrors};
use crate::vault::{VaultError, VaultErrorInfo};

pub type Result<T, E = Error> = std::result::Result<T, E>;

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

    #[error("OS keyring error: {detail}")]
    Keyring { detail: String },

    #[error("data directory {}: {detail}", path.display())]
    DataDir { path: PathBuf, detail: String },

    #[error("database {}: {detail}", path.display())]
    Storage { path: PathBuf, detail: String },

    #[error("{0}")]
    Vault(#[from] VaultError),
}

/// What went wrong, for a front end to branch on. Stable: the CLI's exit codes and the UI
/// depend on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorCode {
    InvalidInput,
    NotFound,
    AlreadyExists,
    KeyringUnavailable,
    CredentialMissing,
    Keyring,
    Storage,
    /// Talking to Vault failed; `ErrorPayload::vault` says how.
    Vault,
}

/// An error as the UI receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ErrorPayload {
    pub code: ErrorCode,
    /// One sentence for the user.
    pub message: String,
    /// Field-level errors of an invalid submission; empty otherwise.
    pub fields: Vec<FieldError>,
    /// The Vault failure, with its code, hint and field, when `code` is `vault`.
    pub vault: Option<VaultErrorInfo>,
}

impl Error {
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Invalid(_) => ErrorCode::InvalidInput,
            Error::VaultNotFound { .. } => ErrorCode::NotFound,
            Error::VaultExists { .. } => ErrorCode::AlreadyExists,
            Error::KeyringUnavailable { .. } => ErrorCode::KeyringUnavailable,
            Error::CredentialMissing { .. } => ErrorCode::CredentialMissing,
            Error::Keyring { .. } => ErrorCode::Keyring,
            Error::DataDir { .. } | Error::Storage { .. } => ErrorCode::Storage,
            Error::Vault(_) => ErrorCode::Vault,
        }
    }

    pub fn payload(&self) -> ErrorPayload {
        let fields = match self {
            Error::Invalid(e) => e.0.clone(),
            Error::VaultExists { .. } => {
                vec![FieldError { field: "name".into(), message: "is already used by another vault".into() }]
            }
            _ => Vec::new(),
        };
        let vault = match self {
            Error::Vault(v) => Some(v.info()),
            _ => None,
        };
        ErrorPayload { code: self.code(), message: self.to_string(), fields, vault }
    }

    pub(crate) fn invalid(field: &str, message: impl Into<String>) -> Error {
        Error::Invalid(ValidationErrors::single(field, message))
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
