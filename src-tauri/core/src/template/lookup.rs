//! The fetched secrets of a render and looking references up in them; what a lookup may show
//! of a value (its key names, its masked shape).

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Reference, TemplateError, MASK};
use crate::sensitive::Sensitive;

/// The fetched secrets of one render, by vault name (case-insensitive), as JSON: a KV secret's
/// data, or a database engine's credentials object.
#[derive(Debug, Default)]
pub struct SecretData {
    by_name: BTreeMap<String, (String, Sensitive<Value>)>,
}

impl SecretData {
    pub fn new() -> SecretData {
        SecretData::default()
    }
    /// Adds vault `name`'s secret.
    pub fn insert(&mut self, name: &str, value: Sensitive<Value>) {
        self.by_name.insert(name.to_lowercase(), (name.to_owned(), value));
    }
    pub fn get(&self, name: &str) -> Option<&Sensitive<Value>> {
        let found = if name.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
            self.by_name.get(name) // already lower case: no copy
        } else {
            self.by_name.get(&name.to_lowercase())
        };
        found.map(|(_, v)| v)
    }
    pub fn names(&self) -> Vec<String> {
        self.by_name.values().map(|(n, _)| n.clone()).collect()
    }
}

/// Looks `r` up in `data`: the value, or the error naming where the lookup stopped.
pub fn lookup<'a>(data: &'a SecretData, r: &Reference) -> Result<&'a Value, TemplateError> {
    let Some(secret) = data.get(&r.vault) else {
        return Err(TemplateError::MissingVault {
            field: r.field.clone(),
            reference: r.text.clone(),
            vault: r.vault.clone(),
            available: data.names(),
        });
    };
    let mut cur = secret.expose();
    for (depth, seg) in r.key.iter().enumerate() {
        let next = match cur {
            Value::Object(o) => o.get(seg),
            Value::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
            _ => None,
        };
        match next {
            Some(v) => cur = v,
            None => {
                let at = if depth == 0 {
                    "the top level".to_owned()
                } else {
                    format!("\"{}\"", r.key[..depth].join("."))
                };
                return Err(TemplateError::MissingKey {
                    field: r.field.clone(),
                    reference: r.text.clone(),
                    vault: r.vault.clone(),
                    key: seg.clone(),
                    at,
                    available: key_names(cur),
                });
            }
        }
    }
    Ok(cur)
}

/// The key names (or index range) of a value, never its contents.
pub(super) fn key_names(v: &Value) -> Vec<String> {
    match v {
        Value::Object(o) => o.keys().cloned().collect(),
        Value::Array(a) if a.is_empty() => vec![],
        Value::Array(a) => vec![format!("indices 0..{}", a.len() - 1)],
        _ => vec![],
    }
}

/// A value with every leaf replaced by the mask (objects and arrays keep their shape).
pub(super) fn masked(v: &Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(o.iter().map(|(k, x)| (k.clone(), masked(x))).collect()),
        Value::Array(a) => Value::Array(a.iter().map(masked).collect()),
        _ => Value::String(MASK.into()),
    }
}
