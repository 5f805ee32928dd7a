//! The database secrets engine: credentials for a role (with their lease) and a connection's details.

use reqwest::Method;
use secrecy::SecretString;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::error::VaultError;
use super::http::{server_secs, Envelope, Purpose, VaultClient};
use super::sys::Lease;
use crate::sensitive::Sensitive;

/// Credentials issued by a database secrets engine.
#[derive(Debug, Clone)]
pub struct DbCredentials {
    pub username: String,
    pub password: Sensitive<String>,
    pub lease: Lease,
}

/// Connection details of a database engine connection; Vault never returns its password.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DbConnectionInfo {
    pub plugin_name: String,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub database: Option<String>,
    pub allowed_roles: Vec<String>,
}

impl VaultClient {
    /// New credentials from `<mount>/creds/<role>`, with their lease.
    pub async fn db_creds(
        &self,
        token: &SecretString,
        mount: &str,
        role: &str,
    ) -> Result<DbCredentials, VaultError> {
        #[derive(Deserialize)]
        struct Data {
            username: String,
            password: String,
        }
        let api = format!("{mount}/creds/{role}");
        let env: Envelope<Data> =
            self.call(Method::GET, &api, Some(token), None, Purpose::DbCreds { mount, role }).await?;
        let d = env.data.ok_or_else(|| VaultError::Malformed {
            path: api.clone(),
            detail: "no username and password in the response".into(),
        })?;
        Ok(DbCredentials {
            username: d.username,
            password: Sensitive::new(d.password),
            lease: Lease {
                id: env.lease_id,
                duration: server_secs(env.lease_duration),
                renewable: env.renewable,
            },
        })
    }

    /// Connection details of `<mount>/config/<name>` (host, port, database, plugin).
    pub async fn db_connection(
        &self,
        token: &SecretString,
        mount: &str,
        name: &str,
    ) -> Result<DbConnectionInfo, VaultError> {
        #[derive(Deserialize)]
        struct Data {
            #[serde(default)]
            plugin_name: String,
            #[serde(default)]
            connection_details: Map<String, Value>,
            #[serde(default)]
            allowed_roles: Vec<String>,
        }
        let api = format!("{mount}/config/{name}");
        let env: Envelope<Data> = self.call(Method::GET, &api, Some(token), None, Purpose::Other).await?;
        let d =
            env.data.ok_or_else(|| VaultError::Malformed { path: api.clone(), detail: "no data".into() })?;
        let mut info = DbConnectionInfo {
            plugin_name: d.plugin_name,
            allowed_roles: d.allowed_roles,
            ..Default::default()
        };
        if let Some(url) = d.connection_details.get("connection_url").and_then(Value::as_str) {
            parse_connection_url(url, &mut info);
        }
        Ok(info)
    }
}
/// `postgresql://{{username}}:{{password}}@db.internal:5432/orders?sslmode=disable` and the
/// MySQL DSN form `{{username}}:{{password}}@tcp(db:3306)/orders` give host, port, database.
fn parse_connection_url(raw: &str, info: &mut DbConnectionInfo) {
    let after_at = raw.rsplit_once('@').map_or(raw, |(_, rest)| rest);
    let (hostport, rest) = if let Some(inner) = after_at.strip_prefix("tcp(") {
        inner.split_once(')').unwrap_or((inner, ""))
    } else {
        let s = after_at.split_once("://").map_or(after_at, |(_, r)| r);
        s.split_once('/').map_or((s, ""), |(h, r)| (h, r))
    };
    let rest = rest.trim_start_matches('/');
    let db = rest.split(['?', '/']).next().unwrap_or("");
    if !db.is_empty() {
        info.database = Some(db.to_owned());
    }
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || p.parse::<u16>().is_ok() => (h, p.parse().ok()),
        _ => (hostport, None),
    };
    if !host.is_empty() {
        info.host = Some(host.trim_matches(['[', ']']).to_owned());
    }
    info.port = port;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_urls_give_host_port_and_database() {
        let mut i = DbConnectionInfo::default();
        parse_connection_url(
            "postgresql://{{username}}:{{password}}@db.internal:5432/orders?sslmode=disable",
            &mut i,
        );
        assert_eq!(
            (i.host.as_deref(), i.port, i.database.as_deref()),
            (Some("db.internal"), Some(5432), Some("orders"))
        );
        let mut i = DbConnectionInfo::default();
        parse_connection_url("{{username}}:{{password}}@tcp(127.0.0.1:3306)/shop", &mut i);
        assert_eq!(
            (i.host.as_deref(), i.port, i.database.as_deref()),
            (Some("127.0.0.1"), Some(3306), Some("shop"))
        );
        let mut i = DbConnectionInfo::default();
        parse_connection_url("postgres://u@h", &mut i);
        assert_eq!((i.host.as_deref(), i.port, i.database), (Some("h"), None, None));
    }
}
