//! `vault export-config` / `vault import-config`: the vault and connector definitions as one
//! JSON file without a single credential, for a team to keep in Git; each admin supplies their
//! own credentials when importing it (or later: a vault imported without them "needs
//! credentials").
//!
//! The file is stable and diff-friendly: a format name and version first, vaults and connectors
//! sorted by name, keys sorted, two-space indentation, absent optional fields left out, durations
//! written as the CLI takes them (`5m`). Import checks the whole file against the stored rows
//! before it writes anything ([`crate::Store::check_import`]); a field it does not know is
//! refused (so a credential pasted into it is never taken, nor silently dropped).

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};

use super::Core;
use crate::connector::ConnectorInput;
use crate::duration::format_duration;
use crate::model::{AuthMethod, CredentialsPatch, VaultInput};
use crate::store::ImportSkips;
use crate::validate::ValidationErrors;
use crate::{Error, Result};

/// The `format` of a configuration file.
pub const CONFIG_FORMAT: &str = "vaultdesk-config";
/// The `version` this vaultdesk writes and reads.
pub const CONFIG_VERSION: u64 = 1;

/// An exported configuration file.
#[derive(Debug, Clone)]
pub struct ConfigExport {
    /// The file's text (JSON, ending with a line break).
    pub text: String,
    pub vaults: usize,
    pub connectors: usize,
    /// Connector fields that held a literal secret (not a `{{secrets...}}` reference): written
    /// empty, never with their value. `connector "api": config.auth.token`.
    pub left_out: Vec<String>,
}

/// A checked configuration file, ready to import.
#[derive(Debug, Clone)]
pub struct ImportPlan {
    vaults: Vec<VaultInput>,
    connectors: Vec<ConnectorInput>,
    /// Entries that exist already and are left as they are (`skip_existing`).
    pub skipped: ImportSkips,
}

impl ImportPlan {
    /// The vaults the import adds, by name, with the login method whose credentials they need
    /// (a method that stores none, OIDC or the AWS default chain, needs none).
    pub fn vaults_to_add(&self) -> Vec<(String, AuthMethod)> {
        self.vaults
            .iter()
            .filter(|v| !self.skipped.vaults.iter().any(|s| s.eq_ignore_ascii_case(v.name.trim())))
            .map(|v| (v.name.trim().to_owned(), v.method()))
            .collect()
    }
}

/// What an import did.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    /// Vaults added with their credentials.
    pub vaults_ready: Vec<String>,
    /// Vaults added without credentials: "needs credentials" until `vault update` supplies them.
    pub vaults_needing_credentials: Vec<String>,
    pub connectors: Vec<String>,
    pub skipped: ImportSkips,
}

/// Keys and arrays' objects sorted, recursively, whatever the map type keeps: a stable file.
fn sorted(v: Value) -> Value {
    match v {
        Value::Object(m) => {
            let b: BTreeMap<String, Value> = m.into_iter().map(|(k, v)| (k, sorted(v))).collect();
            Value::Object(b.into_iter().collect())
        }
        Value::Array(a) => Value::Array(a.into_iter().map(sorted).collect()),
        v => v,
    }
}

/// A vault's definition as the file keeps it: its input form, absent fields left out.
fn vault_entry(spec: &crate::model::VaultSpec) -> Result<Value> {
    let mut input = spec.to_input();
    input.cache_ttl = Some(format_duration(spec.cache_ttl_secs));
    input.tls.connect_timeout = Some(format_duration(spec.tls.connect_timeout_secs));
    input.tls.request_timeout = Some(format_duration(spec.tls.request_timeout_secs));
    let Value::Object(m) = serde_json::to_value(&input).map_err(internal)? else {
        return Err(Error::Internal { detail: "a vault did not serialise as an object".into() });
    };
    Ok(Value::Object(m.into_iter().filter(|(_, v)| !v.is_null()).collect()))
}

fn internal(e: serde_json::Error) -> Error {
    Error::Internal { detail: format!("configuration file: {e}") }
}

/// The keys a vault entry may have: those of [`VaultInput`].
fn vault_keys() -> Vec<String> {
    match serde_json::to_value(VaultInput::default()) {
        Ok(Value::Object(m)) => m.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

const CONNECTOR_KEYS: [&str; 4] = ["name", "kind", "vault", "config"];

/// Parses a configuration file into vault and connector inputs; every problem of its shape is
/// reported at once, by entry and field.
fn parse(text: &str) -> Result<(Vec<VaultInput>, Vec<ConnectorInput>)> {
    let mut errs = ValidationErrors(Vec::new());
    let doc: Value = serde_json::from_str(text).map_err(|e| {
        Error::InvalidImport(ValidationErrors::single("file", format!("is not valid JSON: {e}")))
    })?;
    let Value::Object(top) = doc else {
        return Err(Error::InvalidImport(ValidationErrors::single(
            "file",
            "must be a JSON object with \"format\", \"version\", \"vaults\" and \"connectors\"",
        )));
    };
    match top.get("format").and_then(Value::as_str) {
        Some(CONFIG_FORMAT) => {}
        _ => errs.push(
            "format",
            format!("must be \"{CONFIG_FORMAT}\" (a file made by `vaultdesk vault export-config`)"),
        ),
    }
    match top.get("version").and_then(Value::as_u64) {
        Some(CONFIG_VERSION) => {}
        Some(v) if v > CONFIG_VERSION => errs.push(
            "version",
            format!("{v} was written by a newer vaultdesk (this one reads version {CONFIG_VERSION}); upgrade vaultdesk"),
        ),
        _ => errs.push("version", format!("must be {CONFIG_VERSION}")),
    }
    for k in top.keys() {
        if !["format", "version", "vaults", "connectors"].contains(&k.as_str()) {
            errs.push(k, "is not a field of a configuration file");
        }
    }
    let list = |key: &str, errs: &mut ValidationErrors| -> Vec<Value> {
        match top.get(key) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(a)) => a.clone(),
            Some(_) => {
                errs.push(key, "must be a list");
                Vec::new()
            }
        }
    };
    let known = vault_keys();
    let name_of = |v: &Value| v.get("name").and_then(Value::as_str).unwrap_or("").to_owned();
    let mut vaults = Vec::new();
    for (i, v) in list("vaults", &mut errs).into_iter().enumerate() {
        let at = format!("vaults[{i}] \"{}\"", name_of(&v));
        let Value::Object(m) = &v else {
            errs.push(&format!("vaults[{i}]"), "must be an object");
            continue;
        };
        let unknown: Vec<&String> = m.keys().filter(|k| !known.contains(k)).collect();
        for k in &unknown {
            errs.push(
                &format!("{at}.{k}"),
                "is not a field of a vault (credentials never belong in this file)",
            );
        }
        if !unknown.is_empty() {
            continue;
        }
        match serde_json::from_value::<VaultInput>(v) {
            Ok(input) => vaults.push(input),
            Err(e) => errs.push(&at, format!("{e}")),
        }
    }
    let mut connectors = Vec::new();
    for (i, c) in list("connectors", &mut errs).into_iter().enumerate() {
        let at = format!("connectors[{i}] \"{}\"", name_of(&c));
        let Value::Object(m) = &c else {
            errs.push(&format!("connectors[{i}]"), "must be an object");
            continue;
        };
        let mut ok = true;
        for k in m.keys().filter(|k| !CONNECTOR_KEYS.contains(&k.as_str())) {
            errs.push(&format!("{at}.{k}"), "is not a field of a connector");
            ok = false;
        }
        if !m.get("config").is_some_and(Value::is_object) {
            errs.push(&format!("{at}.config"), "must be an object of the kind's fields");
            ok = false;
        }
        if ok {
            match serde_json::from_value::<ConnectorInput>(c) {
                Ok(input) => connectors.push(input),
                Err(e) => errs.push(&at, format!("{e}")),
            }
        }
    }
    if errs.is_empty() {
        Ok((vaults, connectors))
    } else {
        Err(Error::InvalidImport(errs))
    }
}

impl Core {
    /// Every vault and connector definition as a configuration file, without any credential:
    /// the keyring is not read, and connector fields holding a literal secret are written empty
    /// (named in [`ConfigExport::left_out`]).
    pub async fn export_config(&self) -> Result<ConfigExport> {
        let (vaults, connectors) =
            self.with_store(|store| Ok((store.list_vaults()?, store.list_connectors()?))).await?;
        let mut left_out = Vec::new();
        let mut vault_entries = Vec::with_capacity(vaults.len());
        for v in &vaults {
            vault_entries.push(vault_entry(&v.spec)?);
        }
        let mut connector_entries = Vec::with_capacity(connectors.len());
        for c in connectors {
            let mut config = c.config;
            for field in crate::literal_secrets::strip(c.kind, &mut config) {
                left_out.push(format!("connector \"{}\": config.{field}", c.name));
            }
            let mut m = Map::new();
            m.insert("name".into(), Value::String(c.name));
            m.insert("kind".into(), Value::String(c.kind.as_str().into()));
            if let Some(v) = c.vault {
                m.insert("vault".into(), Value::String(v));
            }
            m.insert("config".into(), config);
            connector_entries.push(Value::Object(m));
        }
        let (nv, nc) = (vault_entries.len(), connector_entries.len());
        let mut top = Map::new();
        top.insert("connectors".into(), Value::Array(connector_entries));
        top.insert("format".into(), Value::String(CONFIG_FORMAT.into()));
        top.insert("vaults".into(), Value::Array(vault_entries));
        top.insert("version".into(), Value::from(CONFIG_VERSION));
        let mut text = serde_json::to_string_pretty(&sorted(Value::Object(top))).map_err(internal)?;
        text.push('\n');
        Ok(ConfigExport { text, vaults: nv, connectors: nc, left_out })
    }

    /// Reads and checks a configuration file as a whole against the stored vaults and
    /// connectors; nothing is written. A name already used is refused, or with `skip_existing`
    /// left as it is.
    pub async fn plan_import(&self, text: String, skip_existing: bool) -> Result<ImportPlan> {
        let (vaults, connectors) = parse(&text)?;
        self.with_store(move |store| {
            let skipped = store.check_import(&vaults, &connectors, skip_existing)?;
            Ok(ImportPlan { vaults, connectors, skipped })
        })
        .await
    }

    /// Imports a checked file: each vault with the credentials given for it (by lowercase
    /// name; stored in the keyring as `vault add` stores them, crash-safe), or else "needing
    /// credentials"; then the connectors. Should a write fail (the keyring, say), what this
    /// import added is removed again and the error returned.
    pub async fn import_config(
        &self,
        plan: ImportPlan,
        mut creds: HashMap<String, CredentialsPatch>,
    ) -> Result<ImportReport> {
        let mut report = ImportReport { skipped: plan.skipped.clone(), ..ImportReport::default() };
        let skipped_vault = |n: &str| plan.skipped.vaults.iter().any(|s| s.eq_ignore_ascii_case(n.trim()));
        let skipped_connector =
            |n: &str| plan.skipped.connectors.iter().any(|s| s.eq_ignore_ascii_case(n.trim()));
        let done: Result<()> = async {
            for input in plan.vaults.iter().filter(|v| !skipped_vault(&v.name)) {
                match creds.remove(&input.name.trim().to_lowercase()) {
                    Some(c) if c.secret_id.is_some() || c.role_id.is_some() || c.token_from_env => {
                        let added = self.add_vault(input.clone(), c).await?;
                        report.vaults_ready.push(added.vault.spec.name);
                    }
                    _ => {
                        let input = input.clone();
                        let added =
                            self.with_store(move |store| store.add_vault_needing_credentials(&input)).await?;
                        if added.needs_credentials {
                            report.vaults_needing_credentials.push(added.spec.name);
                        } else {
                            report.vaults_ready.push(added.spec.name);
                        }
                    }
                }
            }
            for input in plan.connectors.iter().filter(|c| !skipped_connector(&c.name)) {
                let added = self.add_connector(input.clone()).await?;
                report.connectors.push(added.connector.name);
            }
            Ok(())
        }
        .await;
        if let Err(e) = done {
            for c in &report.connectors {
                let _ = self.remove_connector(c.clone()).await;
            }
            for v in report.vaults_ready.iter().chain(&report.vaults_needing_credentials) {
                let _ = self.remove_vault(v.clone(), true).await;
            }
            return Err(e);
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_of_the_wrong_shape_names_each_problem() {
        let e = parse(r#"{"format": "x", "version": 9, "vaults": [{"name": "a", "secret_id": "s"}], "connectors": [{"name": "c"}]}"#)
            .unwrap_err();
        let Error::InvalidImport(errs) = e else { panic!("InvalidImport") };
        let fields: Vec<&str> = errs.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["format", "version", "vaults[0] \"a\".secret_id", "connectors[0] \"c\".config"]);
        assert!(errs.0[1].message.contains("newer vaultdesk"));
    }
}
