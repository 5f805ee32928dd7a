//! The use cases, as both front doors call them. The app's commands unpack their state and call
//! one of these; the CLI's commands parse, call one of these and print. Neither holds logic the
//! other lacks.
//!
//! [`Core`] owns the store (opened once per process, used on the blocking pool: SQLite may wait
//! on a lock and the keyring is a blocking D-Bus call) and the process's [`VaultHub`] (sessions,
//! caches, leases). Every operation is an `async fn` whose future is `Send`, so the app can run
//! it on its async workers and the CLI on a current-thread runtime.
//!
//! | file | what |
//! |---|---|
//! | `vaults.rs` | list (with where-used), show, add, update, remove, Test |
//! | `connectors.rs` | list, kinds, compatible vaults, pre-fill, key names, add, update, remove, preview |
//! | `connector_test.rs` | Test connection: render with the secrets, then the staged client test |
//! | `export.rs` | export one or all connectors, render a file |
//! | `leases.rs` | the credentials obtained with a lease: record, list, renew, revoke, end previews |
//! | `config.rs` | export and import of the vault and connector definitions, without credentials |
//! | `doctor.rs` | what is out of step between SQLite, the keyring and the files; its repair |

pub mod config;
pub mod connector_test;
pub mod connectors;
pub mod doctor;
pub mod export;
pub mod leases;
pub mod oidc;
pub mod vaults;

use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::provider::VaultHub;
use crate::{Error, Result, Store};

pub use config::{ConfigExport, ImportPlan, ImportReport};
pub use connectors::{ConnectorSource, ConnectorSummary, KindFields, Reveal};
pub use doctor::DoctorReport;
pub use export::{ExportResult, RenderedExport};
pub use leases::LeaseOutcome;
pub use oidc::{OidcLoginReport, OidcPending};
pub use vaults::{RefreshReport, TestTarget, VaultDetails, VaultSummary};

/// The store and the Vault sessions of one process.
#[derive(Clone)]
pub struct Core {
    store: Arc<Mutex<Store>>,
    hub: Arc<VaultHub>,
    /// Lease ids this process has recorded: a preview typed letter by letter serves the same
    /// cached credentials many times, and needs one write, not one per keystroke.
    recorded: Arc<Mutex<std::collections::HashSet<String>>>,
}

impl std::fmt::Debug for Core {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Core").finish_non_exhaustive()
    }
}

impl Core {
    /// Opens the store of `data_dir` (with the OS keyring).
    pub fn open(data_dir: &Path) -> Result<Core> {
        Ok(Core::new(Store::open(data_dir)?))
    }

    pub fn new(store: Store) -> Core {
        Core { store: Arc::new(Mutex::new(store)), hub: Arc::new(VaultHub::new()), recorded: Arc::default() }
    }

    /// The process's sessions (one login per token lifetime, one read per cache TTL).
    pub fn hub(&self) -> &Arc<VaultHub> {
        &self.hub
    }

    /// Runs `f` with the store, off the async workers.
    pub async fn with_store<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> Result<T> + Send + 'static,
    {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || {
            // A panic in an earlier call cannot leave a SQLite connection half-used: every
            // change runs in a transaction that was rolled back when it unwound.
            let mut guard = store.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            f(&mut guard)
        })
        .await
        .map_err(|e| Error::Internal { detail: format!("a storage task stopped unexpectedly: {e}") })?
    }

    /// Runs `f` once the store's current operation (if any) has finished, with no other one
    /// started until `f` returns: a signal handler ends the process here, never in the middle
    /// of a change. Blocking.
    pub fn after_current_operation<T>(&self, f: impl FnOnce() -> T) -> T {
        let _guard = self.store.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        f()
    }

    /// Ends every session: tokens and the credentials they issued are revoked (previews and
    /// tests; exported credentials were issued apart and are kept), and the lease records say
    /// so.
    pub async fn close(&self) {
        self.hub.close_all().await;
        // The revocations happened; a record that cannot be written stays "live" until the
        // list finds it expired.
        let _ = self.settle_lease_events().await;
    }
}
