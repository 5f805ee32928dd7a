//! The Vault client, sessions and the staged Test against a real OpenBao 2.7.2 server (and real
//! PostgreSQL / MariaDB for the database engine), started by tests/scripts/services.sh. A tiny
//! fault-injecting HTTP server stands in only for what a real server cannot do on demand (slow
//! answers, 429, malformed bodies, 500).

// Test code: a failed expectation is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod aws;
#[path = "../common/mod.rs"]
mod common;
mod database;
mod faults;
mod logins;
mod sessions;
mod trust;

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use vaultdesk_core::provider::vault::{
    test_vault, SecretValue, StageStatus, TestStage, VaultErrorCode, VaultSession,
};
use vaultdesk_core::{EngineType, SecretString};

use common::bao::{self, unique, Bao, OwnServer};
use common::wait;

fn kv_data(
    secret: &vaultdesk_core::provider::vault::ResolvedSecret,
) -> serde_json::Map<String, serde_json::Value> {
    match &secret.value {
        SecretValue::Kv(kv) => kv.data.expose().clone(),
        SecretValue::Database(_) => panic!("expected a KV secret"),
    }
}

fn stage(
    report: &vaultdesk_core::provider::vault::TestReport,
    s: TestStage,
) -> &vaultdesk_core::provider::vault::StageReport {
    report.stages.iter().find(|r| r.stage == s).expect("stage present")
}

/// The report failed with `code`, under `field`, with a hint containing `hint`.
fn assert_named(
    report: &vaultdesk_core::provider::vault::TestReport,
    code: VaultErrorCode,
    field: &str,
    hint: &str,
) {
    let f = report.failure().unwrap_or_else(|| panic!("expected {code:?}, the Test passed: {report:#?}"));
    assert_eq!(f.code, code, "{report:#?}");
    assert_eq!(f.field.as_deref(), Some(field), "{report:#?}");
    assert!(f.hint.contains(hint), "hint {:?} should contain {hint:?}", f.hint);
}

fn failure_code(report: &vaultdesk_core::provider::vault::TestReport) -> Option<VaultErrorCode> {
    report.failure().map(|f| f.code)
}

#[tokio::test]
async fn a_kv_secret_resolves_with_nested_values_and_its_version() {
    let bao = Bao::shared();
    let data = json!({"username": "app", "password": "p\"w\\n", "db": {"host": "db.internal", "port": 5432}});
    let (vault, creds) = bao.kv_fixture(data.clone(), 300).await;
    let session = VaultSession::new(&vault, creds).expect("session");
    let secret = session.resolve().await.expect("resolves");
    assert_eq!(serde_json::Value::Object(kv_data(&secret)), data, "the stored values, nested, exactly");
    let SecretValue::Kv(kv) = &secret.value else { unreachable!() };
    assert_eq!(kv.version, 1);
    assert!(
        secret.expires_in().is_some_and(|d| d > Duration::from_secs(150) && d <= Duration::from_secs(300)),
        "cached for the 5m cache TTL"
    );
    assert!(!format!("{secret:?}").contains("db.internal"), "Debug output never shows secret values");
}

#[tokio::test]
async fn the_test_passes_every_stage_for_a_good_kv_vault() {
    let bao = Bao::shared();
    let (vault, creds) = bao.kv_fixture(json!({"user": "u", "password": "hunter2"}), 300).await;
    let report = test_vault(&vault.spec, &creds).await;
    assert!(report.ok, "{report:#?}");
    let read = stage(&report, TestStage::Read);
    assert_eq!(read.status, StageStatus::Passed);
    assert_eq!(read.summary, "version 1: keys password, user", "key names and version, never values");
    assert!(stage(&report, TestStage::Login).summary.contains("token TTL 1h"), "{report:#?}");
    assert_eq!(stage(&report, TestStage::Tls).status, StageStatus::Warning, "plain HTTP is flagged");
    assert_eq!(stage(&report, TestStage::Capabilities).status, StageStatus::Passed);
    let text = serde_json::to_string(&report).expect("json");
    assert!(!text.contains("hunter2"), "the report never contains a secret value");
}

#[tokio::test]
async fn a_wrong_secret_id_fails_login_under_the_secret_id_field() {
    let bao = Bao::shared();
    let (vault, mut creds) = bao.kv_fixture(json!({"k": "v"}), 300).await;
    creds.secret_id = SecretString::from("00000000-0000-0000-0000-000000000000".to_owned());
    let report = test_vault(&vault.spec, &creds).await;
    assert!(!report.ok);
    let login = stage(&report, TestStage::Login);
    assert_eq!(login.status, StageStatus::Failed);
    let err = login.error.as_ref().expect("error");
    assert_eq!(err.code, VaultErrorCode::InvalidCredentials);
    assert_eq!(err.field.as_deref(), Some("secret_id"));
    assert!(err.hint.starts_with("check the Role ID and Secret ID"), "{}", err.hint);
    assert_eq!(stage(&report, TestStage::Read).status, StageStatus::Skipped);
    assert!(
        !serde_json::to_string(&report).expect("json").contains("00000000-0000"),
        "the Secret ID is not echoed"
    );
}

#[tokio::test]
async fn missing_secrets_denied_paths_and_non_kv2_mounts_are_named() {
    let bao = Bao::shared();
    let (mut vault, creds) = bao.kv_fixture(json!({"k": "v"}), 300).await;

    vault.spec.path = Some("app/absent".into());
    let report = test_vault(&vault.spec, &creds).await;
    assert_named(&report, VaultErrorCode::SecretNotFound, "path", "check the engine name and the path");
    let err = report.failure().expect("failure");
    assert!(err.message.contains(&format!("{}/data/app/absent", vault.spec.engine_name)), "{}", err.message);
    assert_eq!(err.field.as_deref(), Some("path"));

    vault.spec.path = Some("elsewhere/secret".into());
    let report = test_vault(&vault.spec, &creds).await;
    assert_named(&report, VaultErrorCode::PermissionDenied, "path", "grant the AppRole's policy read");
    assert_eq!(
        stage(&report, TestStage::Capabilities).status,
        StageStatus::Warning,
        "capabilities show the denial"
    );
    assert!(stage(&report, TestStage::Capabilities).summary.starts_with("deny on"), "{report:#?}");

    // A KV version 1 mount the role may read.
    let v1 = unique("kvone");
    bao.enable_kv1(&v1).await;
    bao.post(&format!("{v1}/app/config"), json!({"k": "v"})).await;
    let policy = unique("pol");
    bao.policy(&policy, &format!("path \"{v1}/*\" {{ capabilities = [\"read\"] }}")).await;
    let auth = unique("ar");
    let creds = bao.approle(&auth, &[&policy], json!({})).await;
    let vault = bao::vault(&bao, &auth, &v1, EngineType::Kv2, Some("app/config"), None, 60);
    let report = test_vault(&vault.spec, &creds).await;
    assert_named(&report, VaultErrorCode::WrongKvEngine, "engine_type", "choose engine type kv1");
    assert!(report.failure().expect("f").message.contains("KV version 1"), "{report:#?}");

    // Chosen as KV v1, the same mount passes, and a session reads it and lists its key names.
    let mut v1_vault = vault.clone();
    v1_vault.spec.engine_type = EngineType::Kv1;
    let report = test_vault(&v1_vault.spec, &creds).await;
    assert!(report.ok, "{report:#?}");
    assert!(
        stage(&report, TestStage::Read).summary.contains("KV version 1 (unversioned): keys k"),
        "{report:#?}"
    );
    let session = VaultSession::new(&v1_vault, creds.clone()).expect("session");
    let secret = session.resolve().await.expect("resolve kv1");
    assert_eq!(kv_data(&secret).get("k"), Some(&json!("v")));
    assert_eq!(session.key_names().await.expect("key names"), json!({"k": null}));
    session.close().await;

    // A KV v2 mount chosen as KV v1: the Test names kv2.
    let (kv2_vault, kv2_creds) = bao.kv_fixture(json!({"a": "b"}), 0).await;
    let mut wrong = kv2_vault.clone();
    wrong.spec.engine_type = EngineType::Kv1;
    let report = test_vault(&wrong.spec, &kv2_creds).await;
    assert_named(&report, VaultErrorCode::WrongKvEngine, "engine_type", "choose engine type kv2");
}

#[tokio::test]
async fn namespaces_apply_to_login_and_reads_and_a_missing_one_is_named() {
    let root = Bao::shared();
    let ns = unique("team");
    root.create_namespace(&ns).await;
    let bao = root.in_namespace(&ns);
    let (vault, creds) = bao.kv_fixture(json!({"api_key": "k-123"}), 300).await;
    assert_eq!(vault.spec.namespace.as_deref(), Some(ns.as_str()));
    let report = test_vault(&vault.spec, &creds).await;
    assert!(report.ok, "login and read inside the namespace: {report:#?}");
    let session = VaultSession::new(&vault, creds.clone()).expect("session");
    assert_eq!(kv_data(&session.resolve().await.expect("resolve"))["api_key"], "k-123");

    let mut wrong = vault.clone();
    wrong.spec.namespace = Some(unique("nosuch"));
    let report = test_vault(&wrong.spec, &creds).await;
    assert_named(&report, VaultErrorCode::NamespaceNotFound, "namespace", "check the namespace's spelling");

    // Without the namespace, the AppRole mount does not exist at the root.
    let mut rootless = vault.clone();
    rootless.spec.namespace = None;
    let report = test_vault(&rootless.spec, &creds).await;
    assert_eq!(failure_code(&report), Some(VaultErrorCode::AuthMountNotFound), "{report:#?}");
}

#[tokio::test]
async fn an_unknown_auth_mount_is_named() {
    let bao = Bao::shared();
    let (mut vault, creds) = bao.kv_fixture(json!({"k": "v"}), 300).await;
    vault.spec.auth_mount = unique("nomount");
    let report = test_vault(&vault.spec, &creds).await;
    assert_named(
        &report,
        VaultErrorCode::AuthMountNotFound,
        "auth_mount",
        "the login method is enabled there",
    );
}

#[tokio::test]
async fn unreachable_servers_are_told_apart() {
    let bao = Bao::shared();
    let (mut vault, creds) = bao.kv_fixture(json!({"k": "v"}), 300).await;
    vault.spec.url = format!("http://127.0.0.1:{}", bao::free_port());
    let report = test_vault(&vault.spec, &creds).await;
    assert_named(
        &report,
        VaultErrorCode::ConnectionRefused,
        "url",
        "check the port and that Vault is running",
    );
    assert_eq!(stage(&report, TestStage::Reach).status, StageStatus::Failed);

    vault.spec.url = "https://vaultdesk-no-such-host.invalid:8200".into();
    let report = test_vault(&vault.spec, &creds).await;
    assert_named(&report, VaultErrorCode::DnsFailure, "url", "check the host name in the Vault URL");
}

#[tokio::test]
async fn a_stopped_server_and_a_sealed_server_are_reported() {
    let own = OwnServer::start("").await;
    let (vault, creds) = own.bao.kv_fixture(json!({"k": "v"}), 0).await;
    let session = VaultSession::new(&vault, creds.clone()).expect("session");
    session.resolve().await.expect("works while unsealed");

    own.bao.call(reqwest::Method::PUT, "sys/seal", None).await;
    let report = test_vault(&vault.spec, &creds).await;
    assert_named(&report, VaultErrorCode::Sealed, "url", "unseal Vault");
    assert_eq!(report.stages.len(), 5, "every stage is listed, the later ones skipped: {report:#?}");
    let err = session.resolve().await.expect_err("a sealed vault cannot serve");
    assert_eq!(err.code(), VaultErrorCode::Sealed, "{err}");

    drop(own);
    let err = session.resolve().await.expect_err("stopped");
    assert_eq!(err.code(), VaultErrorCode::ConnectionRefused, "{err}");
}

#[tokio::test]
async fn an_uninitialized_server_is_named() {
    let own = OwnServer::start_uninitialized().await;
    let mut vault = bao::vault(&own.bao, "approle", "kv", EngineType::Kv2, Some("app"), None, 60);
    vault.spec.tls.request_timeout_secs = 30;
    let creds = vaultdesk_core::AppRoleCredentials {
        role_id: SecretString::from("role".to_owned()),
        secret_id: SecretString::from("secret".to_owned()),
    };
    let report = test_vault(&vault.spec, &creds).await;
    assert_named(&report, VaultErrorCode::NotInitialized, "url", "initialize Vault (operator init)");
    assert_eq!(stage(&report, TestStage::Reach).status, StageStatus::Failed, "{report:#?}");
    assert_eq!(stage(&report, TestStage::Login).status, StageStatus::Skipped, "{report:#?}");
}

#[tokio::test]
async fn tls_is_verified_against_the_configured_ca_and_host_name() {
    let dir = tempfile::tempdir().expect("tmp");
    let pki = bao::make_pki(dir.path(), "DNS:localhost,IP:127.0.0.1");
    let other = tempfile::tempdir().expect("tmp");
    let wrong_name = bao::make_pki(other.path(), "DNS:vault.example.test");
    let (p_ok, p_name, p_mtls, p_old) =
        (bao::free_port(), bao::free_port(), bao::free_port(), bao::free_port());
    let listeners = format!(
        r#"
listener "tcp" {{
  address = "127.0.0.1:{p_ok}"
  tls_cert_file = "{cert}"
  tls_key_file = "{key}"
}}
listener "tcp" {{
  address = "127.0.0.1:{p_name}"
  tls_cert_file = "{wcert}"
  tls_key_file = "{wkey}"
}}
listener "tcp" {{
  address = "127.0.0.1:{p_mtls}"
  tls_cert_file = "{cert}"
  tls_key_file = "{key}"
  tls_require_and_verify_client_cert = true
  tls_client_ca_file = "{ca}"
}}
listener "tcp" {{
  address = "127.0.0.1:{p_old}"
  tls_cert_file = "{old}"
  tls_key_file = "{key}"
}}
"#,
        old = pki.expired_server_cert.display(),
        cert = pki.server_cert.display(),
        key = pki.server_key.display(),
        wcert = wrong_name.server_cert.display(),
        wkey = wrong_name.server_key.display(),
        ca = pki.ca.display(),
    );
    let own = OwnServer::start(&listeners).await;
    let (mut vault, creds) = own.bao.kv_fixture(json!({"k": "v"}), 60).await;
    let ca = pki.ca.to_string_lossy().into_owned();

    vault.spec.url = format!("https://127.0.0.1:{p_ok}");
    let report = test_vault(&vault.spec, &creds).await;
    assert_named(&report, VaultErrorCode::TlsUnknownCa, "tls_ca_cert", "set the CA certificate that signed");
    assert_eq!(stage(&report, TestStage::Tls).status, StageStatus::Failed);
    assert_eq!(stage(&report, TestStage::Reach).status, StageStatus::Passed);

    vault.spec.tls.tls_ca_cert = Some(ca.clone());
    let report = test_vault(&vault.spec, &creds).await;
    assert!(report.ok, "{report:#?}");
    assert_eq!(stage(&report, TestStage::Tls).status, StageStatus::Passed);
    assert!(stage(&report, TestStage::Tls).summary.contains("ca.pem"), "{report:#?}");

    let mut other_ca = vault.clone();
    other_ca.spec.tls.tls_ca_cert = Some(wrong_name.ca.to_string_lossy().into_owned());
    let report = test_vault(&other_ca.spec, &creds).await;
    assert_eq!(failure_code(&report), Some(VaultErrorCode::TlsUnknownCa), "wrong CA: {report:#?}");

    let mut mismatch = vault.clone();
    mismatch.spec.url = format!("https://127.0.0.1:{p_name}");
    mismatch.spec.tls.tls_ca_cert = Some(wrong_name.ca.to_string_lossy().into_owned());
    let report = test_vault(&mismatch.spec, &creds).await;
    assert_named(
        &report,
        VaultErrorCode::TlsNameMismatch,
        "url",
        "use the host name the certificate was issued for",
    );

    // The right CA, the right name, but a certificate whose validity ended in 2020.
    let mut expired = vault.clone();
    expired.spec.url = format!("https://127.0.0.1:{p_old}");
    let report = test_vault(&expired.spec, &creds).await;
    assert_named(&report, VaultErrorCode::TlsExpired, "tls_ca_cert", "renew Vault's certificate");
    assert_eq!(stage(&report, TestStage::Tls).status, StageStatus::Failed, "{report:#?}");

    // "Verify the CA but not the host name": the mismatch passes with a warning, while a
    // certificate of an unknown CA is still refused.
    let mut ca_only = mismatch.clone();
    ca_only.spec.tls.tls_skip_hostname = true;
    let report = test_vault(&ca_only.spec, &creds).await;
    assert!(report.ok, "{report:#?}");
    assert_eq!(stage(&report, TestStage::Tls).status, StageStatus::Warning, "{report:#?}");
    assert!(stage(&report, TestStage::Tls).summary.contains("NOT its host name"), "{report:#?}");
    let mut ca_only_wrong_ca = ca_only.clone();
    ca_only_wrong_ca.spec.tls.tls_ca_cert = Some(ca.clone());
    let report = test_vault(&ca_only_wrong_ca.spec, &creds).await;
    assert_eq!(
        failure_code(&report),
        Some(VaultErrorCode::TlsUnknownCa),
        "the CA is still verified: {report:#?}"
    );

    let mut skip = mismatch.clone();
    skip.spec.tls.tls_skip_verify = true;
    let report = test_vault(&skip.spec, &creds).await;
    assert!(report.ok, "{report:#?}");
    assert_eq!(
        stage(&report, TestStage::Tls).status,
        StageStatus::Warning,
        "skipping verification is a warning"
    );

    let mut mtls = vault.clone();
    mtls.spec.url = format!("https://127.0.0.1:{p_mtls}");
    let report = test_vault(&mtls.spec, &creds).await;
    // The server refuses a client without a certificate with a TLS alert after the handshake
    // (TLS 1.3): depending on whether the client reads the alert before the connection is gone,
    // that is a TLS failure naming the certificate, or a closed connection — seen as EOF, or as
    // a broken pipe when the client was still writing its request. Nothing else.
    let f = report.failure().expect("no client certificate: refused");
    match f.code {
        VaultErrorCode::Tls => {
            assert!(f.message.to_lowercase().contains("certificate"), "{report:#?}");
            assert_eq!(stage(&report, TestStage::Tls).status, StageStatus::Failed, "{report:#?}");
        }
        VaultErrorCode::Unreachable => {
            assert!(
                f.message.ends_with("connection closed") || f.message.ends_with("broken pipe"),
                "{report:#?}"
            );
        }
        other => panic!("no client certificate gave {other:?}: {report:#?}"),
    }
    assert_eq!(stage(&report, TestStage::Login).status, StageStatus::Skipped, "{report:#?}");
    mtls.spec.tls.tls_client_cert = Some(pki.client_cert.to_string_lossy().into_owned());
    mtls.spec.tls.tls_client_key = Some(pki.client_key.to_string_lossy().into_owned());
    let report = test_vault(&mtls.spec, &creds).await;
    assert!(report.ok, "mutual TLS with the client certificate: {report:#?}");
}

#[tokio::test]
async fn concurrent_resolutions_make_one_login_and_one_read() {
    let bao = Bao::shared();
    let (vault, creds) = bao.kv_fixture(json!({"token": "abc"}), 300).await;
    let session = Arc::new(VaultSession::new(&vault, creds).expect("session"));
    let read_path = format!("{}/data/app/config", vault.spec.engine_name);

    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..25 {
        let s = session.clone();
        tasks.spawn(async move { s.resolve().await.map(|r| kv_data(&r)["token"].clone()) });
    }
    while let Some(r) = tasks.join_next().await {
        assert_eq!(r.expect("task").expect("resolves"), "abc");
    }
    assert_eq!(
        bao.audited_logins(&vault.spec.auth_mount),
        1,
        "one login for 25 concurrent resolutions (audit log)"
    );
    assert_eq!(bao.audited_reads(&read_path), 1, "one read for 25 concurrent resolutions (audit log)");

    for _ in 0..25 {
        session.resolve().await.expect("warm");
    }
    assert_eq!(bao.audited_logins(&vault.spec.auth_mount), 1, "warm resolutions ask nothing");
    assert_eq!(bao.audited_reads(&read_path), 1, "warm resolutions ask nothing");
    let stats = session.stats();
    assert_eq!((stats.logins, stats.reads), (1, 1));
}

#[tokio::test]
async fn caching_off_reads_every_time_but_logs_in_once() {
    let bao = Bao::shared();
    let (vault, creds) = bao.kv_fixture(json!({"k": "v"}), 0).await;
    let session = VaultSession::new(&vault, creds).expect("session");
    for _ in 0..3 {
        session.resolve().await.expect("resolves");
    }
    let read_path = format!("{}/data/app/config", vault.spec.engine_name);
    assert_eq!(bao.audited_reads(&read_path), 3, "cache TTL 0 reads each time");
    assert_eq!(bao.audited_logins(&vault.spec.auth_mount), 1, "one login per token lifetime");
}

#[tokio::test]
async fn a_new_value_is_read_after_the_cache_ttl() {
    let bao = Bao::shared();
    let (vault, creds) = bao.kv_fixture(json!({"v": "one"}), 1).await;
    let session = VaultSession::new(&vault, creds).expect("session");
    let before_first = std::time::Instant::now();
    let first = session.resolve().await.expect("r");
    assert_eq!(kv_data(&first)["v"], "one");
    bao.put_kv2(&vault.spec.engine_name, "app/config", json!({"v": "two"})).await;
    let s = &session;
    let fresh = wait::until(|| async move {
        let r = s.resolve().await.expect("r");
        (kv_data(&r)["v"] == "two").then_some(r)
    })
    .await
    .expect("the new value is read once the 1s cache TTL ran out");
    // Never before the TTL: the re-read happened no sooner than 1s after the first read began,
    // and the first read began after `before_first`. Load can only make this span longer.
    assert!(
        before_first.elapsed() >= Duration::from_secs(1),
        "the first value was served from the cache for its whole TTL"
    );
    let read_path = format!("{}/data/app/config", vault.spec.engine_name);
    assert_eq!(bao.audited_reads(&read_path), 2, "the first read, then one after the TTL (audit log)");
    let SecretValue::Kv(kv) = &fresh.value else { unreachable!() };
    assert_eq!(kv.version, 2);
}

#[tokio::test]
async fn an_expired_token_leads_to_a_new_login() {
    let bao = Bao::shared();
    let (vault, creds) =
        bao.kv_fixture_with(json!({"k": "v"}), json!({"token_ttl": "2s", "token_max_ttl": "2s"})).await;
    let session = VaultSession::new(&vault, creds).expect("session");
    session.resolve().await.expect("first");
    // Resolve until the 2s token has run out: every resolution succeeds, and one logs in again.
    let s = &session;
    let logins = wait::until(|| async move {
        s.resolve().await.expect("resolves across the token's end");
        Some(s.stats().logins).filter(|n| *n > 1)
    })
    .await;
    assert_eq!(logins, Some(2), "one second login once the 2s token ran out");
    assert_eq!(bao.audited_logins(&vault.spec.auth_mount), 2, "the audit log agrees");
}

#[tokio::test]
async fn a_revoked_token_is_replaced_once_and_a_real_denial_is_reported() {
    let bao = Bao::shared();
    let (vault, creds) = bao.kv_fixture(json!({"k": "v"}), 0).await;
    let session = VaultSession::new(&vault, creds).expect("session");
    session.resolve().await.expect("first");
    // Revoke every token issued through this AppRole mount behind the session's back.
    bao.call(
        reqwest::Method::PUT,
        &format!("sys/leases/revoke-prefix/auth/{}/login", vault.spec.auth_mount),
        None,
    )
    .await;
    session.resolve().await.expect("the refusal is cured by one new login");
    assert_eq!(session.stats().logins, 2);

    let mut denied = vault.clone();
    denied.spec.path = Some("elsewhere".into());
    let s2 = VaultSession::new(&denied, session_creds(&bao, &vault).await).expect("session");
    let err = s2.resolve().await.expect_err("denied");
    assert_eq!(err.code(), VaultErrorCode::PermissionDenied, "{err}");
    assert_eq!(
        s2.stats().logins,
        1,
        "a live token (checked with lookup-self) means a real denial: no new login"
    );
}

/// Fresh credentials for the AppRole of `vault`'s fixture.
async fn session_creds(bao: &Bao, vault: &vaultdesk_core::Vault) -> vaultdesk_core::AppRoleCredentials {
    let m = &vault.spec.auth_mount;
    let role_id = bao.get(&format!("auth/{m}/role/app/role-id")).await["data"]["role_id"]
        .as_str()
        .expect("role")
        .to_owned();
    let secret_id = bao.post(&format!("auth/{m}/role/app/secret-id"), json!({})).await["data"]["secret_id"]
        .as_str()
        .expect("sid")
        .to_owned();
    vaultdesk_core::AppRoleCredentials {
        role_id: SecretString::from(role_id),
        secret_id: SecretString::from(secret_id),
    }
}
