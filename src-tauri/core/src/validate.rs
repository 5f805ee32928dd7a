//! Validation and normalisation of vault configurations. Every rule names its field and says
//! what is accepted; all field errors are collected at once so a form can show them together.
//! Messages may echo what the user typed for ordinary fields, never for the Role ID or Secret ID.

use std::fmt;
use std::sync::LazyLock;

use regex::Regex;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::{AuthMethod, EngineType, Provider, TlsInput, TlsSpec, VaultInput, VaultSpec};

/// Default AppRole mount.
pub const DEFAULT_AUTH_MOUNT: &str = "approle";
/// Default cache TTL: five minutes.
pub const DEFAULT_CACHE_TTL_SECS: u64 = 300;
/// Longest accepted cache TTL: seven days.
pub const MAX_CACHE_TTL_SECS: u64 = 7 * 24 * 3600;
/// Default time to establish a connection to Vault.
pub const DEFAULT_CONNECT_TIMEOUT_SECS: u64 = 10;
/// Default time for a whole request to Vault.
pub const DEFAULT_REQUEST_TIMEOUT_SECS: u64 = 30;
/// Longest accepted timeout: ten minutes.
const MAX_TIMEOUT_SECS: u64 = 600;
/// Longest accepted Role ID / Secret ID.
const MAX_CREDENTIAL_LEN: usize = 1024;
/// Largest PEM file (CA bundle, client certificate or key) read: 1 MiB.
pub const MAX_PEM_BYTES: u64 = 1024 * 1024;

/// One step of a field's path: an object key or an array index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(untagged)]
pub enum PathSegment {
    Index(u32),
    Key(String),
}

/// One invalid field: its name as written in messages (`url`, `config.headers.Authorization`,
/// `config.hosts[1]`), the same as a path a front end can walk without parsing text
/// (`["config", "headers", "Authorization"]`), and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FieldError {
    pub field: String,
    #[serde(default)]
    pub path: Vec<PathSegment>,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        let field = field.into();
        FieldError { path: field_path(&field), field, message: message.into() }
    }
}

/// `config.headers.Authorization` -> `["config", "headers", "Authorization"]`,
/// `config.hosts[1]` -> `["config", "hosts", 1]`.
fn field_path(field: &str) -> Vec<PathSegment> {
    let mut path = Vec::new();
    for part in field.split('.') {
        let (key, indices) = part.split_once('[').map_or((part, ""), |(k, rest)| (k, rest));
        if !key.is_empty() {
            path.push(PathSegment::Key(key.to_owned()));
        }
        for index in indices.split('[').filter(|i| !i.is_empty()) {
            let index = index.trim_end_matches(']');
            match index.parse::<u32>() {
                Ok(i) => path.push(PathSegment::Index(i)),
                Err(_) => path.push(PathSegment::Key(index.to_owned())),
            }
        }
    }
    path
}

/// Every invalid field of one submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    pub(crate) fn push(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn single(field: &str, message: impl Into<String>) -> Self {
        let mut e = ValidationErrors(Vec::new());
        e.push(field, message);
        e
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", e.field, e.message)?;
        }
        Ok(())
    }
}

static NAME_RE: LazyLock<Regex> = LazyLock::new(|| re(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$"));
/// A mount or namespace: segments of letters, digits, `_`, `-`, `.`, joined by `/`.
static MOUNT_RE: LazyLock<Regex> =
    LazyLock::new(|| re(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$"));
static ROLE_RE: LazyLock<Regex> = LazyLock::new(|| re(r"^[A-Za-z0-9_][A-Za-z0-9_.@-]{0,127}$"));

fn re(pattern: &str) -> Regex {
    // The patterns are constants of this file; a typo is a bug caught by every test run.
    #[allow(clippy::expect_used)]
    Regex::new(pattern).expect("constant regex compiles")
}

/// Trims, and turns an empty optional value into `None`.
pub(crate) fn opt(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn trim_slashes(s: &str) -> &str {
    s.trim().trim_matches('/')
}

pub fn validate_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("is required".into());
    }
    if !NAME_RE.is_match(name) {
        return Err(format!(
            "\"{name}\" is not a valid name: start with a letter, then up to 63 letters, digits, \
             '_' or '-' (it is used in {{{{secrets.NAME.KEY}}}})"
        ));
    }
    Ok(name.to_owned())
}

/// Accepts `http(s)://host[:port][/prefix]`; returns it without a trailing slash. Messages show
/// the URL without user info or query ([`crate::redact::redact_url`]).
pub fn validate_url(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    let shown = crate::redact::redact_url(raw);
    if raw.is_empty() {
        return Err("is required, e.g. https://vault.example.com:8200".into());
    }
    if !raw.contains("://") {
        return Err(format!("\"{shown}\" has no scheme: write http://{shown} or https://{shown}"));
    }
    let url = url::Url::parse(raw).map_err(|e| format!("\"{shown}\" is not a valid URL: {e}"))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(format!("scheme \"{}\" is not supported: use http or https", url.scheme()));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("\"{shown}\" has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        // Never echo the URL here: it carries credentials.
        return Err("must not contain a user name or password; AppRole credentials go in the \
                    Role ID and Secret ID fields"
            .into());
    }
    if url.query().is_some() {
        return Err(format!("\"{shown}\" must not have a query (?...)"));
    }
    if url.fragment().is_some() {
        return Err(format!(
            "\"{shown}\" has a fragment (#...): drop it, the Vault URL is the server's address only"
        ));
    }
    if url.path().trim_end_matches('/').split('/').any(|seg| seg.eq_ignore_ascii_case("v1")) {
        return Err(format!(
            "\"{shown}\" contains /v1: drop it, vaultdesk adds /v1 to every request itself \
             (write the server's address, e.g. https://vault.example.com:8200)"
        ));
    }
    if raw.split("://").nth(1).is_some_and(|rest| {
        let authority = rest.split('/').next().unwrap_or("");
        authority.ends_with(':')
    }) {
        return Err(format!("\"{shown}\" has an empty port after ':'"));
    }
    let mut s = url.to_string();
    while s.ends_with('/') {
        s.pop();
    }
    Ok(s)
}

pub fn validate_mount(field_label: &str, raw: &str) -> Result<String, String> {
    let m = trim_slashes(raw);
    if m.is_empty() {
        return Err("is required".into());
    }
    if has_encoded_path_char(m) {
        return Err(format!("\"{}\" contains a percent-encoded '.', '/', '\\' or '%'", raw.trim()));
    }
    if !MOUNT_RE.is_match(m) || m.split('/').any(|seg| seg == "." || seg == "..") {
        return Err(format!(
            "\"{}\" is not a valid {field_label}: use letters, digits, '_', '-', '.' in \
             segments separated by '/'",
            raw.trim()
        ));
    }
    Ok(m.to_owned())
}

pub fn validate_namespace(raw: &str) -> Result<String, String> {
    let ns = trim_slashes(raw);
    if has_encoded_path_char(ns) {
        return Err(format!("\"{}\" contains a percent-encoded '.', '/', '\\' or '%'", raw.trim()));
    }
    if !MOUNT_RE.is_match(ns) || ns.split('/').any(|seg| seg == "." || seg == "..") {
        return Err(format!(
            "\"{}\" is not a valid namespace: use letters, digits, '_', '-', '.' in segments \
             separated by '/' (e.g. team1 or team1/child)",
            raw.trim()
        ));
    }
    Ok(ns.to_owned())
}

/// Whether `url` (already validated) is plain HTTP to anything but this machine's loopback
/// (`localhost`, `127.0.0.0/8`, `::1`): there the Secret ID and tokens cross a network in the clear.
pub fn is_remote_plain_http(url: &str) -> bool {
    let Ok(u) = url::Url::parse(url) else { return false };
    if u.scheme() != "http" {
        return false;
    }
    match u.host() {
        Some(url::Host::Ipv4(ip)) => !ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => !ip.is_loopback(),
        Some(url::Host::Domain(d)) => !d.eq_ignore_ascii_case("localhost"),
        None => true,
    }
}

/// A percent-escape (`%2e`, `%2F`, `%5c`, `%25`...) of a character that changes which path Vault
/// reads: `.`, `/`, `\` or `%` itself (double encoding). The URL layer would turn
/// `a/%2e%2e/b` into `b`, so the path shown would not be the path read.
fn has_encoded_path_char(s: &str) -> bool {
    let b = s.as_bytes();
    b.windows(3).any(|w| {
        w[0] == b'%'
            && std::str::from_utf8(&w[1..])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .is_some_and(|c| matches!(c, b'.' | b'/' | b'\\' | b'%'))
    })
}

/// A KV v2 path relative to the mount. The API form `<engine>/data/<path>` (what users copy
/// from Vault's UI and docs) is accepted and reduced to `<path>`.
pub fn normalize_kv_path(raw: &str, engine_name: &str) -> Result<String, String> {
    let mut p = trim_slashes(raw);
    if !engine_name.is_empty() {
        let api_prefix = format!("{engine_name}/data/");
        if let Some(rest) = p.strip_prefix(&api_prefix) {
            p = rest.trim_matches('/');
        } else if p == api_prefix.trim_end_matches('/') {
            p = "";
        }
    }
    if p.is_empty() {
        return Err("is required for a KV engine: the secret's path within the engine, \
                    e.g. app/db"
            .into());
    }
    if p.chars().any(|c| c.is_control() || c == '?' || c == '#' || c == '\\') {
        return Err(format!(
            "\"{}\" contains a character not allowed in a path (control character, '?', '#' \
             or '\\')",
            raw.trim().escape_debug()
        ));
    }
    if has_encoded_path_char(p) {
        return Err(format!(
            "\"{}\" contains a percent-encoded '.', '/', '\\' or '%': write the path as it is, \
             without escapes (an encoded \"..\" would read another secret than the one shown)",
            raw.trim()
        ));
    }
    if p.split('/').any(|seg| seg.is_empty() || seg == "." || seg == ".." || seg.trim() != seg) {
        return Err(format!("\"{}\" has an empty, '.', '..' or space-padded segment", raw.trim()));
    }
    Ok(p.to_owned())
}

fn validate_role(raw: &str, what: &str) -> Result<String, String> {
    let r = raw.trim();
    if has_encoded_path_char(r) {
        return Err(format!(
            "\"{r}\" is not a valid {what}: it contains a percent-encoded '.', '/', '\\' or '%'"
        ));
    }
    if !ROLE_RE.is_match(r) {
        return Err(format!("\"{r}\" is not a valid {what}: up to 128 letters, digits, '_', '-', '.', '@'"));
    }
    Ok(r.to_owned())
}

/// A cache TTL: a duration ([`crate::duration::parse`]) of at most 7 days.
pub fn parse_duration_secs(raw: &str) -> Result<u64, String> {
    check_ttl(crate::duration::parse(raw)?, raw)
}

fn check_ttl(secs: u64, raw: &str) -> Result<u64, String> {
    if secs > MAX_CACHE_TTL_SECS {
        return Err(format!("\"{}\" is longer than the maximum of 7d", raw.trim()));
    }
    Ok(secs)
}

/// Validates a Role ID or Secret ID without ever putting its value in a message. Surrounding
/// whitespace (a file's trailing newline) is removed.
/// A userpass or LDAP user name: printable, no whitespace at either end, at most 256 characters.
fn validate_username(raw: &str) -> Result<String, String> {
    let u = raw.trim();
    if u.len() > 256 {
        return Err("is longer than 256 characters".into());
    }
    if u.chars().any(|c| c.is_control() || c == '/') {
        return Err(format!("\"{}\" contains a control character or '/'", u.escape_default()));
    }
    Ok(u.to_owned())
}

/// The secret part of `method`'s login: a password keeps its spaces (not trimmed, no control
/// characters); a Secret ID or token is a single word.
pub fn validate_secret_part(method: AuthMethod, value: &SecretString) -> Result<SecretString, FieldError> {
    let field = method.secret_field();
    if method == AuthMethod::AwsKeys {
        // The Secret Access Key, then a line with the session token when there is one.
        let (key, token) = crate::model::Credentials::aws_parts(value);
        let key = validate_credential(field, &key)?;
        let Some(token) = token else { return Ok(key) };
        let t = token.expose_secret().trim();
        if t.is_empty() || t.len() > 8 * 1024 || !t.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(FieldError::new(
                "session_token",
                "is not a session token (printable characters without spaces, at most 8 KiB; value not shown)",
            ));
        }
        return Ok(SecretString::from(format!("{}\n{t}", key.expose_secret())));
    }
    if method == AuthMethod::Jwt {
        // A JWT is three base64url parts joined by dots, and can be long (claims, certificates).
        let v = value.expose_secret().trim();
        let parts = v.split('.').count();
        let ok = parts == 3
            && v.len() <= 16 * 1024
            && v.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.=".contains(&b));
        return if ok {
            Ok(SecretString::from(v.to_owned()))
        } else {
            Err(FieldError::new(
                field,
                "is not a JWT (three base64url parts joined by dots, at most 16 KiB; value not shown)",
            ))
        };
    }
    if !matches!(method, AuthMethod::Userpass | AuthMethod::Ldap) {
        return validate_credential(field, value);
    }
    let v = value.expose_secret();
    let err = |message: &str| FieldError::new(field, message.to_owned());
    if v.is_empty() {
        return Err(err("is empty"));
    }
    if v.len() > MAX_CREDENTIAL_LEN {
        return Err(err("is longer than 1024 characters"));
    }
    if v.chars().any(char::is_control) {
        return Err(err("contains control characters (value not shown)"));
    }
    Ok(value.clone())
}

pub fn validate_credential(field: &str, value: &SecretString) -> Result<SecretString, FieldError> {
    let v = value.expose_secret().trim();
    let err = |message: String| FieldError::new(field, message);
    if v.is_empty() {
        return Err(err("is empty".into()));
    }
    if v.len() > MAX_CREDENTIAL_LEN {
        return Err(err(format!("is longer than {MAX_CREDENTIAL_LEN} characters")));
    }
    if v.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(err("contains whitespace or control characters (value not shown)".into()));
    }
    Ok(SecretString::from(v.to_owned()))
}

/// Validates and normalises a whole configuration, reporting every invalid field.
pub fn validate_input(input: &VaultInput) -> Result<VaultSpec, ValidationErrors> {
    let mut errs = ValidationErrors(Vec::new());

    let name = validate_name(&input.name).map_err(|m| errs.push("name", m)).ok();

    let provider = match opt(&input.provider) {
        None => Some(Provider::HashicorpVault),
        Some(p) => match Provider::parse(p) {
            Some(p) => Some(p),
            None => {
                errs.push(
                    "provider",
                    format!("\"{p}\" is not supported: use hashicorp_vault (HashiCorp Vault or OpenBao) or aws (AWS Secrets Manager)"),
                );
                None
            }
        },
    };

    if provider == Some(Provider::AwsSecretsManager) {
        return crate::provider::aws::config::validate(input, name, errs);
    }
    if input.aws != crate::model::AwsInput::default() {
        for (field, v) in crate::provider::aws::config::given_fields(&input.aws) {
            if v {
                errs.push(field, "applies only to AWS Secrets Manager");
            }
        }
    }

    let mut url = validate_url(&input.url).map_err(|m| errs.push("url", m)).ok();
    if url.as_deref().is_some_and(is_remote_plain_http) && input.tls.allow_http != Some(true) {
        errs.push(
            "url",
            "is plain HTTP to another machine: the Secret ID, tokens and secrets would cross the \
             network unencrypted. Use https://, or allow plain HTTP explicitly (--allow-http, or \
             \"Allow plain HTTP\" in Advanced)",
        );
        url = None;
    }

    let namespace = match opt(&input.namespace) {
        None => None,
        Some(ns) => validate_namespace(ns).map_err(|m| errs.push("namespace", m)).ok(),
    };

    let auth_method = match opt(&input.auth_method) {
        None => Some(AuthMethod::Approle),
        Some(m) => AuthMethod::parse(m)
            .filter(|m| m.provider() == Provider::HashicorpVault)
            .ok_or_else(|| {
                errs.push(
                    "auth_method",
                    format!("\"{m}\" is not a login method: use approle, token, userpass, ldap, jwt or oidc"),
                )
            })
            .ok(),
    };
    let method = auth_method.unwrap_or_default();
    let auth_mount = if method == AuthMethod::Token {
        // A token is used as is: no login, no mount.
        Some(method.default_mount().to_owned())
    } else {
        validate_mount("auth mount", opt(&input.auth_mount).unwrap_or(method.default_mount()))
            .map_err(|m| errs.push("auth_mount", m))
            .ok()
    };
    let auth_username = match (method.uses_username(), opt(&input.auth_username)) {
        (true, None) => {
            errs.push("auth_username", format!("is required to log in with {}", method.label()));
            None
        }
        (true, Some(u)) => validate_username(u).map_err(|m| errs.push("auth_username", m)).ok(),
        (false, Some(_)) if auth_method.is_some() => {
            errs.push("auth_username", format!("applies only to userpass and ldap, not {}", method.as_str()));
            None
        }
        (false, _) => None,
    };
    let auth_role = match (method.uses_role(), opt(&input.auth_role)) {
        (true, None) => {
            errs.push(
                "auth_role",
                format!("is required to log in with {}: the role of the auth mount", method.label()),
            );
            None
        }
        (true, Some(r)) => validate_role(r, "role").map_err(|m| errs.push("auth_role", m)).ok(),
        (false, Some(_)) if auth_method.is_some() => {
            errs.push("auth_role", format!("applies only to jwt and oidc, not {}", method.as_str()));
            None
        }
        (false, _) => None,
    };
    let login_namespace = match opt(&input.login_namespace) {
        None => None,
        Some(ns) => validate_namespace(ns).map_err(|m| errs.push("login_namespace", m)).ok(),
    };

    let engine_name =
        validate_mount("engine name", &input.engine_name).map_err(|m| errs.push("engine_name", m)).ok();

    let engine_type = match input.engine_type.trim() {
        "" => {
            errs.push("engine_type", "is required: one of kv1, kv2, mysql, mariadb, postgresql, mongodb");
            None
        }
        t => {
            match EngineType::parse(t).filter(|t| *t != EngineType::Kv) {
                Some(t) => Some(t),
                None => {
                    errs.push(
                    "engine_type",
                    format!("\"{t}\" is not an engine type: use kv1, kv2, mysql, mariadb, postgresql or mongodb"),
                );
                    None
                }
            }
        }
    };

    let mut path = None;
    let mut db_role = None;
    let mut connection_name = None;
    match engine_type {
        Some(kv) if kv.is_kv() => {
            // KV v1 has no `data/` segment in its API paths to strip.
            let mount = if kv == EngineType::Kv2 { engine_name.as_deref().unwrap_or("") } else { "" };
            path = normalize_kv_path(input.path.as_deref().unwrap_or(""), mount)
                .map_err(|m| errs.push("path", m))
                .ok();
            if opt(&input.db_role).is_some() {
                errs.push("db_role", format!("applies only to database engine types, not {}", kv.as_str()));
            }
            if opt(&input.connection_name).is_some() {
                errs.push(
                    "connection_name",
                    format!("applies only to database engine types, not {}", kv.as_str()),
                );
            }
        }
        Some(t) => {
            match opt(&input.db_role) {
                None => errs.push(
                    "db_role",
                    format!("is required for a {} engine: the role Vault issues credentials for", t.as_str()),
                ),
                Some(r) => {
                    db_role = validate_role(r, "database role").map_err(|m| errs.push("db_role", m)).ok()
                }
            }
            if let Some(c) = opt(&input.connection_name) {
                connection_name =
                    validate_role(c, "connection name").map_err(|m| errs.push("connection_name", m)).ok();
            }
            if opt(&input.path).is_some() {
                errs.push("path", format!("applies only to the KV engine types, not {}", t.as_str()));
            }
        }
        None => {}
    }

    let kv_version = match (opt(&input.kv_version), engine_type) {
        (None, _) => None,
        (Some(v), Some(EngineType::Kv2)) => match v.parse::<u64>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                errs.push("kv_version", format!("\"{v}\" is not a version number (1, 2, 3...); leave it empty to read the current version"));
                None
            }
        },
        (Some(_), Some(t)) => {
            errs.push("kv_version", format!("applies only to the kv2 engine type, not {}", t.as_str()));
            None
        }
        (Some(_), None) => None,
    };

    let cache_ttl_secs = match opt(&input.cache_ttl) {
        None => Some(DEFAULT_CACHE_TTL_SECS),
        Some(t) => parse_duration_secs(t).map_err(|m| errs.push("cache_ttl", m)).ok(),
    };

    let tls = validate_tls(&input.tls, &mut errs);

    match (name, provider, url, auth_method, auth_mount, engine_name, engine_type, cache_ttl_secs) {
        (
            Some(name),
            Some(provider),
            Some(url),
            Some(auth_method),
            Some(auth_mount),
            Some(engine_name),
            Some(engine_type),
            Some(cache_ttl_secs),
        ) if errs.is_empty() => Ok(VaultSpec {
            name,
            provider,
            url,
            namespace,
            auth_method,
            auth_mount,
            auth_username,
            auth_role,
            login_namespace,
            engine_name,
            engine_type,
            path,
            db_role,
            connection_name,
            kv_version,
            cache_ttl_secs,
            tls,
            aws: None,
        }),
        _ => Err(errs),
    }
}

/// A PEM file that must exist, be readable and hold a block of the expected kind. Returns the
/// path made absolute, so the app and the CLI find it whatever their working directory.
fn validate_pem_file(raw: &str, expect: &str, what: &str) -> Result<String, String> {
    let raw = raw.trim();
    let path = std::path::Path::new(raw);
    let abs = if path.is_absolute() {
        path.to_owned()
    } else {
        std::env::current_dir().map_err(|e| format!("cannot resolve \"{raw}\": {e}"))?.join(path)
    };
    let text = read_pem(&abs).map_err(|e| format!("{what} {e}"))?;
    let text = String::from_utf8_lossy(&text);
    if !text.contains("-----BEGIN ") || !text.contains(expect) {
        return Err(format!("\"{}\" is not a PEM {what} (no {expect} block)", abs.display()));
    }
    Ok(abs.to_string_lossy().into_owned())
}

/// Reads a PEM file, at most [`MAX_PEM_BYTES`] of it: a larger file is refused unread, not
/// loaded. The error names the file (`"PATH" is larger than 1 MiB...`).
pub fn read_pem(path: &std::path::Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let file =
        std::fs::File::open(path).map_err(|e| format!("\"{}\" cannot be read: {e}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(MAX_PEM_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("\"{}\" cannot be read: {e}", path.display()))?;
    if bytes.len() as u64 > MAX_PEM_BYTES {
        return Err(format!(
            "\"{}\" is larger than 1 MiB: not a PEM certificate or key (nothing was loaded)",
            path.display()
        ));
    }
    Ok(bytes)
}

fn validate_timeout(raw: Option<&str>, default: u64) -> Result<u64, String> {
    let Some(raw) = raw else { return Ok(default) };
    let secs = parse_duration_secs(raw).map_err(|m| m.replace(" (0 disables caching)", ""))?;
    if secs == 0 || secs > MAX_TIMEOUT_SECS {
        return Err(format!("\"{}\" must be between 1s and 10m", raw.trim()));
    }
    Ok(secs)
}

pub(crate) fn validate_tls(input: &TlsInput, errs: &mut ValidationErrors) -> TlsSpec {
    let mut tls = TlsSpec {
        tls_skip_verify: input.tls_skip_verify.unwrap_or(false),
        tls_skip_hostname: input.tls_skip_hostname.unwrap_or(false),
        allow_http: input.allow_http.unwrap_or(false),
        ..TlsSpec::default()
    };
    if let Some(ca) = opt(&input.tls_ca_cert) {
        tls.tls_ca_cert = validate_pem_file(ca, "CERTIFICATE", "CA certificate")
            .map_err(|m| errs.push("tls_ca_cert", m))
            .ok();
    }
    match (opt(&input.tls_client_cert), opt(&input.tls_client_key)) {
        (None, None) => {}
        (Some(_), None) => errs.push("tls_client_key", "is required with a client certificate"),
        (None, Some(_)) => errs.push("tls_client_cert", "is required with a client key"),
        (Some(cert), Some(key)) => {
            tls.tls_client_cert = validate_pem_file(cert, "CERTIFICATE", "client certificate")
                .map_err(|m| errs.push("tls_client_cert", m))
                .ok();
            tls.tls_client_key = validate_pem_file(key, "PRIVATE KEY", "private key")
                .map_err(|m| errs.push("tls_client_key", m))
                .ok();
        }
    }
    match validate_timeout(opt(&input.connect_timeout), DEFAULT_CONNECT_TIMEOUT_SECS) {
        Ok(v) => tls.connect_timeout_secs = v,
        Err(m) => errs.push("connect_timeout", m),
    }
    match validate_timeout(opt(&input.request_timeout), DEFAULT_REQUEST_TIMEOUT_SECS) {
        Ok(v) => tls.request_timeout_secs = v,
        Err(m) => errs.push("request_timeout", m),
    }
    tls
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv_input() -> VaultInput {
        VaultInput {
            name: "prod-kv".into(),
            url: "https://vault.example.com:8200".into(),
            engine_name: "dhqkv".into(),
            engine_type: "kv2".into(),
            path: Some("app/db".into()),
            ..Default::default()
        }
    }

    fn field_errors(input: &VaultInput) -> Vec<String> {
        validate_input(input).err().map(|e| e.0.into_iter().map(|f| f.field).collect()).unwrap_or_default()
    }

    #[test]
    fn a_complete_kv_input_gets_the_documented_defaults() {
        let spec = validate_input(&kv_input()).expect("valid");
        assert_eq!(spec.auth_mount, "approle", "auth mount defaults to approle");
        assert_eq!(spec.cache_ttl_secs, 300, "cache TTL defaults to 5 minutes");
        assert_eq!(spec.provider, Provider::HashicorpVault);
        assert_eq!(spec.namespace, None);
        assert_eq!(spec.path.as_deref(), Some("app/db"));
    }

    #[test]
    fn name_rules() {
        for bad in ["", "1abc", "_x", "has space", "dot.name", "a{b}", &"a".repeat(65)] {
            let mut i = kv_input();
            i.name = bad.into();
            assert_eq!(field_errors(&i), ["name"], "name {bad:?} must be rejected");
        }
        for good in ["a", "Prod_KV-2", &"a".repeat(64)] {
            let mut i = kv_input();
            i.name = good.into();
            assert!(validate_input(&i).is_ok(), "name {good:?} must be accepted");
        }
    }

    #[test]
    fn url_rules() {
        for bad in [
            "",
            "vault.example.com:8200",
            "ftp://vault.example.com",
            "https://",
            "https://user:pw@vault.example.com",
            "https://vault.example.com:8200/?x=1",
            "https://vault.example.com:99999",
            "https://vault.example.com:",
            "https://exa mple.com",
        ] {
            let mut i = kv_input();
            i.url = bad.into();
            assert_eq!(field_errors(&i), ["url"], "url {bad:?} must be rejected");
        }
        let mut i = kv_input();
        i.url = "  http://127.0.0.1:8200/ ".into();
        assert_eq!(validate_input(&i).expect("valid").url, "http://127.0.0.1:8200");
    }

    #[test]
    fn url_messages_name_what_to_change() {
        let msg = |url: &str| {
            let mut i = kv_input();
            i.url = url.into();
            validate_input(&i).expect_err(url).0.into_iter().map(|f| f.message).collect::<Vec<_>>().join("; ")
        };
        for v1 in ["https://v:8200/v1", "https://v:8200/v1/", "https://v:8200/prefix/V1"] {
            assert!(msg(v1).contains("drop it, vaultdesk adds /v1"), "{v1}: {}", msg(v1));
        }
        for frag in ["https://v:8200/#ui", "https://v:8200#"] {
            let m = msg(frag);
            assert!(m.contains("has a fragment") && !m.contains("query"), "{frag}: {m}");
        }
        assert!(msg("https://v:8200/?a=1").contains("query"), "a query is named as a query");
    }

    #[test]
    fn plain_http_needs_loopback_or_an_explicit_opt_in() {
        let mut i = kv_input();
        for remote in ["http://vault.example.com:8200", "http://10.0.0.5:8200", "http://[2001:db8::1]:8200"] {
            i.url = remote.into();
            i.tls.allow_http = None;
            assert_eq!(field_errors(&i), ["url"], "{remote} refused without the opt-in");
            i.tls.allow_http = Some(true);
            assert!(validate_input(&i).expect("opted in").tls.allow_http, "{remote} with the opt-in");
        }
        i.tls.allow_http = None;
        for local in [
            "http://127.0.0.1:8200",
            "http://127.1.2.3",
            "http://localhost:8200",
            "http://[::1]:8200",
            "https://vault.example.com",
        ] {
            i.url = local.into();
            assert!(validate_input(&i).is_ok(), "{local} needs no opt-in");
        }
    }

    #[test]
    fn percent_encoded_dots_and_slashes_are_refused_by_field() {
        for bad in
            ["app/%2e%2e/db", "app/%2E%2e/db", "app%2fdb", "app/.%2e/db", "app/%252e%252e/db", "app%5cdb"]
        {
            let mut i = kv_input();
            i.path = Some(bad.into());
            assert_eq!(field_errors(&i), ["path"], "path {bad:?}");
        }
        let mut i = kv_input();
        i.path = Some("app/100%25 done".into());
        assert_eq!(field_errors(&i), ["path"], "an encoded % (double encoding) is refused too");
        i.path = Some("app/50%off".into());
        assert!(validate_input(&i).is_ok(), "a % that encodes nothing is an ordinary character");
        let mut i = kv_input();
        i.engine_name = "kv%2e%2e".into();
        i.auth_mount = Some("app%2frole".into());
        i.namespace = Some("team/%2e%2e".into());
        assert_eq!(field_errors(&i), ["namespace", "auth_mount", "engine_name"]);
        let mut i = kv_input();
        i.engine_type = "postgresql".into();
        i.path = None;
        i.db_role = Some("ro%2e%2e".into());
        i.connection_name = Some("c%2Fx".into());
        assert_eq!(field_errors(&i), ["db_role", "connection_name"]);
    }

    #[test]
    fn pem_files_are_read_with_a_size_cap() {
        let dir = tempfile::tempdir().expect("tmp");
        let big = dir.path().join("big.pem");
        let mut text = String::from("-----BEGIN CERTIFICATE-----\n");
        text.push_str(&"A".repeat(usize::try_from(MAX_PEM_BYTES).expect("fits")));
        std::fs::write(&big, text).expect("write");
        let mut i = kv_input();
        i.tls.tls_ca_cert = Some(big.to_string_lossy().into_owned());
        let e = validate_input(&i).expect_err("too big");
        assert_eq!(e.0[0].field, "tls_ca_cert");
        assert!(e.0[0].message.contains("larger than 1 MiB"), "{}", e.0[0].message);
    }

    #[test]
    fn url_with_credentials_is_not_echoed() {
        for url in [
            "https://admin:hunter2@vault.example.com",
            "admin:hunter2@vault.example.com:8200",
            "https://u:hunter2@host:99999",
            "https://u:hunter2@exa mple.com",
            "https://vault.example.com/?token=hunter2",
            "ftp://u:hunter2@host",
        ] {
            let mut i = kv_input();
            i.url = url.into();
            let msg = validate_input(&i).expect_err("rejected").to_string();
            assert!(!msg.contains("hunter2"), "the credential in {url:?} must not be echoed: {msg}");
        }
    }

    #[test]
    fn kv_path_accepts_the_api_form_and_normalises_it() {
        let mut i = kv_input();
        i.path = Some("dhqkv/data/example/nested/".into());
        assert_eq!(validate_input(&i).expect("valid").path.as_deref(), Some("example/nested"));
        i.path = Some("/plain/path/".into());
        assert_eq!(validate_input(&i).expect("valid").path.as_deref(), Some("plain/path"));
        // Another mount's prefix is a real path inside this mount and is kept as written.
        i.path = Some("secret/data/example".into());
        assert_eq!(validate_input(&i).expect("valid").path.as_deref(), Some("secret/data/example"));
    }

    #[test]
    fn kv_path_rules() {
        for bad in [None, Some(""), Some("a//b"), Some("a/../b"), Some("a?b"), Some("dhqkv/data/")] {
            let mut i = kv_input();
            i.path = bad.map(Into::into);
            assert_eq!(field_errors(&i), ["path"], "path {bad:?} must be rejected");
        }
    }

    #[test]
    fn database_engines_need_a_role_and_refuse_a_path() {
        let mut i = kv_input();
        i.engine_type = "postgresql".into();
        assert_eq!(field_errors(&i), ["db_role", "path"]);
        i.path = None;
        i.db_role = Some("readonly".into());
        i.connection_name = Some("shibam_postgres".into());
        let spec = validate_input(&i).expect("valid");
        assert_eq!(spec.engine_type, EngineType::Postgresql);
        assert_eq!(spec.db_role.as_deref(), Some("readonly"));
        assert_eq!(spec.path, None);
        i.db_role = Some("bad role".into());
        assert_eq!(field_errors(&i), ["db_role"]);
    }

    #[test]
    fn each_login_method_asks_for_its_own_fields() {
        let mut i = kv_input();
        assert_eq!(validate_input(&i).expect("approle by default").auth_method, AuthMethod::Approle);
        i.auth_method = Some("kerberos".into());
        assert_eq!(field_errors(&i), ["auth_method"]);
        i.auth_method = Some("userpass".into());
        assert_eq!(field_errors(&i), ["auth_username"], "userpass needs a user");
        i.auth_username = Some("jane".into());
        let spec = validate_input(&i).expect("valid");
        assert_eq!((spec.auth_mount.as_str(), spec.auth_username.as_deref()), ("userpass", Some("jane")));
        i.auth_method = Some("LDAP".into());
        assert_eq!(validate_input(&i).expect("valid").auth_mount, "ldap", "the mount defaults to the method");
        i.auth_method = Some("token".into());
        assert_eq!(field_errors(&i), ["auth_username"], "a token has no user");
        i.auth_username = None;
        i.auth_mount = Some("whatever".into());
        assert_eq!(validate_input(&i).expect("valid").auth_mount, "token", "a token needs no mount");
        let pw = |v: &str| validate_secret_part(AuthMethod::Userpass, &SecretString::from(v.to_owned()));
        assert!(pw(" pass phrase ").is_ok(), "a password keeps its spaces");
        assert_eq!(pw("a\nb").expect_err("control").field, "password");
        let tok = validate_secret_part(AuthMethod::Token, &SecretString::from("a b".to_owned()));
        assert_eq!(tok.expect_err("space").field, "token");
    }

    #[test]
    fn kv_refuses_database_fields() {
        let mut i = kv_input();
        i.db_role = Some("r".into());
        i.connection_name = Some("c".into());
        assert_eq!(field_errors(&i), ["db_role", "connection_name"]);
    }

    #[test]
    fn engine_type_namespace_and_mount_rules() {
        let mut i = kv_input();
        i.engine_type = "kv3".into();
        assert_eq!(field_errors(&i), ["engine_type"]);
        i.engine_type = "kv1".into();
        i.path = Some("secret/data/app".into());
        let spec = validate_input(&i).expect("kv1 is an engine type");
        assert_eq!(
            spec.path.as_deref(),
            Some("secret/data/app"),
            "KV v1 paths have no data/ segment to strip"
        );
        let mut i = kv_input();
        i.namespace = Some("team 1".into());
        assert_eq!(field_errors(&i), ["namespace"]);
        i.namespace = Some("/team1/child/".into());
        assert_eq!(validate_input(&i).expect("valid").namespace.as_deref(), Some("team1/child"));
        let mut i = kv_input();
        i.engine_name = "".into();
        i.auth_mount = Some("app role".into());
        assert_eq!(field_errors(&i), ["auth_mount", "engine_name"]);
    }

    #[test]
    fn every_invalid_field_is_reported_at_once() {
        let i = VaultInput { cache_ttl: Some("soon".into()), ..Default::default() };
        assert_eq!(field_errors(&i), ["name", "url", "engine_name", "engine_type", "cache_ttl"]);
    }

    #[test]
    fn tls_files_must_be_readable_pem_and_client_pairs_complete() {
        let dir = tempfile::tempdir().expect("tmp");
        let ca = dir.path().join("ca.pem");
        std::fs::write(&ca, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n").expect("write");
        let not_pem = dir.path().join("junk.txt");
        std::fs::write(&not_pem, "hello").expect("write");
        let mut i = kv_input();
        i.tls.tls_ca_cert = Some(ca.to_string_lossy().into_owned());
        let spec = validate_input(&i).expect("valid");
        assert_eq!(spec.tls.tls_ca_cert.as_deref(), Some(ca.to_string_lossy().as_ref()));
        assert!(!spec.tls.tls_skip_verify, "verification stays on unless asked");
        assert_eq!((spec.tls.connect_timeout_secs, spec.tls.request_timeout_secs), (10, 30));
        i.tls.tls_ca_cert = Some(not_pem.to_string_lossy().into_owned());
        assert_eq!(field_errors(&i), ["tls_ca_cert"]);
        i.tls.tls_ca_cert = Some(dir.path().join("missing.pem").to_string_lossy().into_owned());
        assert_eq!(field_errors(&i), ["tls_ca_cert"]);
        let mut i = kv_input();
        i.tls.tls_client_cert = Some(ca.to_string_lossy().into_owned());
        assert_eq!(field_errors(&i), ["tls_client_key"]);
        i.tls.tls_client_key = Some(ca.to_string_lossy().into_owned());
        assert_eq!(field_errors(&i), ["tls_client_key"], "a certificate is not a private key");
        let mut i = kv_input();
        i.tls.connect_timeout = Some("0".into());
        i.tls.request_timeout = Some("11m".into());
        assert_eq!(field_errors(&i), ["connect_timeout", "request_timeout"]);
    }

    #[test]
    fn durations() {
        for (s, secs) in
            [("0", 0), ("90", 90), ("30s", 30), ("5m", 300), ("1h", 3600), ("1h30m", 5400), ("2D", 172800)]
        {
            assert_eq!(parse_duration_secs(s), Ok(secs), "{s}");
        }
        for bad in ["", "5x", "m", "5m3", "-1", "8d", "1.5h", "99999999999999999999s"] {
            assert!(parse_duration_secs(bad).is_err(), "{bad:?} must be rejected");
        }
    }

    #[test]
    fn credentials_are_trimmed_and_never_echoed() {
        let ok = validate_credential("role_id", &SecretString::from("abc-123\n")).expect("valid");
        assert_eq!(ok.expose_secret(), "abc-123");
        for bad in ["", "  \n", "has space-s3cr3t"] {
            let e = validate_credential("secret_id", &SecretString::from(bad)).expect_err("rejected");
            assert_eq!(e.field, "secret_id");
            assert!(!e.message.contains("s3cr3t"), "value must not be echoed: {}", e.message);
        }
    }

    #[test]
    fn field_errors_carry_their_path_as_steps() {
        use PathSegment::{Index, Key};
        let path = |f: &str| FieldError::new(f, "x").path;
        assert_eq!(path("url"), [Key("url".into())]);
        assert_eq!(
            path("config.headers.Authorization"),
            [Key("config".into()), Key("headers".into()), Key("Authorization".into())]
        );
        assert_eq!(path("config.hosts[1]"), [Key("config".into()), Key("hosts".into()), Index(1)]);
        assert_eq!(
            path("config.a[0][2].b"),
            [Key("config".into()), Key("a".into()), Index(0), Index(2), Key("b".into())]
        );
        let json = serde_json::to_value(FieldError::new("config.hosts[1]", "bad")).expect("json");
        assert_eq!(
            json["path"],
            serde_json::json!(["config", "hosts", 1]),
            "keys are strings, indices numbers"
        );
    }
}
