//! Secrets typed into a connector instead of referenced: a password, token or API key written
//! as a literal value sits in clear in the local database. They are found here by field (never
//! by value), masked in previews like a reference, reported by Save, by the preview and by
//! `vaultdesk connector lint`, and removed values do not stay in the database file
//! (`PRAGMA secure_delete`, and the write-ahead log truncated after a change).

use serde_json::Value;

use crate::connector::ConnectorKind;
use crate::template::MASK;

/// What the warning says about each field [`literal_secrets`] names.
pub const WARNING: &str = "stored in clear in the local database; move it to a vault";

/// The fields of `config` (paths as `template::strings` writes them: `password`, `auth.token`,
/// `headers.Authorization`) that hold a secret as a literal value rather than a reference.
pub fn literal_secrets(kind: ConnectorKind, config: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let Some(obj) = config.as_object() else { return out };
    let mut check = |path: String, v: Option<&Value>| {
        if v.and_then(Value::as_str).is_some_and(is_literal) {
            out.push(path);
        }
    };
    match kind {
        ConnectorKind::Rest => {
            if let Some(auth) = obj.get("auth").and_then(Value::as_object) {
                for k in ["password", "token", "value"] {
                    check(format!("auth.{k}"), auth.get(k));
                }
            }
            for map in ["headers", "query"] {
                for (k, v) in obj.get(map).and_then(Value::as_object).into_iter().flatten() {
                    if credential_name(k) {
                        check(format!("{map}.{k}"), Some(v));
                    }
                }
            }
            if obj.get("base_url").and_then(Value::as_str).is_some_and(url_has_literal_password) {
                out.push("base_url".into());
            }
        }
        _ => {
            check("password".into(), obj.get("password"));
            for (k, v) in obj.get("options").and_then(Value::as_object).into_iter().flatten() {
                if credential_name(k) {
                    check(format!("options.{k}"), Some(v));
                }
            }
            if obj.get("connection_string").and_then(Value::as_str).is_some_and(url_has_literal_password) {
                out.push("connection_string".into());
            }
        }
    }
    out
}

/// `config` with the values at `paths` replaced by the mask (a masked preview).
pub fn mask(config: &mut Value, paths: &[String]) {
    set_strings(config, paths, MASK);
}

/// Empties the fields of `config` that hold a literal secret (a configuration written to a file
/// without credentials: `vault export-config`) and returns their paths.
pub fn strip(kind: ConnectorKind, config: &mut Value) -> Vec<String> {
    let fields = literal_secrets(kind, config);
    set_strings(config, &fields, "");
    fields
}

/// `config` with the strings at `paths` (as `template::strings` writes them) set to `to`.
fn set_strings(config: &mut Value, paths: &[String], to: &str) {
    fn walk(v: &mut Value, path: &str, paths: &[String], to: &str) {
        match v {
            Value::String(s) if paths.iter().any(|p| p == path) => *s = to.to_owned(),
            Value::Object(o) => {
                for (k, x) in o.iter_mut() {
                    let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                    walk(x, &p, paths, to);
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter_mut().enumerate() {
                    walk(x, &format!("{path}[{i}]"), paths, to);
                }
            }
            _ => {}
        }
    }
    if !paths.is_empty() {
        walk(config, "", paths, to);
    }
}

/// A non-empty value with no reference in it.
fn is_literal(s: &str) -> bool {
    !s.trim().is_empty() && !s.contains("{{")
}

/// A header, query or option name that carries credentials.
fn credential_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    ["auth", "token", "secret", "password", "passwd", "key", "cookie", "credential", "signature", "session"]
        .iter()
        .any(|w| n.contains(w))
        && !matches!(n.as_str(), "keep-alive" | "idempotency-key")
}

/// `scheme://user:password@host` with the password written out (not a reference).
fn url_has_literal_password(u: &str) -> bool {
    let Some((_, rest)) = u.split_once("://") else { return false };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let Some((userinfo, _)) = authority.rsplit_once('@') else { return false };
    userinfo.split_once(':').is_some_and(|(_, pw)| is_literal(pw))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn literal_passwords_tokens_and_credential_headers_are_found_references_are_not() {
        let rest = json!({
            "base_url": "https://svc:hunter2@api.example",
            "headers": {"Authorization": "Bearer abc", "X-Api-Key": "{{secrets.v.k}}", "Accept": "json"},
            "query": {"api_key": "k1", "page": "1"},
            "auth": {"type": "bearer", "token": "tok"},
        });
        assert_eq!(
            literal_secrets(ConnectorKind::Rest, &rest),
            ["auth.token", "headers.Authorization", "query.api_key", "base_url"]
        );
        let pg =
            json!({"host": "h", "password": "pw", "options": {"sslpassword": "x", "application_name": "a"}});
        assert_eq!(literal_secrets(ConnectorKind::Postgresql, &pg), ["password", "options.sslpassword"]);
        let referenced = json!({"host": "h", "password": "{{secrets.v.password}}", "connection_string": "mongodb://u:{{secrets.v.p}}@h"});
        assert!(literal_secrets(ConnectorKind::Mongodb, &referenced).is_empty());
        let mongo = json!({"connection_string": "mongodb://u:pw@h/db"});
        assert_eq!(literal_secrets(ConnectorKind::Mongodb, &mongo), ["connection_string"]);
    }

    #[test]
    fn stripping_empties_literal_secrets_and_keeps_references() {
        let mut c = json!({"connection_string": "mongodb://u:plain@h/db", "password": "hunter2", "username": "{{secrets.v.user}}"});
        assert_eq!(strip(ConnectorKind::Mongodb, &mut c), ["password", "connection_string"]);
        assert_eq!(c, json!({"connection_string": "", "password": "", "username": "{{secrets.v.user}}"}));
        let mut c = json!({"base_url": "https://x", "headers": {"X-Api-Key": "abc", "Accept": "json"}, "auth": {"type": "bearer", "token": "{{secrets.v.t}}"}});
        assert_eq!(strip(ConnectorKind::Rest, &mut c), ["headers.X-Api-Key"]);
        assert_eq!(c["headers"], json!({"X-Api-Key": "", "Accept": "json"}));
        assert_eq!(c["auth"]["token"], "{{secrets.v.t}}", "a reference is not a credential");
    }

    #[test]
    fn masking_replaces_exactly_the_named_fields() {
        let mut c = json!({"password": "pw", "headers": {"Authorization": "Bearer abc", "Accept": "json"}});
        mask(&mut c, &["password".into(), "headers.Authorization".into()]);
        assert_eq!(c, json!({"password": MASK, "headers": {"Authorization": MASK, "Accept": "json"}}));
    }
}
