//! Test connection: a connector's rendered configuration (secrets resolved, never shown) used by
//! a real client, stage by stage, each timed, like the vault's Test
//! ([`crate::provider::vault::probe`]). After a failed stage the rest are reported as skipped.
//! Dropping the future cancels the test (every connection it opened is closed with it).
//!
//! | kind | stages |
//! |---|---|
//! | PostgreSQL | secrets, dns, tcp, tls (per `tls_mode`), authentication, query (`SELECT 1`, `server_version`), privileges |
//! | MySQL / MariaDB | secrets, dns, tcp, tls, authentication, query (version, TLS state), privileges |
//! | MongoDB | secrets, address (the URI, password masked), dns, tcp, tls; authentication is not tested (no driver) |
//! | REST | secrets, dns, tcp, tls, request (status, never following a redirect), authentication (401/403 named) |
//!
//! Nothing here reports a secret: summaries and errors name hosts, ports, users and databases,
//! never a password, token or header value; a URL is shown without its query and user info.

pub mod error;
mod mongodb;
mod mysql;
mod net;
mod postgres;
mod rest;

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

pub use error::{ConnectorError, ConnectorErrorCode, ConnectorErrorInfo};

use crate::connector::ConnectorKind;
pub use crate::provider::StageStatus;

/// The stages of a connector test, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ConnectorStage {
    /// The configuration rendered with its secrets (through the vault cache).
    Secrets,
    /// MongoDB: the connection URI built from the fields or `connection_string`.
    Address,
    /// The host name resolves.
    Dns,
    /// A TCP connection to the host and port.
    Tcp,
    /// TLS as `tls_mode` (or the URL's scheme) asks: offered, handshake, certificate verified.
    Tls,
    /// A REST request to `base_url` (method and path of the test call).
    Request,
    /// Login with the configured user and password (database), or the API's verdict on the
    /// configured auth (REST).
    Authentication,
    /// A query: `SELECT 1` and the server's version.
    Query,
    /// What the logged-in role may do (a summary).
    Privileges,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ConnectorStageReport {
    pub stage: ConnectorStage,
    pub status: StageStatus,
    #[ts(type = "number")]
    pub millis: u64,
    /// One line: what was found (or why it failed). Never a secret.
    pub summary: String,
    pub error: Option<ConnectorErrorInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ConnectorTestReport {
    /// True when no stage failed.
    pub ok: bool,
    pub stages: Vec<ConnectorStageReport>,
}

impl ConnectorTestReport {
    /// The first failure, if any.
    pub fn failure(&self) -> Option<&ConnectorErrorInfo> {
        self.stages.iter().find_map(|s| s.error.as_ref())
    }
}

/// What a test call may choose (REST only; database tests take nothing).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TestOptions {
    /// HTTP method of the REST test request; default `GET`.
    #[ts(optional)]
    pub method: Option<String>,
    /// Path appended to `base_url`; default `/` (the base URL itself).
    #[ts(optional)]
    pub path: Option<String>,
}

/// Stages as they end: kept, and passed to the caller's callback.
pub struct Recorder<'a> {
    stages: Vec<ConnectorStageReport>,
    failed: bool,
    on_stage: &'a mut (dyn FnMut(&ConnectorStageReport) + Send),
}

impl<'a> Recorder<'a> {
    pub fn new(on_stage: &'a mut (dyn FnMut(&ConnectorStageReport) + Send)) -> Self {
        Recorder { stages: Vec::new(), failed: false, on_stage }
    }
    fn record(&mut self, report: ConnectorStageReport) {
        (self.on_stage)(&report);
        self.stages.push(report);
    }
    pub(crate) fn pass(&mut self, stage: ConnectorStage, started: Instant, summary: impl Into<String>) {
        self.push(stage, StageStatus::Passed, started, summary);
    }
    pub(crate) fn warn(&mut self, stage: ConnectorStage, started: Instant, summary: impl Into<String>) {
        self.push(stage, StageStatus::Warning, started, summary);
    }
    /// A TLS handshake that succeeded: a warning when the certificate was not verified
    /// (tls_mode prefer/require encrypt, but anyone on the path could stand in for the server
    /// and receive the password), passed otherwise.
    pub(crate) fn tls_done(&mut self, started: Instant, verify: net::Verify, summary: impl Into<String>) {
        let status = if verify == net::Verify::None { StageStatus::Warning } else { StageStatus::Passed };
        self.push(ConnectorStage::Tls, status, started, summary);
    }
    pub(crate) fn push(
        &mut self,
        stage: ConnectorStage,
        status: StageStatus,
        started: Instant,
        summary: impl Into<String>,
    ) {
        let summary = summary.into();
        self.record(ConnectorStageReport { stage, status, millis: millis(started), summary, error: None });
    }
    pub(crate) fn fail(&mut self, stage: ConnectorStage, started: Instant, e: &ConnectorError) {
        self.fail_info(stage, started, e.info());
    }
    pub(crate) fn fail_info(&mut self, stage: ConnectorStage, started: Instant, info: ConnectorErrorInfo) {
        self.failed = true;
        self.record(ConnectorStageReport {
            stage,
            status: StageStatus::Failed,
            millis: millis(started),
            summary: info.message.clone(),
            error: Some(info),
        });
    }
    /// Reports `stages` as not run because of an earlier failure.
    pub(crate) fn skip_rest(&mut self, stages: &[ConnectorStage]) {
        self.skip(stages, "skipped: an earlier stage failed");
    }
    pub(crate) fn skip(&mut self, stages: &[ConnectorStage], why: &str) {
        for s in stages {
            self.record(ConnectorStageReport {
                stage: *s,
                status: StageStatus::Skipped,
                millis: 0,
                summary: why.to_owned(),
                error: None,
            });
        }
    }
    pub fn finish(self) -> ConnectorTestReport {
        ConnectorTestReport { ok: !self.failed, stages: self.stages }
    }
}

pub(crate) fn millis(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// The stages a kind runs after `secrets`, for skipping them all when the render fails.
pub fn stages_after_secrets(kind: ConnectorKind) -> &'static [ConnectorStage] {
    use ConnectorStage::*;
    match kind {
        ConnectorKind::Postgresql | ConnectorKind::Mysql | ConnectorKind::Mariadb => {
            &[Dns, Tcp, Tls, Authentication, Query, Privileges]
        }
        ConnectorKind::Mongodb => &[Address, Dns, Tcp, Tls, Authentication],
        ConnectorKind::Rest => &[Dns, Tcp, Tls, Request, Authentication],
    }
}

/// How long one network step may take when the configuration does not say.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Runs the stages after `secrets` on a rendered configuration (secret values included).
pub async fn run(kind: ConnectorKind, config: &Value, options: &TestOptions, r: &mut Recorder<'_>) {
    match kind {
        ConnectorKind::Postgresql => postgres::test(config, r).await,
        ConnectorKind::Mysql | ConnectorKind::Mariadb => mysql::test(config, r).await,
        ConnectorKind::Mongodb => mongodb::test(config, r).await,
        ConnectorKind::Rest => rest::test(config, options, r).await,
    }
}

/// The rendered fields a database test reads.
pub(crate) struct DbFields {
    pub host: String,
    pub port: u16,
    pub database: Option<String>,
    pub username: Option<String>,
    /// Held only in memory, passed to the client; never in a summary or an error.
    pub password: Option<secrecy::SecretString>,
    pub tls_mode: TlsMode,
    /// A CA file from `options` (`sslrootcert`, or `ssl_ca` / `ssl-ca` for MySQL).
    pub ca_file: Option<String>,
    pub timeout: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TlsMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl TlsMode {
    pub fn as_str(self) -> &'static str {
        match self {
            TlsMode::Disable => "disable",
            TlsMode::Prefer => "prefer",
            TlsMode::Require => "require",
            TlsMode::VerifyCa => "verify-ca",
            TlsMode::VerifyFull => "verify-full",
        }
    }
    /// TLS is mandatory in this mode.
    pub fn requires(self) -> bool {
        matches!(self, TlsMode::Require | TlsMode::VerifyCa | TlsMode::VerifyFull)
    }
}

/// A rendered text field; a number is accepted too (a reference may render as one).
pub(crate) fn text(config: &Value, key: &str) -> Option<String> {
    match config.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The rendered `port`, or `default`.
pub(crate) fn port(config: &Value, default: u16) -> Result<u16, ConnectorError> {
    match config.get("port") {
        None | Some(Value::Null) => Ok(default),
        Some(v) => {
            let p = match v {
                Value::Number(n) => n.as_u64(),
                Value::String(s) if s.trim().is_empty() => return Ok(default),
                Value::String(s) => s.trim().parse::<u64>().ok(),
                _ => None,
            };
            p.and_then(|p| u16::try_from(p).ok()).filter(|p| *p > 0).ok_or_else(|| {
                ConnectorError::InvalidValue {
                    field: "config.port".into(),
                    detail: "the rendered port is not a number 1-65535".into(),
                }
            })
        }
    }
}

/// A rendered `timeout` (`30s`, `2m`, or seconds), capped to ten minutes.
pub(crate) fn timeout(config: &Value) -> Duration {
    let secs = match config.get("timeout") {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => crate::validate::parse_duration_secs(s).ok(),
        _ => None,
    };
    secs.filter(|s| *s > 0).map_or(DEFAULT_TIMEOUT, |s| Duration::from_secs(s.min(600)))
}

pub(crate) fn db_fields(
    config: &Value,
    default_port: u16,
    ca_keys: &[&str],
) -> Result<DbFields, ConnectorError> {
    let host = text(config, "host").ok_or_else(|| ConnectorError::InvalidValue {
        field: "config.host".into(),
        detail: "the host is empty once rendered".into(),
    })?;
    let tls_mode = match config.get("tls_mode").and_then(Value::as_str).unwrap_or("prefer") {
        "disable" => TlsMode::Disable,
        "require" => TlsMode::Require,
        "verify-ca" => TlsMode::VerifyCa,
        "verify-full" => TlsMode::VerifyFull,
        _ => TlsMode::Prefer,
    };
    let options = config.get("options");
    let ca_file = ca_keys.iter().find_map(|k| options.and_then(|o| text(o, k)));
    let timeout = options
        .and_then(|o| text(o, "connect_timeout"))
        .and_then(|s| crate::validate::parse_duration_secs(&s).ok())
        .filter(|s| *s > 0)
        .map_or(DEFAULT_TIMEOUT, |s| Duration::from_secs(s.min(600)));
    Ok(DbFields {
        host: host.trim().to_owned(),
        port: port(config, default_port)?,
        database: text(config, "database"),
        username: text(config, "username"),
        password: config
            .get("password")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(|s| secrecy::SecretString::from(s.to_owned())),
        tls_mode,
        ca_file,
        timeout,
    })
}

/// The fields of a database configuration, DNS and TCP: the connection, or `None` once the
/// failure and the skipped stages are recorded.
pub(crate) async fn open_db(
    config: &Value,
    default_port: u16,
    ca_keys: &[&str],
    r: &mut Recorder<'_>,
) -> Option<(DbFields, net::Target, tokio::net::TcpStream)> {
    use ConnectorStage::*;
    let started = Instant::now();
    let f = match db_fields(config, default_port, ca_keys) {
        Ok(f) => f,
        Err(e) => {
            r.fail(Dns, started, &e);
            r.skip_rest(&[Tcp, Tls, Authentication, Query, Privileges]);
            return None;
        }
    };
    let t = net::Target {
        host: f.host.clone(),
        port: f.port,
        host_field: "config.host".into(),
        timeout: f.timeout,
    };
    let stream = net::reach(&t, r, &[Tls, Authentication, Query, Privileges]).await?;
    Some((f, t, stream))
}

/// The user to log in as, or `None` once its absence is recorded as the failed authentication.
pub(crate) fn login_user(f: &DbFields, r: &mut Recorder<'_>) -> Option<String> {
    if f.username.is_none() {
        let e = ConnectorError::InvalidValue {
            field: "config.username".into(),
            detail: "no user to log in as".into(),
        };
        r.fail(ConnectorStage::Authentication, Instant::now(), &e);
        r.skip_rest(&[ConnectorStage::Query, ConnectorStage::Privileges]);
    }
    f.username.clone()
}

/// Runs `fut` for at most `limit`; a late answer is a named timeout of `what`.
pub(crate) async fn within<T>(
    limit: Duration,
    what: &str,
    field: &str,
    fut: impl std::future::Future<Output = Result<T, ConnectorError>>,
) -> Result<T, ConnectorError> {
    match tokio::time::timeout(limit, fut).await {
        Ok(r) => r,
        Err(_) => Err(ConnectorError::Timeout {
            what: what.to_owned(),
            secs: limit.as_secs(),
            field: field.to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rendered_fields_are_read_with_their_defaults() {
        let f = db_fields(&json!({"host": " db ", "port": "6543", "password": "pw"}), 5432, &["sslrootcert"])
            .expect("fields");
        assert_eq!((f.host.as_str(), f.port, f.tls_mode), ("db", 6543, TlsMode::Prefer));
        let f = db_fields(
            &json!({"host": "db", "tls_mode": "verify-ca", "options": {"sslrootcert": "/ca.pem"}}),
            5432,
            &["sslrootcert"],
        )
        .expect("fields");
        assert_eq!((f.port, f.tls_mode, f.ca_file.as_deref()), (5432, TlsMode::VerifyCa, Some("/ca.pem")));
        let e = db_fields(&json!({"host": "db", "port": "not a port"}), 5432, &[]).err().expect("bad port");
        assert_eq!(e.info().field.as_deref(), Some("config.port"));
        let e = db_fields(&json!({"host": ""}), 5432, &[]).err().expect("no host");
        assert_eq!(e.info().field.as_deref(), Some("config.host"));
    }

    #[test]
    fn a_rest_timeout_is_read_as_a_duration() {
        assert_eq!(timeout(&json!({"timeout": "2m"})), Duration::from_secs(120));
        assert_eq!(timeout(&json!({"timeout": 5})), Duration::from_secs(5));
        assert_eq!(timeout(&json!({})), DEFAULT_TIMEOUT);
    }
}
