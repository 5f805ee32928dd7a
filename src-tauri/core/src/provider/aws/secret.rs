//! Reading the one secret an AWS vault points at (GetSecretValue) and turning it into the JSON
//! object templates see: Key/value — a SecretString holding a JSON object as is, any other
//! string under `value`, a SecretBinary as base64 under `binary`; Database — an RDS-style JSON
//! object (`engine`, `host`, `port`, `username`, `password`, `dbname`), anything else a named
//! error. Describing the secret (DescribeSecret) gives what the Test shows, never a value.

use serde_json::{Map, Value};

use super::client::AwsClient;
use super::error::{map_sdk, AwsError};
use crate::model::EngineType;
use crate::sensitive::Sensitive;

/// A secret as read: its data, and which version was served.
#[derive(Debug, Clone)]
pub struct AwsSecret {
    pub data: Sensitive<Map<String, Value>>,
    pub version_id: Option<String>,
    pub stages: Vec<String>,
}

/// What DescribeSecret says of a secret (no value).
#[derive(Debug, Clone, Default)]
pub struct AwsSecretInfo {
    pub arn: String,
    pub name: String,
    pub rotation_enabled: bool,
    pub last_rotated: Option<String>,
    pub last_changed: Option<String>,
    pub deleted: Option<String>,
    /// Every stage some version carries.
    pub stages: Vec<String>,
}

fn date(d: Option<&aws_sdk_secretsmanager::primitives::DateTime>) -> Option<String> {
    d.and_then(|d| d.fmt(aws_sdk_secretsmanager::primitives::DateTimeFormat::DateTime).ok())
}

impl AwsClient {
    fn version(&self) -> (Option<&str>, Option<&str>) {
        (self.aws.version_stage.as_deref(), self.aws.version_id.as_deref())
    }

    /// DescribeSecret of the configured secret.
    pub async fn describe(&self) -> Result<AwsSecretInfo, AwsError> {
        let id = self.aws.secret_id.as_str();
        let out = self
            .sm
            .describe_secret()
            .secret_id(id)
            .send()
            .await
            .map_err(|e| map_sdk(&e, &self.ctx("secretsmanager:DescribeSecret", id)))?;
        let mut stages: Vec<String> =
            out.version_ids_to_stages().map(|m| m.values().flatten().cloned().collect()).unwrap_or_default();
        stages.sort();
        stages.dedup();
        Ok(AwsSecretInfo {
            arn: out.arn().unwrap_or_default().to_owned(),
            name: out.name().unwrap_or_default().to_owned(),
            rotation_enabled: out.rotation_enabled().unwrap_or(false),
            last_rotated: date(out.last_rotated_date()),
            last_changed: date(out.last_changed_date()),
            deleted: date(out.deleted_date()),
            stages,
        })
    }

    /// GetSecretValue of the configured version, shaped for `engine`.
    pub async fn read(&self, engine: EngineType) -> Result<AwsSecret, AwsError> {
        let id = self.aws.secret_id.as_str();
        let (stage, version_id) = self.version();
        let mut req = self.sm.get_secret_value().secret_id(id);
        if let Some(v) = version_id {
            req = req.version_id(v);
        } else if let Some(s) = stage {
            req = req.version_stage(s);
        }
        let label = self.aws.version_label();
        let mut ctx = self.ctx("secretsmanager:GetSecretValue", id);
        ctx.version = Some((label.as_str(), version_id.is_some()));
        let out = match req.send().await {
            Ok(out) => out,
            Err(e) => {
                let named = map_sdk(&e, &ctx);
                // Not found with a version asked for: the secret may exist without that version.
                if matches!(named, AwsError::SecretNotFound { .. })
                    && (stage.is_some() || version_id.is_some())
                    && self.describe().await.is_ok()
                {
                    return Err(AwsError::VersionNotFound {
                        secret: id.to_owned(),
                        version: label.clone(),
                        by_id: version_id.is_some(),
                    });
                }
                return Err(named);
            }
        };
        let data = if let Some(s) = out.secret_string() {
            shape_string(s, engine, id)?
        } else if let Some(b) = out.secret_binary() {
            if engine != EngineType::Kv {
                return Err(AwsError::NotJsonObject {
                    secret: id.to_owned(),
                    found: "a binary secret".into(),
                    engine_type: engine.as_str().into(),
                });
            }
            let mut m = Map::new();
            m.insert("binary".into(), Value::String(crate::template::base64_bytes(b.as_ref())));
            m
        } else {
            return Err(AwsError::RequestFailed {
                action: "secretsmanager:GetSecretValue".into(),
                status: None,
                detail: "the answer holds neither SecretString nor SecretBinary".into(),
            });
        };
        Ok(AwsSecret {
            data: Sensitive::new(data),
            version_id: out.version_id().map(str::to_owned),
            stages: out.version_stages().to_vec(),
        })
    }

    /// STS GetCallerIdentity: the account and the ARN these credentials act as.
    pub async fn identity(&self) -> Result<(String, String), AwsError> {
        let out = self
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| map_sdk(&e, &self.ctx("sts:GetCallerIdentity", "*")))?;
        Ok((out.account().unwrap_or_default().to_owned(), out.arn().unwrap_or_default().to_owned()))
    }
}

/// The keys an RDS-style database secret must have to connect.
pub const DATABASE_KEYS: [&str; 3] = ["host", "username", "password"];

/// A SecretString as templates see it, for `engine` (`secret` names it in errors).
pub fn shape_string(s: &str, engine: EngineType, secret: &str) -> Result<Map<String, Value>, AwsError> {
    let parsed = serde_json::from_str::<Value>(s).ok();
    if engine == EngineType::Kv {
        return Ok(match parsed {
            Some(Value::Object(m)) => m,
            _ => {
                let mut m = Map::new();
                m.insert("value".into(), Value::String(s.to_owned()));
                m
            }
        });
    }
    let found = match parsed {
        Some(Value::Object(m)) => {
            let missing: Vec<String> =
                DATABASE_KEYS.iter().filter(|k| !m.contains_key(**k)).map(|k| (*k).to_owned()).collect();
            if !missing.is_empty() {
                return Err(AwsError::MissingDatabaseKeys { secret: secret.to_owned(), missing });
            }
            return Ok(m);
        }
        Some(Value::Array(_)) => "a JSON array",
        Some(Value::Null | Value::Bool(_) | Value::Number(_)) => "a JSON scalar",
        Some(Value::String(_)) | None => "a plain string",
    };
    Err(AwsError::NotJsonObject {
        secret: secret.to_owned(),
        found: found.into(),
        engine_type: engine.as_str().into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_value_shapes_json_objects_plain_strings_and_refuses_nothing() {
        let m = shape_string(r#"{"a":"x","n":{"b":1}}"#, EngineType::Kv, "s").expect("object");
        assert_eq!(m.get("a"), Some(&Value::String("x".into())));
        let m = shape_string("plain \"text\"\n", EngineType::Kv, "s").expect("string");
        assert_eq!(m.get("value"), Some(&Value::String("plain \"text\"\n".into())), "kept byte for byte");
        let m = shape_string("123", EngineType::Kv, "s").expect("scalar");
        assert_eq!(
            m.get("value"),
            Some(&Value::String("123".into())),
            "a JSON scalar is the string as stored"
        );
    }

    #[test]
    fn a_database_secret_must_be_an_rds_shaped_object() {
        let ok =
            r#"{"engine":"postgres","host":"db","port":5432,"username":"u","password":"p","dbname":"d"}"#;
        assert!(shape_string(ok, EngineType::Postgresql, "s").is_ok());
        let e = shape_string("just a password", EngineType::Mysql, "s").expect_err("plain string");
        assert!(matches!(e, AwsError::NotJsonObject { .. }), "{e:?}");
        assert_eq!(e.field(), Some("engine_type"));
        let e = shape_string(r#"{"host":"db"}"#, EngineType::Mysql, "s").expect_err("missing keys");
        assert_eq!(e.to_string(), "database secret \"s\" lacks username, password");
    }
}
