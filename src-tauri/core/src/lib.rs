//! vaultdesk-core: everything vaultdesk does, with no Tauri in sight.
//!
//! The desktop app (`src-tauri/`) and the `vaultdesk` command (`src-tauri/cli`) are two thin
//! front doors onto this crate. If they ever disagree about behaviour, the logic is in the
//! wrong place: move it here.
//!
//! Secrets (Role ID, Secret ID, later tokens and secret values) travel as
//! [`secrecy::SecretString`]; they are never stored in SQLite, never logged and never part of an
//! error message.

pub mod bindings;
pub mod connector;
pub mod connector_probe;
pub mod desktop;
pub mod duration;
pub mod error;
pub mod export;
mod hooks;
pub mod keyring;
pub mod literal_secrets;
pub mod model;
pub mod ops;
pub mod paths;
pub mod provider;
pub mod redact;
pub mod render;
pub mod rendered_types;
pub mod sensitive;
pub mod store;
pub mod template;
pub mod timings;
pub mod validate;

pub use error::{Error, ErrorCode, ErrorPayload, Result};
pub use model::{
    AppRoleCredentials, AuthMethod, AwsInput, AwsSpec, Credentials, CredentialsPatch, EngineType,
    KeyringLocation, Provider, TlsInput, TlsSpec, Vault, VaultInput, VaultPatch, VaultSpec,
};
pub use ops::Core;
pub use secrecy::{ExposeSecret, SecretString};
pub use store::Store;
pub use validate::{FieldError, ValidationErrors};
