//! Test connection against the real services: PostgreSQL 15 and MariaDB from
//! tests/scripts/services.sh (and a second, TLS-only PostgreSQL started here), secrets in the
//! real OpenBao (KV and the PostgreSQL database engine), a local HTTP server that checks REST
//! auth. What is asserted is what the admin sees: which stage failed, its named error, the
//! field it belongs under, and that no secret is in the report.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use vaultdesk_core::connector::ConnectorInput;
use vaultdesk_core::connector_probe::{
    ConnectorErrorCode, ConnectorStage, ConnectorStageReport, ConnectorTestReport, StageStatus, TestOptions,
};
use vaultdesk_core::ops::ConnectorSource;
use vaultdesk_core::Core;

use crate::common::bao::{env, unique, Bao};
use crate::common::mariadb::maria_user;
use crate::common::postgres::{pg_engine, pg_role, PgEngine};
use crate::common::tls_postgres::TlsPostgres;
use crate::store_with;

/// A core on a fresh store holding a KV vault with `data`; the vault's name.
async fn kv_core(dir: &std::path::Path, data: Value) -> (Core, String) {
    let bao = Bao::shared();
    let (vault, creds) = bao.kv_fixture(data, 300).await;
    let store = store_with(dir, &[(&vault, &creds)]);
    (Core::new(store), vault.spec.name.clone())
}

fn port_of(var: &str) -> u16 {
    env(var).parse().expect("a port")
}

fn form(kind: &str, vault: Option<&str>, config: Value) -> ConnectorSource {
    ConnectorSource::Form(ConnectorInput {
        name: String::new(),
        kind: kind.into(),
        vault: vault.map(Into::into),
        config,
    })
}

/// Runs the test, checking that every stage was streamed as it ended, in order.
async fn run(core: &Core, source: ConnectorSource, options: TestOptions) -> ConnectorTestReport {
    let mut streamed: Vec<ConnectorStageReport> = Vec::new();
    let report =
        core.test_connector(source, options, &mut |s| streamed.push(s.clone())).await.expect("the test runs");
    assert_eq!(streamed, report.stages, "each stage is streamed as it ends");
    report
}

fn stage(report: &ConnectorTestReport, s: ConnectorStage) -> &ConnectorStageReport {
    report.stages.iter().find(|r| r.stage == s).unwrap_or_else(|| panic!("no {s:?} stage in {report:#?}"))
}

fn statuses(report: &ConnectorTestReport) -> Vec<(ConnectorStage, StageStatus)> {
    report.stages.iter().map(|s| (s.stage, s.status)).collect()
}

/// The failed stage, its error code and field.
fn failure(report: &ConnectorTestReport) -> (ConnectorStage, ConnectorErrorCode, Option<String>, String) {
    assert!(!report.ok, "the test should fail: {report:#?}");
    let s = report.stages.iter().find(|s| s.status == StageStatus::Failed).expect("a failed stage");
    let e = s.error.as_ref().expect("an error");
    (s.stage, e.code, e.field.clone(), e.message.clone())
}

/// Asserts that `stage` failed with `code` under `field`; the error's message.
fn fails(
    report: &ConnectorTestReport,
    stage: ConnectorStage,
    code: ConnectorErrorCode,
    field: Option<&str>,
) -> String {
    let (s, c, f, message) = failure(report);
    assert_eq!((s, c, f.as_deref()), (stage, code, field), "{report:#?}");
    message
}

fn assert_no_secret(report: &ConnectorTestReport, secrets: &[&str]) {
    let text = serde_json::to_string(report).expect("json");
    for s in secrets {
        assert!(!text.contains(s), "the report shows a secret: {text}");
    }
}

fn pg_config(vault: &str) -> Value {
    let r = |k: &str| format!("{{{{secrets.{vault}.{k}}}}}");
    json!({"host": r("host"), "port": r("port"), "database": r("database"), "username": r("username"),
           "password": r("password"), "tls_mode": "prefer"})
}

#[tokio::test]
async fn postgresql_with_credentials_from_kv_passes_every_stage() {
    use ConnectorStage::*;
    let user = unique("ctpg");
    let (password, db) = ("Pg pass w0rd'\"", unique("ctdb"));
    pg_role(&user, &password.replace('\'', "''"), Some(&db));
    let dir = tempfile::tempdir().expect("dir");
    let port: u16 = env("VAULTDESK_TEST_PG_PORT").parse().expect("port");
    let (core, vault) = kv_core(
        dir.path(),
        json!({"host": env("VAULTDESK_TEST_PG_HOST"), "port": port, "database": db, "username": user, "password": password}),
    )
    .await;
    core.add_connector(ConnectorInput {
        name: "orders".into(),
        kind: "postgresql".into(),
        vault: Some(vault.clone()),
        config: pg_config(&vault),
    })
    .await
    .expect("add");
    let report = run(&core, ConnectorSource::Stored("orders".into()), TestOptions::default()).await;
    assert!(report.ok, "{report:#?}");
    assert_eq!(
        statuses(&report),
        [
            (Secrets, StageStatus::Passed),
            (Dns, StageStatus::Passed),
            (Tcp, StageStatus::Passed),
            // The shared server has no TLS: prefer goes on unencrypted, and says so.
            (Tls, StageStatus::Warning),
            (Authentication, StageStatus::Passed),
            (Query, StageStatus::Passed),
            (Privileges, StageStatus::Passed),
        ]
    );
    assert!(stage(&report, Secrets).summary.contains(&format!("5 references resolved from {vault}")));
    assert!(stage(&report, Tls).summary.contains("does not offer TLS"));
    assert!(stage(&report, Authentication).summary.contains(&format!("\"{user}\"")));
    assert!(stage(&report, Query).summary.contains("PostgreSQL 15"), "{}", stage(&report, Query).summary);
    let privileges = &stage(&report, Privileges).summary;
    assert!(privileges.contains(&format!("on database \"{db}\": CONNECT, CREATE, TEMP")), "{privileges}");
    assert_no_secret(&report, &[password]);
    core.close().await;
}

#[tokio::test]
async fn postgresql_failures_are_named_under_their_field() {
    use ConnectorStage::*;
    let user = unique("ctpg");
    pg_role(&user, "right-pw", None);
    let dir = tempfile::tempdir().expect("dir");
    let (core, vault) = kv_core(dir.path(), json!({"right": "right-pw", "wrong": "wr0ng-pw"})).await;
    let base = json!({"host": env("VAULTDESK_TEST_PG_HOST"), "port": port_of("VAULTDESK_TEST_PG_PORT"),
                      "database": "postgres", "username": user, "tls_mode": "prefer"});
    let with = |changes: Value| {
        let mut c = base.clone();
        for (k, v) in changes.as_object().expect("object") {
            c[k] = v.clone();
        }
        c
    };

    // A wrong password (from the vault): named with the user, never with the password.
    let r = run(
        &core,
        form("postgresql", Some(&vault), with(json!({"password": format!("{{{{secrets.{vault}.wrong}}}}")}))),
        TestOptions::default(),
    )
    .await;
    let message = fails(&r, Authentication, ConnectorErrorCode::WrongPassword, Some("config.password"));
    assert!(message.contains(&format!("\"{user}\"")), "{message}");
    assert_eq!(statuses(&r)[5..], [(Query, StageStatus::Skipped), (Privileges, StageStatus::Skipped)]);
    assert_no_secret(&r, &["wr0ng-pw", "right-pw"]);

    // A database that does not exist.
    let right = format!("{{{{secrets.{vault}.right}}}}");
    let r = run(
        &core,
        form("postgresql", Some(&vault), with(json!({"password": right, "database": "no_such_db"}))),
        TestOptions::default(),
    )
    .await;
    let message = fails(&r, Authentication, ConnectorErrorCode::DatabaseNotFound, Some("config.database"));
    assert!(message.contains("\"no_such_db\""), "{message}");

    // TLS required by tls_mode, and the server has none.
    let r = run(
        &core,
        form("postgresql", Some(&vault), with(json!({"password": right, "tls_mode": "require"}))),
        TestOptions::default(),
    )
    .await;
    fails(&r, Tls, ConnectorErrorCode::TlsRefused, Some("config.tls_mode"));

    // Nothing listens on the port.
    let closed = crate::common::bao::free_port();
    let r = run(
        &core,
        form("postgresql", Some(&vault), with(json!({"password": right, "port": closed}))),
        TestOptions::default(),
    )
    .await;
    fails(&r, Tcp, ConnectorErrorCode::ConnectionRefused, Some("config.port"));

    // A host name that does not resolve.
    let r = run(
        &core,
        form("postgresql", Some(&vault), with(json!({"password": right, "host": "no-such-host.invalid"}))),
        TestOptions::default(),
    )
    .await;
    fails(&r, Dns, ConnectorErrorCode::DnsFailure, Some("config.host"));

    // A key missing from the vault: the secrets stage fails under the field, nothing is tried.
    let r = run(
        &core,
        form("postgresql", Some(&vault), with(json!({"password": format!("{{{{secrets.{vault}.nope}}}}")}))),
        TestOptions::default(),
    )
    .await;
    fails(&r, Secrets, ConnectorErrorCode::Secrets, Some("config.password"));
    assert!(r.stages[1..].iter().all(|s| s.status == StageStatus::Skipped));
    core.close().await;
}

#[tokio::test]
async fn a_dynamic_user_from_the_postgresql_engine_logs_in() {
    let bao = Bao::shared();
    let pg = pg_engine(&bao, PgEngine::default()).await;
    let dir = tempfile::tempdir().expect("dir");
    let store = store_with(dir.path(), &[(&pg.vault, &pg.creds)]);
    let core = Core::new(store);
    let v = &pg.vault.spec.name;
    let config = json!({"host": env("VAULTDESK_TEST_PG_HOST"), "port": port_of("VAULTDESK_TEST_PG_PORT"), "database": "postgres",
        "username": format!("{{{{secrets.{v}.username}}}}"), "password": format!("{{{{secrets.{v}.password}}}}"), "tls_mode": "disable"});
    let report = run(&core, form("postgresql", Some(v), config), TestOptions::default()).await;
    assert!(report.ok, "{report:#?}");
    let auth = &stage(&report, ConnectorStage::Authentication).summary;
    assert!(auth.contains("logged in as \"v-"), "an engine-issued user: {auth}");
    assert_eq!(
        stage(&report, ConnectorStage::Tls).status,
        StageStatus::Warning,
        "tls_mode disable is flagged"
    );
    core.close().await;
}

#[tokio::test]
async fn postgresql_tls_modes_against_a_tls_only_server() {
    use ConnectorStage::*;
    let server = TlsPostgres::start();
    let user = unique("cttls");
    server.sql(&format!("CREATE ROLE \"{user}\" LOGIN PASSWORD 'tls-pw'"));
    let dir = tempfile::tempdir().expect("dir");
    let (core, vault) = kv_core(dir.path(), json!({"password": "tls-pw"})).await;
    let ca = server.ca.display().to_string();
    let config = |host: &str, mode: &str, ca: Option<&str>| {
        let mut c = json!({"host": host, "port": server.port, "database": "postgres", "username": user,
            "password": format!("{{{{secrets.{vault}.password}}}}"), "tls_mode": mode});
        if let Some(ca) = ca {
            c["options"] = json!({"sslrootcert": ca});
        }
        form("postgresql", Some(&vault), c)
    };

    // verify-full with the CA, by the name on the certificate: everything verified.
    let r = run(&core, config("localhost", "verify-full", Some(&ca)), TestOptions::default()).await;
    assert!(r.ok, "{r:#?}");
    assert_eq!(stage(&r, Tls).status, StageStatus::Passed);
    assert!(
        stage(&r, Tls).summary.contains(&format!("certificate verified against {ca}")),
        "{}",
        stage(&r, Tls).summary
    );

    // The certificate is for localhost, not 127.0.0.1.
    let r = run(&core, config("127.0.0.1", "verify-full", Some(&ca)), TestOptions::default()).await;
    fails(&r, Tls, ConnectorErrorCode::TlsNameMismatch, Some("config.host"));

    // verify-ca checks the chain only: the same address passes.
    let r = run(&core, config("127.0.0.1", "verify-ca", Some(&ca)), TestOptions::default()).await;
    assert!(r.ok, "{r:#?}");
    assert!(stage(&r, Tls).summary.contains("host name not checked"));

    // Without the CA the system's roots do not know it.
    let r = run(&core, config("localhost", "verify-full", None), TestOptions::default()).await;
    fails(&r, Tls, ConnectorErrorCode::TlsUnknownCa, Some("config.options"));

    // require encrypts without verifying, and says so.
    let r = run(&core, config("127.0.0.1", "require", None), TestOptions::default()).await;
    assert!(r.ok, "{r:#?}");
    assert!(stage(&r, Tls).summary.contains("NOT verified"));
    assert_eq!(stage(&r, Tls).status, StageStatus::Warning, "an unverified certificate is a warning");

    // The server refuses unencrypted logins.
    let r = run(&core, config("127.0.0.1", "disable", None), TestOptions::default()).await;
    fails(&r, Authentication, ConnectorErrorCode::TlsRequired, Some("config.tls_mode"));
    assert_no_secret(&r, &["tls-pw"]);
    core.close().await;
}

#[tokio::test]
async fn mariadb_passes_and_names_a_wrong_password_and_a_missing_database() {
    use ConnectorStage::*;
    let user = unique("ctm");
    maria_user(&user, "Maria pw 1", "shop");
    let dir = tempfile::tempdir().expect("dir");
    let (core, vault) =
        kv_core(dir.path(), json!({"user": user, "password": "Maria pw 1", "wrong": "maria-wr0ng"})).await;
    let config = |password_key: &str, database: &str, mode: &str| {
        json!({"host": env("VAULTDESK_TEST_MARIADB_HOST"), "port": port_of("VAULTDESK_TEST_MARIADB_PORT"), "database": database,
            "username": format!("{{{{secrets.{vault}.user}}}}"), "password": format!("{{{{secrets.{vault}.{password_key}}}}}"),
            "tls_mode": mode})
    };
    let r = run(
        &core,
        form("mariadb", Some(&vault), config("password", "shop", "prefer")),
        TestOptions::default(),
    )
    .await;
    assert!(r.ok, "{r:#?}");
    assert!(stage(&r, Query).summary.contains("MariaDB"), "{}", stage(&r, Query).summary);
    assert!(stage(&r, Query).summary.contains("session NOT encrypted"));
    assert!(
        stage(&r, Privileges).summary.contains("SELECT ON `shop`.*"),
        "{}",
        stage(&r, Privileges).summary
    );
    assert_no_secret(&r, &["Maria pw 1"]);

    let r =
        run(&core, form("mysql", Some(&vault), config("wrong", "shop", "prefer")), TestOptions::default())
            .await;
    let message = fails(&r, Authentication, ConnectorErrorCode::WrongPassword, Some("config.password"));
    assert!(message.contains(&format!("\"{user}\"")), "{message}");
    assert_no_secret(&r, &["maria-wr0ng", "Maria pw 1"]);

    let missing = unique("nodb");
    let r = run(
        &core,
        form("mariadb", Some(&vault), config("password", &missing, "prefer")),
        TestOptions::default(),
    )
    .await;
    let (s, code, field, _) = failure(&r);
    // MariaDB answers "access denied" for a database the user may not see, "unknown" for one
    // it could: both are named under the database field.
    assert_eq!((s, field.as_deref()), (Authentication, Some("config.database")));
    assert!(
        matches!(code, ConnectorErrorCode::DatabaseNotFound | ConnectorErrorCode::DatabaseDenied),
        "{code:?}"
    );

    let r = run(
        &core,
        form("mariadb", Some(&vault), config("password", "shop", "verify-full")),
        TestOptions::default(),
    )
    .await;
    fails(&r, Tls, ConnectorErrorCode::TlsRefused, Some("config.tls_mode"));
    core.close().await;
}

/// A local HTTP server: `/basic`, `/bearer`, `/header-key` and `/query-key` answer 200 when the
/// expected credentials (and the configured `X-Tenant` header) arrive, 401 otherwise;
/// `/forbidden` answers 403, `/moved` 302 to another host. It records each request line.
fn rest_server() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let mut reader = BufReader::new(conn.try_clone().expect("clone"));
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                continue;
            }
            let mut headers = Vec::new();
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                    break;
                }
                headers.push(h.trim_end().to_lowercase());
            }
            let target = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
            log.lock()
                .expect("log")
                .push(format!("{} {target}", line.split_whitespace().next().unwrap_or("")));
            let has = |h: &str| headers.iter().any(|x| x == &h.to_lowercase());
            let tenant = has("x-tenant: acme");
            let (status, extra) = match target.split('?').next().unwrap_or("") {
                // base64("alice:pa55 w0rd:x")
                "/basic" if tenant && has("authorization: Basic YWxpY2U6cGE1NSB3MHJkOng=") => ("200 OK", ""),
                "/basic" => ("401 Unauthorized", "WWW-Authenticate: Basic realm=\"t\"\r\n"),
                "/bearer" if tenant && has("authorization: Bearer tok-123") => ("200 OK", ""),
                "/header-key" if tenant && has("x-api-key: key-456") => ("200 OK", ""),
                "/query-key"
                    if tenant && target.contains("api_key=key-456") && target.contains("region=eu") =>
                {
                    ("200 OK", "")
                }
                "/forbidden" => ("403 Forbidden", ""),
                "/moved" => ("302 Found", "Location: http://elsewhere.invalid/landing?token=x\r\n"),
                _ => ("401 Unauthorized", "WWW-Authenticate: Bearer\r\n"),
            };
            let _ =
                write!(conn, "HTTP/1.1 {status}\r\n{extra}Content-Length: 2\r\nConnection: close\r\n\r\nok");
        }
    });
    (format!("http://{addr}"), seen)
}

#[tokio::test]
async fn rest_auth_is_applied_and_a_refusal_is_named() {
    use ConnectorStage::*;
    let (base, seen) = rest_server();
    let dir = tempfile::tempdir().expect("dir");
    let (core, v) = kv_core(
        dir.path(),
        json!({"url": base, "user": "alice", "pw": "pa55 w0rd:x", "token": "tok-123", "key": "key-456"}),
    )
    .await;
    let r = |k: &str| format!("{{{{secrets.{v}.{k}}}}}");
    let rest = |auth: Value| json!({"base_url": r("url"), "headers": {"X-Tenant": "acme"}, "query": {"region": "eu"}, "auth": auth});
    let get = |path: &str| TestOptions { method: None, path: Some(path.into()) };
    let secrets = ["pa55 w0rd:x", "tok-123", "key-456"];

    let cases = [
        ("/basic", json!({"type": "basic", "username": r("user"), "password": r("pw")})),
        ("/bearer", json!({"type": "bearer", "token": r("token")})),
        ("/header-key", json!({"type": "api_key", "name": "X-Api-Key", "value": r("key")})),
        ("/query-key", json!({"type": "api_key", "name": "api_key", "value": r("key"), "in": "query"})),
    ];
    for (path, auth) in cases {
        let report = run(&core, form("rest", Some(&v), rest(auth)), get(path)).await;
        assert!(report.ok, "{path}: {report:#?}");
        assert!(
            stage(&report, Request).summary.contains(&format!("GET {base}{path} → 200 OK")),
            "{}",
            stage(&report, Request).summary
        );
        assert!(stage(&report, Authentication).summary.contains("accepted"));
        assert_eq!(stage(&report, Tls).status, StageStatus::Warning, "plain HTTP is flagged");
        assert_no_secret(&report, &secrets);
    }

    // Wrong credentials: 401 named under auth.
    let report = run(
        &core,
        form("rest", Some(&v), rest(json!({"type": "basic", "username": r("user"), "password": r("token")}))),
        get("/basic"),
    )
    .await;
    let message = fails(&report, Authentication, ConnectorErrorCode::Unauthorized, Some("config.auth"));
    assert!(message.contains("401") && message.contains("Basic"), "{message}");

    let report = run(
        &core,
        form("rest", Some(&v), rest(json!({"type": "bearer", "token": r("token")}))),
        get("/forbidden"),
    )
    .await;
    let (s, code, ..) = failure(&report);
    assert_eq!((s, code), (Authentication, ConnectorErrorCode::Forbidden));

    // A redirect is reported, not followed (and its query is not shown).
    let before = seen.lock().expect("log").len();
    let report = run(
        &core,
        form("rest", Some(&v), rest(json!({"type": "bearer", "token": r("token")}))),
        TestOptions { method: Some("post".into()), path: Some("/moved".into()) },
    )
    .await;
    assert!(report.ok, "a redirect is a warning: {report:#?}");
    let request = stage(&report, Request);
    assert_eq!(request.status, StageStatus::Warning);
    assert!(request.summary.contains("POST") && request.summary.contains("302"), "{}", request.summary);
    assert!(request.summary.contains("http://elsewhere.invalid/landing not followed"), "{}", request.summary);
    assert_eq!(stage(&report, Authentication).status, StageStatus::Skipped);
    assert_eq!(seen.lock().expect("log").len(), before + 1, "one request, nothing followed");
    core.close().await;
}

#[tokio::test]
async fn mongodb_reports_what_it_can_test_and_a_closed_port() {
    use ConnectorStage::*;
    let dir = tempfile::tempdir().expect("dir");
    let (core, v) = kv_core(dir.path(), json!({"password": "mongo-s3cret"})).await;
    let closed = crate::common::bao::free_port();
    let config = json!({"host": "127.0.0.1", "port": closed, "database": "app", "username": "app",
                        "password": format!("{{{{secrets.{v}.password}}}}")});
    let report = run(&core, form("mongodb", Some(&v), config), TestOptions::default()).await;
    fails(&report, Tcp, ConnectorErrorCode::ConnectionRefused, Some("config.port"));
    let address = &stage(&report, Address).summary;
    assert!(
        address
            .starts_with(&format!("mongodb://app:{}@127.0.0.1:{closed}/app", vaultdesk_core::template::MASK)),
        "{address}"
    );
    assert_no_secret(&report, &["mongo-s3cret"]);

    // Something listening: reachability passes; authentication is not claimed.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let report = run(
        &core,
        form("mongodb", None, json!({"connection_string": format!("mongodb://127.0.0.1:{port}/app")})),
        TestOptions::default(),
    )
    .await;
    assert!(report.ok, "{report:#?}");
    let auth = stage(&report, Authentication);
    assert_eq!(auth.status, StageStatus::Skipped);
    assert!(auth.summary.contains("no MongoDB client"));
    core.close().await;
}

#[tokio::test]
async fn a_server_that_never_answers_is_a_named_timeout() {
    // Accepts the connection and says nothing: the TLS negotiation waits for its answer until
    // the configured connect_timeout.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let dir = tempfile::tempdir().expect("dir");
    let (core, v) = kv_core(dir.path(), json!({"password": "x"})).await;
    let config = json!({"host": "127.0.0.1", "port": port, "username": "u", "password": format!("{{{{secrets.{v}.password}}}}"),
                        "options": {"connect_timeout": "1s"}});
    let report = run(&core, form("postgresql", Some(&v), config), TestOptions::default()).await;
    let message = fails(&report, ConnectorStage::Tls, ConnectorErrorCode::Timeout, Some("config.host"));
    assert!(message.contains("no answer within 1s"), "{message}");
    drop(listener);
    core.close().await;
}

#[tokio::test]
async fn dropping_a_test_closes_its_connection() {
    // A server that accepts and never answers: the test waits in the TLS stage.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let dir = tempfile::tempdir().expect("dir");
    let (core, v) = kv_core(dir.path(), json!({"password": "x"})).await;
    let config = json!({"host": "127.0.0.1", "port": port, "username": "u", "password": format!("{{{{secrets.{v}.password}}}}")});
    let running = {
        let core = core.clone();
        tokio::spawn(async move {
            core.test_connector(form("postgresql", Some(&v), config), TestOptions::default(), &mut |_| {})
                .await
        })
    };
    let (mut conn, _) = listener.accept().await.expect("the test connects");
    let mut request = [0u8; 8];
    tokio::io::AsyncReadExt::read_exact(&mut conn, &mut request).await.expect("the TLS request");
    running.abort();
    assert!(running.await.expect_err("aborted").is_cancelled());
    // The test's side of the connection is gone: the server reads end-of-file.
    let mut rest = Vec::new();
    let n = tokio::io::AsyncReadExt::read_to_end(&mut conn, &mut rest).await.unwrap_or(0);
    assert_eq!(n, 0, "nothing more arrives and the connection is closed");
    core.close().await;
}
