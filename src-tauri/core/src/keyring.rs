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
    /// Several entries read together, in the order asked (`None` where there is no entry). A
    /// vault's login reads two (Role ID and Secret ID): the OS keyring reads both through one
    /// connection and one Secret Service session instead of one of each per entry.
    fn get_many(&self, accounts: &[&str]) -> Result<Vec<Option<SecretString>>> {
        accounts.iter().map(|a| self.get(a)).collect()
    }
    /// Deleting a missing entry is not an error.
    fn delete(&self, account: &str) -> Result<()>;
    /// Every vaultdesk account starting with `prefix` (names only), or `Ok(None)` when this
    /// keyring cannot list its entries.
    fn list_accounts(&self, prefix: &str) -> Result<Option<Vec<String>>> {
        let _ = prefix;
        Ok(None)
    }
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

    /// The Secret Service: one D-Bus connection and one (encrypted) session for all the
    /// entries, each found with the same attributes the keyring crate searches on (`target`
    /// `default`, `service`, `username`), so it reads exactly the item [`Self::get`] would.
    /// Elsewhere, one read per entry.
    fn get_many(&self, accounts: &[&str]) -> Result<Vec<Option<SecretString>>> {
        #[cfg(target_os = "linux")]
        {
            secret_service_get_many(accounts)
        }
        #[cfg(not(target_os = "linux"))]
        {
            accounts.iter().map(|a| self.get(a)).collect()
        }
    }

    fn delete(&self, account: &str) -> Result<()> {
        match entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_err(e)),
        }
    }

    /// The Secret Service: the keyring crate stores each entry with the attributes `service`
    /// and `username` (the account), among others; a search on `service` finds them all,
    /// locked or not (attributes are readable without unlocking).
    #[cfg(target_os = "linux")]
    fn list_accounts(&self, prefix: &str) -> Result<Option<Vec<String>>> {
        use dbus_secret_service::{EncryptionType, SecretService};
        let unavailable =
            |e: dbus_secret_service::Error| Error::KeyringUnavailable { detail: first_line(&e.to_string()) };
        let ss = SecretService::connect(EncryptionType::Plain).map_err(unavailable)?;
        let found =
            ss.search_items(std::collections::HashMap::from([("service", SERVICE)])).map_err(unavailable)?;
        let mut accounts = Vec::new();
        for item in found.unlocked.iter().chain(found.locked.iter()) {
            // An item deleted between the search and this read (another vaultdesk, or another
            // data directory's change) is no one's entry any more: skip it rather than fail the
            // whole listing.
            let Ok(attrs) = item.get_attributes() else { continue };
            if let Some(acct) = attrs.get("username").filter(|a| a.starts_with(prefix)) {
                accounts.push(acct.clone());
            }
        }
        accounts.sort();
        accounts.dedup();
        Ok(Some(accounts))
    }
}

/// [`OsKeyring::get_many`] on the Secret Service. The keyring crate connects to D-Bus and opens
/// a Diffie-Hellman session for every read (most of a one-shot export's time); here both happen
/// once. The same session type as the keyring crate's (DH, the secret encrypted on the bus).
#[cfg(target_os = "linux")]
fn secret_service_get_many(accounts: &[&str]) -> Result<Vec<Option<SecretString>>> {
    use dbus_secret_service::{EncryptionType, SecretService};
    let unavailable =
        |e: dbus_secret_service::Error| Error::KeyringUnavailable { detail: first_line(&e.to_string()) };
    // As the keyring crate maps them: every D-Bus failure is an unavailable keyring.
    let failed = unavailable;
    if accounts.is_empty() {
        return Ok(Vec::new());
    }
    let ss = SecretService::connect(EncryptionType::Dh).map_err(unavailable)?;
    let mut out = Vec::with_capacity(accounts.len());
    for account in accounts {
        let found = ss
            .search_items(std::collections::HashMap::from([
                ("target", "default"),
                ("service", SERVICE),
                ("username", *account),
            ]))
            .map_err(failed)?;
        let count = found.unlocked.len() + found.locked.len();
        if count > 1 {
            return Err(Error::Keyring {
                detail: format!("{count} entries match one account; remove the duplicates"),
            });
        }
        let Some(item) = found.unlocked.first().or(found.locked.first()) else {
            out.push(None);
            continue;
        };
        if !found.locked.is_empty() {
            item.unlock().map_err(failed)?;
        }
        let bytes = item.get_secret().map_err(failed)?;
        let value = String::from_utf8(bytes)
            .map_err(|_| Error::Keyring { detail: "a stored entry is not valid UTF-8".into() })?;
        out.push(Some(SecretString::from(value)));
    }
    Ok(out)
}

/// An in-memory keyring for the fast test tier (`cargo test -p vaultdesk-core`, no D-Bus): the
/// crate's own tests and builds with the `test-keyring` feature only, never the app or the CLI.
/// `fail_on` makes every call on accounts containing that text fail, to inject the faults a
/// real keyring cannot produce on demand.
#[cfg(any(test, feature = "test-keyring"))]
#[derive(Debug, Default, Clone)]
pub struct MemoryKeyring {
    entries: std::sync::Arc<std::sync::Mutex<std::collections::BTreeMap<String, String>>>,
    fail_on: std::sync::Arc<std::sync::Mutex<Option<String>>>,
}

#[cfg(any(test, feature = "test-keyring"))]
impl MemoryKeyring {
    fn entries(&self) -> std::sync::MutexGuard<'_, std::collections::BTreeMap<String, String>> {
        self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Every account that holds a value (names only).
    pub fn accounts(&self) -> Vec<String> {
        self.entries().keys().cloned().collect()
    }

    /// The value of `account`, as a test would read it back.
    pub fn value(&self, account: &str) -> Option<String> {
        self.entries().get(account).cloned()
    }

    /// From now on, calls on accounts containing `part` fail as an unavailable keyring would;
    /// `None` heals it.
    pub fn fail_on(&self, part: Option<&str>) {
        *self.fail_on.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = part.map(str::to_owned);
    }

    fn check(&self, account: &str) -> Result<()> {
        let fail = self.fail_on.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match fail.as_deref() {
            Some(part) if account.contains(part) => {
                Err(Error::KeyringUnavailable { detail: "injected failure".into() })
            }
            _ => Ok(()),
        }
    }
}

#[cfg(any(test, feature = "test-keyring"))]
impl CredentialStore for MemoryKeyring {
    fn set(&self, account: &str, value: &SecretString) -> Result<()> {
        self.check(account)?;
        self.entries().insert(account.to_owned(), value.expose_secret().to_owned());
        Ok(())
    }

    fn get(&self, account: &str) -> Result<Option<SecretString>> {
        self.check(account)?;
        Ok(self.entries().get(account).map(|v| SecretString::from(v.clone())))
    }

    fn delete(&self, account: &str) -> Result<()> {
        self.check(account)?;
        self.entries().remove(account);
        Ok(())
    }

    fn list_accounts(&self, prefix: &str) -> Result<Option<Vec<String>>> {
        Ok(Some(self.entries().keys().filter(|a| a.starts_with(prefix)).cloned().collect()))
    }
}
