//! The staged Test of a vault configuration (the product page's `Test` button), usable before
//! the configuration is saved. Stages run in order, each timed; after a failure the rest are
//! skipped. Nothing here reports a secret value: KV shows key names and the version, a database
//! engine shows the issued username and lease TTL (its lease is revoked at once).

use std::time::Instant;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use std::sync::Arc;

use secrecy::SecretString;

use super::error::{VaultError, VaultErrorInfo};
use super::http::VaultClient;
use super::session::{SecretValue, VaultSession};
use super::sys::Health;
use crate::duration::format_duration;
use crate::model::{Credentials, EngineType, Vault, VaultSpec};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TestStage {
    /// The server answers, and is initialized and unsealed.
    Reach,
    /// The TLS connection is verified (or is plain HTTP, or verification is off).
    Tls,
    /// AppRole login works; token policies and TTL.
    Login,
    /// AWS: the secret is described (rotation, last changed, the stages present).
    Describe,
    /// The configured secret can be read (KV) or credentials issued (database).
    Read,
    /// The token's capabilities on the configured path.
    Capabilities,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum StageStatus {
    Passed,
    /// Works, but something deserves attention (plain HTTP, verification off, no capability).
    Warning,
    Failed,
    Skipped,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct StageReport {
    pub stage: TestStage,
    pub status: StageStatus,
    #[ts(type = "number")]
    pub millis: u64,
    /// One line: what was found (or why it failed).
    pub summary: String,
    pub error: Option<VaultErrorInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TestReport {
    /// True when no stage failed.
    pub ok: bool,
    pub stages: Vec<StageReport>,
    /// AppRole: the Secret ID's expiry and uses left, where the policy lets the Test ask.
    #[serde(default)]
    pub secret_id: Option<super::auth::approle::SecretIdStatus>,
}

impl TestReport {
    /// The first failure, if any.
    pub fn failure(&self) -> Option<&VaultErrorInfo> {
        self.stages.iter().find_map(|s| s.error.as_ref())
    }
}

struct Recorder<'a> {
    stages: Vec<StageReport>,
    failed: bool,
    on_stage: &'a mut (dyn FnMut(&StageReport) + Send),
}

impl Recorder<'_> {
    fn record(&mut self, report: StageReport) {
        (self.on_stage)(&report);
        self.stages.push(report);
    }
    fn push(&mut self, stage: TestStage, status: StageStatus, started: Instant, summary: String) {
        self.record(StageReport { stage, status, millis: millis(started), summary, error: None });
    }
    fn fail(&mut self, stage: TestStage, started: Instant, e: &VaultError) {
        self.failed = true;
        self.record(StageReport {
            stage,
            status: StageStatus::Failed,
            millis: millis(started),
            summary: e.to_string(),
            error: Some(e.info()),
        });
    }
    fn skip_rest(&mut self, from: &[TestStage]) {
        for s in from {
            self.record(StageReport {
                stage: *s,
                status: StageStatus::Skipped,
                millis: 0,
                summary: "skipped: an earlier stage failed".into(),
                error: None,
            });
        }
    }
}

/// Ends what a Test started in Vault (its token, and with it any test credentials) when the
/// Test is dropped before it finishes, e.g. cancelled from the UI.
struct Cleanup {
    client: VaultClient,
    login_client: VaultClient,
    /// The Test's own token (not one the admin gave): revoked.
    token: Option<SecretString>,
    /// A lease the Test obtained with the admin's token: revoked with it.
    lease: Option<(SecretString, String)>,
    session: Option<Arc<VaultSession>>,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let (token, lease, session) = (self.token.take(), self.lease.take(), self.session.take());
        if token.is_none() && lease.is_none() && session.is_none() {
            return;
        }
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let (client, login_client) = (self.client.clone(), self.login_client.clone());
            runtime.spawn(async move {
                if let Some(t) = token {
                    let _ = login_client.revoke_self(&t).await;
                }
                if let Some((t, id)) = lease {
                    let _ = client.revoke_lease(&t, &id).await;
                }
                if let Some(s) = session {
                    s.close().await;
                }
            });
        }
    }
}

fn millis(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}

fn is_tls_error(e: &VaultError) -> bool {
    matches!(
        e,
        VaultError::TlsUnknownCa { .. }
            | VaultError::TlsNameMismatch { .. }
            | VaultError::TlsExpired { .. }
            | VaultError::Tls { .. }
            | VaultError::TlsConfig { .. }
    )
}

fn describe_health(h: &Health) -> String {
    let role = if h.performance_standby {
        "performance standby"
    } else if h.standby {
        "standby (requests are forwarded to the active node)"
    } else {
        "active"
    };
    let version =
        if h.version.is_empty() { "version unknown".into() } else { format!("version {}", h.version) };
    format!("{version}, {role}, initialized and unsealed")
}

/// Whether a database connection's plugin (`postgresql-database-plugin`,
/// `mysql-database-plugin`, `mysql-rds-database-plugin`...) serves `engine`. MySQL and MariaDB
/// share the MySQL plugins; an unknown (custom) plugin name is not judged.
fn plugin_fits(plugin: &str, engine: EngineType) -> bool {
    let p = plugin.to_ascii_lowercase();
    let families: [(&str, &[EngineType]); 3] = [
        ("postgres", &[EngineType::Postgresql]),
        ("mysql", &[EngineType::Mysql, EngineType::Mariadb]),
        ("mongodb", &[EngineType::Mongodb]),
    ];
    match families.iter().find(|(family, _)| p.contains(family)) {
        Some((_, engines)) => engines.contains(&engine),
        None => true,
    }
}

/// Tests `spec` with `creds`, saved or not.
pub async fn test_vault(spec: &VaultSpec, creds: &(impl Clone + Into<Credentials>)) -> TestReport {
    test_vault_with_progress(spec, &creds.clone().into(), &mut |_| {}).await
}

/// [`test_vault`], calling `on_stage` as each stage ends (a stage may be reported again with a
/// fuller summary: a database Test adds whether its credentials were revoked). Dropping the
/// future cancels the Test; whatever it started in Vault is revoked in the background.
pub async fn test_vault_with_progress(
    spec: &VaultSpec,
    creds: &Credentials,
    on_stage: &mut (dyn FnMut(&StageReport) + Send),
) -> TestReport {
    use TestStage::*;
    let mut r = Recorder { stages: Vec::new(), failed: false, on_stage };
    let vault = Vault {
        id: String::new(),
        spec: spec.clone(),
        created_at: String::new(),
        updated_at: String::new(),
        secret_id_status: None,
        needs_credentials: false,
    };

    // Reach + TLS: one health request proves both.
    let started = Instant::now();
    let session = match VaultSession::new(&vault, creds.clone()) {
        Ok(s) => Arc::new(s),
        Err(e) => {
            r.push(
                Reach,
                StageStatus::Skipped,
                started,
                "not attempted: the TLS settings are unusable".into(),
            );
            r.fail(Tls, started, &e);
            r.skip_rest(&[Login, Read, Capabilities]);
            return TestReport { ok: false, stages: r.stages, secret_id: None };
        }
    };
    let https = spec.url.starts_with("https://");
    let health = session.client().health().await;
    match health {
        Err(e) if is_tls_error(&e) => {
            r.push(Reach, StageStatus::Passed, started, format!("{} accepts connections", spec.url));
            r.fail(Tls, started, &e);
        }
        Err(e) => {
            r.fail(Reach, started, &e);
            r.skip_rest(&[Tls]);
        }
        Ok(h) if !h.initialized => {
            r.fail(Reach, started, &VaultError::NotInitialized { url: spec.url.clone() });
            r.skip_rest(&[Tls]);
        }
        Ok(h) if h.sealed => {
            r.fail(Reach, started, &VaultError::Sealed { url: spec.url.clone() });
            r.skip_rest(&[Tls]);
        }
        Ok(h) => {
            r.push(Reach, StageStatus::Passed, started, describe_health(&h));
            let (status, summary) = match (https, spec.tls.tls_skip_verify, &spec.tls.tls_ca_cert) {
                (false, _, _) if spec.tls.allow_http && crate::validate::is_remote_plain_http(&spec.url) => (
                    StageStatus::Warning,
                    "plain HTTP to another machine, allowed by this vault's setting: Secret ID, token \
                     and secrets cross the network unencrypted"
                        .to_owned(),
                ),
                (false, _, _) => (
                    StageStatus::Warning,
                    "plain HTTP: Secret ID, token and secrets travel unencrypted".to_owned(),
                ),
                (true, true, _) => {
                    (StageStatus::Warning, "certificate NOT verified (verification is turned off)".to_owned())
                }
                (true, false, ca) if spec.tls.tls_skip_hostname => (
                    StageStatus::Warning,
                    format!(
                        "certificate verified against {}, but NOT its host name (host name check turned off)",
                        ca.as_deref().unwrap_or("the system's trusted roots")
                    ),
                ),
                (true, false, Some(ca)) => {
                    (StageStatus::Passed, format!("certificate verified against {ca}"))
                }
                (true, false, None) => (
                    StageStatus::Passed,
                    "certificate verified against the system's trusted roots".to_owned(),
                ),
            };
            r.push(Tls, status, started, summary);
        }
    }
    if r.failed {
        r.skip_rest(&[Login, Read, Capabilities]);
        return TestReport { ok: false, stages: r.stages, secret_id: None };
    }

    // Login.
    let started = Instant::now();
    let client = session.client();
    if let Credentials::WrappedAppRole { wrapping_token, .. } = creds {
        // Unwrapping works once: the Test only looks the token up; saving unwraps it.
        match session.login_client().lookup_wrapping(wrapping_token).await {
            Ok(w) => {
                let for_secret_id = w.creation_path.ends_with("/secret-id");
                let status = if for_secret_id { StageStatus::Passed } else { StageStatus::Warning };
                r.push(
                    Login,
                    status,
                    started,
                    format!(
                        "wrapped Secret ID not yet unwrapped (created for {}, TTL {}){}; it is unwrapped \
                         once, when the vault is saved, and the login is tried then",
                        if w.creation_path.is_empty() { "an unknown path" } else { &w.creation_path },
                        format_duration(w.creation_ttl),
                        if for_secret_id { "" } else { " — it does not look like a Secret ID" }
                    ),
                );
                r.skip_rest(&[Read, Capabilities]);
            }
            Err(e) => {
                r.fail(Login, started, &e);
                r.skip_rest(&[Read, Capabilities]);
            }
        }
        session.close().await;
        return TestReport { ok: !r.failed, stages: r.stages, secret_id: None };
    }
    let login_client = session.login_client();
    let (auth, owned) = match login_client.login(spec, creds).await {
        Ok(l) => (l.auth, l.owned),
        Err(e) => {
            r.fail(Login, started, &e);
            r.skip_rest(&[Read, Capabilities]);
            return TestReport { ok: false, stages: r.stages, secret_id: None };
        }
    };
    let token = auth.client_token.clone();
    let mut cleanup = Cleanup {
        client: client.clone(),
        login_client: login_client.clone(),
        token: owned.then(|| token.clone()),
        lease: None,
        session: Some(session.clone()),
    };
    let policies = if auth.token_policies.is_empty() { &auth.policies } else { &auth.token_policies };
    let ttl = if auth.lease_duration == 0 {
        "no expiry".to_owned()
    } else {
        format!("TTL {}", format_duration(auth.lease_duration))
    };
    // AppRole: when the Secret ID expires and how many uses it has left, if the policy lets the
    // token look it up; a week or less left is a warning.
    let mut secret_id = None;
    let mut login_status = StageStatus::Passed;
    let mut expiry_note = String::new();
    // A token limited to a few uses (AppRole token_num_uses) spends one per request, denied or
    // not: the Test then asks only for what it must (the read), not for the optional lookups.
    let limited_uses = (auth.num_uses > 0).then_some(auth.num_uses);
    if let Some(n) = limited_uses {
        expiry_note.push_str(&format!("; token limited to {n} use{}", if n == 1 { "" } else { "s" }));
    }
    if let (Credentials::AppRole(c), Some(role), None) =
        (creds, auth.metadata.as_ref().and_then(|m| m.get("role_name")).cloned(), limited_uses)
    {
        if let Some(st) = login_client.secret_id_status(&token, &spec.auth_mount, &role, &c.secret_id).await {
            let left = st.expires_at.as_deref().and_then(secs_until);
            let when = |at: &str| {
                chrono::DateTime::parse_from_rfc3339(at)
                    .map(|t| t.with_timezone(&chrono::Utc).format("%Y-%m-%d %H:%M UTC").to_string())
                    .unwrap_or_else(|_| at.to_owned())
            };
            expiry_note = match (&st.expires_at, left) {
                (Some(at), Some(secs)) => {
                    format!("; Secret ID expires {} (in {})", when(at), format_duration(secs / 60 * 60))
                }
                (Some(at), None) => format!("; Secret ID expires {}", when(at)),
                (None, _) => "; Secret ID does not expire".to_owned(),
            };
            if let Some(n) = st.uses_left {
                expiry_note.push_str(&format!(", {n} use{} left", if n == 1 { "" } else { "s" }));
            }
            if left.is_some_and(|s| s <= 7 * 24 * 3600) || st.uses_left.is_some_and(|n| n <= 1) {
                login_status = StageStatus::Warning;
            }
            secret_id = Some(st);
        }
    }
    let how = match spec.auth_method {
        crate::model::AuthMethod::Approle => String::new(),
        crate::model::AuthMethod::Token => "the given token: ".to_owned(),
        m => format!("{} as {}: ", m.label(), spec.auth_username.as_deref().unwrap_or_default()),
    };
    r.push(
        Login,
        login_status,
        started,
        format!(
            "{how}policies {}; token {ttl}{}{expiry_note}",
            if policies.is_empty() { "(none)".to_owned() } else { policies.join(", ") },
            if auth.renewable { ", renewable" } else { "" }
        ),
    );

    // Read.
    let started = Instant::now();
    let mount = spec.engine_name.as_str();
    let (read_path, read) = match spec.engine_type {
        kv @ (EngineType::Kv1 | EngineType::Kv2) => {
            let path = spec.path.as_deref().unwrap_or_default();
            // Which KV version is mounted there (readable with the default policy where the
            // token may read the mount): a mismatch is named with the type to choose. Without
            // that permission the admin's choice stands.
            let mismatch = match limited_uses {
                Some(_) => None,
                None => match client.mount_info(&token, mount).await {
                    Ok(info) => super::session::kv_mismatch(mount, kv, &info),
                    Err(_) => None,
                },
            };
            let read = match mismatch {
                Some(e) => Err(e),
                None if kv == EngineType::Kv1 => {
                    client.kv1_read(&token, mount, path).await.map(SecretValue::Kv)
                }
                None => match client.kv2_read(&token, mount, path, spec.kv_version).await {
                    Err(VaultError::SecretNotFound { path: p }) => Err(session.explain_not_found(p).await),
                    other => other.map(SecretValue::Kv),
                },
            };
            let api = if kv == EngineType::Kv1 {
                format!("{mount}/{path}")
            } else {
                format!("{mount}/data/{path}")
            };
            (api, read)
        }
        _ => {
            let role = spec.db_role.as_deref().unwrap_or_default();
            (
                format!("{mount}/creds/{role}"),
                client.db_creds(&token, mount, role).await.map(SecretValue::Database),
            )
        }
    };
    match read {
        Err(e) => {
            r.fail(Read, started, &e);
        }
        Ok(SecretValue::Kv(s)) => {
            let mut keys: Vec<&str> = s.data.expose().keys().map(String::as_str).collect();
            keys.sort_unstable();
            let names =
                if keys.is_empty() { "no keys".to_owned() } else { format!("keys {}", keys.join(", ")) };
            let version = match (spec.engine_type, spec.kv_version) {
                (EngineType::Kv1, _) => "KV version 1 (unversioned)".to_owned(),
                (_, Some(pinned)) => {
                    let path = spec.path.as_deref().unwrap_or_default();
                    match client.kv2_current_version(&token, mount, path).await {
                        Some(current) => format!("version {pinned} (pinned; current version {current})"),
                        None => format!("version {pinned} (pinned; the current version is not readable)"),
                    }
                }
                (_, None) => format!("version {}", s.version),
            };
            r.push(Read, StageStatus::Passed, started, format!("{version}: {names}"));
        }
        Ok(SecretValue::Database(c)) => {
            if !owned && !c.lease.id.is_empty() {
                cleanup.lease = Some((token.clone(), c.lease.id.clone()));
            }
            let mut summary = format!(
                "credentials issued for user {} (lease TTL {}{})",
                c.username,
                format_duration(c.lease.duration.as_secs()),
                if c.lease.renewable { ", renewable" } else { "" }
            );
            let mut mismatch = None;
            if let (Some(conn), None) = (&spec.connection_name, limited_uses) {
                match client.db_connection(&token, mount, conn).await {
                    Ok(i) if !plugin_fits(&i.plugin_name, spec.engine_type) => {
                        mismatch = Some(VaultError::EnginePluginMismatch {
                            connection: conn.clone(),
                            plugin: i.plugin_name.clone(),
                            engine_type: spec.engine_type.as_str().to_owned(),
                        });
                    }
                    Ok(i) => summary.push_str(&format!(
                        "; connection {conn}: {} {}{}{}",
                        i.plugin_name,
                        i.host.as_deref().unwrap_or("?"),
                        i.port.map(|p| format!(":{p}")).unwrap_or_default(),
                        i.database.as_deref().map(|d| format!("/{d}")).unwrap_or_default()
                    )),
                    Err(e) => summary.push_str(&format!("; connection {conn} not readable ({e})")),
                }
            }
            match mismatch {
                Some(e) => r.fail(Read, started, &e),
                None => r.push(Read, StageStatus::Passed, started, summary),
            }
        }
    }

    // Capabilities on the configured path: useful even after a read failure.
    let started = Instant::now();
    // Asked where the token belongs: a token of a parent (login) namespace sees the secret's
    // namespace as a path prefix there.
    let (caps_client, caps_path) = match (spec.login_namespace.as_deref(), spec.namespace.as_deref()) {
        (Some(login), Some(ns)) if ns.starts_with(&format!("{login}/")) => {
            (login_client, format!("{}/{read_path}", &ns[login.len() + 1..]))
        }
        _ => (client, read_path.clone()),
    };
    let caps = match limited_uses {
        // The read spent the token's last use: asking would be refused by a token that no
        // longer exists, which says nothing about the policy.
        Some(n) if n <= 1 => None,
        _ => Some(caps_client.capabilities_self(&token, std::slice::from_ref(&caps_path)).await),
    };
    match caps {
        None => r.push(
            Capabilities,
            StageStatus::Skipped,
            started,
            format!(
                "not asked: the login's token allows one use (token_num_uses), spent on the read{}",
                if r.failed { "" } else { ", which shows the policy allows it" }
            ),
        ),
        Some(caps) => match caps {
            Ok(caps) => {
                let have = caps.get(&caps_path).cloned().unwrap_or_default();
                let can_read = have.iter().any(|c| c == "read" || c == "root");
                let status = if can_read { StageStatus::Passed } else { StageStatus::Warning };
                let list = if have.is_empty() { "none".to_owned() } else { have.join(", ") };
                r.push(Capabilities, status, started, format!("{list} on {read_path}"));
            }
            Err(e) => r.push(
                Capabilities,
                StageStatus::Warning,
                started,
                format!("could not ask for capabilities ({e})"),
            ),
        },
    }
    // The test's token is not needed any more. Revoking it (the default policy allows this) also
    // revokes every lease it created: the test's database user is dropped at once.
    let revoked = match (owned, cleanup.lease.take()) {
        // Vault ended the token with its last use, and the leases it created with it.
        (true, _) if limited_uses.is_some_and(|n| n <= 1) => Ok(()),
        (true, _) => login_client.revoke_self(&token).await,
        // The admin's own token stays; the Test's credentials are revoked by their lease.
        (false, Some((t, id))) => client.revoke_lease(&t, &id).await,
        (false, None) => Ok(()),
    };
    // The session logged in too if it had to explain a missing secret; end that token as well.
    session.close().await;
    cleanup.token = None;
    cleanup.session = None;
    if spec.engine_type.is_database() {
        if let Some(read) = r.stages.iter_mut().find(|s| s.stage == Read && s.status == StageStatus::Passed) {
            match revoked {
                Ok(()) => read.summary.push_str("; test credentials revoked"),
                Err(e) => read.summary.push_str(&format!("; could not revoke the test credentials ({e})")),
            }
            let updated = read.clone();
            (r.on_stage)(&updated);
        }
    }
    TestReport { ok: !r.failed, stages: r.stages, secret_id }
}

/// Seconds from now until the RFC 3339 time `at` (0 when past); `None` when it does not parse.
fn secs_until(at: &str) -> Option<u64> {
    let t = chrono::DateTime::parse_from_rfc3339(at).ok()?;
    let left = t.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(u64::try_from(left.num_seconds()).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::plugin_fits;
    use crate::model::EngineType;

    #[test]
    fn plugins_fit_their_engine_types() {
        assert!(plugin_fits("postgresql-database-plugin", EngineType::Postgresql));
        assert!(plugin_fits("mysql-database-plugin", EngineType::Mariadb));
        assert!(plugin_fits("mysql-rds-database-plugin", EngineType::Mysql));
        assert!(plugin_fits("mongodb-database-plugin", EngineType::Mongodb));
        assert!(!plugin_fits("postgresql-database-plugin", EngineType::Mysql));
        assert!(!plugin_fits("mysql-database-plugin", EngineType::Postgresql));
        assert!(plugin_fits("my-custom-plugin", EngineType::Postgresql), "unknown plugins are not judged");
    }
}
