//! The vault-configuration store: a SQLite file in the data directory for everything but the
//! AppRole credentials, which go to the OS keyring. Add, update and remove are atomic across
//! both: the SQLite transaction stays open while the keyring is written, and a keyring failure
//! rolls it back after undoing any keyring write already made.
//!
//! The app and the CLI may open the same file at once: WAL mode and a busy timeout make that safe.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};
use secrecy::SecretString;

use crate::connector::{validate_connector, Connector, ConnectorInput, ConnectorKind, ConnectorPatch};
use crate::keyring::{CredentialStore, OsKeyring, SERVICE};
use crate::model::{
    AppRoleCredentials, CredentialsPatch, EngineType, KeyringLocation, Provider, TlsSpec, Vault, VaultInput,
    VaultPatch, VaultSpec,
};
use crate::template::{self, Reference};
use crate::validate::{validate_credential, validate_input, validate_name, ValidationErrors};
use crate::{Error, Result};

/// File name of the database inside the data directory.
pub const DB_FILE: &str = "vaultdesk.db";

/// Schema migrations, applied in order; `PRAGMA user_version` records the last one applied.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_init.sql"),
    include_str!("../migrations/0002_tls_and_timeouts.sql"),
    include_str!("../migrations/0003_connectors.sql"),
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

const VAULT_COLUMNS: &str = "id, name, provider, url, namespace, auth_mount, engine_name, \
     engine_type, path, db_role, connection_name, cache_ttl_secs, created_at, updated_at, \
     tls_ca_cert, tls_client_cert, tls_client_key, tls_skip_verify, connect_timeout_secs, \
     request_timeout_secs";

impl Store {
    /// Opens (creating if needed) the store in `data_dir`, with the OS keyring.
    pub fn open(data_dir: &Path) -> Result<Store> {
        Store::open_with_keyring(data_dir, Box::new(OsKeyring))
    }

    pub fn open_with_keyring(data_dir: &Path, keyring: Box<dyn CredentialStore>) -> Result<Store> {
        create_private_dir(data_dir)?;
        let db_path = data_dir.join(DB_FILE);
        let storage = |e: rusqlite::Error| Error::Storage { path: db_path.clone(), detail: e.to_string() };
        let mut conn = Connection::open(&db_path).map_err(storage)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(storage)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(storage)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(storage)?;
        migrate(&mut conn, &db_path)?;
        let store_id: String = conn
            .query_row("SELECT value FROM meta WHERE key = 'store_id'", [], |r| r.get(0))
            .map_err(storage)?;
        Ok(Store { conn, db_path, store_id, keyring: Arc::from(keyring) })
    }

    /// The random id of this database, the first part of its keyring account names.
    pub fn store_id(&self) -> &str {
        &self.store_id
    }

    pub fn db_path(&self) -> &Path {
        &self.db_path
    }

    fn storage_err(&self, e: rusqlite::Error) -> Error {
        Error::Storage { path: self.db_path.clone(), detail: e.to_string() }
    }

    /// All vaults, by name.
    pub fn list_vaults(&self) -> Result<Vec<Vault>> {
        let sql = format!("SELECT {VAULT_COLUMNS} FROM vaults ORDER BY name COLLATE NOCASE");
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.storage_err(e))?;
        let rows = stmt.query_map([], row_to_vault).map_err(|e| self.storage_err(e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(|e| self.storage_err(e))
    }

    /// The vault called `name` (case-insensitive).
    pub fn get_vault(&self, name: &str) -> Result<Vault> {
        find_by_name(&self.conn, name)
            .map_err(|e| self.storage_err(e))?
            .ok_or_else(|| Error::VaultNotFound { name: name.trim().to_owned() })
    }

    /// Where the keyring holds this vault's credentials (names only).
    pub fn keyring_location(&self, vault: &Vault) -> KeyringLocation {
        keyring_location(&self.store_id, &vault.id)
    }

    /// The vault's Role ID and Secret ID, read from the OS keyring.
    pub fn credentials(&self, vault: &Vault) -> Result<AppRoleCredentials> {
        self.credential_loader(vault)()
    }

    /// What a Test of a form (saved or not) runs with: the validated configuration of `input`,
    /// and credentials from `creds`, where missing ones are taken from the keyring entries of the
    /// stored vault `existing` (the edit form's "leave empty to keep"). Nothing is written.
    pub fn prepare_test(
        &self,
        input: &VaultInput,
        existing: Option<&str>,
        creds: &CredentialsPatch,
    ) -> Result<(VaultSpec, AppRoleCredentials)> {
        let (spec, [role_id, secret_id]) = validate_form(
            input,
            [("role_id", creds.role_id.as_ref()), ("secret_id", creds.secret_id.as_ref())],
        )?;
        let stored = match (&role_id, &secret_id, existing) {
            (Some(_), Some(_), _) => None,
            (_, _, Some(name)) => Some(self.credentials(&self.get_vault(name)?)?),
            (r, _, None) => {
                let field = if r.is_none() { "role_id" } else { "secret_id" };
                return Err(Error::invalid(field, "is required to test an unsaved vault"));
            }
        };
        let pick = |given: Option<SecretString>, from: Option<&SecretString>| given.or_else(|| from.cloned());
        let role_id = pick(role_id, stored.as_ref().map(|c| &c.role_id));
        let secret_id = pick(secret_id, stored.as_ref().map(|c| &c.secret_id));
        match (role_id, secret_id) {
            (Some(role_id), Some(secret_id)) => Ok((spec, AppRoleCredentials { role_id, secret_id })),
            _ => Err(Error::invalid("role_id", "is required")),
        }
    }

    /// The input of the stored vault `name` with `patch` applied, as the update would validate it.
    pub fn patched_input(&self, name: &str, patch: &VaultPatch) -> Result<VaultInput> {
        Ok(apply_patch(&self.get_vault(name)?.spec, patch))
    }

    /// Validates and stores a new vault; its credentials go to the keyring. On any failure
    /// nothing is stored anywhere.
    pub fn add_vault(&mut self, input: &VaultInput, creds: &AppRoleCredentials) -> Result<Vault> {
        let (spec, [role_id, secret_id]) =
            validate_form(input, [("role_id", Some(&creds.role_id)), ("secret_id", Some(&creds.secret_id))])?;
        let (Some(role_id), Some(secret_id)) = (role_id, secret_id) else {
            return Err(Error::invalid("role_id", "is required"));
        };

        let id = uuid::Uuid::new_v4().to_string();
        let now = now();
        let vault = Vault { id, spec, created_at: now.clone(), updated_at: now };
        let loc = self.keyring_location(&vault);

        let storage =
            |e| Error::Storage { path: self.db_path.clone(), detail: rusqlite::Error::to_string(&e) };
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(storage)?;
        if let Some(existing) = find_by_name(&tx, &vault.spec.name).map_err(storage)? {
            return Err(Error::VaultExists { name: existing.spec.name });
        }
        insert_vault(&tx, &vault).map_err(storage)?;

        let mut written: Vec<String> = Vec::new();
        let writes = [(&loc.role_id_account, &role_id), (&loc.secret_id_account, &secret_id)];
        for (account, value) in writes {
            if let Err(e) = self.keyring.set(account, value) {
                for done in &written {
                    let _ = self.keyring.delete(done);
                }
                return Err(e); // dropping `tx` rolls the row back
            }
            written.push(account.clone());
        }
        if let Err(e) = tx.commit() {
            for done in &written {
                let _ = self.keyring.delete(done);
            }
            return Err(storage(e));
        }
        Ok(vault)
    }

    /// Applies `patch` to the vault called `name`. Credentials are replaced only when given.
    /// Changing the engine between KV and a database engine drops the fields of the old kind
    /// unless the patch sets them (then validation says they do not apply).
    pub fn update_vault(
        &mut self,
        name: &str,
        patch: &VaultPatch,
        creds: &CredentialsPatch,
    ) -> Result<Vault> {
        let storage =
            |e| Error::Storage { path: self.db_path.clone(), detail: rusqlite::Error::to_string(&e) };
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(storage)?;
        let old = find_by_name(&tx, name)
            .map_err(storage)?
            .ok_or_else(|| Error::VaultNotFound { name: name.trim().to_owned() })?;

        let input = apply_patch(&old.spec, patch);
        let (spec, [role_id, secret_id]) = validate_form(
            &input,
            [("role_id", creds.role_id.as_ref()), ("secret_id", creds.secret_id.as_ref())],
        )?;
        if let Some(other) = find_by_name(&tx, &spec.name).map_err(storage)? {
            if other.id != old.id {
                return Err(Error::VaultExists { name: other.spec.name });
            }
        }
        let vault = Vault { id: old.id.clone(), spec, created_at: old.created_at.clone(), updated_at: now() };
        update_row(&tx, &vault).map_err(storage)?;
        if vault.spec.name != old.spec.name {
            // References name vaults: rewrite them with the rename, or neither happens.
            rewrite_references(&tx, &old.spec.name, &vault.spec.name).map_err(storage)?;
        }

        let loc = keyring_location(&self.store_id, &vault.id);
        let mut writes = Vec::new();
        if let Some(v) = &role_id {
            writes.push((&loc.role_id_account, v));
        }
        if let Some(v) = &secret_id {
            writes.push((&loc.secret_id_account, v));
        }
        // Keep what the keyring held so a failure can put it back.
        let mut previous: Vec<(&String, Option<SecretString>)> = Vec::new();
        for (account, _) in &writes {
            previous.push((account, self.keyring.get(account)?));
        }
        let restore = |keyring: &dyn CredentialStore, upto: usize| {
            for (account, old) in previous.iter().take(upto) {
                let _ = match old {
                    Some(v) => keyring.set(account, v),
                    None => keyring.delete(account),
                };
            }
        };
        for (i, (account, value)) in writes.iter().enumerate() {
            if let Err(e) = self.keyring.set(account, value) {
                restore(self.keyring.as_ref(), i);
                return Err(e);
            }
        }
        if let Err(e) = tx.commit() {
            restore(self.keyring.as_ref(), writes.len());
            return Err(storage(e));
        }
        Ok(vault)
    }

    /// Removes the vault and its keyring entries (a missing entry is fine). If the keyring cannot
    /// be reached, nothing is removed. Refused (`VaultInUse`, naming them) while connectors select
    /// or reference the vault; see [`Store::remove_vault_forced`].
    pub fn remove_vault(&mut self, name: &str) -> Result<Vault> {
        self.remove_vault_inner(name, false)
    }

    /// Removes the vault even while connectors use it: their selection is cleared, their
    /// references stay (and fail to render, naming the missing vault).
    pub fn remove_vault_forced(&mut self, name: &str) -> Result<Vault> {
        self.remove_vault_inner(name, true)
    }

    fn remove_vault_inner(&mut self, name: &str, force: bool) -> Result<Vault> {
        let storage =
            |e| Error::Storage { path: self.db_path.clone(), detail: rusqlite::Error::to_string(&e) };
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(storage)?;
        let vault = find_by_name(&tx, name)
            .map_err(storage)?
            .ok_or_else(|| Error::VaultNotFound { name: name.trim().to_owned() })?;
        if !force {
            let users = connectors_using(&tx, &vault).map_err(storage)?;
            if !users.is_empty() {
                return Err(Error::VaultInUse { name: vault.spec.name, connectors: users });
            }
        }
        tx.execute("DELETE FROM vaults WHERE id = ?1", [&vault.id]).map_err(storage)?;

        let loc = keyring_location(&self.store_id, &vault.id);
        let accounts = [&loc.role_id_account, &loc.secret_id_account];
        let mut previous = Vec::new();
        for account in accounts {
            previous.push((account, self.keyring.get(account)?));
        }
        let restore = |keyring: &dyn CredentialStore, upto: usize| {
            for (account, old) in previous.iter().take(upto) {
                if let Some(v) = old {
                    let _ = keyring.set(account, v);
                }
            }
        };
        for (i, account) in accounts.iter().enumerate() {
            if let Err(e) = self.keyring.delete(account) {
                restore(self.keyring.as_ref(), i);
                return Err(e);
            }
        }
        if let Err(e) = tx.commit() {
            restore(self.keyring.as_ref(), accounts.len());
            return Err(storage(e));
        }
        Ok(vault)
    }
}

fn keyring_location(store_id: &str, vault_id: &str) -> KeyringLocation {
    KeyringLocation {
        service: SERVICE.to_owned(),
        role_id_account: format!("{store_id}/{vault_id}/role_id"),
        secret_id_account: format!("{store_id}/{vault_id}/secret_id"),
    }
}

/// Validates a form and the credentials given with it together, so every invalid field is
/// reported at once. Credentials not given stay `None`.
fn validate_form(
    input: &VaultInput,
    creds: [(&str, Option<&SecretString>); 2],
) -> Result<(VaultSpec, [Option<SecretString>; 2])> {
    let spec = validate_input(input);
    let checked = creds.map(|(field, v)| v.map(|v| validate_credential(field, v)).transpose());
    let mut errs = spec.as_ref().err().map(|e| e.0.clone()).unwrap_or_default();
    errs.extend(checked.iter().filter_map(|c| c.as_ref().err().cloned()));
    match spec {
        Ok(spec) if errs.is_empty() => Ok((spec, checked.map(|c| c.ok().flatten()))),
        _ => Err(Error::Invalid(crate::ValidationErrors(errs))),
    }
}

/// Millisecond precision: the app tells a changed vault from an unchanged one by `updated_at`,
/// and two updates (a Secret ID rotation, say) can fall within one second.
fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The input that results from applying `patch` to `spec`.
fn apply_patch(spec: &VaultSpec, patch: &VaultPatch) -> VaultInput {
    let mut input = spec.to_input();
    let set = |slot: &mut Option<String>, v: &Option<String>| {
        if let Some(v) = v {
            *slot = Some(v.clone());
        }
    };
    if let Some(n) = &patch.rename {
        input.name = n.clone();
    }
    if let Some(u) = &patch.url {
        input.url = u.clone();
    }
    if let Some(e) = &patch.engine_name {
        input.engine_name = e.clone();
    }
    if let Some(t) = &patch.engine_type {
        let new_is_db = EngineType::parse(t.trim()).map(EngineType::is_database);
        if new_is_db.is_some_and(|db| db != spec.engine_type.is_database()) {
            // Fields of the old engine kind do not carry over.
            input.path = None;
            input.db_role = None;
            input.connection_name = None;
        }
        input.engine_type = t.clone();
    }
    set(&mut input.namespace, &patch.namespace);
    set(&mut input.auth_mount, &patch.auth_mount);
    set(&mut input.path, &patch.path);
    set(&mut input.db_role, &patch.db_role);
    set(&mut input.connection_name, &patch.connection_name);
    set(&mut input.cache_ttl, &patch.cache_ttl);
    set(&mut input.tls.tls_ca_cert, &patch.tls.tls_ca_cert);
    set(&mut input.tls.tls_client_cert, &patch.tls.tls_client_cert);
    set(&mut input.tls.tls_client_key, &patch.tls.tls_client_key);
    set(&mut input.tls.connect_timeout, &patch.tls.connect_timeout);
    set(&mut input.tls.request_timeout, &patch.tls.request_timeout);
    if let Some(v) = patch.tls.tls_skip_verify {
        input.tls.tls_skip_verify = Some(v);
    }
    input
}

fn find_by_name(conn: &Connection, name: &str) -> rusqlite::Result<Option<Vault>> {
    // An invalid name cannot exist; skip the query (and keep odd input out of SQL plans).
    let Ok(name) = validate_name(name) else { return Ok(None) };
    let sql = format!("SELECT {VAULT_COLUMNS} FROM vaults WHERE name = ?1 COLLATE NOCASE");
    conn.query_row(&sql, [name], row_to_vault).optional()
}

fn insert_vault(conn: &Connection, v: &Vault) -> rusqlite::Result<()> {
    let s = &v.spec;
    let sql = format!("INSERT INTO vaults ({VAULT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)");
    conn.execute(
        &sql,
        params![
            v.id,
            s.name,
            s.provider.as_str(),
            s.url,
            s.namespace,
            s.auth_mount,
            s.engine_name,
            s.engine_type.as_str(),
            s.path,
            s.db_role,
            s.connection_name,
            s.cache_ttl_secs as i64,
            v.created_at,
            v.updated_at,
            s.tls.tls_ca_cert,
            s.tls.tls_client_cert,
            s.tls.tls_client_key,
            s.tls.tls_skip_verify,
            s.tls.connect_timeout_secs as i64,
            s.tls.request_timeout_secs as i64
        ],
    )?;
    Ok(())
}

fn update_row(conn: &Connection, v: &Vault) -> rusqlite::Result<()> {
    let s = &v.spec;
    conn.execute(
        "UPDATE vaults SET name = ?2, provider = ?3, url = ?4, namespace = ?5, auth_mount = ?6, \
         engine_name = ?7, engine_type = ?8, path = ?9, db_role = ?10, connection_name = ?11, \
         cache_ttl_secs = ?12, updated_at = ?13, tls_ca_cert = ?14, tls_client_cert = ?15, \
         tls_client_key = ?16, tls_skip_verify = ?17, connect_timeout_secs = ?18, \
         request_timeout_secs = ?19 WHERE id = ?1",
        params![
            v.id,
            s.name,
            s.provider.as_str(),
            s.url,
            s.namespace,
            s.auth_mount,
            s.engine_name,
            s.engine_type.as_str(),
            s.path,
            s.db_role,
            s.connection_name,
            s.cache_ttl_secs as i64,
            v.updated_at,
            s.tls.tls_ca_cert,
            s.tls.tls_client_cert,
            s.tls.tls_client_key,
            s.tls.tls_skip_verify,
            s.tls.connect_timeout_secs as i64,
            s.tls.request_timeout_secs as i64
        ],
    )?;
    Ok(())
}

fn row_to_vault(r: &Row<'_>) -> rusqlite::Result<Vault> {
    let bad = |col: usize, what: String| {
        rusqlite::Error::FromSqlConversionFailure(col, rusqlite::types::Type::Text, what.into())
    };
    let provider: String = r.get(2)?;
    let engine_type: String = r.get(7)?;
    let ttl: i64 = r.get(11)?;
    let secs = |col: usize| -> rusqlite::Result<u64> {
        let v: i64 = r.get(col)?;
        u64::try_from(v).map_err(|_| bad(col, format!("negative duration {v}")))
    };
    Ok(Vault {
        id: r.get(0)?,
        spec: VaultSpec {
            name: r.get(1)?,
            provider: Provider::parse(&provider)
                .ok_or_else(|| bad(2, format!("unknown provider {provider:?}")))?,
            url: r.get(3)?,
            namespace: r.get(4)?,
            auth_mount: r.get(5)?,
            engine_name: r.get(6)?,
            engine_type: EngineType::parse(&engine_type)
                .ok_or_else(|| bad(7, format!("unknown engine type {engine_type:?}")))?,
            path: r.get(8)?,
            db_role: r.get(9)?,
            connection_name: r.get(10)?,
            cache_ttl_secs: u64::try_from(ttl).map_err(|_| bad(11, format!("negative cache TTL {ttl}")))?,
            tls: TlsSpec {
                tls_ca_cert: r.get(14)?,
                tls_client_cert: r.get(15)?,
                tls_client_key: r.get(16)?,
                tls_skip_verify: r.get(17)?,
                connect_timeout_secs: secs(18)?,
                request_timeout_secs: secs(19)?,
            },
        },
        created_at: r.get(12)?,
        updated_at: r.get(13)?,
    })
}

/// Applies pending migrations in one immediate transaction, so two processes opening a new
/// database at once do not both migrate it.
fn migrate(conn: &mut Connection, db_path: &Path) -> Result<()> {
    let storage = |e: rusqlite::Error| Error::Storage { path: db_path.to_owned(), detail: e.to_string() };
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(storage)?;
    let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(storage)?;
    let known = MIGRATIONS.len() as i64;
    if current > known {
        return Err(Error::Storage {
            path: db_path.to_owned(),
            detail: format!(
                "schema version {current} was written by a newer vaultdesk (this one knows {known}); \
                 upgrade vaultdesk"
            ),
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        tx.execute_batch(sql).map_err(storage)?;
        tx.pragma_update(None, "user_version", i as i64 + 1).map_err(storage)?;
    }
    tx.execute(
        "INSERT OR IGNORE INTO meta (key, value) VALUES ('store_id', ?1)",
        [uuid::Uuid::new_v4().simple().to_string()],
    )
    .map_err(storage)?;
    tx.commit().map_err(storage)
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

// --- Connectors ---------------------------------------------------------------------------------

const CONNECTOR_COLUMNS: &str =
    "c.id, c.name, c.kind, v.name, c.config, c.created_at, c.updated_at, c.vault_id";

fn connector_select(filter: &str) -> String {
    format!("SELECT {CONNECTOR_COLUMNS} FROM connectors c LEFT JOIN vaults v ON v.id = c.vault_id {filter}")
}

fn row_to_connector(r: &Row<'_>) -> rusqlite::Result<Connector> {
    let bad = |col: usize, what: String| {
        rusqlite::Error::FromSqlConversionFailure(col, rusqlite::types::Type::Text, what.into())
    };
    let kind: String = r.get(2)?;
    let config: String = r.get(4)?;
    Ok(Connector {
        id: r.get(0)?,
        name: r.get(1)?,
        kind: ConnectorKind::parse(&kind)
            .ok_or_else(|| bad(2, format!("unknown connector kind {kind:?}")))?,
        vault: r.get(3)?,
        config: serde_json::from_str(&config).map_err(|e| bad(4, e.to_string()))?,
        created_at: r.get(5)?,
        updated_at: r.get(6)?,
    })
}

fn all_connectors(conn: &Connection) -> rusqlite::Result<Vec<(Connector, Option<String>)>> {
    let mut stmt = conn.prepare(&connector_select("ORDER BY c.name COLLATE NOCASE"))?;
    let rows = stmt.query_map([], |r| Ok((row_to_connector(r)?, r.get::<_, Option<String>>(7)?)))?;
    rows.collect()
}

fn find_connector(conn: &Connection, name: &str) -> rusqlite::Result<Option<Connector>> {
    let Ok(name) = validate_name(name) else { return Ok(None) };
    conn.query_row(&connector_select("WHERE c.name = ?1 COLLATE NOCASE"), [name], row_to_connector).optional()
}

/// Names of the connectors that select `vault` or reference it by name.
fn connectors_using(conn: &Connection, vault: &Vault) -> rusqlite::Result<Vec<String>> {
    let name = vault.spec.name.to_lowercase();
    Ok(all_connectors(conn)?
        .into_iter()
        .filter(|(c, vault_id)| {
            vault_id.as_deref() == Some(vault.id.as_str())
                || c.references().iter().any(|r| r.vault.to_lowercase() == name)
        })
        .map(|(c, _)| c.name)
        .collect())
}

fn rewrite_references(conn: &Connection, old: &str, new: &str) -> rusqlite::Result<()> {
    for (mut c, _) in all_connectors(conn)? {
        if template::rename_vault(&mut c.config, old, new) {
            conn.execute(
                "UPDATE connectors SET config = ?2, updated_at = ?3 WHERE id = ?1",
                params![c.id, c.config.to_string(), now()],
            )?;
        }
    }
    Ok(())
}

impl Store {
    /// All connectors, by name.
    pub fn list_connectors(&self) -> Result<Vec<Connector>> {
        Ok(all_connectors(&self.conn).map_err(|e| self.storage_err(e))?.into_iter().map(|(c, _)| c).collect())
    }

    /// The connector called `name` (case-insensitive).
    pub fn get_connector(&self, name: &str) -> Result<Connector> {
        find_connector(&self.conn, name)
            .map_err(|e| self.storage_err(e))?
            .ok_or_else(|| Error::ConnectorNotFound { name: name.trim().to_owned() })
    }

    /// Names of the connectors that select or reference the vault `name` (where-used).
    pub fn connectors_using(&self, name: &str) -> Result<Vec<String>> {
        let vault = self.get_vault(name)?;
        connectors_using(&self.conn, &vault).map_err(|e| self.storage_err(e))
    }

    /// The vaults a connector of `kind` may select or reference.
    pub fn compatible_vaults(&self, kind: ConnectorKind) -> Result<Vec<Vault>> {
        Ok(self
            .list_vaults()?
            .into_iter()
            .filter(|v| kind.incompatibility(v.spec.engine_type).is_none())
            .collect())
    }

    /// A loader of `vault`'s credentials for [`crate::vault::VaultHub::session`]: a blocking
    /// keyring read, run only when the hub has no live session for the vault.
    pub fn credential_loader(
        &self,
        vault: &Vault,
    ) -> impl FnOnce() -> Result<AppRoleCredentials> + Send + 'static {
        let keyring = self.keyring.clone();
        let loc = self.keyring_location(vault);
        let name = vault.spec.name.clone();
        move || {
            let missing = |which| Error::CredentialMissing { vault: name.clone(), which };
            let role_id = keyring.get(&loc.role_id_account)?.ok_or_else(|| missing("Role ID"))?;
            let secret_id = keyring.get(&loc.secret_id_account)?.ok_or_else(|| missing("Secret ID"))?;
            Ok(AppRoleCredentials { role_id, secret_id })
        }
    }

    /// Checks a connector against the stored vaults: the selected vault exists and suits the kind,
    /// and so does every referenced vault. Returns the selected vault's id.
    fn check_connector(
        conn: &Connection,
        kind: ConnectorKind,
        vault: Option<&str>,
        refs: &[Reference],
    ) -> rusqlite::Result<std::result::Result<Option<String>, ValidationErrors>> {
        let mut errs = ValidationErrors(Vec::new());
        let mut selected = None;
        if let Some(name) = vault.map(str::trim).filter(|n| !n.is_empty()) {
            match find_by_name(conn, name)? {
                None => errs.push("vault", format!("no vault named \"{name}\"")),
                Some(v) => match kind.incompatibility(v.spec.engine_type) {
                    Some(why) => {
                        errs.push("vault", format!("vault \"{}\" cannot be used: {why}", v.spec.name))
                    }
                    None => selected = Some(v.id),
                },
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for r in refs {
            if !seen.insert((r.field.clone(), r.vault.to_lowercase())) {
                continue;
            }
            let field = format!("config.{}", r.field);
            match find_by_name(conn, &r.vault)? {
                None => errs.push(
                    &field,
                    format!("`{{{{{}}}}}` refers to vault \"{}\", which does not exist", r.text, r.vault),
                ),
                Some(v) => {
                    if let Some(why) = kind.incompatibility(v.spec.engine_type) {
                        errs.push(
                            &field,
                            format!(
                                "`{{{{{}}}}}`: vault \"{}\" cannot be used here: {why}",
                                r.text, v.spec.name
                            ),
                        );
                    }
                }
            }
        }
        Ok(if errs.is_empty() { Ok(selected) } else { Err(errs) })
    }

    /// Validates and stores a new connector. Every problem is reported at once, by field.
    /// The checks Save makes (fields, template syntax, the selected and every referenced vault
    /// exist and suit the kind), for a form that is previewed or exported without being saved.
    pub fn check_connector_input(&self, input: &ConnectorInput) -> Result<()> {
        let storage =
            |e| Error::Storage { path: self.db_path.clone(), detail: rusqlite::Error::to_string(&e) };
        let (_, kind, refs) = validate_connector(&input.name, &input.kind, &input.config)
            .map_err(|e| with_vault_checks(&self.conn, e, input))?;
        Store::check_connector(&self.conn, kind, input.vault.as_deref(), &refs)
            .map_err(storage)?
            .map_err(Error::InvalidConnector)?;
        Ok(())
    }

    pub fn add_connector(&mut self, input: &ConnectorInput) -> Result<Connector> {
        let storage =
            |e| Error::Storage { path: self.db_path.clone(), detail: rusqlite::Error::to_string(&e) };
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(storage)?;
        let (name, kind, refs) = validate_connector(&input.name, &input.kind, &input.config)
            .map_err(|e| with_vault_checks(&tx, e, input))?;
        let vault_id = Store::check_connector(&tx, kind, input.vault.as_deref(), &refs)
            .map_err(storage)?
            .map_err(Error::InvalidConnector)?;
        if let Some(existing) = find_connector(&tx, &name).map_err(storage)? {
            return Err(Error::ConnectorExists { name: existing.name });
        }
        let now = now();
        tx.execute(
            "INSERT INTO connectors (id, name, kind, vault_id, config, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            params![
                uuid::Uuid::new_v4().to_string(),
                name,
                kind.as_str(),
                vault_id,
                input.config.to_string(),
                now
            ],
        )
        .map_err(storage)?;
        let c = find_connector(&tx, &name).map_err(storage)?.ok_or(Error::ConnectorNotFound { name })?;
        tx.commit().map_err(storage)?;
        Ok(c)
    }

    /// Applies `patch` to the connector `name`.
    pub fn update_connector(&mut self, name: &str, patch: &ConnectorPatch) -> Result<Connector> {
        let storage =
            |e| Error::Storage { path: self.db_path.clone(), detail: rusqlite::Error::to_string(&e) };
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(storage)?;
        let old = find_connector(&tx, name)
            .map_err(storage)?
            .ok_or_else(|| Error::ConnectorNotFound { name: name.trim().to_owned() })?;
        let input = ConnectorInput {
            name: patch.rename.clone().unwrap_or_else(|| old.name.clone()),
            kind: patch.kind.clone().unwrap_or_else(|| old.kind.as_str().to_owned()),
            vault: match &patch.vault {
                Some(v) if v.trim().is_empty() => None,
                Some(v) => Some(v.clone()),
                None => old.vault.clone(),
            },
            config: patch.config.clone().unwrap_or_else(|| old.config.clone()),
        };
        let (new_name, kind, refs) = validate_connector(&input.name, &input.kind, &input.config)
            .map_err(|e| with_vault_checks(&tx, e, &input))?;
        let vault_id = Store::check_connector(&tx, kind, input.vault.as_deref(), &refs)
            .map_err(storage)?
            .map_err(Error::InvalidConnector)?;
        if let Some(other) = find_connector(&tx, &new_name).map_err(storage)? {
            if other.id != old.id {
                return Err(Error::ConnectorExists { name: other.name });
            }
        }
        tx.execute(
            "UPDATE connectors SET name = ?2, kind = ?3, vault_id = ?4, config = ?5, updated_at = ?6 WHERE id = ?1",
            params![old.id, new_name, kind.as_str(), vault_id, input.config.to_string(), now()],
        )
        .map_err(storage)?;
        let c = find_connector(&tx, &new_name)
            .map_err(storage)?
            .ok_or(Error::ConnectorNotFound { name: new_name })?;
        tx.commit().map_err(storage)?;
        Ok(c)
    }

    /// Removes the connector `name`.
    pub fn remove_connector(&mut self, name: &str) -> Result<Connector> {
        let c = self.get_connector(name)?;
        self.conn
            .execute("DELETE FROM connectors WHERE id = ?1", [&c.id])
            .map_err(|e| self.storage_err(e))?;
        Ok(c)
    }
}

/// Field errors of the static checks plus those of the vault checks, in one report.
fn with_vault_checks(conn: &Connection, mut e: ValidationErrors, input: &ConnectorInput) -> Error {
    if let Some(kind) = ConnectorKind::parse(&input.kind) {
        let refs = template::strings(&input.config)
            .into_iter()
            .filter_map(|(f, s)| template::extract(&f, s).ok())
            .flatten()
            .collect::<Vec<_>>();
        if let Ok(Err(more)) = Store::check_connector(conn, kind, input.vault.as_deref(), &refs) {
            e.0.extend(more.0);
        }
    }
    Error::InvalidConnector(e)
}
