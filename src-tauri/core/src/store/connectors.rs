//! Connector rows, the checks Save makes against the stored vaults, and where-used.

use std::collections::{BTreeSet, HashMap};

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::vaults::find_by_name;
use super::{now, Store};
use crate::connector::{validate_connector, Connector, ConnectorInput, ConnectorKind, ConnectorPatch};
use crate::model::{EngineType, Vault};
use crate::template::{self, Reference};
use crate::validate::{validate_name, ValidationErrors};
use crate::{Error, Result};

/// The columns read for a connector, by name (`vault` is the selected vault's name).
const SELECT: &str = "SELECT c.id AS id, c.name AS name, c.kind AS kind, v.name AS vault, \
     c.config AS config, c.created_at AS created_at, c.updated_at AS updated_at, \
     c.vault_id AS vault_id FROM connectors c LEFT JOIN vaults v ON v.id = c.vault_id";

fn row_to_connector(r: &Row<'_>) -> rusqlite::Result<Connector> {
    let bad =
        |what: String| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, what.into());
    let kind: String = r.get("kind")?;
    let config: String = r.get("config")?;
    Ok(Connector {
        id: r.get("id")?,
        name: r.get("name")?,
        kind: ConnectorKind::parse(&kind).ok_or_else(|| bad(format!("unknown connector kind {kind:?}")))?,
        vault: r.get("vault")?,
        config: serde_json::from_str(&config).map_err(|e| bad(format!("config: {e}")))?,
        created_at: r.get("created_at")?,
        updated_at: r.get("updated_at")?,
    })
}

/// Every connector by name, with the id of the vault it selects.
fn all_with_vault_ids(conn: &Connection) -> rusqlite::Result<Vec<(Connector, Option<String>)>> {
    let mut stmt = conn.prepare(&format!("{SELECT} ORDER BY c.name COLLATE NOCASE"))?;
    let rows = stmt.query_map([], |r| Ok((row_to_connector(r)?, r.get::<_, Option<String>>("vault_id")?)))?;
    rows.collect()
}

pub(super) fn find(conn: &Connection, name: &str) -> rusqlite::Result<Option<Connector>> {
    let Ok(name) = validate_name(name) else { return Ok(None) };
    conn.query_row(&format!("{SELECT} WHERE c.name = ?1 COLLATE NOCASE"), [name], row_to_connector).optional()
}

/// Which connectors use which vault (select it, or reference it by name), from one pass over
/// the connectors: each configuration is parsed once, however many vaults are asked about.
#[derive(Debug, Default)]
pub struct UsageIndex {
    /// Connector names, by name.
    names: Vec<String>,
    by_vault_id: HashMap<String, BTreeSet<usize>>,
    /// Keyed by the lower-cased vault name a reference names.
    by_vault_name: HashMap<String, BTreeSet<usize>>,
}

impl UsageIndex {
    pub(super) fn build(conn: &Connection) -> rusqlite::Result<UsageIndex> {
        let mut index = UsageIndex::default();
        for (i, (c, vault_id)) in all_with_vault_ids(conn)?.into_iter().enumerate() {
            if let Some(id) = vault_id {
                index.by_vault_id.entry(id).or_default().insert(i);
            }
            for name in template::vault_names(&c.references()) {
                index.by_vault_name.entry(name).or_default().insert(i);
            }
            index.names.push(c.name);
        }
        Ok(index)
    }

    /// Names of the connectors that select `vault` or reference it by name, in name order.
    pub fn users_of(&self, vault: &Vault) -> Vec<String> {
        let mut found: BTreeSet<usize> = BTreeSet::new();
        if let Some(s) = self.by_vault_id.get(&vault.id) {
            found.extend(s);
        }
        if let Some(s) = self.by_vault_name.get(&vault.spec.name.to_lowercase()) {
            found.extend(s);
        }
        found.into_iter().map(|i| self.names[i].clone()).collect()
    }
}

/// Rewrites the references to vault `old` as `new` in every connector (same transaction).
pub(super) fn rewrite_references(conn: &Connection, old: &str, new: &str) -> rusqlite::Result<()> {
    for (mut c, _) in all_with_vault_ids(conn)? {
        if template::rename_vault(&mut c.config, old, new) {
            conn.execute(
                "UPDATE connectors SET config = ?2, updated_at = ?3 WHERE id = ?1",
                params![c.id, c.config.to_string(), now()],
            )?;
        }
    }
    Ok(())
}

/// Names of the connectors that select `vault` or reference it by name and whose kind does not
/// suit `engine`: an engine change of the vault would break them.
pub(super) fn unfit_users(
    conn: &Connection,
    vault: &Vault,
    engine: crate::model::EngineType,
) -> rusqlite::Result<Vec<String>> {
    let users = UsageIndex::build(conn)?.users_of(vault);
    Ok(all_with_vault_ids(conn)?
        .into_iter()
        .filter(|(c, _)| users.contains(&c.name) && c.kind.incompatibility(engine).is_some())
        .map(|(c, _)| c.name)
        .collect())
}

/// Checks a connector against the stored vaults: the selected vault exists and suits the kind,
/// and so does every referenced vault. Returns the selected vault's id.
fn check_vaults(
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
                Some(why) => errs.push("vault", format!("vault \"{}\" cannot be used: {why}", v.spec.name)),
                None => selected = Some(v.id),
            },
        }
    }
    let mut seen = BTreeSet::new();
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
                        format!("`{{{{{}}}}}`: vault \"{}\" cannot be used here: {why}", r.text, v.spec.name),
                    );
                }
            }
        }
    }
    Ok(if errs.is_empty() { Ok(selected) } else { Err(errs) })
}

/// Field errors of the static checks plus those of the vault checks, in one report.
fn with_vault_checks(conn: &Connection, mut e: ValidationErrors, input: &ConnectorInput) -> Error {
    if let Some(kind) = ConnectorKind::parse(&input.kind) {
        let refs = template::strings(&input.config)
            .into_iter()
            .filter_map(|(f, s)| template::extract(&f, s).ok())
            .flatten()
            .collect::<Vec<_>>();
        if let Ok(Err(more)) = check_vaults(conn, kind, input.vault.as_deref(), &refs) {
            e.0.extend(more.0);
        }
    }
    Error::InvalidConnector(e)
}

/// Everything Save checks, in one report: the fields, the template syntax, and the selected
/// and every referenced vault. Returns the valid name, kind and selected vault id.
pub(super) fn check_all(
    conn: &Connection,
    input: &ConnectorInput,
    storage: &dyn Fn(rusqlite::Error) -> Error,
) -> Result<(String, ConnectorKind, Option<String>)> {
    let (name, kind, refs) = validate_connector(&input.name, &input.kind, &input.config)
        .map_err(|e| with_vault_checks(conn, e, input))?;
    let vault_id = check_vaults(conn, kind, input.vault.as_deref(), &refs)
        .map_err(storage)?
        .map_err(Error::InvalidConnector)?;
    Ok((name, kind, vault_id))
}

impl Store {
    /// All connectors, by name.
    pub fn list_connectors(&self) -> Result<Vec<Connector>> {
        let all = all_with_vault_ids(&self.conn).map_err(|e| self.storage_err(e))?;
        Ok(all.into_iter().map(|(c, _)| c).collect())
    }

    /// The connector called `name` (case-insensitive).
    pub fn get_connector(&self, name: &str) -> Result<Connector> {
        find(&self.conn, name)
            .map_err(|e| self.storage_err(e))?
            .ok_or_else(|| Error::ConnectorNotFound { name: name.trim().to_owned() })
    }

    /// Where-used of every vault at once (one pass over the connectors).
    pub fn usage_index(&self) -> Result<UsageIndex> {
        UsageIndex::build(&self.conn).map_err(|e| self.storage_err(e))
    }

    /// Names of the connectors that select or reference the vault `name` (where-used).
    pub fn connectors_using(&self, name: &str) -> Result<Vec<String>> {
        let vault = self.get_vault(name)?;
        Ok(self.usage_index()?.users_of(&vault))
    }

    /// The vaults a connector of `kind` may select or reference.
    pub fn compatible_vaults(&self, kind: ConnectorKind) -> Result<Vec<Vault>> {
        Ok(self
            .list_vaults()?
            .into_iter()
            .filter(|v| kind.incompatibility(v.spec.engine_type).is_none())
            .collect())
    }

    /// The checks Save makes (fields, template syntax, the selected and every referenced vault
    /// exist and suit the kind), for a form that is previewed or exported without being saved.
    pub fn check_connector_input(&self, input: &ConnectorInput) -> Result<()> {
        check_all(&self.conn, input, &super::storage_error(&self.db_path)).map(drop)
    }

    /// The check a render of a stored connector makes first: its selected vault and every vault
    /// it references that exists still suits its kind (a vault's engine may have changed since
    /// Save, or a vault of the same name been added again). Vaults that do not exist are the
    /// renderer's to report.
    pub fn check_stored_connector(&self, c: &Connector) -> Result<()> {
        self.check_stored_connectors(std::slice::from_ref(c))
    }

    /// [`Store::check_stored_connector`] for each of `cs` (the first that fails stops it), each
    /// vault read once for the whole batch: `export --all` of 1,000 connectors otherwise makes
    /// one query per reference.
    pub fn check_stored_connectors(&self, cs: &[Connector]) -> Result<()> {
        // By lower-cased name: the vault's name and engine type, `None` when there is none.
        let mut vaults: HashMap<String, Option<std::rc::Rc<(String, EngineType)>>> = HashMap::new();
        let mut find = |name: &str| -> Result<Option<std::rc::Rc<(String, EngineType)>>> {
            let name = name.trim();
            let found = vaults.get(name).or_else(|| vaults.get(&name.to_lowercase()));
            if let Some(v) = found {
                return Ok(v.clone());
            }
            let v = find_by_name(&self.conn, name)
                .map_err(|e| self.storage_err(e))?
                .map(|v| std::rc::Rc::new((v.spec.name, v.spec.engine_type)));
            vaults.insert(name.to_lowercase(), v.clone());
            Ok(v)
        };
        for c in cs {
            check_one(c, &mut find)?;
        }
        Ok(())
    }

    /// Validates and stores a new connector. Every problem is reported at once, by field.
    pub fn add_connector(&mut self, input: &ConnectorInput) -> Result<Connector> {
        let path = self.db_path.clone();
        let storage = super::storage_error(&path);
        let tx = self.write_tx()?;
        let (name, kind, vault_id) = check_all(&tx, input, &storage)?;
        if let Some(existing) = find(&tx, &name).map_err(&storage)? {
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
        .map_err(&storage)?;
        let c = find(&tx, &name).map_err(&storage)?.ok_or(Error::ConnectorNotFound { name })?;
        tx.commit().map_err(&storage)?;
        Ok(c)
    }

    /// Applies `patch` to the connector `name`.
    pub fn update_connector(&mut self, name: &str, patch: &ConnectorPatch) -> Result<Connector> {
        let path = self.db_path.clone();
        let storage = super::storage_error(&path);
        let tx = self.write_tx()?;
        let old = find(&tx, name)
            .map_err(&storage)?
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
        let (new_name, kind, vault_id) = check_all(&tx, &input, &storage)?;
        if let Some(other) = find(&tx, &new_name).map_err(&storage)? {
            if other.id != old.id {
                return Err(Error::ConnectorExists { name: other.name });
            }
        }
        tx.execute(
            "UPDATE connectors SET name = ?2, kind = ?3, vault_id = ?4, config = ?5, updated_at = ?6 WHERE id = ?1",
            params![old.id, new_name, kind.as_str(), vault_id, input.config.to_string(), now()],
        )
        .map_err(&storage)?;
        let c = find(&tx, &new_name).map_err(&storage)?.ok_or(Error::ConnectorNotFound { name: new_name })?;
        tx.commit().map_err(&storage)?;
        self.drop_old_page_images();
        Ok(c)
    }

    /// The write-ahead log keeps every page as it was written, including a connector's old
    /// configuration: after a change it is checkpointed and truncated, so a value the user
    /// removed stays in neither file. Best effort: with a reader active the log is truncated
    /// by a later change (it holds nothing a database reader would not see either way).
    fn drop_old_page_images(&self) {
        let _ = self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
    }

    /// Removes the connector `name`.
    pub fn remove_connector(&mut self, name: &str) -> Result<Connector> {
        let c = self.get_connector(name)?;
        self.conn
            .execute("DELETE FROM connectors WHERE id = ?1", [&c.id])
            .map_err(|e| self.storage_err(e))?;
        self.drop_old_page_images();
        Ok(c)
    }
}

/// The check of [`Store::check_stored_connector`], vaults found through `find`.
type FoundVault = Option<std::rc::Rc<(String, EngineType)>>;

fn check_one(c: &Connector, find: &mut dyn FnMut(&str) -> Result<FoundVault>) -> Result<()> {
    let mut errs = ValidationErrors(Vec::new());
    if let Some(v) = c.vault.as_deref().map(&mut *find).transpose()?.flatten() {
        if let Some(why) = c.kind.incompatibility(v.1) {
            errs.push("vault", format!("vault \"{}\" cannot be used here: {why}", v.0));
        }
    }
    // Each reference's vault (looked up once per name for the batch); a field naming the same
    // vault twice is reported once.
    let mut failed = None;
    let mut reported: Vec<(String, String)> = Vec::new();
    let visited = template::visit_references(&c.config, &mut |field, r| {
        if failed.is_some() {
            return;
        }
        match find(&r.vault) {
            Ok(Some(v)) => {
                if let Some(why) = c.kind.incompatibility(v.1) {
                    if !reported.iter().any(|(f, n)| f == field && *n == v.0) {
                        reported.push((field.to_owned(), v.0.clone()));
                        errs.push(
                            &format!("config.{field}"),
                            format!("`{{{{{}}}}}`: vault \"{}\" cannot be used here: {why}", r.text, v.0),
                        );
                    }
                }
            }
            Ok(None) => {}
            Err(e) => failed = Some(e),
        }
    });
    if let Some(e) = failed {
        return Err(e);
    }
    // A stored template that no longer compiles is reported when it is rendered, as before.
    let _ = visited;
    if errs.is_empty() {
        Ok(())
    } else {
        Err(Error::InvalidConnector(errs))
    }
}
