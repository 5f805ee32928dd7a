//! A rendered connector's values checked against its kind's field types.
//!
//! Save checks the fields as written; a reference is only known to fit once it is rendered: a
//! whole-reference value takes the secret's own JSON type, so `port: {{secrets.db.password}}`
//! would export a password as the port, and `host: {{secrets.db}}` an object. After rendering,
//! every field that holds a reference is checked here and, where the secret's text means the
//! field's type, converted: `"5432"` becomes the port `5432`, `"true"` the boolean, a number in
//! a text field its text. Anything else is an error naming the field and the reference — never
//! the value.

// A type error is the cold path and carries the names the user needs (as in `template`).
#![allow(clippy::result_large_err)]

use serde_json::{Map, Value};

use crate::connector::{ConnectorKind, FieldType};
use crate::template::{self, TemplateError};

/// Checks and converts the fields of `rendered` (the render of `raw`) that hold references.
pub fn fit_rendered(kind: ConnectorKind, raw: &Value, rendered: &mut Value) -> Result<(), TemplateError> {
    let (Some(raw), Some(out)) = (raw.as_object(), rendered.as_object_mut()) else { return Ok(()) };
    for spec in kind.fields() {
        let (Some(raw_v), Some(v)) = (raw.get(&spec.name), out.get_mut(&spec.name)) else { continue };
        match spec.field_type {
            FieldType::Map => fit_map(&spec.name, raw_v, v)?,
            FieldType::Auth => fit_auth(&spec.name, raw_v, v)?,
            ty => fit_value(&spec.name, ty, raw_v, v)?,
        }
    }
    Ok(())
}

/// `v` (rendered from `raw` at `field`) made to fit `ty`, or why it cannot.
fn fit_value(field: &str, ty: FieldType, raw: &Value, v: &mut Value) -> Result<(), TemplateError> {
    if !raw.as_str().is_some_and(template::holds_reference) {
        return Ok(());
    }
    let wrong = |got: &str, expected: &str| TemplateError::WrongType {
        field: field.to_owned(),
        reference: first_reference(field, raw).unwrap_or_default(),
        got: got.to_owned(),
        expected: expected.to_owned(),
    };
    let fitted = match (ty, &*v) {
        (FieldType::Text | FieldType::Choice, Value::String(_)) => None,
        (FieldType::Text, Value::Number(n)) => Some(Value::String(n.to_string())),
        (FieldType::Text, Value::Bool(b)) => Some(Value::String(b.to_string())),
        (FieldType::Port, Value::Number(n)) => match n.as_u64() {
            Some(1..=65535) => None,
            _ => return Err(wrong("a number outside 1-65535", "a port number 1-65535")),
        },
        (FieldType::Port, Value::String(s)) => match s.trim().parse::<u64>() {
            Ok(p @ 1..=65535) => Some(Value::from(p)),
            Ok(_) => return Err(wrong("a number outside 1-65535", "a port number 1-65535")),
            Err(_) => return Err(wrong("text that is not a number", "a port number 1-65535")),
        },
        (FieldType::Bool, Value::Bool(_)) => None,
        (FieldType::Bool, Value::String(s)) => match s.trim() {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => return Err(wrong("text other than true or false", "true or false")),
        },
        (FieldType::Duration, Value::Number(n)) if n.as_u64().is_some_and(|s| s > 0) => None,
        (FieldType::Duration, Value::String(s)) => match crate::validate::parse_duration_secs(s) {
            Ok(secs) if secs > 0 => None,
            _ => return Err(wrong("text that is not a duration", "a duration such as 30s or 2m")),
        },
        (ty, other) => return Err(wrong(kind_of(other), expected_of(ty))),
    };
    if let Some(f) = fitted {
        *v = f;
    }
    Ok(())
}

/// A map of names to values (headers, query, options): each value text, a number or a boolean.
fn fit_map(field: &str, raw: &Value, v: &mut Value) -> Result<(), TemplateError> {
    let (Some(raw), Some(out)) = (raw.as_object(), v.as_object_mut()) else {
        // The whole map from one reference: each of its values must still be a scalar.
        return match (first_reference(field, raw), &*v) {
            (None, _) => Ok(()),
            (Some(_), Value::Object(m)) => check_map_values(field, raw, m),
            (Some(reference), other) => Err(TemplateError::WrongType {
                field: field.to_owned(),
                reference,
                got: kind_of(other).into(),
                expected: "an object of names to values".into(),
            }),
        };
    };
    for (k, x) in out.iter_mut() {
        let Some(raw_x) = raw.get(k) else { continue };
        let path = format!("{field}.{k}");
        match &*x {
            Value::String(_) | Value::Number(_) | Value::Bool(_) => {}
            other => {
                if let Some(reference) = first_reference(&path, raw_x) {
                    return Err(TemplateError::WrongType {
                        field: path,
                        reference,
                        got: kind_of(other).into(),
                        expected: "text, a number or a boolean".into(),
                    });
                }
            }
        }
    }
    Ok(())
}

fn check_map_values(field: &str, raw: &Value, m: &Map<String, Value>) -> Result<(), TemplateError> {
    match m.iter().find(|(_, x)| !(x.is_string() || x.is_number() || x.is_boolean())) {
        None => Ok(()),
        Some((k, x)) => Err(TemplateError::WrongType {
            field: format!("{field}.{k}"),
            reference: first_reference(field, raw).unwrap_or_default(),
            got: kind_of(x).into(),
            expected: "text, a number or a boolean".into(),
        }),
    }
}

/// REST auth: its texts (username, password, token, name, value) must render as text.
fn fit_auth(field: &str, raw: &Value, v: &mut Value) -> Result<(), TemplateError> {
    let (Some(raw), Some(out)) = (raw.as_object(), v.as_object_mut()) else { return Ok(()) };
    for (k, x) in out.iter_mut() {
        if k == "type" || k == "in" {
            continue;
        }
        let Some(raw_x) = raw.get(k) else { continue };
        fit_value(&format!("{field}.{k}"), FieldType::Text, raw_x, x)?;
    }
    Ok(())
}

/// The first reference written in `raw` (a string value), as `{{...}}` text is shown.
fn first_reference(field: &str, raw: &Value) -> Option<String> {
    let s = raw.as_str()?;
    template::holds_reference(s)
        .then(|| template::extract(field, s).ok()?.into_iter().next().map(|r| r.text))?
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing (null)",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn expected_of(ty: FieldType) -> &'static str {
    match ty {
        FieldType::Text | FieldType::Choice => "text",
        FieldType::Port => "a port number 1-65535",
        FieldType::Bool => "true or false",
        FieldType::Duration => "a duration such as 30s or 2m",
        FieldType::Map => "an object of names to values",
        FieldType::Auth => "an auth object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fit(kind: ConnectorKind, raw: Value, rendered: Value) -> Result<Value, String> {
        let mut out = rendered;
        fit_rendered(kind, &raw, &mut out).map(|()| out).map_err(|e| e.to_string())
    }

    #[test]
    fn values_that_do_not_fit_their_field_name_field_and_reference_never_the_value() {
        let pg = ConnectorKind::Postgresql;
        let e = fit(pg, json!({"port": "{{secrets.db.password}}"}), json!({"port": "s3cr3t-value"}))
            .expect_err("password as port");
        assert_eq!(
            e,
            "port: `{{secrets.db.password}}` gives text that is not a number; port takes a port number 1-65535"
        );
        assert!(!e.contains("s3cr3t"));
        let e =
            fit(pg, json!({"host": "{{secrets.db.conn}}"}), json!({"host": {"h": "x"}})).expect_err("object");
        assert_eq!(e, "host: `{{secrets.db.conn}}` gives an object; host takes text");
        let e = fit(pg, json!({"username": "{{secrets.db.users}}"}), json!({"username": ["a", "b"]}))
            .expect_err("list");
        assert!(e.starts_with("username: `{{secrets.db.users}}` gives a list"), "{e}");
        let rest = ConnectorKind::Rest;
        let e = fit(
            rest,
            json!({"headers": {"X-Key": "{{secrets.api.k}}"}, "auth": {"type": "bearer", "token": "{{secrets.api.t}}"}}),
            json!({"headers": {"X-Key": {"a": 1}}, "auth": {"type": "bearer", "token": "t"}}),
        )
        .expect_err("object header");
        assert!(e.starts_with("headers.X-Key: `{{secrets.api.k}}` gives an object"), "{e}");
        let e = fit(
            rest,
            json!({"auth": {"type": "bearer", "token": "{{secrets.api.t}}"}}),
            json!({"auth": {"type": "bearer", "token": [1]}}),
        )
        .expect_err("list token");
        assert!(e.starts_with("auth.token: `{{secrets.api.t}}` gives a list"), "{e}");
    }

    #[test]
    fn text_that_means_the_field_type_is_converted() {
        let out = fit(
            ConnectorKind::Mongodb,
            json!({"port": "{{secrets.db.port}}", "tls": "{{secrets.db.tls}}", "username": "{{secrets.db.n}}", "host": "h"}),
            json!({"port": "27017", "tls": "true", "username": 42, "host": "h"}),
        )
        .expect("fits");
        assert_eq!(out, json!({"port": 27017, "tls": true, "username": "42", "host": "h"}));
        let e = fit(ConnectorKind::Mongodb, json!({"port": "{{secrets.db.p}}"}), json!({"port": 70000}))
            .expect_err("range");
        assert!(e.contains("a number outside 1-65535"), "{e}");
    }
}
