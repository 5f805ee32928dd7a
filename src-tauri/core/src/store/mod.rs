//! The store: a SQLite file in the data directory for every configuration, and the OS keyring
//! for every credential. Add, update and remove of a vault are atomic across both
//! ([`keyring_tx`]): the SQLite transaction stays open while the keyring is written, and a
//! keyring failure rolls it back after undoing any keyring write already made.
//!
//! | file | what |
//! |---|---|
//! | `mod.rs` | opening (once per process), migrations, the one SQLite error mapper |
//! | `vaults.rs` | vault rows, columns read by name, credentials in the keyring |
//! | `connectors.rs` | connector rows, the checks Save makes, where-used in one pass |
//! | `keyring_tx.rs` | the keyring writes of one change, undone together |
//! | `credential_target.rs` | stored credentials go only to the server they were stored for |
//!
//! The app and the CLI may open the same file at once: WAL mode and a busy timeout make that safe.

mod connectors;
mod credential_target;
mod keyring_tx;
mod vaults;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rusqlite::{Connection, TransactionBehavior};

use crate::keyring::{CredentialStore, OsKeyring};
use crate::{Error, Result};

pub use connectors::UsageIndex;
pub use credential_target::{credential_target_change, CredentialsTarget};

/// File name of the database inside the data directory.
pub const DB_FILE: &str = "vaultdesk.db";

/// Schema migrations, applied in order; `PRAGMA user_version` records the last one applied.
const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/0001_init.sql"),
    include_str!("../../migrations/0002_tls_and_timeouts.sql"),
    include_str!("../../migrations/0003_connectors.sql"),
    include_str!("../../migrations/0004_allow_http.sql"),
];

const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

pub struct Store {
    conn: Connection,
    db_path: PathBuf,
    /// Random id created with the database; part of every keyring account name so two data
    /// directories never share entries.
    store_id: String,
    keyring: Arc<dyn CredentialStore>,
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

    pub fn open_with_keyring(data_dir: &Path, keyring: Box<dyn CredentialStore>) -> Result<Store> {
        create_private_dir(data_dir)?;
        let db_path = data_dir.join(DB_FILE);
        let path = db_path.clone();
        let storage = storage_error(&path);
        let mut conn = Connection::open(&db_path).map_err(&storage)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(&storage)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(&storage)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(&storage)?;
        migrate(&mut conn, &db_path)?;
        let store_id: String = conn
            .query_row("SELECT value FROM meta WHERE key = 'store_id'", [], |r| r.get(0))
            .map_err(&storage)?;
        Ok(Store { conn, db_path, store_id, keyring: Arc::from(keyring) })
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
    tx.commit().map_err(&storage)
}

fn create_private_dir(dir: &Path) -> Result<()> {
    let err = |e: std::io::Error| Error::DataDir { path: dir.to_owned(), detail: e.to_string() };
    if dir.is_dir() {
        return Ok(());
    }
    if dir.exists() {
        return Err(Error::DataDir { path: dir.to_owned(), detail: "exists and is not a directory".into() });
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        fs::DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(err)
    }
    #[cfg(not(unix))]
    {
        fs::create_dir_all(dir).map_err(err)
    }
}
