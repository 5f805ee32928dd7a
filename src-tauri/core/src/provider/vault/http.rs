//! The HTTP layer of the Vault / OpenBao client, on reqwest: one client per vault configuration,
//! holding a keep-alive connection pool and never a token (the session holds it). Every request
//! sends `X-Vault-Request: true`, and `X-Vault-Namespace` when the vault has a namespace (login
//! included). Responses keep the whole envelope (lease id, duration, renewable, auth, warnings)
//! that generic Vault crates drop; refusals become named [`VaultError`]s.
//!
//! The endpoints live beside this file, one file per concern: `auth/` (login methods),
//! `token.rs`, `kv.rs`, `database.rs`, `sys.rs`.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

use super::error::VaultError;
use super::token::AuthInfo;
use crate::model::VaultSpec;

/// What a request is for: it decides how a refusal is named.
#[derive(Debug, Clone, Copy)]
pub(in crate::provider::vault) enum Purpose<'a> {
    Login {
        auth_mount: &'a str,
    },
    /// A userpass or LDAP login as `user`.
    PasswordLogin {
        auth_mount: &'a str,
        user: &'a str,
        ldap: bool,
    },
    /// A JWT login as `role`.
    JwtLogin {
        auth_mount: &'a str,
        role: &'a str,
    },
    /// An OIDC login (authorize URL or callback) as `role`.
    OidcLogin {
        auth_mount: &'a str,
        role: &'a str,
    },
    KvRead,
    DbCreds {
        mount: &'a str,
        role: &'a str,
    },
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
pub(in crate::provider::vault) struct Envelope<T> {
    #[serde(default)]
    pub lease_id: String,
    #[serde(default)]
    pub lease_duration: u64,
    #[serde(default)]
    pub renewable: bool,
    pub data: Option<T>,
    pub auth: Option<AuthInfo>,
    #[serde(default)]
    pub warnings: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
struct ErrorBody {
    #[serde(default)]
    errors: Vec<String>,
}

/// Largest response body read from Vault: 8 MiB. Every answer vaultdesk reads (a secret, a
/// login, a lease) is far smaller; a server streaming without end is cut off here instead of
/// filling memory.
pub const MAX_RESPONSE_BYTES: usize = 8 * 1024 * 1024;

/// Longest duration taken from a server answer (ten years): keeps `Instant` arithmetic safe.
const MAX_SERVER_SECS: u64 = 10 * 365 * 24 * 3600;

pub(crate) fn server_secs(secs: u64) -> Duration {
    Duration::from_secs(secs.min(MAX_SERVER_SECS))
}

/// Whether a proxy reached over TLS is configured (reqwest honours these variables), which
/// needs the system's CA store even for a plain-http vault.
fn https_proxy_configured() -> bool {
    ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]
        .iter()
        .filter_map(std::env::var_os)
        .any(|v| v.to_string_lossy().trim_start().to_ascii_lowercase().starts_with("https:"))
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
        if crate::validate::is_remote_plain_http(&spec.url) && !tls.allow_http {
            return Err(VaultError::PlainHttp { url: spec.url.clone() });
        }
        let read_pem = |path: &str, field: &'static str, what: &str| {
            crate::validate::read_pem(std::path::Path::new(path))
                .map_err(|e| VaultError::TlsConfig { field, detail: format!("{what} {e}") })
        };
        if tls.tls_ca_cert.is_none()
            && url::Url::parse(&spec.url).is_ok_and(|u| u.scheme() == "http")
            && !https_proxy_configured()
        {
            // No TLS to this server (redirects are never followed; no HTTPS proxy), so the
            // system's CA store is not read: loading it costs a one-shot command ~10 ms.
            builder = builder.tls_built_in_root_certs(false);
        }
        if let Some(path) = &tls.tls_ca_cert {
            let pem = read_pem(path, "tls_ca_cert", "CA certificate")?;
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
            let mut pem = read_pem(cert, "tls_client_cert", "client certificate")?;
            pem.push(b'\n');
            pem.extend(read_pem(key, "tls_client_key", "client key")?);
            let identity = reqwest::Identity::from_pem(&pem).map_err(|e| VaultError::TlsConfig {
                field: "tls_client_cert",
                detail: format!("client certificate and key are not a usable PEM pair: {e}"),
            })?;
            builder = builder.identity(identity);
        }
        // Off by default; only an explicit per-vault setting turns verification off.
        builder = builder
            .danger_accept_invalid_certs(tls.tls_skip_verify)
            .danger_accept_invalid_hostnames(tls.tls_skip_hostname);
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

    /// The same client (connection pool included) speaking to `namespace` instead: the login
    /// of a vault whose login namespace differs from its secret's.
    pub fn in_namespace(&self, namespace: Option<&str>) -> VaultClient {
        VaultClient { namespace: namespace.map(str::to_owned), ..self.clone() }
    }

    pub(in crate::provider::vault) async fn send(
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
        // reads are sent again: a login or a write may have been processed already, and so may
        // a GET of `creds/ROLE`, which creates a database user each time it is processed.
        let issues_credentials = matches!(purpose, Purpose::DbCreds { .. });
        let retry = if is_get && !issues_credentials { req.try_clone() } else { None };
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
                    crate::redact::redact_url(to)
                ),
            });
        }
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let bytes = self.read_capped(resp, path).await?;
        if status.is_success() {
            return Ok(bytes);
        }
        let errors = serde_json::from_slice::<ErrorBody>(&bytes).unwrap_or_default().errors;
        Err(self.refusal(status, &errors, path, purpose, retry_after, &bytes))
    }

    /// The body of `resp`, at most [`MAX_RESPONSE_BYTES`]: a longer one (announced or streamed)
    /// is `ResponseTooLarge`, and reading stops there.
    async fn read_capped(&self, mut resp: reqwest::Response, path: &str) -> Result<Vec<u8>, VaultError> {
        let too_large = || VaultError::ResponseTooLarge {
            path: path.to_owned(),
            limit_mib: (MAX_RESPONSE_BYTES / (1024 * 1024)) as u64,
        };
        if resp.content_length().is_some_and(|n| n > MAX_RESPONSE_BYTES as u64) {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| self.transport_error(&e))? {
            if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    pub(in crate::provider::vault) async fn call<T: DeserializeOwned>(
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
        // rustls names these `Expired`/`NotValidYet` in older releases and "certificate
        // expired"/"certificate not valid yet" (with the times) in newer ones.
        if text.contains("Expired")
            || text.contains("NotValidYet")
            || text.contains("certificate expired")
            || text.contains("not valid yet")
        {
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
            Purpose::PasswordLogin { auth_mount, user, ldap } => {
                if ldap
                    && (lower.contains("failed to connect")
                        || lower.contains("error connecting to host")
                        || lower.contains("network error")
                        || lower.contains("connection refused")
                        || lower.contains("no such host")
                        || lower.contains("i/o timeout"))
                {
                    return VaultError::LdapUnavailable {
                        auth_mount: auth_mount.to_owned(),
                        detail: message,
                    };
                }
                if lower.contains("invalid username or password")
                    || lower.contains("invalid credentials")
                    || lower.contains("failed to bind")
                    || lower.contains("user bind")
                    || lower.contains("bind dn")
                {
                    return VaultError::WrongPassword {
                        auth_mount: auth_mount.to_owned(),
                        user: user.to_owned(),
                    };
                }
                if matches!(status.as_u16(), 403..=405) || lower.contains("no handler for route") {
                    return VaultError::AuthMountNotFound { auth_mount: auth_mount.to_owned() };
                }
            }
            Purpose::JwtLogin { auth_mount, role } => {
                if lower.contains("role")
                    && (lower.contains("could not be found") || lower.contains("not found"))
                {
                    return VaultError::JwtRoleNotFound {
                        auth_mount: auth_mount.to_owned(),
                        role: role.to_owned(),
                    };
                }
                if matches!(status.as_u16(), 400 | 401) && !lower.contains("no handler for route") {
                    return VaultError::JwtRejected { auth_mount: auth_mount.to_owned(), detail: message };
                }
                if matches!(status.as_u16(), 403..=405) || lower.contains("no handler for route") {
                    return VaultError::AuthMountNotFound { auth_mount: auth_mount.to_owned() };
                }
            }
            Purpose::OidcLogin { auth_mount, role } => {
                if lower.contains("could not be found") && lower.contains("role") {
                    return VaultError::JwtRoleNotFound {
                        auth_mount: auth_mount.to_owned(),
                        role: role.to_owned(),
                    };
                }
                if lower.contains("expired or missing oauth state") || lower.contains("invalid client_nonce")
                {
                    return VaultError::OidcStateMismatch { auth_mount: auth_mount.to_owned() };
                }
                if lower.contains("access_denied") {
                    return VaultError::OidcCancelled { auth_mount: auth_mount.to_owned() };
                }
                if status.as_u16() == 400 {
                    return VaultError::OidcRejected { auth_mount: auth_mount.to_owned(), detail: message };
                }
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
}

/// What is wrong with a body that is not the expected JSON: the error's kind and position only.
/// (serde_json's own message can quote the offending value, which may be a secret.)
pub(in crate::provider::vault) fn json_error(e: &serde_json::Error) -> String {
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
    fn vault_error_lists_read_as_one_line() {
        let e = vec!["1 error occurred:\n\t* permission denied\n\n".to_owned()];
        assert_eq!(clean_errors(&e), "permission denied");
        assert_eq!(clean_errors(&["a".into(), "b".into()]), "a; b");
    }
}
