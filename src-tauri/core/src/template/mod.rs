//! `{{secrets.NAME.KEY}}` references inside configuration values, and rendering them.
//!
//! Only the string values of a **parsed** document are templates: rendering walks the JSON tree
//! and replaces strings, so a secret holding quotes, backslashes, newlines or `{{` can never break
//! the syntax of the JSON, YAML or env file it ends up in. A string that is exactly one reference
//! takes the secret's own JSON type (a port stays a number).
//!
//! References are found by compiling each string with handlebars and walking its syntax tree,
//! without contacting Vault (validation and where-used need them offline). Lookups are checked
//! against the fetched secrets before handlebars runs, so a missing vault or key is reported with
//! the whole reference and the key *names* available where the lookup stopped — never values.
//! HTML escaping is off; the helpers are `urlencode`, `base64` and `json`.

// A render error is the cold path and carries the names the user needs; its size is irrelevant.
#![allow(clippy::result_large_err)]

mod helpers;
mod lookup;
mod parse;
mod render;
mod rewrite;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use helpers::{base64, base64_bytes, urlencode};
pub use lookup::{lookup, SecretData};
pub use parse::{extract, extract_all, holds_reference, strings, visit_references};
pub use render::{RenderMode, Renderer};
pub use rewrite::{reference_text, rename_vault, vault_names};

/// What a secret-derived value shows as in a preview: always the same, so its length says nothing.
pub const MASK: &str = "••••••••";

/// One `{{secrets.VAULT.KEY...}}` reference.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Reference {
    /// The configuration field it appears in: `password`, `headers.Authorization`, `hosts[0]`.
    pub field: String,
    /// The path as written, e.g. `secrets.orders-db.password` or `secrets.api.[x-api-key]`.
    pub text: String,
    /// The vault name as written (vault names are case-insensitive).
    pub vault: String,
    /// The key path inside the vault's secret; empty for the whole secret.
    pub key: Vec<String>,
}

impl Reference {
    /// The key path as the user reads it: `db.hosts.0`; `(whole secret)` when empty.
    pub fn key_path(&self) -> String {
        if self.key.is_empty() {
            "(whole secret)".into()
        } else {
            self.key.join(".")
        }
    }
}

/// What can be wrong with a template or a reference. Messages name fields, references, vaults
/// and key names only.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("{field}: template syntax error at line {line}, column {column}: {detail}")]
    Syntax { field: String, line: usize, column: usize, detail: String },
    #[error("{field}: `{{{{{text}}}}}` is not a secret reference; write {{{{secrets.VAULT.KEY}}}}")]
    NotAReference { field: String, text: String },
    #[error(
        "{field}: `{{{{{reference}}}}}` refers to vault \"{vault}\", which does not exist{}",
        list_suffix("; vaults", available)
    )]
    MissingVault { field: String, reference: String, vault: String, available: Vec<String> },
    #[error(
        "{field}: `{{{{{reference}}}}}`: the secret of vault \"{vault}\" has no key \"{key}\" at {at}{}",
        list_suffix("; keys there", available)
    )]
    MissingKey {
        field: String,
        reference: String,
        vault: String,
        key: String,
        at: String,
        available: Vec<String>,
    },
    #[error(
        "{field}: `{{{{{reference}}}}}` is an {what} inside a longer text; pick one of its keys ({}) \
         or write {{{{json {reference}}}}}",
        available.join(", ")
    )]
    NotAScalar { field: String, reference: String, what: &'static str, available: Vec<String> },
    #[error("{field}: `{{{{{reference}}}}}` gives {got}; {} takes {expected}", last_segment(field))]
    WrongType { field: String, reference: String, got: String, expected: String },
    #[error("{field}: vault \"{vault}\" cannot be used here: {reason}")]
    Incompatible { field: String, vault: String, reason: String },
    #[error("{field}: {detail}")]
    Render { field: String, detail: String },
}

impl TemplateError {
    /// The field the error belongs under.
    pub fn field(&self) -> &str {
        match self {
            TemplateError::Syntax { field, .. }
            | TemplateError::NotAReference { field, .. }
            | TemplateError::MissingVault { field, .. }
            | TemplateError::MissingKey { field, .. }
            | TemplateError::NotAScalar { field, .. }
            | TemplateError::WrongType { field, .. }
            | TemplateError::Incompatible { field, .. }
            | TemplateError::Render { field, .. } => field,
        }
    }

    pub fn field_mut(&mut self) -> &mut String {
        match self {
            TemplateError::Syntax { field, .. }
            | TemplateError::NotAReference { field, .. }
            | TemplateError::MissingVault { field, .. }
            | TemplateError::MissingKey { field, .. }
            | TemplateError::NotAScalar { field, .. }
            | TemplateError::WrongType { field, .. }
            | TemplateError::Incompatible { field, .. }
            | TemplateError::Render { field, .. } => field,
        }
    }
}

/// `token` of `auth.token`, `port` of `port`: the field as its label reads.
fn last_segment(field: &str) -> &str {
    field.rsplit('.').next().unwrap_or(field)
}

fn list_suffix(label: &str, items: &[String]) -> String {
    if items.is_empty() {
        format!("{label}: none")
    } else {
        format!("{label}: {}", items.join(", "))
    }
}
