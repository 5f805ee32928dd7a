//! The connector model: what a form or the command line submits (`ConnectorInput`, a change as
//! `ConnectorPatch`), what the store keeps (`Connector`), and the kinds with their field types.
//! Validation, compatibility and pre-fill are in [`crate::connector`].

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::template::{self, Reference};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum ConnectorKind {
    Postgresql,
    Mysql,
    Mariadb,
    Mongodb,
    Rest,
}

impl ConnectorKind {
    pub const ALL: [ConnectorKind; 5] = [
        ConnectorKind::Postgresql,
        ConnectorKind::Mysql,
        ConnectorKind::Mariadb,
        ConnectorKind::Mongodb,
        ConnectorKind::Rest,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ConnectorKind::Postgresql => "postgresql",
            ConnectorKind::Mysql => "mysql",
            ConnectorKind::Mariadb => "mariadb",
            ConnectorKind::Mongodb => "mongodb",
            ConnectorKind::Rest => "rest",
        }
    }

    pub fn parse(s: &str) -> Option<ConnectorKind> {
        ConnectorKind::ALL.into_iter().find(|k| k.as_str() == s.trim().to_lowercase())
    }
}

/// The type of a configuration field. Every text-like field may hold references.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Text,
    /// 1-65535, or a text with a reference.
    Port,
    /// One of `options`.
    Choice,
    /// true/false, or a text with a reference.
    Bool,
    /// An object of name → text.
    Map,
    /// `30s`, `5m`, or seconds as a number.
    Duration,
    /// REST auth: `{type: none}`, `{type: basic, username, password}`, `{type: bearer, token}`,
    /// `{type: api_key, name, value, in: header|query}`.
    Auth,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FieldSpec {
    pub name: String,
    pub field_type: FieldType,
    pub required: bool,
    /// The accepted values of a `choice`.
    pub options: Vec<String>,
    pub help: String,
}

/// A connector as a form or the command line submits it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct ConnectorInput {
    pub name: String,
    /// `postgresql`, `mysql`, `mariadb`, `mongodb` or `rest`.
    pub kind: String,
    /// The selected vault ("Secrets Manager"), by name; optional.
    #[ts(optional)]
    pub vault: Option<String>,
    /// The kind's fields, as a JSON object.
    #[ts(type = "Record<string, unknown>")]
    pub config: Value,
}

/// A change: `None` keeps; `vault: Some("")` clears the selected vault.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct ConnectorPatch {
    #[ts(optional)]
    pub rename: Option<String>,
    #[ts(optional)]
    pub kind: Option<String>,
    #[ts(optional)]
    pub vault: Option<String>,
    #[ts(optional, type = "Record<string, unknown>")]
    pub config: Option<Value>,
}

/// A stored connector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Connector {
    /// Stable id.
    pub id: String,
    pub name: String,
    pub kind: ConnectorKind,
    /// The selected vault's name, if any.
    pub vault: Option<String>,
    #[ts(type = "Record<string, unknown>")]
    pub config: Value,
    pub created_at: String,
    pub updated_at: String,
}

impl Connector {
    /// The references in its configuration (stored configurations always parse).
    pub fn references(&self) -> Vec<Reference> {
        template::extract_all(&self.config).unwrap_or_default()
    }
}
