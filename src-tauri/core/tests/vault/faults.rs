//! Faults a real Vault cannot produce on demand, from a tiny HTTP server that answers every
//! request with one canned response (after an optional delay).

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use vaultdesk_core::provider::vault::{test_vault, TestStage, VaultErrorCode, VaultSession};
use vaultdesk_core::{EngineType, SecretString};

use crate::common::bao::{self, Bao};
use crate::common::wait;

/// Serves `status`, `headers` and `body` to every request after `delay`; returns its URL.
async fn fault_server(
    status: &'static str,
    headers: &'static str,
    body: &'static str,
    delay: Duration,
) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else { return };
            tokio::spawn(async move {
                let mut buf = vec![0u8; 16384];
                let _ = sock.read(&mut buf).await;
                tokio::time::sleep(delay).await;
                let resp = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{headers}Connection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = sock.write_all(resp.as_bytes()).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    format!("http://{addr}")
}

fn vault_at(url: &str) -> vaultdesk_core::Vault {
    let mut v = bao::vault(&Bao::at(url, "unused"), "approle", "kv", EngineType::Kv2, Some("app"), None, 60);
    v.spec.tls.request_timeout_secs = 1;
    v.spec.tls.connect_timeout_secs = 1;
    v
}

fn creds() -> vaultdesk_core::AppRoleCredentials {
    vaultdesk_core::AppRoleCredentials {
        role_id: SecretString::from("role".to_owned()),
        secret_id: SecretString::from("secret".to_owned()),
    }
}

#[tokio::test]
async fn a_slow_server_times_out_with_the_configured_timeout() {
    // The server answers after 30s: with the configured 1s timeout the Test gives up and says
    // so; with any timeout of 30s or more (or none) it would get the answer instead. How long
    // giving up takes is for the benchmark to measure, not for a test to assert.
    let url = fault_server("200 OK", "", "{}", Duration::from_secs(30)).await;
    let report = test_vault(&vault_at(&url).spec, &creds()).await;
    let f = report.failure().expect("fails");
    assert_eq!(f.code, VaultErrorCode::Timeout, "{report:#?}");
    assert!(f.message.contains("within 1s"), "{}", f.message);
    assert!(f.hint.contains("raise the timeouts in Advanced"), "{}", f.hint);
    let reach = report.stages.iter().find(|s| s.stage == TestStage::Reach).expect("reach");
    assert_eq!(reach.status, vaultdesk_core::provider::vault::StageStatus::Failed, "{report:#?}");
    assert_eq!(f.field.as_deref(), Some("url"), "{report:#?}");
}

#[tokio::test]
async fn rate_limiting_is_named_with_its_retry_after() {
    let url = fault_server(
        "429 Too Many Requests",
        "Retry-After: 7\r\n",
        r#"{"errors":["rate limit quota exceeded"]}"#,
        Duration::ZERO,
    )
    .await;
    let session = VaultSession::new(&vault_at(&url), creds()).expect("session");
    let err = session.resolve().await.expect_err("429");
    assert_eq!(err.code(), VaultErrorCode::RateLimited, "{err}");
    assert!(err.hint().contains("raise the cache TTL"), "{}", err.hint());
    assert!(
        matches!(
            err,
            vaultdesk_core::provider::vault::VaultError::RateLimited { retry_after_secs: Some(7), .. }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_body_that_is_not_vault_json_is_malformed() {
    let url = fault_server("200 OK", "", "<html>proxy login</html>", Duration::ZERO).await;
    let report = test_vault(&vault_at(&url).spec, &creds()).await;
    let f = report.failure().expect("fails");
    assert_eq!(f.code, VaultErrorCode::Malformed, "{report:#?}");
    assert!(f.hint.contains("points at Vault or OpenBao"), "{}", f.hint);
    assert_eq!(f.field.as_deref(), Some("url"));
}

#[tokio::test]
async fn server_errors_carry_vaults_message() {
    let url = fault_server(
        "500 Internal Server Error",
        "",
        r#"{"errors":["1 error occurred:\n\t* storage backend unavailable\n\n"]}"#,
        Duration::ZERO,
    )
    .await;
    let session = VaultSession::new(&vault_at(&url), creds()).expect("session");
    let err = session.resolve().await.expect_err("500");
    assert_eq!(err.code(), VaultErrorCode::Server);
    assert!(err.hint().contains("check its logs"), "{}", err.hint());
    assert!(err.to_string().ends_with("storage backend unavailable"), "{err}");
}

type Seen = std::sync::Arc<std::sync::Mutex<Vec<String>>>;

/// A server that answers like a healthy Vault until the secret read, which never answers, and
/// records every request (line and headers) it receives; the `Notify` fires when the read
/// arrives.
async fn hanging_read_server() -> (String, Seen, std::sync::Arc<tokio::sync::Notify>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let seen = Seen::default();
    let log = seen.clone();
    let read_arrived = std::sync::Arc::new(tokio::sync::Notify::new());
    let arrived = read_arrived.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else { return };
            let log = log.clone();
            let arrived = arrived.clone();
            tokio::spawn(async move {
                loop {
                    let mut buf = vec![0u8; 16384];
                    let Ok(n) = sock.read(&mut buf).await else { return };
                    if n == 0 {
                        return;
                    }
                    let request = String::from_utf8_lossy(&buf[..n]).into_owned();
                    let head = request.lines().next().unwrap_or_default().to_owned();
                    log.lock()
                        .expect("log")
                        .push(request.split("\r\n\r\n").next().unwrap_or_default().to_owned());
                    let body = if head.contains("/v1/sys/health") {
                        r#"{"initialized":true,"sealed":false,"standby":false,"version":"fake"}"#
                    } else if head.contains("/login") {
                        r#"{"auth":{"client_token":"s.fake-token","policies":["default"],"lease_duration":3600,"renewable":true}}"#
                    } else if head.contains("/data/") {
                        arrived.notify_one();
                        tokio::time::sleep(Duration::from_secs(3600)).await;
                        return;
                    } else {
                        "{}"
                    };
                    let resp = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if sock.write_all(resp.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (format!("http://{addr}"), seen, read_arrived)
}

#[tokio::test]
async fn a_cancelled_test_revokes_the_token_it_obtained() {
    let (url, seen, read_arrived) = hanging_read_server().await;
    let mut vault = vault_at(&url);
    vault.spec.tls.request_timeout_secs = 600;
    let mut stages = Vec::new();
    let mut on_stage = |s: &vaultdesk_core::provider::vault::StageReport| stages.push(s.stage);
    let approle: vaultdesk_core::Credentials = creds().into();
    let test =
        vaultdesk_core::provider::vault::test_vault_with_progress(&vault.spec, &approle, &mut on_stage);
    // The read never answers: once it has been asked, give up, as the UI's Cancel does.
    tokio::select! {
        report = test => panic!("the Test cannot finish while its read hangs: {report:#?}"),
        () = read_arrived.notified() => {}
    }
    assert_eq!(stages, [TestStage::Reach, TestStage::Tls, TestStage::Login], "stages reported as they ended");
    let revoked = wait::until(|| async {
        let seen = seen.lock().expect("log");
        seen.iter().any(|l| l.starts_with("POST /v1/auth/token/revoke-self")).then_some(())
    })
    .await;
    assert!(revoked.is_some(), "the cancelled test's token was not revoked: {:?}", seen.lock().expect("log"));

    // Every request it made, health check and revocation included, said it is a Vault client.
    let seen = seen.lock().expect("log").clone();
    assert_eq!(seen.len(), 5, "health, login, the KV version of the mount, read, revoke-self: {seen:#?}");
    for request in &seen {
        assert!(
            request.lines().any(|l| l.eq_ignore_ascii_case("x-vault-request: true")),
            "X-Vault-Request: true missing from {request}"
        );
    }
}
