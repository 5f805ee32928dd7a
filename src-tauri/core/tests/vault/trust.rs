//! Issue 9, "trust hardening", in the Vault client: a failed token lookup is not a dead token,
//! a replaced token is revoked, answers are read with a size cap, and refusals an admin meets
//! (a locked-out AppRole, a database connection of another kind) are named. Against the real
//! OpenBao server; a forwarding proxy in front of it injects the lookup failures a real server
//! cannot produce on demand, and a fault server streams an endless answer.

use std::sync::{Arc, Mutex};

use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use vaultdesk_core::provider::vault::{
    test_vault, StageStatus, TestStage, VaultClient, VaultErrorCode, VaultSession,
};
use vaultdesk_core::{AppRoleCredentials, EngineType, SecretString};

use crate::common::bao::Bao;
use crate::common::postgres::{pg_engine, PgEngine};

/// What the proxy saw: `METHOD /v1/path -> status`, in order.
type Seen = Arc<Mutex<Vec<String>>>;

/// What a fault proxy does with a request.
enum Fault {
    Forward,
    Answer(u16, &'static str),
    /// Reads the request and closes the connection without an answer, as a server does with
    /// a keep-alive connection it has timed out.
    Close,
}

/// A proxy to the real server `target` that answers `auth/token/lookup-self` itself with
/// `status` and `body`, and forwards everything else.
async fn lookup_fault_proxy(target: String, status: u16, body: &'static str) -> (String, Seen) {
    fault_proxy(target, move |path, _| {
        if path == "/v1/auth/token/lookup-self" {
            Fault::Answer(status, body)
        } else {
            Fault::Forward
        }
    })
    .await
}

/// A proxy to the real server `target` doing what `rule` says with each request (given its
/// path and how many requests to that path came before it).
async fn fault_proxy(
    target: String,
    rule: impl Fn(&str, usize) -> Fault + Send + Sync + 'static,
) -> (String, Seen) {
    let rule = Arc::new(rule);
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let seen = Seen::default();
    let log = seen.clone();
    let http = reqwest::Client::new();
    tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else { return };
            let (log, http, target, rule) = (log.clone(), http.clone(), target.clone(), rule.clone());
            tokio::spawn(async move {
                let (read, mut write) = sock.into_split();
                let mut read = BufReader::new(read);
                loop {
                    let mut line = String::new();
                    if read.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let mut parts = line.split_whitespace();
                    let (method, path) =
                        (parts.next().unwrap_or("").to_owned(), parts.next().unwrap_or("").to_owned());
                    let mut headers = Vec::new();
                    let mut length = 0usize;
                    loop {
                        let mut h = String::new();
                        if read.read_line(&mut h).await.unwrap_or(0) == 0 {
                            return;
                        }
                        let h = h.trim_end().to_owned();
                        if h.is_empty() {
                            break;
                        }
                        if let Some((k, v)) = h.split_once(':') {
                            let (k, v) = (k.trim().to_owned(), v.trim().to_owned());
                            if k.eq_ignore_ascii_case("content-length") {
                                length = v.parse().unwrap_or(0);
                            }
                            headers.push((k, v));
                        }
                    }
                    let mut body_in = vec![0u8; length];
                    if read.read_exact(&mut body_in).await.is_err() {
                        return;
                    }
                    let before = log
                        .lock()
                        .expect("log")
                        .iter()
                        .filter(|l| l.split(' ').nth(1) == Some(&path))
                        .count();
                    let (code, body_out) = match rule(&path, before) {
                        Fault::Answer(status, body) => (status, body.as_bytes().to_vec()),
                        Fault::Close => {
                            log.lock().expect("log").push(format!("{method} {path} -> closed"));
                            return;
                        }
                        Fault::Forward => {
                            let mut req =
                                http.request(method.parse().expect("method"), format!("{target}{path}"));
                            for (k, v) in &headers {
                                if k.to_ascii_lowercase().starts_with("x-vault")
                                    || k.eq_ignore_ascii_case("content-type")
                                {
                                    req = req.header(k, v);
                                }
                            }
                            let resp = req.body(body_in).send().await.expect("forward");
                            (resp.status().as_u16(), resp.bytes().await.expect("body").to_vec())
                        }
                    };
                    log.lock().expect("log").push(format!("{method} {path} -> {code}"));
                    let head = format!(
                        "HTTP/1.1 {code} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                        body_out.len()
                    );
                    if write.write_all(head.as_bytes()).await.is_err()
                        || write.write_all(&body_out).await.is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    (format!("http://{addr}"), seen)
}

/// A KV vault behind a lookup-fault proxy whose configured path the AppRole may not read, so
/// every read is refused with 403 and the session asks whether its token is still alive.
async fn denied_vault_behind(status: u16, body: &'static str) -> (VaultSession, Seen, Bao, String) {
    let bao = Bao::shared();
    let (mut vault, creds) = bao.kv_fixture(json!({"k": "v"}), 0).await;
    let (url, seen) = lookup_fault_proxy(bao.addr.clone(), status, body).await;
    vault.spec.url = url;
    vault.spec.path = Some("not-granted/x".into());
    let mount = vault.spec.auth_mount.clone();
    (VaultSession::new(&vault, creds).expect("session"), seen, bao, mount)
}

fn logins(seen: &Seen, mount: &str) -> Vec<usize> {
    let login = format!("POST /v1/auth/{mount}/login");
    seen.lock()
        .expect("log")
        .iter()
        .enumerate()
        .filter(|(_, l)| l.starts_with(&login))
        .map(|(i, _)| i)
        .collect()
}

#[tokio::test]
async fn a_lookup_that_fails_with_a_server_error_is_reported_not_taken_for_a_dead_token() {
    let (session, seen, bao, mount) =
        denied_vault_behind(500, r#"{"errors":["storage backend unavailable"]}"#).await;
    let err = session.resolve().await.expect_err("denied");
    assert_eq!(err.code(), VaultErrorCode::Server, "the lookup's failure is the answer: {err}");
    assert!(err.to_string().contains("storage backend unavailable"), "{err}");
    assert_eq!(logins(&seen, &mount).len(), 1, "no second login: {:?}", seen.lock().expect("log"));
    assert_eq!(bao.audited_logins(&mount), 1, "the audit log agrees: one login, one token");
    session.close().await;
}

#[tokio::test]
async fn a_rate_limited_lookup_is_reported_as_rate_limiting() {
    let (session, seen, bao, mount) =
        denied_vault_behind(429, r#"{"errors":["rate limit quota exceeded"]}"#).await;
    let err = session.resolve().await.expect_err("denied");
    assert_eq!(err.code(), VaultErrorCode::RateLimited, "{err}");
    assert_eq!(logins(&seen, &mount).len(), 1, "{:?}", seen.lock().expect("log"));
    assert_eq!(bao.audited_logins(&mount), 1);
    session.close().await;
}

#[tokio::test]
async fn a_token_taken_for_dead_is_revoked_before_it_is_replaced() {
    // The proxy says 403 to lookup-self although the token lives: the session logs in again,
    // but first revokes the token it gives up, so no live token is left behind.
    let (session, seen, _bao, mount) = denied_vault_behind(403, r#"{"errors":["permission denied"]}"#).await;
    let err = session.resolve().await.expect_err("denied");
    assert_eq!(err.code(), VaultErrorCode::PermissionDenied, "{err}");
    let log = seen.lock().expect("log").clone();
    let at = logins(&seen, &mount);
    assert_eq!(at.len(), 2, "one new login after the dead-looking token: {log:?}");
    let revoked = log[at[0]..at[1]].iter().any(|l| l == "POST /v1/auth/token/revoke-self -> 204");
    assert!(revoked, "the replaced token is revoked (by the real server) before the new login: {log:?}");
    session.close().await;
}

#[tokio::test]
async fn an_endless_answer_is_cut_at_the_size_cap() {
    // A "server" that streams spaces for as long as it is read (up to 64 MiB here).
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else { return };
            tokio::spawn(async move {
                let mut buf = vec![0u8; 16384];
                let _ = sock.read(&mut buf).await;
                let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n";
                if sock.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = vec![b' '; 65536];
                for _ in 0..1024 {
                    if sock.write_all(&chunk).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    let mut vault = crate::common::bao::vault(
        &Bao::at(&format!("http://{addr}"), "unused"),
        "approle",
        "kv",
        EngineType::Kv2,
        Some("app"),
        None,
        0,
    );
    vault.spec.tls.request_timeout_secs = 600;
    let creds = AppRoleCredentials { role_id: SecretString::from("r"), secret_id: SecretString::from("s") };
    let report = test_vault(&vault.spec, &creds).await;
    let f = report.failure().expect("fails");
    assert_eq!(f.code, VaultErrorCode::ResponseTooLarge, "{report:#?}");
    assert!(f.message.contains("too large") && f.message.contains("8 MiB"), "{report:#?}");
    assert_eq!(f.field.as_deref(), Some("url"), "{report:#?}");
}

#[tokio::test]
async fn a_locked_out_approle_is_named_as_a_lockout() {
    let bao = Bao::shared();
    let (vault, creds) = bao.kv_fixture(json!({"k": "v"}), 0).await;
    // OpenBao locks an AppRole role out after 5 failed logins in a row (its default).
    let client = VaultClient::new(&vault.spec).expect("client");
    let wrong = AppRoleCredentials { role_id: creds.role_id.clone(), secret_id: SecretString::from("wrong") };
    for _ in 0..5 {
        let e = client.login_approle(&vault.spec.auth_mount, &wrong).await.expect_err("wrong Secret ID");
        assert_eq!(e.code(), VaultErrorCode::InvalidCredentials, "{e}");
    }
    let report = test_vault(&vault.spec, &creds).await;
    let f = report.failure().expect("locked out");
    assert_eq!(f.code, VaultErrorCode::LockedOut, "named as a lockout: {report:#?}");
    assert!(f.message.contains("locked out") && f.hint.contains("unlock"), "{report:#?}");
    assert!(!f.message.contains("not found"), "not taken for a missing mount: {report:#?}");
    assert_eq!(f.field.as_deref(), Some("secret_id"), "{report:#?}");
}

#[tokio::test]
async fn a_database_vault_of_the_wrong_kind_fails_the_test_naming_both() {
    let bao = Bao::shared();
    let mut pg = pg_engine(&bao, PgEngine::default()).await;
    pg.vault.spec.engine_type = EngineType::Mysql;
    let report = test_vault(&pg.vault.spec, &pg.creds).await;
    assert!(!report.ok, "{report:#?}");
    let f = report.failure().expect("fails");
    assert_eq!(f.code, VaultErrorCode::EnginePluginMismatch, "{report:#?}");
    assert!(f.message.contains("postgresql-database-plugin") && f.message.contains("mysql"), "{report:#?}");
    assert_eq!(f.field.as_deref(), Some("engine_type"), "{report:#?}");
}

#[tokio::test]
async fn a_creds_request_whose_connection_closed_is_never_sent_again() {
    // A GET of creds/ROLE creates a database user each time Vault processes it: when the
    // connection closes before the answer, the request may have been processed, so sending it
    // again could leave a live user nobody receives. The failure is reported instead.
    let bao = Bao::shared();
    let mut pg = pg_engine(&bao, PgEngine::default()).await;
    let (url, seen) =
        fault_proxy(
            bao.addr.clone(),
            |path, _| {
                if path.contains("/creds/") {
                    Fault::Close
                } else {
                    Fault::Forward
                }
            },
        )
        .await;
    pg.vault.spec.url = url;
    let session = VaultSession::new(&pg.vault, pg.creds.clone()).expect("session");
    let e = session.resolve().await.expect_err("the closed connection is reported");
    let creds: Vec<String> =
        seen.lock().expect("log").iter().filter(|l| l.contains("/creds/")).cloned().collect();
    assert_eq!(creds.len(), 1, "one creds request, never resent: {creds:?} ({e})");
    assert!(e.to_string().to_lowercase().contains("connection") || e.to_string().contains("closed"), "{e}");
    session.close().await;
}

#[tokio::test]
async fn a_one_use_token_passes_the_test_without_blaming_the_policy() {
    // token_num_uses = 1: the read spends the token's only use. The Test must not spend it on
    // optional lookups first (the read would then be refused), nor report the refused
    // capabilities question as a policy that lacks read.
    let bao = Bao::shared();
    let (vault, creds) = bao.kv_fixture_with(json!({"k": "v"}), json!({"token_num_uses": 1})).await;
    let report = test_vault(&vault.spec, &creds).await;
    assert!(report.ok, "{report:#?}");
    let stage = |s: TestStage| report.stages.iter().find(|x| x.stage == s).expect("stage").clone();
    assert_eq!(stage(TestStage::Read).status, StageStatus::Passed, "{report:#?}");
    assert!(stage(TestStage::Login).summary.contains("token limited to 1 use"), "{report:#?}");
    let caps = stage(TestStage::Capabilities);
    assert_eq!(caps.status, StageStatus::Skipped, "{report:#?}");
    assert!(caps.summary.contains("allows one use") && !caps.summary.contains("none on"), "{report:#?}");
}
