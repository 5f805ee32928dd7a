//! Access to the OS keyring (Secret Service on Linux, Keychain on macOS, Credential Manager on
//! Windows) behind a small trait, so the store can be tested with faults a real keyring cannot
//! produce on demand (failing the second of two writes). Production code uses [`OsKeyring`].
//!
//! The calls are blocking; async callers run them on `spawn_blocking`.

use secrecy::{ExposeSecret, SecretString};

use crate::{Error, Result};

/// Service name of every vaultdesk keyring entry.
pub const SERVICE: &str = "vaultdesk";

pub trait CredentialStore: Send + Sync {
    fn set(&self, account: &str, value: &SecretString) -> Result<()>;
    /// `Ok(None)` when there is no entry.
    fn get(&self, account: &str) -> Result<Option<SecretString>>;
    /// Deleting a missing entry is not an error.
    fn delete(&self, account: &str) -> Result<()>;
}

/// The platform keyring through the `keyring` crate, with a real backend compiled in for each OS.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsKeyring;

fn entry(account: &str) -> Result<keyring::Entry> {
    keyring::Entry::new(SERVICE, account).map_err(map_err)
}

/// Turns a keyring error into ours without ever carrying a stored value along (`BadEncoding`
/// holds the raw bytes; `Ambiguous` holds credentials).
fn map_err(e: keyring::Error) -> Error {
    use keyring::Error as K;
    match e {
        K::PlatformFailure(inner) | K::NoStorageAccess(inner) => {
            Error::KeyringUnavailable { detail: first_line(&inner.to_string()) }
        }
        K::NoEntry => Error::Keyring { detail: "no such entry".into() },
        K::BadEncoding(_) => Error::Keyring { detail: "a stored entry is not valid UTF-8".into() },
        K::TooLong(attr, limit) => {
            Error::Keyring { detail: format!("attribute {attr} is longer than {limit}") }
        }
        K::Invalid(attr, reason) => Error::Keyring { detail: format!("invalid {attr}: {reason}") },
        K::Ambiguous(items) => Error::Keyring {
            detail: format!("{} entries match one account; remove the duplicates", items.len()),
        },
        _ => Error::Keyring { detail: "unexpected keyring failure".into() },
    }
}

fn first_line(s: &str) -> String {
    let line = s.lines().next().unwrap_or("").trim();
    if line.len() > 200 {
        format!("{}…", &line[..line.char_indices().nth(200).map_or(line.len(), |(i, _)| i)])
    } else {
        line.to_owned()
    }
}

impl CredentialStore for OsKeyring {
    fn set(&self, account: &str, value: &SecretString) -> Result<()> {
        entry(account)?.set_password(value.expose_secret()).map_err(map_err)
    }

    fn get(&self, account: &str) -> Result<Option<SecretString>> {
        match entry(account)?.get_password() {
            Ok(v) => Ok(Some(SecretString::from(v))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_err(e)),
        }
    }

    fn delete(&self, account: &str) -> Result<()> {
        match entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_err(e)),
        }
    }
}
