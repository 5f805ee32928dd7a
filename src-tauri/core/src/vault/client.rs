//! A Vault / OpenBao HTTP client on reqwest, keeping the whole response envelope (lease id,
//! duration, renewable, auth, warnings) that generic Vault crates drop. One client per vault
//! configuration; it holds a keep-alive connection pool and never stores a token itself (the
//! session does). Every request sends `X-Vault-Request: true`, and `X-Vault-Namespace` when the
//! vault has a namespace (login included).

use std::collections::BTreeMap;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::error::VaultError;
use crate::model::{AppRoleCredentials, VaultSpec};
use crate::sensitive::Sensitive;

/// What a request is for: it decides how a refusal is named.
#[derive(Debug, Clone, Copy)]
enum Purpose<'a> {
    Login { auth_mount: &'a str },
    KvRead,
    DbCreds { mount: &'a str, role: &'a str },
    Other,
}

#[derive(Clone)]
pub struct VaultClient {
    http: reqwest::Client,
    base: String,
    namespace: Option<String>,
    request_timeout: Duration,
    connect_timeout: Duration,
}

impl std::fmt::Debug for VaultClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VaultClient").field("base", &self.base).field("namespace", &self.namespace).finish()
    }
}

/// The response envelope shared by every Vault endpoint.
#[derive(Debug, Deserialize)]
struct Envelope<T> {
    #[serde(default)]
    lease_id: String,
    #[serde(default)]
    lease_duration: u64,
    #[serde(default)]
    renewable: bool,
    data: Option<T>,
    auth: Option<AuthInfo>,
    #[serde(default)]
    warnings: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
struct ErrorBody {
    #[serde(default)]
    errors: Vec<String>,
}

/// `sys/health`.
#[derive(Debug, Clone, Deserialize)]
pub struct Health {
    pub initialized: bool,
    pub sealed: bool,
    pub standby: bool,
    #[serde(default)]
    pub performance_standby: bool,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub cluster_name: Option<String>,
}

/// The `auth` block of a login or token renewal. The token is a `SecretString`.
#[derive(Debug, Clone, Deserialize)]
pub struct AuthInfo {
    pub client_token: SecretString,
    #[serde(default)]
    pub policies: Vec<String>,
    #[serde(default)]
    pub token_policies: Vec<String>,
    /// Seconds; 0 means the token does not expire.
    #[serde(default)]
    pub lease_duration: u64,
    #[serde(default)]
    pub renewable: bool,
}

/// Longest duration taken from a server answer (ten years): keeps `Instant` arithmetic safe.
const MAX_SERVER_SECS: u64 = 10 * 365 * 24 * 3600;

pub(crate) fn server_secs(secs: u64) -> Duration {
    Duration::from_secs(secs.min(MAX_SERVER_SECS))
}

/// A lease on a dynamic secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub id: String,
    pub duration: Duration,
    pub renewable: bool,
}

/// A KV v2 secret: the current version's data (sensitive) and its version number.
#[derive(Debug, Clone)]
pub struct KvSecret {
    pub data: Sensitive<Map<String, Value>>,
    pub version: u64,
    pub warnings: Vec<String>,
}

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

/// `auth/token/lookup-self`, without the token id.
#[derive(Debug, Clone)]
pub struct TokenInfo {
    pub policies: Vec<String>,
    pub ttl: Duration,
    pub renewable: bool,
}

/// `sys/internal/ui/mounts/<path>`: what is mounted there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountInfo {
    pub kind: String,
    pub version: Option<String>,
}

impl VaultClient {
    /// A client for the vault of `spec`: its URL, namespace, TLS files and timeouts.
    pub fn new(spec: &VaultSpec) -> Result<VaultClient, VaultError> {
        let tls = &spec.tls;
        let mut builder = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(tls.connect_timeout_secs))
            .timeout(Duration::from_secs(tls.request_timeout_secs))
            .pool_idle_timeout(Duration::from_secs(90))
            .user_agent(concat!("vaultdesk/", env!("CARGO_PKG_VERSION")))
            .use_rustls_tls()
            // Never follow redirects: reqwest would resend X-Vault-Token (and a login's Secret ID)
            // to wherever Location points. Standbys forward requests by default; a redirect is
            // reported instead (see `refusal`).
            .redirect(reqwest::redirect::Policy::none());
        if let Some(path) = &tls.tls_ca_cert {
            let pem = std::fs::read(path).map_err(|e| VaultError::TlsConfig {
                field: "tls_ca_cert",
                detail: format!("cannot read CA certificate {path}: {e}"),
            })?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| VaultError::TlsConfig {
                field: "tls_ca_cert",
                detail: format!("{path} is not a PEM certificate: {e}"),
            })?;
            // Only the given CA(s), as VAULT_CACERT means for the Vault CLI.
            builder = builder.tls_built_in_root_certs(false);
            for c in certs {
                builder = builder.add_root_certificate(c);
            }
        }
        if let (Some(cert), Some(key)) = (&tls.tls_client_cert, &tls.tls_client_key) {
            let mut pem = std::fs::read(cert).map_err(|e| VaultError::TlsConfig {
                field: "tls_client_cert",
                detail: format!("cannot read client certificate {cert}: {e}"),
            })?;
            pem.push(b'\n');
            pem.extend(std::fs::read(key).map_err(|e| VaultError::TlsConfig {
                field: "tls_client_key",
                detail: format!("cannot read client key {key}: {e}"),
            })?);
            let identity = reqwest::Identity::from_pem(&pem).map_err(|e| VaultError::TlsConfig {
                field: "tls_client_cert",
                detail: format!("client certificate and key are not a usable PEM pair: {e}"),
            })?;
            builder = builder.identity(identity);
        }
        // Off by default; only an explicit per-vault setting turns verification off.
        builder = builder.danger_accept_invalid_certs(tls.tls_skip_verify);
        let http = builder.build().map_err(|e| VaultError::TlsConfig {
            field: "tls_ca_cert",
            detail: format!("cannot set up the HTTP client: {e}"),
        })?;
        Ok(VaultClient {
            http,
            base: spec.url.trim_end_matches('/').to_owned(),
            namespace: spec.namespace.clone(),
            request_timeout: Duration::from_secs(tls.request_timeout_secs),
            connect_timeout: Duration::from_secs(tls.connect_timeout_secs),
        })
    }

    pub fn url(&self) -> &str {
        &self.base
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&SecretString>,
        body: Option<&Value>,
        purpose: Purpose<'_>,
    ) -> Result<Vec<u8>, VaultError> {
        let is_get = method == Method::GET;
        let mut req =
            self.http.request(method, format!("{}/v1/{}", self.base, path)).header("X-Vault-Request", "true");
        // sys/health exists only in the root namespace.
        if let Some(ns) = self.namespace.as_ref().filter(|_| !path.starts_with("sys/health")) {
            req = req.header("X-Vault-Namespace", ns);
        }
        if let Some(t) = token {
            req = req.header("X-Vault-Token", t.expose_secret());
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        // A pooled keep-alive connection the server has since closed can fail a request. Only
        // reads are sent again: a login or a write may have been processed already.
        let retry = if is_get { req.try_clone() } else { None };
        let resp = match (req.send().await, retry) {
            (Ok(r), _) => r,
            (Err(e), Some(again)) if is_stale_connection(&e) => {
                again.send().await.map_err(|e| self.transport_error(&e))?
            }
            (Err(e), _) => return Err(self.transport_error(&e)),
        };
        let status = resp.status();
        if status.is_redirection() {
            let to = resp.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("?");
            return Err(VaultError::BadRequest {
                path: path.to_owned(),
                status: status.as_u16(),
                message: format!(
                    "redirected to {} (not followed, it would carry the token); use the active node's address",
                    crate::validate::redact_url(to)
                ),
            });
        }
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let bytes = resp.bytes().await.map_err(|e| self.transport_error(&e))?;
        if status.is_success() {
            return Ok(bytes.to_vec());
        }
        let errors = serde_json::from_slice::<ErrorBody>(&bytes).unwrap_or_default().errors;
        Err(self.refusal(status, &errors, path, purpose, retry_after, &bytes))
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        token: Option<&SecretString>,
        body: Option<&Value>,
        purpose: Purpose<'_>,
    ) -> Result<Envelope<T>, VaultError> {
        let body = self.send(method, path, token, body, purpose).await?;
        serde_json::from_slice(&body)
            .map_err(|e| VaultError::Malformed { path: path.to_owned(), detail: json_error(&e) })
    }

    fn transport_error(&self, e: &reqwest::Error) -> VaultError {
        let url = self.base.clone();
        if e.is_timeout() {
            let limit = if e.is_connect() { self.connect_timeout } else { self.request_timeout };
            return VaultError::Timeout { url, secs: limit.as_secs() };
        }
        let mut chain = Vec::new();
        let mut refused = false;
        let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
        while let Some(s) = src {
            if let Some(io) = s.downcast_ref::<std::io::Error>() {
                refused |= io.kind() == std::io::ErrorKind::ConnectionRefused;
            }
            chain.push(s.to_string());
            src = s.source();
        }
        let text = chain.join(": ");
        // BadSignature: signed by a different CA that bears the same name as the configured one.
        if text.contains("UnknownIssuer") || text.contains("unknown issuer") || text.contains("BadSignature")
        {
            return VaultError::TlsUnknownCa { url };
        }
        if text.contains("NotValidForName") || text.contains("not valid for name") {
            return VaultError::TlsNameMismatch { url };
        }
        if text.contains("Expired") || text.contains("NotValidYet") {
            return VaultError::TlsExpired { url };
        }
        if refused || text.contains("Connection refused") {
            return VaultError::ConnectionRefused { url };
        }
        if text.contains("dns error") || text.contains("failed to lookup address") {
            let host = reqwest::Url::parse(&self.base)
                .ok()
                .and_then(|u| u.host_str().map(str::to_owned))
                .unwrap_or_default();
            return VaultError::DnsFailure { url, host };
        }
        let last = chain.last().cloned().unwrap_or_default();
        let lower = text.to_lowercase();
        if lower.contains("tls") || lower.contains("certificate") || lower.contains("handshake") {
            return VaultError::Tls { url, detail: scrub(&last) };
        }
        VaultError::Unreachable { url, detail: scrub(&last) }
    }

    fn refusal(
        &self,
        status: StatusCode,
        errors: &[String],
        path: &str,
        purpose: Purpose<'_>,
        retry_after: Option<u64>,
        raw: &[u8],
    ) -> VaultError {
        let message = clean_errors(errors);
        let lower = message.to_lowercase();
        let path = path.to_owned();
        let url = self.base.clone();
        if errors.is_empty() && !raw.is_empty() && serde_json::from_slice::<Value>(raw).is_err() {
            return VaultError::Malformed {
                path,
                detail: format!("HTTP {} with a body that is not JSON", status.as_u16()),
            };
        }
        if lower.contains("namespace not found") {
            return VaultError::NamespaceNotFound { namespace: self.namespace.clone().unwrap_or_default() };
        }
        if lower.contains("vault is sealed")
            || (status == StatusCode::SERVICE_UNAVAILABLE && lower.contains("sealed"))
        {
            return VaultError::Sealed { url };
        }
        if status == StatusCode::NOT_IMPLEMENTED && lower.contains("not initialized") {
            return VaultError::NotInitialized { url };
        }
        if status == StatusCode::TOO_MANY_REQUESTS {
            return VaultError::RateLimited { path, retry_after_secs: retry_after };
        }
        match purpose {
            Purpose::Login { auth_mount } => {
                if lower.contains("invalid role or secret id")
                    || lower.contains("invalid secret id")
                    || lower.contains("invalid role id")
                    || lower.contains("failed to validate credentials")
                {
                    return VaultError::InvalidCredentials { auth_mount: auth_mount.to_owned() };
                }
                // A login carries no token: a refusal or a missing route means no AppRole there.
                if matches!(status.as_u16(), 403..=405) || lower.contains("no handler for route") {
                    return VaultError::AuthMountNotFound { auth_mount: auth_mount.to_owned() };
                }
            }
            Purpose::DbCreds { mount, role } => {
                if lower.contains("no handler for route") {
                    return VaultError::MountNotFound { mount: mount.to_owned() };
                }
                if lower.contains("unknown role")
                    || lower.contains("role not found")
                    || status == StatusCode::NOT_FOUND
                {
                    return VaultError::DatabaseRoleNotFound {
                        mount: mount.to_owned(),
                        role: role.to_owned(),
                    };
                }
            }
            Purpose::KvRead => {
                if lower.contains("no handler for route") {
                    let mount = path.split('/').next().unwrap_or_default().to_owned();
                    return VaultError::MountNotFound { mount };
                }
            }
            Purpose::Other => {}
        }
        match status.as_u16() {
            403 => VaultError::PermissionDenied { path },
            404 => VaultError::SecretNotFound { path },
            s @ 500..=599 => VaultError::Server { path, status: s, message: or_status(&message, status) },
            s => VaultError::BadRequest { path, status: s, message: or_status(&message, status) },
        }
    }

    /// `sys/health`, asking for a 200 whatever the state so the body always says it.
    pub async fn health(&self) -> Result<Health, VaultError> {
        let path =
            "sys/health?standbyok=true&perfstandbyok=true&sealedcode=200&uninitcode=200&drsecondarycode=200";
        let body = self.send(Method::GET, path, None, None, Purpose::Other).await?;
        serde_json::from_slice(&body).map_err(|e| VaultError::Malformed {
            path: "sys/health".into(),
            detail: format!("not a Vault health response: {}", json_error(&e)),
        })
    }

    /// AppRole login at `auth/<auth_mount>/login`.
    pub async fn login_approle(
        &self,
        auth_mount: &str,
        creds: &AppRoleCredentials,
    ) -> Result<AuthInfo, VaultError> {
        let path = format!("auth/{auth_mount}/login");
        let body = serde_json::json!({
            "role_id": creds.role_id.expose_secret(),
            "secret_id": creds.secret_id.expose_secret(),
        });
        let env: Envelope<Value> =
            self.call(Method::POST, &path, None, Some(&body), Purpose::Login { auth_mount }).await?;
        env.auth.ok_or_else(|| VaultError::Malformed {
            path,
            detail: "the login response has no auth block".into(),
        })
    }

    /// `auth/token/renew-self`.
    pub async fn renew_self(&self, token: &SecretString) -> Result<AuthInfo, VaultError> {
        let path = "auth/token/renew-self";
        let env: Envelope<Value> =
            self.call(Method::POST, path, Some(token), Some(&serde_json::json!({})), Purpose::Other).await?;
        env.auth.ok_or_else(|| VaultError::Malformed { path: path.into(), detail: "no auth block".into() })
    }

    /// `auth/token/revoke-self`: ends the token at once.
    pub async fn revoke_self(&self, token: &SecretString) -> Result<(), VaultError> {
        self.send(Method::POST, "auth/token/revoke-self", Some(token), None, Purpose::Other).await.map(|_| ())
    }

    /// `auth/token/lookup-self`: policies and remaining TTL (the token id is not kept).
    pub async fn lookup_self(&self, token: &SecretString) -> Result<TokenInfo, VaultError> {
        #[derive(Deserialize)]
        struct Data {
            #[serde(default)]
            policies: Vec<String>,
            #[serde(default)]
            ttl: u64,
            #[serde(default)]
            renewable: bool,
        }
        let path = "auth/token/lookup-self";
        let env: Envelope<Data> = self.call(Method::GET, path, Some(token), None, Purpose::Other).await?;
        let d =
            env.data.ok_or_else(|| VaultError::Malformed { path: path.into(), detail: "no data".into() })?;
        Ok(TokenInfo { policies: d.policies, ttl: server_secs(d.ttl), renewable: d.renewable })
    }

    /// The current version of the KV v2 secret at `<mount>/data/<path>`.
    pub async fn kv2_read(
        &self,
        token: &SecretString,
        mount: &str,
        path: &str,
    ) -> Result<KvSecret, VaultError> {
        #[derive(Deserialize)]
        struct Data {
            data: Option<Map<String, Value>>,
            metadata: Option<Meta>,
        }
        #[derive(Deserialize)]
        struct Meta {
            #[serde(default)]
            version: u64,
        }
        let api = format!("{mount}/data/{path}");
        let env: Envelope<Data> = self.call(Method::GET, &api, Some(token), None, Purpose::KvRead).await?;
        let d = env
            .data
            .ok_or_else(|| VaultError::Malformed { path: api.clone(), detail: "no data block".into() })?;
        let (Some(data), Some(meta)) = (d.data, d.metadata) else {
            // KV v2 answers a deleted (not destroyed) version with data: null.
            return Err(VaultError::SecretNotFound { path: api });
        };
        Ok(KvSecret {
            data: Sensitive::new(data),
            version: meta.version,
            warnings: env.warnings.unwrap_or_default(),
        })
    }

    /// Key names (no values) of the KV v2 secret: nested objects, `null` at the leaves.
    pub async fn kv2_subkeys(
        &self,
        token: &SecretString,
        mount: &str,
        path: &str,
    ) -> Result<Value, VaultError> {
        #[derive(Deserialize)]
        struct Data {
            subkeys: Option<Value>,
        }
        let api = format!("{mount}/subkeys/{path}");
        let env: Envelope<Data> = self.call(Method::GET, &api, Some(token), None, Purpose::KvRead).await?;
        env.data.and_then(|d| d.subkeys).ok_or(VaultError::SecretNotFound { path: api })
    }

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

    /// Extends a lease by `increment`.
    pub async fn renew_lease(
        &self,
        token: &SecretString,
        lease_id: &str,
        increment: Duration,
    ) -> Result<Lease, VaultError> {
        let body = serde_json::json!({ "lease_id": lease_id, "increment": increment.as_secs() });
        let env: Envelope<Value> =
            self.call(Method::PUT, "sys/leases/renew", Some(token), Some(&body), Purpose::Other).await?;
        Ok(Lease { id: env.lease_id, duration: server_secs(env.lease_duration), renewable: env.renewable })
    }

    /// Revokes a lease at once (the database user is dropped).
    pub async fn revoke_lease(&self, token: &SecretString, lease_id: &str) -> Result<(), VaultError> {
        let body = serde_json::json!({ "lease_id": lease_id });
        self.send(Method::PUT, "sys/leases/revoke", Some(token), Some(&body), Purpose::Other)
            .await
            .map(|_| ())
    }

    /// The token's capabilities on each of `paths`.
    pub async fn capabilities_self(
        &self,
        token: &SecretString,
        paths: &[String],
    ) -> Result<BTreeMap<String, Vec<String>>, VaultError> {
        let body = serde_json::json!({ "paths": paths });
        let env: Envelope<Map<String, Value>> = self
            .call(Method::POST, "sys/capabilities-self", Some(token), Some(&body), Purpose::Other)
            .await?;
        let data = env.data.unwrap_or_default();
        Ok(paths
            .iter()
            .map(|p| {
                let caps = data
                    .get(p)
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(|c| c.as_str().map(str::to_owned)).collect())
                    .unwrap_or_default();
                (p.clone(), caps)
            })
            .collect())
    }

    /// What is mounted at `path` (type and KV version), through the UI mounts endpoint that
    /// every token may read for paths it has access to.
    pub async fn mount_info(&self, token: &SecretString, path: &str) -> Result<MountInfo, VaultError> {
        #[derive(Deserialize)]
        struct Data {
            #[serde(rename = "type", default)]
            kind: String,
            #[serde(default)]
            options: Option<BTreeMap<String, Value>>,
        }
        let api = format!("sys/internal/ui/mounts/{path}");
        let env: Envelope<Data> = self.call(Method::GET, &api, Some(token), None, Purpose::Other).await?;
        let d = env.data.ok_or_else(|| VaultError::Malformed { path: api, detail: "no data".into() })?;
        let version = d.options.and_then(|o| o.get("version").and_then(|v| v.as_str().map(str::to_owned)));
        Ok(MountInfo { kind: d.kind, version })
    }
}

/// What is wrong with a body that is not the expected JSON: the error's kind and position only.
/// (serde_json's own message can quote the offending value, which may be a secret.)
fn json_error(e: &serde_json::Error) -> String {
    let kind = match e.classify() {
        serde_json::error::Category::Io => "unreadable",
        serde_json::error::Category::Syntax => "not JSON",
        serde_json::error::Category::Data => "JSON of an unexpected shape",
        serde_json::error::Category::Eof => "truncated JSON",
    };
    format!("the response is {kind} (line {}, column {})", e.line(), e.column())
}

fn is_stale_connection(e: &reqwest::Error) -> bool {
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = src {
        let t = s.to_string();
        if t.contains("connection closed before message completed") || t.contains("connection reset") {
            return true;
        }
        src = s.source();
    }
    false
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

/// Vault's error strings look like "1 error occurred:\n\t* permission denied\n\n".
fn clean_errors(errors: &[String]) -> String {
    let mut parts = Vec::new();
    for e in errors {
        for line in e.lines() {
            let l = line.trim().trim_start_matches("* ").trim();
            if l.is_empty() || (l.ends_with("occurred:") && l.contains("error")) {
                continue;
            }
            parts.push(l.to_owned());
        }
    }
    scrub(&parts.join("; "))
}

fn or_status(message: &str, status: StatusCode) -> String {
    if message.is_empty() {
        status.canonical_reason().unwrap_or("no details").to_owned()
    } else {
        message.to_owned()
    }
}

/// One line, bounded length: messages end up in a form or a terminal.
fn scrub(s: &str) -> String {
    let one_line: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 300 {
        let cut: String = one_line.chars().take(300).collect();
        format!("{cut}…")
    } else {
        one_line
    }
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

    #[test]
    fn vault_error_lists_read_as_one_line() {
        let e = vec!["1 error occurred:\n\t* permission denied\n\n".to_owned()];
        assert_eq!(clean_errors(&e), "permission denied");
        assert_eq!(clean_errors(&["a".into(), "b".into()]), "a; b");
    }
}
