//! Connector use cases: the editor's kinds and vault choices, pre-fill, key names for
//! autocomplete, save, and the preview (masked, all revealed, or one field revealed).

use serde::Serialize;
use serde_json::{Map, Value};
use ts_rs::TS;

use super::Core;
use crate::connector::{self, Connector, ConnectorInput, ConnectorKind, ConnectorPatch, FieldSpec};
use crate::model::{LeasePurpose, Vault};
use crate::render::{Preview, RenderPlan};
use crate::template::RenderMode;
use crate::validate::ValidationErrors;
use crate::{Error, Result};

/// A kind and the fields its editor shows.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export_to = "../app-bindings/")]
pub struct KindFields {
    pub kind: ConnectorKind,
    pub fields: Vec<FieldSpec>,
}

/// A connector as a list shows it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export_to = "../app-bindings/")]
pub struct ConnectorSummary {
    #[serde(flatten)]
    pub connector: Connector,
    /// How many `{{secrets...}}` references its configuration holds.
    pub references: usize,
    /// The distinct vaults they name, as first written.
    pub referenced_vaults: Vec<String>,
    /// Fields holding a secret as a literal value (`literal_secrets.rs`): stored in clear in
    /// the local database.
    pub literal_secrets: Vec<String>,
}

impl ConnectorSummary {
    pub fn new(c: Connector) -> Self {
        let refs = c.references();
        let mut vaults: Vec<String> = Vec::new();
        for r in &refs {
            if !vaults.iter().any(|v| v.eq_ignore_ascii_case(&r.vault)) {
                vaults.push(r.vault.clone());
            }
        }
        let literal_secrets = crate::literal_secrets::literal_secrets(c.kind, &c.config);
        ConnectorSummary { references: refs.len(), referenced_vaults: vaults, literal_secrets, connector: c }
    }
}

/// Which values a preview shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reveal {
    /// Every secret-derived value masked.
    Masked,
    /// Every value shown.
    All,
    /// The value of one field (a path as `template::strings` writes it: `auth.token`,
    /// `list[0]`) shown, every other masked.
    Field(String),
}

/// What to preview or export: a stored connector, or an editor's form (saved or not).
#[derive(Debug, Clone)]
pub enum ConnectorSource {
    Stored(String),
    Form(ConnectorInput),
}

impl ConnectorPatch {
    /// A whole editor as a patch: name, kind, vault (none clears it) and configuration.
    pub fn from_form(input: ConnectorInput) -> ConnectorPatch {
        ConnectorPatch {
            rename: Some(input.name),
            kind: Some(input.kind),
            vault: Some(input.vault.unwrap_or_default()),
            config: Some(input.config),
        }
    }
}

/// Every kind with its fields, in the order the editor offers them.
pub fn connector_kinds() -> Vec<KindFields> {
    ConnectorKind::ALL.into_iter().map(|kind| KindFields { kind, fields: kind.fields().to_vec() }).collect()
}

pub(crate) fn parse_kind(kind: &str) -> Result<ConnectorKind> {
    ConnectorKind::parse(kind).ok_or_else(|| {
        Error::InvalidConnector(ValidationErrors::single(
            "kind",
            "must be one of postgresql, mysql, mariadb, mongodb, rest",
        ))
    })
}

/// `input` as an unsaved connector.
pub(super) fn unsaved(input: ConnectorInput, kind: ConnectorKind) -> Connector {
    Connector {
        id: String::new(),
        name: input.name.trim().to_owned(),
        kind,
        vault: input.vault,
        config: input.config,
        created_at: String::new(),
        updated_at: String::new(),
    }
}

impl Core {
    /// Every stored connector, by name.
    pub async fn list_connectors(&self) -> Result<Vec<ConnectorSummary>> {
        self.with_store(|store| Ok(store.list_connectors()?.into_iter().map(ConnectorSummary::new).collect()))
            .await
    }

    /// The connector `name` as stored (references, not values).
    pub async fn get_connector(&self, name: String) -> Result<Connector> {
        self.with_store(move |store| store.get_connector(&name)).await
    }

    /// The vaults a connector of `kind` may select or reference.
    pub async fn compatible_vaults(&self, kind: ConnectorKind) -> Result<Vec<Vault>> {
        self.with_store(move |store| store.compatible_vaults(kind)).await
    }

    /// The fields a new connector of `kind` gets from `vault`: references, never values (a KV
    /// vault's key names, a database engine's username and password). Refused when the vault
    /// does not suit the kind.
    pub async fn prefill(&self, kind: ConnectorKind, vault: String) -> Result<Map<String, Value>> {
        let (vault, load) = self.vault_with_loader(vault).await?;
        crate::render::prefill_from_vault(&self.hub, &vault, load, kind).await
    }

    /// Key names (never values) of `vault`'s secret, for autocomplete.
    pub async fn key_names(&self, vault: String) -> Result<Value> {
        let (vault, load) = self.vault_with_loader(vault).await?;
        self.hub.session(&vault, load).await?.key_names().await
    }

    /// The stored vault `name` and a loader of its credentials (read only when the hub has no
    /// live session for it).
    pub(super) async fn vault_with_loader(
        &self,
        name: String,
    ) -> Result<(Vault, impl FnOnce() -> Result<crate::Credentials> + Send + 'static)> {
        self.with_store(move |store| {
            let v = store.get_vault(&name)?;
            let load = store.credential_loader(&v);
            Ok((v, load))
        })
        .await
    }

    /// Validates and stores a new connector; every invalid field is reported at once.
    pub async fn add_connector(&self, input: ConnectorInput) -> Result<ConnectorSummary> {
        self.with_store(move |store| store.add_connector(&input).map(ConnectorSummary::new)).await
    }

    /// Applies `patch` to the connector `name`.
    pub async fn update_connector(&self, name: String, patch: ConnectorPatch) -> Result<ConnectorSummary> {
        self.with_store(move |store| store.update_connector(&name, &patch).map(ConnectorSummary::new)).await
    }

    pub async fn remove_connector(&self, name: String) -> Result<Connector> {
        self.with_store(move |store| store.remove_connector(&name)).await
    }

    /// Renders a connector for the screen. A form being typed may still miss required fields
    /// (those are Save's and Export's to report); problems with the vaults it names are
    /// reported here, as field errors, and so are template errors and missing keys.
    pub async fn preview(&self, source: ConnectorSource, reveal: Reveal) -> Result<Preview> {
        let connector = match source {
            ConnectorSource::Stored(name) => self.checked_stored(name).await?,
            ConnectorSource::Form(input) => self.checked_for_preview(input).await?,
        };
        if let Reveal::Field(field) = &reveal {
            // An empty path is the whole configuration: revealing "one field" must never show all.
            if !crate::template::strings(&connector.config).iter().any(|(p, _)| !p.is_empty() && p == field) {
                let why = if field.is_empty() {
                    "name the field to reveal (e.g. password or auth.token)".to_owned()
                } else {
                    format!("\"{field}\" is not a text field of this connector")
                };
                return Err(Error::InvalidConnector(crate::ValidationErrors::single("field", why)));
            }
        }
        let fetched = self.fetch(vec![connector.config.clone()]).await?;
        let what = super::leases::LeaseUse::new(LeasePurpose::Preview, display_name(&connector.name), None);
        self.record_issued(&fetched.issued, &what).await?;
        let one = |mode| -> Result<Preview> {
            fetched
                .previews(std::slice::from_ref(&connector), mode)?
                .pop()
                .ok_or_else(|| Error::Internal { detail: "nothing was rendered".into() })
        };
        match reveal {
            Reveal::Masked => one(RenderMode::Mask),
            Reveal::All => one(RenderMode::Reveal),
            Reveal::Field(field) => {
                let (masked, revealed) = (one(RenderMode::Mask)?, one(RenderMode::Reveal)?);
                let config = reveal_only(&masked.config, &revealed.config, &field);
                Ok(Preview { config, revealed: false, ..masked })
            }
        }
    }

    /// An editor's form as a connector to preview, after the vault checks Save makes (the name
    /// is not checked: an unsaved form may not have one yet). Errors of the form itself are
    /// left out: the form is still being typed.
    pub(super) async fn checked_for_preview(&self, input: ConnectorInput) -> Result<Connector> {
        let kind = parse_kind(&input.kind)?;
        let connector = unsaved(input, kind);
        let check = ConnectorInput {
            name: "preview".to_owned(),
            kind: kind.as_str().to_owned(),
            vault: connector.vault.clone(),
            config: connector.config.clone(),
        };
        self.with_store(move |store| {
            let form_errors = connector::validate_connector(&check.name, &check.kind, &check.config)
                .err()
                .map(|e| e.0)
                .unwrap_or_default();
            match store.check_connector_input(&check) {
                Ok(()) => Ok(()),
                Err(Error::InvalidConnector(e)) => {
                    let vault_errors: Vec<_> = e.0.into_iter().filter(|f| !form_errors.contains(f)).collect();
                    if vault_errors.is_empty() {
                        Ok(())
                    } else {
                        Err(Error::InvalidConnector(ValidationErrors(vault_errors)))
                    }
                }
                Err(e) => Err(e),
            }
        })
        .await?;
        Ok(connector)
    }

    /// Plans (SQLite: which vaults) and fetches (every distinct vault at once, through the hub)
    /// what `docs` reference.
    pub(crate) async fn fetch(&self, docs: Vec<Value>) -> Result<crate::render::Fetched> {
        self.fetch_for(docs, false).await
    }

    /// [`Core::fetch`]; with `keep`, leased credentials are issued for a file that keeps them
    /// (export, render): apart from the cache, and not revoked when the sessions end.
    pub(crate) async fn fetch_for(&self, docs: Vec<Value>, keep: bool) -> Result<crate::render::Fetched> {
        let plan = self
            .with_store(move |store| {
                let refs: Vec<&Value> = docs.iter().collect();
                RenderPlan::new(store, &refs)
            })
            .await?;
        crate::timings::mark("vaults planned");
        plan.fetch_for(&self.hub, keep).await
    }
}

/// A connector's name for the lease records (an editor's unsaved form may have none yet).
pub(crate) fn display_name(name: &str) -> String {
    let n = name.trim();
    if n.is_empty() {
        "an unsaved connector".to_owned()
    } else {
        n.to_owned()
    }
}

/// `masked` with the value at `field` (a path as `template::strings` writes it) taken from
/// `revealed`.
fn reveal_only(masked: &Value, revealed: &Value, field: &str) -> Value {
    fn walk(m: &Value, r: &Value, path: &str, field: &str) -> Value {
        if path == field {
            return r.clone();
        }
        match (m, r) {
            (Value::Object(mo), Value::Object(ro)) => Value::Object(
                mo.iter()
                    .map(|(k, mv)| {
                        let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                        let v = ro.get(k).map_or_else(|| mv.clone(), |rv| walk(mv, rv, &p, field));
                        (k.clone(), v)
                    })
                    .collect(),
            ),
            (Value::Array(ma), Value::Array(ra)) => Value::Array(
                ma.iter()
                    .enumerate()
                    .map(|(i, mv)| {
                        ra.get(i)
                            .map_or_else(|| mv.clone(), |rv| walk(mv, rv, &format!("{path}[{i}]"), field))
                    })
                    .collect(),
            ),
            _ => m.clone(),
        }
    }
    walk(masked, revealed, "", field)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn one_field_is_revealed_and_every_other_stays_masked() {
        let masked =
            json!({"username": "••••••••", "auth": {"token": "••••••••"}, "list": ["••••••••", "x"]});
        let revealed = json!({"username": "app", "auth": {"token": "t0k"}, "list": ["s3", "x"]});
        assert_eq!(
            reveal_only(&masked, &revealed, "auth.token"),
            json!({"username": "••••••••", "auth": {"token": "t0k"}, "list": ["••••••••", "x"]}),
            "a nested field"
        );
        assert_eq!(
            reveal_only(&masked, &revealed, "list[0]"),
            json!({"username": "••••••••", "auth": {"token": "••••••••"}, "list": ["s3", "x"]}),
            "an array element"
        );
        assert_eq!(reveal_only(&masked, &revealed, "nothing"), masked, "an unknown field reveals nothing");
    }

    #[test]
    fn the_list_counts_references_and_names_each_vault_once() {
        let c = Connector {
            id: "i".into(),
            name: "api".into(),
            kind: ConnectorKind::Rest,
            vault: None,
            config: json!({"base_url": "{{secrets.kv.url}}", "headers": {"A": "{{secrets.KV.a}}{{secrets.other.b}}"}}),
            created_at: String::new(),
            updated_at: String::new(),
        };
        let s = ConnectorSummary::new(c);
        assert_eq!(s.references, 3);
        assert_eq!(s.referenced_vaults, ["kv", "other"], "vault names are case-insensitive");
    }
}
