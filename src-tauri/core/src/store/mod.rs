//! The store: a SQLite file in the data directory for every configuration, and the OS keyring
//! for every credential. Add, update and remove of a vault are crash-safe across both
//! ([`intents`]): the change's intent is committed before the keyring is touched, the keyring is
//! written outside any SQLite write transaction, and a change left half-done by a killed process
//! is completed or undone by the next open. A keyring failure undoes the change at once.
//!
//! | file | what |
//! |---|---|
//! | `mod.rs` | opening (once per process; private files; settling abandoned changes), migrations, the one SQLite error mapper |
//! | `vaults.rs` | vault rows, columns read by name, credentials in the keyring |
//! | `connectors.rs` | connector rows, the checks Save makes, where-used in one pass |
//! | `config.rs` | `import-config`: the whole file checked first; vaults stored needing credentials |
//! | `intents.rs` | keyring changes in progress: written first, settled after a crash |
//! | `leases.rs` | the credentials obtained with a lease: why, until when, in which state |
//! | `doctor.rs` | what is out of step between SQLite, the keyring and the files, and its repair |
//! | `credential_target.rs` | stored credentials go only to the server they were stored for |
//!
//! The app and the CLI may open the same file at once: WAL mode and a busy timeout make that safe.

mod config;
mod connectors;
mod credential_target;
mod doctor;
mod intents;
mod leases;
mod vaults;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rusqlite::{Connection, TransactionBehavior};

use crate::keyring::{CredentialStore, OsKeyring};
use crate::{Error, Result};

pub use config::ImportSkips;
pub use connectors::UsageIndex;
pub use credential_target::{credential_target_change, CredentialsTarget};
pub use doctor::{DoctorCheck, DoctorFinding, DoctorSnapshot, FindingKind};
pub use leases::{LeaseFilter, NewLease};

/// File name of the database inside the data directory.
pub const DB_FILE: &str = "vaultdesk.db";

/// Schema migrations, applied in order; `PRAGMA user_version` records the last one applied.
const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/0001_init.sql"),
    include_str!("../../migrations/0002_tls_and_timeouts.sql"),
    include_str!("../../migrations/0003_connectors.sql"),
    include_str!("../../migrations/0004_keyring_intents.sql"),
    include_str!("../../migrations/0005_allow_http.sql"),
    include_str!("../../migrations/0006_login_methods.sql"),
    include_str!("../../migrations/0007_leases.sql"),
    include_str!("../../migrations/0008_aws.sql"),
    include_str!("../../migrations/0009_needs_credentials.sql"),
];

const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

pub struct Store {
    conn: Connection,
    db_path: PathBuf,
    /// Random id created with the database; part of every keyring account name so two data
    /// directories never share entries.
    store_id: String,
    keyring: Arc<dyn CredentialStore>,
    data_dir: PathBuf,
    /// Random per opened store: names the lock file held while its keyring changes run.
    owner: String,
    owner_lock: Option<fs::File>,
    /// What opening the store put right (permissions, abandoned changes), for the doctor.
    opened: Vec<DoctorFinding>,
    /// Tokens of this process's OIDC sign-ins, by vault id: in memory only (the keyring holds
    /// one only when the admin asked to remember it).
    oidc_tokens: Arc<std::sync::Mutex<std::collections::HashMap<String, crate::SecretString>>>,
}

impl Drop for Store {
    fn drop(&mut self) {
        // The lock file goes with its owner unless one of its changes is still recorded.
        if self.owner_lock.take().is_some() {
            let left = intents::all(&self.conn).map(|v| v.iter().any(|i| i.owner == self.owner));
            if let (Ok(false), Some(p)) = (left, intents::lock_path(&self.data_dir, &self.owner)) {
                let _ = fs::remove_file(p);
            }
        }
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("db_path", &self.db_path).finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if needed) the store in `data_dir`, with the OS keyring.
    pub fn open(data_dir: &Path) -> Result<Store> {
        Store::open_with_keyring(data_dir, Box::new(OsKeyring))
    }

    /// Opens the store: the data directory is made 0700 and the database files 0600 (even when
    /// they already existed), pending migrations are applied (no write lock when there are
    /// none), and keyring changes abandoned by a killed process are completed or undone.
    pub fn open_with_keyring(data_dir: &Path, keyring: Box<dyn CredentialStore>) -> Result<Store> {
        let mut opened = Vec::new();
        create_private_dir(data_dir, &mut opened)?;
        let db_path = data_dir.join(DB_FILE);
        let path = db_path.clone();
        let storage = storage_error(&path);
        create_private_file(&db_path)?;
        let mut conn = Connection::open(&db_path).map_err(&storage)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(&storage)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(&storage)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(&storage)?;
        // Deleted and overwritten values are zeroed in the file, not left in free space: a
        // connector may hold a literal secret (literal_secrets.rs) that the user then removes.
        conn.pragma_update(None, "secure_delete", "ON").map_err(&storage)?;
        for suffix in ["", "-wal", "-shm"] {
            make_private(&data_dir.join(format!("{DB_FILE}{suffix}")), 0o600, &mut opened)?;
        }
        migrate(&mut conn, &db_path)?;
        let store_id: String = conn
            .query_row("SELECT value FROM meta WHERE key = 'store_id'", [], |r| r.get(0))
            .map_err(&storage)?;
        let mut store = Store {
            conn,
            db_path,
            store_id,
            keyring: Arc::from(keyring),
            data_dir: data_dir.to_owned(),
            owner: uuid::Uuid::new_v4().simple().to_string(),
            owner_lock: None,
            opened,
            oidc_tokens: Arc::default(),
        };
        let settled = store.recover();
        store
            .opened
            .extend(settled.into_iter().map(|m| DoctorFinding::fixed(FindingKind::InterruptedChange, m)));
        Ok(store)
    }

    /// The random id of this database, the first part of its keyring account names.
    pub fn store_id(&self) -> &str {
        &self.store_id
    }

    pub fn db_path(&self) -> &Path {
        &self.db_path
    }

    /// The one mapping of a SQLite failure to the store's error (it names the file).
    fn storage_err(&self, e: rusqlite::Error) -> Error {
        storage_error(&self.db_path)(e)
    }

    /// A write transaction that takes the lock at once (no upgrade deadlock between processes).
    fn write_tx(&mut self) -> Result<rusqlite::Transaction<'_>> {
        let path = self.db_path.clone();
        self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(storage_error(&path))
    }
}

/// The store's error for a SQLite failure on `path`.
pub(crate) fn storage_error(path: &Path) -> impl Fn(rusqlite::Error) -> Error + '_ {
    move |e| Error::Storage { path: path.to_owned(), detail: e.to_string() }
}

/// Millisecond precision: the app tells a changed vault from an unchanged one by `updated_at`,
/// and two updates (a Secret ID rotation, say) can fall within one second.
fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Applies pending migrations. The version is read first: an up-to-date database (every open
/// but the first) takes no write lock. A database that is behind is migrated in one immediate
/// transaction that checks the version again, so two processes never both migrate it.
fn migrate(conn: &mut Connection, db_path: &Path) -> Result<()> {
    let storage = storage_error(db_path);
    let known = MIGRATIONS.len() as i64;
    let version = |c: &Connection| c.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0));
    let newer = |current: i64| Error::Storage {
        path: db_path.to_owned(),
        detail: format!(
            "schema version {current} was written by a newer vaultdesk (this one knows {known}); \
             upgrade vaultdesk"
        ),
    };
    let current = version(conn).map_err(&storage)?;
    if current > known {
        return Err(newer(current));
    }
    if current == known {
        return Ok(());
    }
    // A migration that rebuilds a table drops the old one: with foreign keys on, that would run
    // the connectors' ON DELETE action. Off for the migration (it cannot change inside a
    // transaction), checked before the commit, on again after.
    conn.pragma_update(None, "foreign_keys", "OFF").map_err(&storage)?;
    let migrated = (|| {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(&storage)?;
        let current = version(&tx).map_err(&storage)?;
        if current > known {
            return Err(newer(current));
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(usize::try_from(current).unwrap_or(0)) {
            tx.execute_batch(sql).map_err(&storage)?;
            tx.pragma_update(None, "user_version", i as i64 + 1).map_err(&storage)?;
        }
        tx.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('store_id', ?1)",
            [uuid::Uuid::new_v4().simple().to_string()],
        )
        .map_err(&storage)?;
        let broken: i64 = tx
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0))
            .map_err(&storage)?;
        if broken > 0 {
            return Err(Error::Storage {
                path: db_path.to_owned(),
                detail: format!("the schema upgrade would break {broken} reference(s) between tables; nothing was changed"),
            });
        }
        tx.commit().map_err(&storage)
    })();
    conn.pragma_update(None, "foreign_keys", "ON").map_err(&storage)?;
    migrated
}

/// Creates the data directory (mode 0700), or makes an existing one 0700.
fn create_private_dir(dir: &Path, opened: &mut Vec<DoctorFinding>) -> Result<()> {
    let err = |e: std::io::Error| Error::DataDir { path: dir.to_owned(), detail: e.to_string() };
    if dir.exists() && !dir.is_dir() {
        return Err(Error::DataDir { path: dir.to_owned(), detail: "exists and is not a directory".into() });
    }
    create_private_dir_io(dir).map_err(err)?;
    make_private(dir, 0o700, opened)
}

/// Creates `dir` and its missing parents with mode 0700 (existing ones are left as they are).
pub(crate) fn create_private_dir_io(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
    }
    #[cfg(not(unix))]
    {
        fs::create_dir_all(dir)
    }
}

/// Creates the database file with mode 0600 before SQLite does (SQLite would follow the umask).
fn create_private_file(path: &Path) -> Result<()> {
    let mut o = fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    match o.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(Error::DataDir { path: path.to_owned(), detail: e.to_string() }),
    }
}

/// Gives `path` (if it exists) exactly `mode` when group or others have any access; says so in
/// `opened`.
fn make_private(path: &Path, mode: u32, opened: &mut Vec<DoctorFinding>) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let Ok(meta) = fs::metadata(path) else { return Ok(()) };
        let was = meta.permissions().mode() & 0o777;
        if was & 0o077 != 0 {
            fs::set_permissions(path, fs::Permissions::from_mode(mode))
                .map_err(|e| Error::DataDir { path: path.to_owned(), detail: e.to_string() })?;
            opened.push(DoctorFinding::fixed(
                FindingKind::Permissions,
                format!(
                    "{} was readable by others (mode {was:o}); made {mode:o} when opened",
                    path.display()
                ),
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = (path, mode, opened);
    Ok(())
}
