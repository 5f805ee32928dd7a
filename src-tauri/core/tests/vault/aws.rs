//! The AWS Secrets Manager provider against moto's server mode (tests/scripts/services.sh): the
//! open server (any access key works; every request recorded, so GetSecretValue calls can be
//! counted) and one with IAM enforced (a reader; a describer not allowed GetSecretValue), for
//! wrong keys and a denied action (moto evaluates policies per action, not per secret ARN). A
//! tiny fault server stands in only for what moto cannot do on demand: an expired session token,
//! throttling, a KMS decryption failure. Default-chain logins (environment, shared credentials
//! file, profiles) are tested through the CLI, where each command is a process with its own
//! environment.

use std::sync::Arc;

use serde_json::{json, Value};
use vaultdesk_core::provider::vault::{StageStatus, TestReport, TestStage, VaultErrorCode};
use vaultdesk_core::provider::{self, Session, VaultHub};
use vaultdesk_core::{AwsInput, Credentials, SecretString, Vault, VaultInput};

use crate::common::bao::unique;
use crate::common::moto;

/// A validated AWS vault (through the same validation the front ends use) on `endpoint`.
fn aws_vault(endpoint: &str, secret: &str, engine: &str, tweak: impl FnOnce(&mut VaultInput)) -> Vault {
    let mut input = VaultInput {
        name: unique("aws"),
        provider: Some("aws".into()),
        url: endpoint.to_owned(),
        engine_type: engine.to_owned(),
        aws: AwsInput {
            aws_region: Some("us-east-1".into()),
            aws_secret_id: Some(secret.to_owned()),
            ..AwsInput::default()
        },
        ..VaultInput::default()
    };
    input.tls.connect_timeout = Some("3s".into());
    input.tls.request_timeout = Some("10s".into());
    tweak(&mut input);
    let spec = vaultdesk_core::validate::validate_input(&input).expect("a valid AWS configuration");
    Vault {
        id: unique("id"),
        spec,
        created_at: "2026-01-01T00:00:00Z".into(),
        updated_at: "2026-01-01T00:00:00Z".into(),
        secret_id_status: None,
        needs_credentials: false,
    }
}

fn keys(id: &str, secret: &str) -> Credentials {
    Credentials::aws_keys(SecretString::from(id.to_owned()), &SecretString::from(secret.to_owned()), None)
}

fn any_keys() -> Credentials {
    keys("AKIAVAULTDESKTEST01", "any-secret-works-on-the-open-server")
}

async fn resolve_json(vault: &Vault, creds: Credentials) -> Result<Value, vaultdesk_core::Error> {
    let session = Session::open(vault, creds)?;
    let secret = session.resolve().await?;
    Ok(secret.json().expose().clone())
}

async fn run_test(vault: &Vault, creds: &Credentials) -> TestReport {
    provider::test(&vault.spec, creds, &mut |_| {}).await
}

fn stage(report: &TestReport, s: TestStage) -> &vaultdesk_core::provider::vault::StageReport {
    report.stages.iter().find(|r| r.stage == s).unwrap_or_else(|| panic!("stage {s:?} in {report:#?}"))
}

fn assert_failed(report: &TestReport, at: TestStage, code: VaultErrorCode, field: &str) {
    let f = report.failure().unwrap_or_else(|| panic!("expected {code:?}, the Test passed: {report:#?}"));
    assert_eq!(f.code, code, "{report:#?}");
    assert_eq!(f.field.as_deref(), Some(field), "{report:#?}");
    assert_eq!(stage(report, at).status, StageStatus::Failed, "{report:#?}");
    assert!(!report.ok);
}

#[tokio::test]
async fn aws_json_plain_string_and_binary_secrets_resolve_exactly() {
    let ep = moto::endpoint();
    let (j, p, b) = (unique("sm-json/"), unique("sm-plain/"), unique("sm-bin/"));
    let data = json!({"username": "app", "password": "p\"w'\\n{{x}}\u{e9}", "db": {"host": "db.internal", "port": 5432}});
    moto::create_string(&j, &data.to_string()).await;
    moto::create_string(&p, "  a plain \"string\"\nsecond line ").await;
    moto::create_binary(&b, &[0, 255, 1, 2, 3, b'{']).await;

    let got = resolve_json(&aws_vault(&ep, &j, "kv", |_| {}), any_keys()).await.expect("json resolves");
    assert_eq!(got, data, "a JSON object is exposed as is, nested, byte for byte");
    let got = resolve_json(&aws_vault(&ep, &p, "kv", |_| {}), any_keys()).await.expect("plain resolves");
    assert_eq!(
        got,
        json!({"value": "  a plain \"string\"\nsecond line "}),
        "a plain string is key `value`, untrimmed"
    );
    let got = resolve_json(&aws_vault(&ep, &b, "kv", |_| {}), any_keys()).await.expect("binary resolves");
    assert_eq!(
        got,
        json!({"binary": moto::b64(&[0, 255, 1, 2, 3, b'{'])}),
        "SecretBinary is base64 under `binary`"
    );
}

#[tokio::test]
async fn aws_version_stages_after_a_rotation_serve_different_values() {
    let ep = moto::endpoint();
    let name = unique("sm-rot/");
    let created = moto::create_string(&name, r#"{"password":"old"}"#).await;
    moto::put_string(&name, r#"{"password":"new"}"#).await;
    let current = resolve_json(&aws_vault(&ep, &name, "kv", |_| {}), any_keys()).await.expect("current");
    assert_eq!(current["password"], "new", "AWSCURRENT (the default) is the value put last");
    let previous = aws_vault(&ep, &name, "kv", |i| i.aws.aws_version_stage = Some("AWSPREVIOUS".into()));
    assert_eq!(resolve_json(&previous, any_keys()).await.expect("previous")["password"], "old");
    let first_id = created["VersionId"].as_str().expect("CreateSecret's version id").to_owned();
    let by_id = aws_vault(&ep, &name, "kv", |i| i.aws.aws_version_id = Some(first_id.clone()));
    assert_eq!(
        resolve_json(&by_id, any_keys()).await.expect("by id")["password"],
        "old",
        "a version id pins it"
    );

    let report = run_test(&aws_vault(&ep, &name, "kv", |_| {}), &any_keys()).await;
    assert!(report.ok, "{report:#?}");
    let describe = &stage(&report, TestStage::Describe).summary;
    assert!(
        describe.contains("AWSCURRENT") && describe.contains("AWSPREVIOUS"),
        "stages present: {describe}"
    );
    let missing = aws_vault(&ep, &name, "kv", |i| i.aws.aws_version_stage = Some("NOSUCHSTAGE".into()));
    let report = run_test(&missing, &any_keys()).await;
    assert_failed(&report, TestStage::Read, VaultErrorCode::AwsVersionNotFound, "aws_version_stage");
    assert!(report.failure().is_some_and(|f| f.message.contains("NOSUCHSTAGE")), "{report:#?}");
}

#[tokio::test]
async fn aws_the_test_shows_identity_rotation_stages_and_key_names_but_no_value() {
    let ep = moto::endpoint();
    let name = unique("sm-test/");
    moto::create_string(&name, r#"{"username":"app","password":"never-shown-pw"}"#).await;
    let mut seen = Vec::new();
    let report =
        provider::test(&aws_vault(&ep, &name, "kv", |_| {}).spec, &any_keys(), &mut |s| seen.push(s.stage))
            .await;
    assert!(report.ok, "{report:#?}");
    assert_eq!(
        seen,
        [TestStage::Reach, TestStage::Tls, TestStage::Login, TestStage::Describe, TestStage::Read],
        "streamed in order"
    );
    assert_eq!(
        stage(&report, TestStage::Tls).status,
        StageStatus::Warning,
        "plain HTTP to loopback is a warning"
    );
    let login = &stage(&report, TestStage::Login).summary;
    assert!(login.contains("123456789012") && login.contains("arn:aws:"), "account and ARN: {login}");
    assert!(stage(&report, TestStage::Describe).summary.contains("rotation off"));
    let read = &stage(&report, TestStage::Read).summary;
    assert!(read.contains("username") && read.contains("password"), "key names: {read}");
    let all = serde_json::to_string(&report).expect("serialises");
    assert!(!all.contains("never-shown-pw"), "no value in the report: {all}");
}

#[tokio::test]
async fn aws_missing_deleted_and_misshaped_secrets_are_named_under_their_field() {
    let ep = moto::endpoint();
    let report = run_test(&aws_vault(&ep, &unique("sm-none/"), "kv", |_| {}), &any_keys()).await;
    assert_failed(&report, TestStage::Describe, VaultErrorCode::AwsSecretNotFound, "aws_secret_id");
    assert_eq!(stage(&report, TestStage::Read).status, StageStatus::Skipped);

    let gone = unique("sm-gone/");
    moto::create_string(&gone, r#"{"a":"b"}"#).await;
    moto::delete(&gone).await;
    let vault = aws_vault(&ep, &gone, "kv", |_| {});
    let report = run_test(&vault, &any_keys()).await;
    assert_failed(&report, TestStage::Describe, VaultErrorCode::AwsSecretDeleted, "aws_secret_id");
    let err = resolve_json(&vault, any_keys()).await.expect_err("a deleted secret does not resolve");
    assert_eq!(err.payload().vault.map(|v| v.code), Some(VaultErrorCode::AwsSecretDeleted), "{err}");

    let plain = unique("sm-notjson/");
    moto::create_string(&plain, "only-a-password").await;
    let report = run_test(&aws_vault(&ep, &plain, "postgresql", |_| {}), &any_keys()).await;
    assert_failed(&report, TestStage::Read, VaultErrorCode::AwsNotJsonObject, "engine_type");
    assert!(!serde_json::to_string(&report).expect("json").contains("only-a-password"));

    let rds = unique("sm-rds/");
    let value = json!({"engine": "postgres", "host": "db.internal", "port": 5432, "username": "app", "password": "pw", "dbname": "orders"});
    moto::create_string(&rds, &value.to_string()).await;
    let got =
        resolve_json(&aws_vault(&ep, &rds, "postgresql", |_| {}), any_keys()).await.expect("an RDS secret");
    assert_eq!(got, value);
}

#[tokio::test]
async fn aws_an_endpoint_that_refuses_or_does_not_resolve_is_named_under_the_url() {
    let port = crate::common::bao::free_port();
    let refused = aws_vault(&format!("http://127.0.0.1:{port}"), "x", "kv", |_| {});
    let report = run_test(&refused, &any_keys()).await;
    assert_failed(&report, TestStage::Reach, VaultErrorCode::ConnectionRefused, "url");
    let unknown = aws_vault("https://secretsmanager.nowhere.invalid", "x", "kv", |_| {});
    let report = run_test(&unknown, &any_keys()).await;
    assert_failed(&report, TestStage::Reach, VaultErrorCode::AwsUnknownEndpoint, "url");
}

#[tokio::test]
async fn aws_wrong_keys_and_a_denied_secret_are_named_by_the_iam_enforcing_server() {
    let (ep, id, secret) = moto::auth_server();
    let good = keys(&id, &secret);
    let report = run_test(&aws_vault(&ep, "app/db", "kv", |_| {}), &good).await;
    assert!(report.ok, "the reader's own keys on an allowed secret: {report:#?}");
    assert!(stage(&report, TestStage::Login).summary.contains("user/reader"), "{report:#?}");

    let wrong_secret = keys(&id, "not-the-secret-key");
    let report = run_test(&aws_vault(&ep, "app/db", "kv", |_| {}), &wrong_secret).await;
    assert_failed(&report, TestStage::Login, VaultErrorCode::AwsInvalidKeys, "access_key_id");
    assert!(
        !serde_json::to_string(&report).expect("json").contains("not-the-secret-key"),
        "no key in the report"
    );
    let unknown_id = keys("AKIAUNKNOWNKEY000000", &secret);
    let report = run_test(&aws_vault(&ep, "app/db", "kv", |_| {}), &unknown_id).await;
    assert_failed(&report, TestStage::Login, VaultErrorCode::AwsInvalidKeys, "access_key_id");

    let (did, dsecret) = moto::describer();
    let report = run_test(&aws_vault(&ep, "app/db", "kv", |_| {}), &keys(&did, &dsecret)).await;
    assert_failed(&report, TestStage::Read, VaultErrorCode::AwsAccessDenied, "aws_secret_id");
    let f = report.failure().expect("failure");
    assert!(
        f.message.contains("secretsmanager:GetSecretValue") && f.message.contains("app/db"),
        "names the action and the resource: {}",
        f.message
    );
    assert!(f.hint.contains("secretsmanager:GetSecretValue"), "{}", f.hint);
    let err = resolve_json(&aws_vault(&ep, "app/db", "kv", |_| {}), keys(&did, &dsecret))
        .await
        .expect_err("denied");
    assert!(err.to_string().contains("secretsmanager:GetSecretValue"), "{err}");
    assert!(
        !err.to_string().contains("reader-pw") && !err.to_string().contains(&dsecret),
        "no value, no key: {err}"
    );
}

#[tokio::test]
async fn aws_many_concurrent_resolutions_across_one_hub_make_one_get_secret_value() {
    let ep = moto::endpoint();
    let name = unique("sm-count/");
    moto::create_string(&name, r#"{"token":"t"}"#).await;
    let vault = aws_vault(&ep, &name, "kv", |_| {});
    let hub = Arc::new(VaultHub::new());
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let (hub, vault) = (hub.clone(), vault.clone());
        tasks.push(tokio::spawn(async move {
            let s = hub.session(&vault, || Ok(any_keys())).await.expect("session");
            s.resolve().await.expect("resolves").json().expose()["token"].clone()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.expect("task"), json!("t"));
    }
    assert_eq!(
        moto::get_secret_value_calls(&name),
        1,
        "20 concurrent resolutions share one GetSecretValue (moto's recording)"
    );

    let uncached = aws_vault(&ep, &name, "kv", |i| i.cache_ttl = Some("0".into()));
    let s = Session::open(&uncached, any_keys()).expect("session");
    s.resolve().await.expect("1");
    s.resolve().await.expect("2");
    assert_eq!(moto::get_secret_value_calls(&name), 3, "cache TTL 0: every resolution reads");
}

/// What moto cannot produce on demand (an expired session token, throttling, a KMS decryption
/// failure), from a tiny server answering each operation with a canned response: STS by its
/// `Action`, Secrets Manager by its `X-Amz-Target`. Counts the requests per operation.
struct FaultAws {
    url: String,
    hits: Arc<std::sync::Mutex<std::collections::HashMap<String, usize>>>,
}

const STS_OK: &str = "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult>\
<Arn>arn:aws:iam::123456789012:user/fault</Arn><UserId>AIDAFAULT</UserId><Account>123456789012</Account>\
</GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>";
const DESCRIBE_OK: &str = r#"{"ARN":"arn:aws:secretsmanager:us-east-1:123456789012:secret:app-AbCdEf","Name":"app","VersionIdsToStages":{"v1":["AWSCURRENT"]}}"#;

impl FaultAws {
    /// `answers`: operation (`GetCallerIdentity`, `DescribeSecret`, `GetSecretValue`) →
    /// (status line, body). Operations not listed answer 200 with an empty JSON object.
    async fn start(answers: Vec<(&'static str, &'static str, &'static str)>) -> FaultAws {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let hits = Arc::new(std::sync::Mutex::new(std::collections::HashMap::new()));
        let answers = Arc::new(answers);
        let h = hits.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut sock, _)) = listener.accept().await else { return };
                let (answers, hits) = (answers.clone(), h.clone());
                tokio::spawn(async move {
                    let mut req = Vec::new();
                    let mut buf = [0u8; 8192];
                    // The head, then the body up to its Content-Length.
                    loop {
                        let Ok(n) = sock.read(&mut buf).await else { return };
                        if n == 0 {
                            break;
                        }
                        req.extend_from_slice(&buf[..n]);
                        let text = String::from_utf8_lossy(&req).to_string();
                        if let Some(end) = text.find("\r\n\r\n") {
                            let len = text[..end]
                                .lines()
                                .find_map(|l| {
                                    l.to_ascii_lowercase()
                                        .strip_prefix("content-length:")
                                        .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                                })
                                .unwrap_or(0);
                            if req.len() >= end + 4 + len {
                                break;
                            }
                        }
                    }
                    let text = String::from_utf8_lossy(&req).to_string();
                    let op = if let Some(l) =
                        text.lines().find(|l| l.to_ascii_lowercase().starts_with("x-amz-target:"))
                    {
                        l.rsplit('.').next().unwrap_or_default().trim().to_owned()
                    } else if text.contains("Action=GetCallerIdentity") {
                        "GetCallerIdentity".to_owned()
                    } else {
                        "other".to_owned()
                    };
                    *hits.lock().expect("hits").entry(op.clone()).or_default() += 1;
                    let (status, body) = answers
                        .iter()
                        .find(|(o, _, _)| *o == op)
                        .map(|(_, s, b)| (*s, *b))
                        .unwrap_or(("200 OK", if op == "GetCallerIdentity" { STS_OK } else { "{}" }));
                    let ctype = if body.starts_with('<') { "text/xml" } else { "application/x-amz-json-1.1" };
                    let resp = format!(
                        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = sock.write_all(resp.as_bytes()).await;
                    let _ = sock.shutdown().await;
                });
            }
        });
        FaultAws { url, hits }
    }

    fn hits(&self, op: &str) -> usize {
        self.hits.lock().expect("hits").get(op).copied().unwrap_or(0)
    }
}

#[tokio::test]
async fn aws_an_expired_session_token_is_named_under_its_field() {
    let server = FaultAws::start(vec![(
        "GetCallerIdentity",
        "403 Forbidden",
        "<ErrorResponse><Error><Type>Sender</Type><Code>ExpiredToken</Code><Message>The security token included in the request is expired</Message></Error><RequestId>1</RequestId></ErrorResponse>",
    )])
    .await;
    let creds = Credentials::aws_keys(
        SecretString::from("ASIAEXPIRED".to_owned()),
        &SecretString::from("temporary-secret".to_owned()),
        Some(&SecretString::from("expired-session-token".to_owned())),
    );
    let report = run_test(&aws_vault(&server.url, "app", "kv", |_| {}), &creds).await;
    assert_failed(&report, TestStage::Login, VaultErrorCode::AwsExpiredCredentials, "session_token");
    assert!(!serde_json::to_string(&report).expect("json").contains("expired-session-token"));
}

#[tokio::test]
async fn aws_throttling_is_retried_with_backoff_then_named() {
    let server = FaultAws::start(vec![(
        "DescribeSecret",
        "400 Bad Request",
        r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#,
    )])
    .await;
    let report = run_test(&aws_vault(&server.url, "app", "kv", |_| {}), &any_keys()).await;
    let f = report.failure().expect("fails");
    assert_eq!(f.code, VaultErrorCode::AwsThrottled, "{report:#?}");
    assert!(f.message.contains("secretsmanager:DescribeSecret"), "{}", f.message);
    assert!(
        server.hits("DescribeSecret") > 1,
        "retried before giving up: {} request(s)",
        server.hits("DescribeSecret")
    );
}

#[tokio::test]
async fn aws_a_kms_decryption_failure_is_named() {
    let server = FaultAws::start(vec![
        ("DescribeSecret", "200 OK", DESCRIBE_OK),
        (
            "GetSecretValue",
            "400 Bad Request",
            r#"{"__type":"DecryptionFailure","message":"Secrets Manager can't decrypt the protected secret text using the provided KMS key."}"#,
        ),
    ])
    .await;
    let report = run_test(&aws_vault(&server.url, "app", "kv", |_| {}), &any_keys()).await;
    assert_failed(&report, TestStage::Read, VaultErrorCode::AwsDecryptionFailure, "aws_secret_id");
    assert!(report.failure().is_some_and(|f| f.hint.contains("kms:Decrypt")), "{report:#?}");
}

#[tokio::test]
async fn aws_a_role_is_assumed_on_top_of_the_keys() {
    let ep = moto::endpoint();
    let name = unique("sm-role/");
    moto::create_string(&name, r#"{"k":"v"}"#).await;
    let vault = aws_vault(&ep, &name, "kv", |i| {
        i.aws.aws_role_arn = Some("arn:aws:iam::123456789012:role/vaultdesk-reader".into());
        i.aws.aws_external_id = Some("ext-123".into());
    });
    let report = run_test(&vault, &any_keys()).await;
    assert!(report.ok, "{report:#?}");
    let login = &stage(&report, TestStage::Login).summary;
    assert!(
        login.contains("assumed-role/vaultdesk-reader/vaultdesk"),
        "GetCallerIdentity answers as the assumed role's session: {login}"
    );
    assert_eq!(resolve_json(&vault, any_keys()).await.expect("resolves")["k"], "v");
}
