//! Connectors: database and REST client configurations whose string fields may hold
//! `{{secrets.NAME.KEY}}` references. The configuration is a JSON object of the kind's fields,
//! validated here (field names, types, syntax of every template) without contacting Vault; the
//! store adds the checks that need other rows (referenced vaults exist and suit the kind).
//!
//! Compatibility: database connectors take KV vaults and database-engine vaults of their own
//! kind (MySQL and MariaDB are interchangeable); REST connectors take KV vaults only.

use serde_json::{Map, Value};

pub use crate::model::connector::{
    Connector, ConnectorInput, ConnectorKind, ConnectorPatch, FieldSpec, FieldType,
};
use crate::model::{EngineType, Vault};
use crate::template::{self, reference_text, Reference, TemplateError};
use crate::validate::{validate_name, FieldError, ValidationErrors};

impl ConnectorKind {
    /// Why `engine` cannot serve this kind, or `None` when it can.
    pub fn incompatibility(self, engine: EngineType) -> Option<String> {
        use ConnectorKind as K;
        use EngineType as E;
        let ok = matches!(
            (self, engine),
            (_, E::Kv | E::Kv1 | E::Kv2)
                | (K::Postgresql, E::Postgresql)
                | (K::Mongodb, E::Mongodb)
                | (K::Mysql | K::Mariadb, E::Mysql | E::Mariadb)
        );
        if ok {
            None
        } else if self == K::Rest {
            Some(format!(
                "REST connectors take KV vaults only, and this is a {} database engine",
                engine.as_str()
            ))
        } else {
            Some(format!(
                "a {} connector takes a KV vault or a {} database engine, not a {} engine",
                self.as_str(),
                match self {
                    K::Mysql | K::Mariadb => "MySQL/MariaDB",
                    K::Postgresql => "PostgreSQL",
                    _ => "MongoDB",
                },
                engine.as_str()
            ))
        }
    }

    /// The fields of this kind's configuration, for validation and for building forms (built
    /// once: every render checks its values against them).
    pub fn fields(self) -> &'static [FieldSpec] {
        static FIELDS: std::sync::LazyLock<Vec<Vec<FieldSpec>>> =
            std::sync::LazyLock::new(|| ConnectorKind::ALL.iter().map(|k| k.build_fields()).collect());
        let i = ConnectorKind::ALL.iter().position(|k| *k == self).unwrap_or_default();
        FIELDS.get(i).map_or(&[], Vec::as_slice)
    }

    fn build_fields(self) -> Vec<FieldSpec> {
        use FieldType as T;
        let f = |name: &str, ty: T, required: bool, help: &str| FieldSpec {
            name: name.into(),
            field_type: ty,
            required,
            options: vec![],
            help: help.into(),
        };
        let e = |name: &str, options: &[&str], help: &str| FieldSpec {
            name: name.into(),
            field_type: T::Choice,
            required: false,
            options: options.iter().map(|s| s.to_string()).collect(),
            help: help.into(),
        };
        match self {
            ConnectorKind::Postgresql | ConnectorKind::Mysql | ConnectorKind::Mariadb => vec![
                f("host", T::Text, true, "host name or address"),
                f("port", T::Port, false, "TCP port"),
                f("database", T::Text, false, "database name"),
                f("username", T::Text, false, ""),
                f("password", T::Text, false, ""),
                e("tls_mode", &["disable", "prefer", "require", "verify-ca", "verify-full"], "TLS mode"),
                f("options", T::Map, false, "extra driver options"),
            ],
            ConnectorKind::Mongodb => vec![
                f(
                    "connection_string",
                    T::Text,
                    false,
                    "mongodb:// or mongodb+srv:// URI (instead of the fields below)",
                ),
                f("host", T::Text, false, ""),
                f("port", T::Port, false, ""),
                f("database", T::Text, false, ""),
                f("username", T::Text, false, ""),
                f("password", T::Text, false, ""),
                f("auth_source", T::Text, false, ""),
                f("replica_set", T::Text, false, ""),
                f("tls", T::Bool, false, ""),
            ],
            ConnectorKind::Rest => vec![
                f("base_url", T::Text, true, "http:// or https:// URL"),
                f("headers", T::Map, false, "request headers"),
                f("query", T::Map, false, "query parameters"),
                f("auth", T::Auth, false, "{type: none|basic|bearer|api_key, ...}"),
                f("timeout", T::Duration, false, "e.g. 30s"),
            ],
        }
    }

    fn is_database(self) -> bool {
        self != ConnectorKind::Rest
    }
}

/// Checks name, kind and configuration; returns the kind and the references. Every problem is
/// reported at once, by field (`name`, `kind`, `config.port`...).
pub fn validate_connector(
    name: &str,
    kind: &str,
    config: &Value,
) -> Result<(String, ConnectorKind, Vec<Reference>), ValidationErrors> {
    let mut errs = ValidationErrors(Vec::new());
    let name = match validate_name(name) {
        Ok(n) => Some(n),
        Err(m) => {
            errs.0.push(FieldError::new("name", m));
            None
        }
    };
    let kind = ConnectorKind::parse(kind);
    if kind.is_none() {
        errs.0.push(FieldError::new("kind", "must be one of postgresql, mysql, mariadb, mongodb, rest"));
    }
    let mut refs = Vec::new();
    match config.as_object() {
        None => errs.0.push(FieldError::new("config", "must be a JSON object")),
        Some(obj) => {
            if let Some(k) = kind {
                check_fields(k, obj, &mut errs);
            }
            for (field, s) in template::strings(config) {
                match template::extract(&field, s) {
                    Ok(r) => refs.extend(r),
                    Err(e) => errs.0.push(template_field_error(&e)),
                }
            }
        }
    }
    match (name, kind, errs.is_empty()) {
        (Some(n), Some(k), true) => Ok((n, k, refs)),
        _ => Err(errs),
    }
}

/// A template error as a field error under `config.FIELD`.
pub fn template_field_error(e: &TemplateError) -> FieldError {
    let field = e.field();
    let message = e.to_string();
    let message = message.strip_prefix(&format!("{field}: ")).unwrap_or(&message).to_owned();
    FieldError::new(format!("config.{field}"), message)
}

fn is_template(v: &Value) -> bool {
    v.as_str().is_some_and(|s| s.contains("{{"))
}

fn check_fields(kind: ConnectorKind, obj: &Map<String, Value>, errs: &mut ValidationErrors) {
    let specs = kind.fields();
    for key in obj.keys() {
        if !specs.iter().any(|s| &s.name == key) {
            let known: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
            errs.push(
                &format!("config.{key}"),
                format!("is not a {} field (fields: {})", kind.as_str(), known.join(", ")),
            );
        }
    }
    for spec in specs {
        let field = format!("config.{}", spec.name);
        let v = obj.get(&spec.name).filter(|v| !v.is_null());
        let Some(v) = v else {
            if spec.required {
                errs.push(&field, "is required");
            }
            continue;
        };
        let problem: Option<String> = match spec.field_type {
            FieldType::Text => (!v.is_string()).then(|| "must be text".into()),
            FieldType::Port => match v {
                Value::Number(n) if n.as_u64().is_some_and(|p| (1..=65535).contains(&p)) => None,
                _ if is_template(v) => None,
                _ => Some("must be a port number 1-65535 or a {{secrets...}} reference".into()),
            },
            FieldType::Bool => (!v.is_boolean() && !is_template(v)).then(|| "must be true or false".into()),
            FieldType::Choice => match v.as_str() {
                Some(s) if spec.options.iter().any(|o| o == s) => None,
                _ => Some(format!("must be one of {}", spec.options.join(", "))),
            },
            FieldType::Map => match v.as_object() {
                Some(m) => m
                    .iter()
                    .find(|(_, x)| !(x.is_string() || x.is_number() || x.is_boolean()))
                    .map(|(k, _)| format!("value of \"{k}\" must be text, a number or a boolean")),
                None => Some("must be an object of names to values".into()),
            },
            FieldType::Duration => match v {
                Value::Number(n) if n.as_u64().is_some_and(|s| s > 0) => None,
                Value::String(s) => crate::validate::parse_duration_secs(s)
                    .ok()
                    .filter(|s| *s > 0)
                    .map_or_else(|| Some("must be a duration such as 30s or 2m".into()), |_| None),
                _ => Some("must be a duration such as 30s or 2m".into()),
            },
            FieldType::Auth => check_auth(v),
        };
        if let Some(p) = problem {
            errs.push(&field, p);
        }
    }
    if kind == ConnectorKind::Mongodb {
        let has = |k: &str| obj.get(k).is_some_and(|v| !v.is_null());
        if !has("connection_string") && !has("host") {
            errs.push("config.host", "is required unless connection_string is given");
        }
    }
    if kind == ConnectorKind::Rest {
        if let Some(u) = obj.get("base_url").and_then(Value::as_str) {
            if !(u.contains("{{") || u.starts_with("http://") || u.starts_with("https://")) {
                errs.push("config.base_url", "must start with http:// or https://");
            }
        }
    }
}

fn check_auth(v: &Value) -> Option<String> {
    let Some(o) = v.as_object() else { return Some("must be an object with a type".into()) };
    let ty = o.get("type").and_then(Value::as_str).unwrap_or("");
    let (needed, allowed): (&[&str], &[&str]) = match ty {
        "none" => (&[], &["type"]),
        "basic" => (&["username", "password"], &["type", "username", "password"]),
        "bearer" => (&["token"], &["type", "token"]),
        "api_key" => (&["name", "value"], &["type", "name", "value", "in"]),
        _ => return Some("type must be none, basic, bearer or api_key".into()),
    };
    if let Some(k) = o.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Some(format!("\"{k}\" does not apply to {ty} auth"));
    }
    if let Some(k) = needed.iter().find(|k| !o.get(**k).is_some_and(Value::is_string)) {
        return Some(format!("{ty} auth needs \"{k}\" as text"));
    }
    match o.get("in").map(|v| v.as_str()) {
        None | Some(Some("header" | "query")) => None,
        _ => Some("\"in\" must be header or query".into()),
    }
}

/// Fields pre-filled from a vault for a new connector of `kind`: references, never values.
/// For a KV vault, from the secret's top-level key names (`subkeys`, as the subkeys endpoint
/// gives them); for a database-engine vault, its dynamic username and password.
pub fn prefill(kind: ConnectorKind, vault: &Vault, subkeys: Option<&Value>) -> Map<String, Value> {
    let name = vault.spec.name.as_str();
    let mut out = Map::new();
    let r = |key: &str| Value::String(reference_text(name, &[key]));
    if vault.spec.engine_type.is_database() {
        if kind.is_database() && kind.incompatibility(vault.spec.engine_type).is_none() {
            for (field, key) in vault.spec.provider.database_secret_fields() {
                out.insert((*field).into(), r(key));
            }
        }
        return out;
    }
    let keys: Vec<&String> =
        subkeys.and_then(Value::as_object).map(|o| o.keys().collect()).unwrap_or_default();
    let find = |candidates: &[&str]| {
        candidates.iter().find_map(|c| keys.iter().find(|k| k.eq_ignore_ascii_case(c)).map(|k| k.as_str()))
    };
    let table: &[(&str, &[&str])] = match kind {
        ConnectorKind::Rest => &[("base_url", &["base_url", "url", "endpoint"])],
        ConnectorKind::Mongodb => &[
            ("connection_string", &["connection_string", "uri"]),
            ("host", &["host", "hostname"]),
            ("port", &["port"]),
            ("database", &["database", "dbname", "db"]),
            ("username", &["username", "user"]),
            ("password", &["password"]),
        ],
        _ => &[
            ("host", &["host", "hostname"]),
            ("port", &["port"]),
            ("database", &["database", "dbname"]),
            ("username", &["username", "user"]),
            ("password", &["password"]),
        ],
    };
    for (field, candidates) in table {
        if let Some(k) = find(candidates) {
            out.insert((*field).into(), r(k));
        }
    }
    if kind == ConnectorKind::Rest {
        if let Some(k) = find(&["token", "api_token", "bearer_token"]) {
            out.insert(
                "auth".into(),
                serde_json::json!({"type": "bearer", "token": reference_text(name, &[k])}),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_invalid_field_is_named() {
        let e = validate_connector("9bad", "pg", &json!({})).expect_err("invalid");
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["name", "kind"]);
        let e = validate_connector(
            "ok",
            "postgresql",
            &json!({"port": 70000, "tls_mode": "maybe", "colour": "x", "password": "{{secrets.v.p"}),
        )
        .expect_err("invalid");
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            ["config.colour", "config.host", "config.port", "config.tls_mode", "config.password"]
        );
    }

    #[test]
    fn compatibility_follows_the_kind() {
        assert!(ConnectorKind::Mysql.incompatibility(EngineType::Mariadb).is_none());
        assert!(ConnectorKind::Mariadb.incompatibility(EngineType::Mysql).is_none());
        assert!(ConnectorKind::Rest.incompatibility(EngineType::Kv2).is_none());
        assert!(ConnectorKind::Rest.incompatibility(EngineType::Postgresql).is_some());
        assert!(ConnectorKind::Postgresql.incompatibility(EngineType::Mysql).is_some());
    }
}
