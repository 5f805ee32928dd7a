//! Login methods other than AppRole against the real OpenBao: the admin's own token (used,
//! renewed, never revoked), userpass (a password with spaces; a wrong one named under its
//! field), a response-wrapped Secret ID (unwrapped once on save; a second unwrap is a security
//! warning), and "Refresh now" after a rotation.

use serde_json::json;
use vaultdesk_core::keyring::MemoryKeyring;
use vaultdesk_core::ops::TestTarget;
use vaultdesk_core::provider::vault::{test_vault, StageStatus, TestStage, VaultErrorCode, VaultSession};
use vaultdesk_core::{
    AuthMethod, Core, Credentials, CredentialsPatch, ErrorCode, SecretString, Store, VaultInput,
};

use super::{assert_named, kv_data, stage};
use crate::common::bao::{unique, Bao};

/// A KV v2 mount with `data` at app/config and a policy that may read it; (mount, policy).
async fn readable_kv(bao: &Bao, data: serde_json::Value) -> (String, String) {
    let mount = unique("kv");
    bao.enable_kv2(&mount).await;
    bao.put_kv2(&mount, "app/config", data).await;
    let policy = unique("pol");
    bao.policy(
        &policy,
        &format!("path \"{mount}/data/app/*\" {{ capabilities = [\"read\"] }}\npath \"{mount}/subkeys/app/*\" {{ capabilities = [\"read\"] }}"),
    )
    .await;
    (mount, policy)
}

fn kv_vault(
    bao: &Bao,
    mount: &str,
    method: AuthMethod,
    auth_mount: &str,
    user: Option<&str>,
) -> vaultdesk_core::Vault {
    let mut v = crate::common::bao::vault(
        bao,
        auth_mount,
        mount,
        vaultdesk_core::EngineType::Kv2,
        Some("app/config"),
        None,
        60,
    );
    v.spec.auth_method = method;
    v.spec.auth_username = user.map(str::to_owned);
    v
}

fn core() -> (tempfile::TempDir, Core) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open_with_keyring(dir.path(), Box::new(MemoryKeyring::default())).expect("store");
    (dir, Core::new(store))
}

fn input(bao: &Bao, name: &str, mount: &str) -> VaultInput {
    VaultInput {
        name: name.into(),
        url: bao.addr.clone(),
        engine_name: mount.into(),
        engine_type: "kv2".into(),
        path: Some("app/config".into()),
        ..VaultInput::default()
    }
}

#[tokio::test]
async fn the_admins_own_token_is_used_and_never_revoked() {
    let bao = Bao::shared();
    let (mount, policy) = readable_kv(&bao, json!({"password": "s3cret"})).await;
    let token = bao.token(&[&policy], "1h").await;
    let vault = kv_vault(&bao, &mount, AuthMethod::Token, "token", None);
    let creds = Credentials::Token(SecretString::from(token.clone()));

    let report = test_vault(&vault.spec, &creds).await;
    assert!(report.ok, "{report:#?}");
    let login = stage(&report, TestStage::Login);
    assert!(login.summary.starts_with("the given token: policies"), "{login:#?}");
    assert!(login.summary.contains(&policy) && login.summary.contains("renewable"), "{login:#?}");

    let session = VaultSession::new(&vault, creds.clone()).expect("session");
    assert_eq!(kv_data(&session.resolve().await.expect("resolve")).get("password"), Some(&json!("s3cret")));
    session.close().await;
    // Closing a session (and the Test) revoked nothing of the admin's: the token still works.
    let own = Bao::at(&bao.addr, &token);
    let me = own.get("auth/token/lookup-self").await;
    assert!(me["data"]["policies"].to_string().contains(&policy), "token alive: {me}");

    // A revoked token is a named error under the Token field, saying how to replace it.
    bao.post("auth/token/revoke", json!({"token": token})).await;
    let report = test_vault(&vault.spec, &creds).await;
    assert_named(&report, VaultErrorCode::TokenInvalid, "token", "--token-file");
}

#[tokio::test]
async fn userpass_logs_in_with_a_password_with_spaces_and_names_a_wrong_one() {
    let bao = Bao::shared();
    let (mount, policy) = readable_kv(&bao, json!({"api_key": "k-1"})).await;
    let auth = unique("up");
    bao.post(&format!("sys/auth/{auth}"), json!({"type": "userpass"})).await;
    bao.post(
        &format!("auth/{auth}/users/jane"),
        json!({"password": " pass phrase 1 ", "token_policies": policy}),
    )
    .await;
    let vault = kv_vault(&bao, &mount, AuthMethod::Userpass, &auth, Some("jane"));

    let right = Credentials::Password(SecretString::from(" pass phrase 1 ".to_owned()));
    let report = test_vault(&vault.spec, &right).await;
    assert!(report.ok, "{report:#?}");
    assert!(
        stage(&report, TestStage::Login).summary.starts_with("Username & password as jane"),
        "{report:#?}"
    );
    let session = VaultSession::new(&vault, right).expect("session");
    assert_eq!(kv_data(&session.resolve().await.expect("resolve")).get("api_key"), Some(&json!("k-1")));
    session.close().await;

    let wrong = Credentials::Password(SecretString::from("pass phrase 1".to_owned()));
    let report = test_vault(&vault.spec, &wrong).await;
    assert_named(&report, VaultErrorCode::WrongPassword, "password", "check the user name and password");
    assert!(report.failure().expect("f").message.contains("\"jane\""), "names the user: {report:#?}");
    let text = format!("{report:?}");
    assert!(!text.contains("pass phrase"), "no password in the report");

    // Through the store: only the password goes to the keyring; a form Test of the stored vault
    // with the password left empty uses it.
    let (_dir, core) = core();
    let mut form = input(&bao, "team", &mount);
    form.auth_method = Some("userpass".into());
    form.auth_mount = Some(auth.clone());
    form.auth_username = Some("jane".into());
    let pw = CredentialsPatch {
        secret_id: Some(SecretString::from(" pass phrase 1 ".to_owned())),
        ..Default::default()
    };
    core.add_vault(form, pw).await.expect("add userpass vault");
    let (_, report) = core
        .test_vault(
            TestTarget::Stored { name: "team".into(), patch: Default::default() },
            CredentialsPatch::default(),
            &mut |_| {},
        )
        .await
        .expect("test stored");
    assert!(report.ok, "{report:#?}");
}

#[tokio::test]
async fn a_wrapped_secret_id_is_unwrapped_once_when_saved_and_a_second_unwrap_is_a_warning() {
    let bao = Bao::shared();
    let (mount, policy) = readable_kv(&bao, json!({"user": "svc"})).await;
    let auth = unique("ar");
    let ids = bao.approle(&auth, &[&policy], json!({})).await;
    let role_id = ids.role_id.clone();
    let wrapping = bao.post_wrapped(&format!("auth/{auth}/role/app/secret-id"), json!({}), "300s").await;
    let (_dir, core) = core();
    let mut form = input(&bao, "wrapped", &mount);
    form.auth_mount = Some(auth.clone());
    let given = CredentialsPatch {
        role_id: Some(role_id.clone()),
        secret_id: Some(SecretString::from(wrapping.clone())),
        secret_id_wrapped: true,
        ..Default::default()
    };

    // The Test only looks the wrapping token up: afterwards it can still be unwrapped.
    let (_, report) =
        core.test_vault(TestTarget::Unsaved(form.clone()), given.clone(), &mut |_| {}).await.expect("test");
    assert!(report.ok, "{report:#?}");
    let login = stage(&report, TestStage::Login);
    assert!(
        login.summary.contains("not yet unwrapped") && login.summary.contains("/secret-id"),
        "{login:#?}"
    );
    assert_eq!(stage(&report, TestStage::Read).status, StageStatus::Skipped);

    // Save unwraps it; the stored Secret ID logs in.
    core.add_vault(form.clone(), given.clone()).await.expect("add with a wrapped Secret ID");
    let (_, report) = core
        .test_vault(
            TestTarget::Stored { name: "wrapped".into(), patch: Default::default() },
            CredentialsPatch::default(),
            &mut |_| {},
        )
        .await
        .expect("test stored");
    assert!(report.ok, "the unwrapped Secret ID works: {report:#?}");

    // The same wrapping token again (as if someone had unwrapped it first): a security warning,
    // and nothing is stored.
    form.name = "again".into();
    let err = core.add_vault(form.clone(), given.clone()).await.expect_err("already unwrapped");
    assert_eq!(err.code(), ErrorCode::Vault, "{err}");
    assert!(err.to_string().contains("SECURITY") && err.to_string().contains("already unwrapped"), "{err}");
    assert!(core.find_vault("again".into()).await.expect("find").is_none(), "nothing stored");
    let (_, report) = core.test_vault(TestTarget::Unsaved(form), given, &mut |_| {}).await.expect("test");
    assert_eq!(report.failure().map(|f| f.code), Some(VaultErrorCode::WrappingTokenInvalid), "{report:#?}");
}

#[tokio::test]
async fn refresh_now_serves_a_rotated_secret_at_once() {
    let bao = Bao::shared();
    let (mount, policy) = readable_kv(&bao, json!({"password": "old"})).await;
    let auth = unique("ar");
    let ids = bao.approle(&auth, &[&policy], json!({})).await;
    let (_dir, core) = core();
    let mut form = input(&bao, "rotating", &mount);
    form.auth_mount = Some(auth);
    form.cache_ttl = Some("1h".into());
    core.add_vault(form, ids).await.expect("add");
    let read = |c: &Core| {
        let c = c.clone();
        async move {
            let p = c
                .preview(
                    vaultdesk_core::ops::ConnectorSource::Form(vaultdesk_core::connector::ConnectorInput {
                        name: "p".into(),
                        kind: "rest".into(),
                        vault: None,
                        config: json!({"base_url": "https://x/{{secrets.rotating.password}}"}),
                    }),
                    vaultdesk_core::ops::Reveal::All,
                )
                .await
                .expect("preview");
            p.config["base_url"].as_str().expect("rendered").to_owned()
        }
    };
    assert_eq!(read(&core).await, "https://x/old");
    bao.put_kv2(&mount, "app/config", json!({"password": "new"})).await;
    assert_eq!(read(&core).await, "https://x/old", "cached for its TTL");
    let r = core.refresh_vault("rotating".into()).await.expect("refresh");
    assert_eq!(r.version, Some(2), "{r:?}");
    assert!(r.message.contains("version 2"), "{r:?}");
    assert_eq!(read(&core).await, "https://x/new", "the rotated value at once");
}

#[tokio::test]
async fn ldap_logs_in_through_a_real_slapd_and_names_a_wrong_password_and_a_server_down() {
    // OpenBao 2.7 dropped the built-in LDAP method: its last release with it serves this test.
    let server = crate::common::bao::OwnServer::start_binary("VAULTDESK_TEST_BAO_LDAP_BIN", "").await;
    let bao = &server.bao;
    let env = crate::common::bao::env;
    let (mount, policy) = readable_kv(bao, json!({"dsn": "postgres://db"})).await;
    let auth = unique("ldap");
    bao.post(&format!("sys/auth/{auth}"), json!({"type": "ldap"})).await;
    let config = |url: &str| {
        json!({
            "url": url, "userdn": env("VAULTDESK_TEST_LDAP_USERDN"), "userattr": "uid",
            "groupdn": env("VAULTDESK_TEST_LDAP_GROUPDN"), "groupattr": "cn",
            "binddn": env("VAULTDESK_TEST_LDAP_BINDDN"), "bindpass": env("VAULTDESK_TEST_LDAP_BINDPASS"),
            "insecure_tls": true, "starttls": false
        })
    };
    bao.post(&format!("auth/{auth}/config"), config(&env("VAULTDESK_TEST_LDAP_URL"))).await;
    // The policy comes through the LDAP group alice is a member of.
    bao.post(&format!("auth/{auth}/groups/dbadmins"), json!({"policies": policy})).await;
    let vault = kv_vault(bao, &mount, AuthMethod::Ldap, &auth, Some("alice"));

    let right = Credentials::Password(SecretString::from("alice-pw 1".to_owned()));
    let report = test_vault(&vault.spec, &right).await;
    assert!(report.ok, "{report:#?}");
    let login = stage(&report, TestStage::Login);
    assert!(login.summary.starts_with("LDAP as alice") && login.summary.contains(&policy), "{login:#?}");
    let session = VaultSession::new(&vault, right.clone()).expect("session");
    assert_eq!(kv_data(&session.resolve().await.expect("resolve")).get("dsn"), Some(&json!("postgres://db")));
    session.close().await;

    let wrong = Credentials::Password(SecretString::from("alice-pw".to_owned()));
    assert_named(
        &test_vault(&vault.spec, &wrong).await,
        VaultErrorCode::WrongPassword,
        "password",
        "user name and password",
    );

    // The same method pointed at an LDAP server that is down.
    let down = unique("ldapdown");
    bao.post(&format!("sys/auth/{down}"), json!({"type": "ldap"})).await;
    let closed = crate::common::bao::free_port();
    bao.post(&format!("auth/{down}/config"), config(&format!("ldap://127.0.0.1:{closed}"))).await;
    let mut unreachable = vault.clone();
    unreachable.spec.auth_mount = down;
    let report = test_vault(&unreachable.spec, &right).await;
    assert_named(&report, VaultErrorCode::LdapUnavailable, "auth_mount", "LDAP server");
}

/// base64url without padding, for the test's own JWTs.
fn b64url(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// An RS256 JWT over `claims`, signed by `key` (PEM) with openssl.
fn sign_jwt(dir: &std::path::Path, key: &std::path::Path, claims: &serde_json::Value) -> String {
    let input =
        format!("{}.{}", b64url(br#"{"alg":"RS256","typ":"JWT"}"#), b64url(claims.to_string().as_bytes()));
    let data = dir.join("signing-input");
    std::fs::write(&data, &input).expect("write");
    let out = std::process::Command::new("openssl")
        .args(["dgst", "-sha256", "-sign"])
        .arg(key)
        .arg(&data)
        .output()
        .expect("openssl runs");
    assert!(out.status.success(), "openssl: {}", String::from_utf8_lossy(&out.stderr));
    format!("{input}.{}", b64url(&out.stdout))
}

#[tokio::test]
async fn jwt_logs_in_as_a_role_and_names_an_expired_token_and_an_unknown_role() {
    let bao = Bao::shared();
    let dir = tempfile::tempdir().expect("tmp");
    let key = dir.path().join("key.pem");
    let ok = std::process::Command::new("openssl")
        .args(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out"])
        .arg(&key)
        .status()
        .expect("openssl");
    assert!(ok.success());
    let public = std::process::Command::new("openssl")
        .args(["pkey", "-pubout", "-in"])
        .arg(&key)
        .output()
        .expect("openssl");
    let public = String::from_utf8(public.stdout).expect("pem");
    let (mount, policy) = readable_kv(&bao, json!({"token": "t-jwt"})).await;
    let auth = unique("jwt");
    bao.post(&format!("sys/auth/{auth}"), json!({"type": "jwt"})).await;
    bao.post(
        &format!("auth/{auth}/config"),
        json!({"jwt_validation_pubkeys": [public], "bound_issuer": "vaultdesk-tests"}),
    )
    .await;
    bao.post(
        &format!("auth/{auth}/role/ci"),
        json!({"role_type": "jwt", "bound_audiences": ["vaultdesk"], "user_claim": "sub", "token_policies": [policy]}),
    )
    .await;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs();
    let claims = |exp: u64| json!({"iss": "vaultdesk-tests", "sub": "ci-bot", "aud": "vaultdesk", "iat": now - 7200, "nbf": now - 7200, "exp": exp});
    let mut vault = kv_vault(&bao, &mount, AuthMethod::Jwt, &auth, None);
    vault.spec.auth_role = Some("ci".into());

    let jwt = Credentials::Jwt(SecretString::from(sign_jwt(dir.path(), &key, &claims(now + 600))));
    let report = test_vault(&vault.spec, &jwt).await;
    assert!(report.ok, "{report:#?}");
    let session = VaultSession::new(&vault, jwt.clone()).expect("session");
    assert_eq!(kv_data(&session.resolve().await.expect("resolve")).get("token"), Some(&json!("t-jwt")));
    session.close().await;

    // Expired an hour ago: beyond OpenBao's default leeways (60s clock skew, 150s expiration).
    let expired = Credentials::Jwt(SecretString::from(sign_jwt(dir.path(), &key, &claims(now - 3600))));
    let report = test_vault(&vault.spec, &expired).await;
    assert_named(&report, VaultErrorCode::JwtRejected, "jwt", "not expired");

    let mut unknown = vault.clone();
    unknown.spec.auth_role = Some("nobody".into());
    assert_named(
        &test_vault(&unknown.spec, &jwt).await,
        VaultErrorCode::JwtRoleNotFound,
        "auth_role",
        "role name",
    );
}

#[tokio::test]
async fn a_login_namespace_apart_from_the_secrets_and_a_pinned_kv_version() {
    let bao = Bao::shared();
    let parent = unique("lns");
    bao.create_namespace(&parent).await;
    let in_parent = bao.in_namespace(&parent);
    in_parent.create_namespace("child").await;
    let child = bao.in_namespace(&format!("{parent}/child"));
    let kv = unique("kv");
    child.enable_kv2(&kv).await;
    child.put_kv2(&kv, "app/config", json!({"password": "one"})).await;
    child.put_kv2(&kv, "app/config", json!({"password": "two"})).await;
    // The AppRole lives in the parent namespace; its policy reaches into the child.
    let policy = unique("pol");
    in_parent
        .policy(
            &policy,
            &format!(
                "path \"child/{kv}/data/app/*\" {{ capabilities = [\"read\"] }}\npath \"child/{kv}/metadata/app/*\" {{ capabilities = [\"read\"] }}"
            ),
        )
        .await;
    let auth = unique("ar");
    let creds = in_parent.approle(&auth, &[&policy], json!({})).await;
    let mut vault = crate::common::bao::vault(
        &bao,
        &auth,
        &kv,
        vaultdesk_core::EngineType::Kv2,
        Some("app/config"),
        None,
        60,
    );
    vault.spec.namespace = Some(format!("{parent}/child"));

    let report = test_vault(&vault.spec, &creds).await;
    assert_named(&report, VaultErrorCode::AuthMountNotFound, "auth_mount", "login method is enabled");
    vault.spec.login_namespace = Some(parent.clone());
    let report = test_vault(&vault.spec, &creds).await;
    assert!(report.ok, "logs in to {parent}, reads in {parent}/child: {report:#?}");
    assert!(stage(&report, TestStage::Read).summary.starts_with("version 2"), "{report:#?}");

    // Pinned to version 1: the older value, and the Test shows both versions.
    vault.spec.kv_version = Some(1);
    let report = test_vault(&vault.spec, &creds).await;
    assert!(
        stage(&report, TestStage::Read).summary.starts_with("version 1 (pinned; current version 2)"),
        "{report:#?}"
    );
    let session = VaultSession::new(&vault, creds.clone()).expect("session");
    assert_eq!(kv_data(&session.resolve().await.expect("resolve")).get("password"), Some(&json!("one")));
    session.close().await;
    // Deleted, destroyed and missing versions are named under the Version field.
    child.post(&format!("{kv}/delete/app/config"), json!({"versions": [1]})).await;
    let report = test_vault(&vault.spec, &creds).await;
    assert_named(&report, VaultErrorCode::VersionUnavailable, "kv_version", "pin another version");
    assert!(report.failure().expect("f").message.ends_with("is deleted"), "{report:#?}");
    child.post(&format!("{kv}/destroy/app/config"), json!({"versions": [1]})).await;
    let report = test_vault(&vault.spec, &creds).await;
    assert!(report.failure().expect("f").message.contains("destroyed"), "{report:#?}");
    vault.spec.kv_version = Some(9);
    let report = test_vault(&vault.spec, &creds).await;
    assert!(
        report
            .failure()
            .expect("f")
            .message
            .contains("not a version of this secret (the current version is 2)"),
        "{report:#?}"
    );
    // The Test's capabilities were asked in the login namespace, with the child as a prefix.
    vault.spec.kv_version = None;
    let report = test_vault(&vault.spec, &creds).await;
    assert_eq!(stage(&report, TestStage::Capabilities).status, StageStatus::Passed, "{report:#?}");
}

#[tokio::test]
async fn the_test_reports_when_the_secret_id_expires_and_the_list_keeps_it() {
    let bao = Bao::shared();
    let (mount, policy) = readable_kv(&bao, json!({"k": "v"})).await;
    let auth = unique("ar");
    // The policy may look its own Secret ID up: the Test shows expiry and uses left.
    let lookup = unique("pol");
    bao.policy(
        &lookup,
        &format!("path \"auth/{auth}/role/app/secret-id/lookup\" {{ capabilities = [\"update\"] }}"),
    )
    .await;
    let ids = bao
        .approle(&auth, &[&policy, &lookup], json!({"secret_id_ttl": "72h", "secret_id_num_uses": 10}))
        .await;
    let (_dir, core) = core();
    let mut form = input(&bao, "expiring", &mount);
    form.auth_mount = Some(auth.clone());
    core.add_vault(form, ids).await.expect("add");
    assert_eq!(
        core.list_vaults().await.expect("list")[0].vault.secret_id_status,
        None,
        "nothing known before a Test"
    );

    let stored = || TestTarget::Stored { name: "expiring".into(), patch: Default::default() };
    let (_, report) =
        core.test_vault(stored(), CredentialsPatch::default(), &mut |_| {}).await.expect("test");
    assert!(report.ok, "{report:#?}");
    let login = stage(&report, TestStage::Login);
    assert_eq!(login.status, StageStatus::Warning, "3 days left is a warning: {login:#?}");
    assert!(
        login.summary.contains("Secret ID expires") && login.summary.contains(" UTC (in 2d23h"),
        "{login:#?}"
    );
    assert!(login.summary.contains("9 uses left"), "one use went to the Test's login: {login:#?}");
    let listed =
        core.list_vaults().await.expect("list")[0].vault.secret_id_status.clone().expect("kept for the list");
    assert_eq!(listed.uses_left, Some(9));
    assert!(listed.expires_at.is_some());

    // Without the lookup permission nothing is claimed.
    let auth2 = unique("ar");
    let ids2 = bao.approle(&auth2, &[&policy], json!({"secret_id_ttl": "72h"})).await;
    let vault = kv_vault(&bao, &mount, AuthMethod::Approle, &auth2, None);
    let report = test_vault(&vault.spec, &ids2).await;
    assert!(report.ok && report.secret_id.is_none(), "{report:#?}");
    assert_eq!(stage(&report, TestStage::Login).status, StageStatus::Passed);
}

/// An OIDC auth mount at the test run's OpenID provider, with role `app` (loopback redirects,
/// the KV policy) and role `nolocal` whose redirect vaultdesk cannot use; (auth mount, KV mount).
async fn oidc_fixture(bao: &Bao) -> (String, String) {
    let (mount, policy) = readable_kv(bao, json!({"password": "from-oidc"})).await;
    let auth = unique("oidc");
    bao.post(&format!("sys/auth/{auth}"), json!({"type": "oidc"})).await;
    bao.post(
        &format!("auth/{auth}/config"),
        json!({"oidc_discovery_url": crate::common::bao::env("VAULTDESK_TEST_OIDC_URL"),
               "oidc_client_id": "vaultdesk-test", "oidc_client_secret": "s3cret", "default_role": "app"}),
    )
    .await;
    bao.post(
        &format!("auth/{auth}/role/app"),
        json!({"role_type": "oidc", "user_claim": "sub", "token_policies": [policy],
               "allowed_redirect_uris": ["http://127.0.0.1:8250/oidc/callback"]}),
    )
    .await;
    bao.post(
        &format!("auth/{auth}/role/nolocal"),
        json!({"role_type": "oidc", "user_claim": "sub", "allowed_redirect_uris": ["https://elsewhere.example/cb"]}),
    )
    .await;
    (auth, mount)
}

/// The browser's part: at the provider's sign-in form, `action` (`sub=alice` signs in,
/// `action=deny` cancels); returns where the provider redirects to (the loopback listener).
async fn at_the_provider(auth_url: &str, form: &[(&str, &str)]) -> String {
    let http =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let r = http.post(auth_url).form(form).send().await.expect("provider answers");
    assert_eq!(r.status().as_u16(), 302, "the provider redirects: {:?}", r.text().await);
    r.headers()["location"].to_str().expect("location").to_owned()
}

#[tokio::test]
async fn oidc_signs_in_through_the_browser_flow_and_names_every_way_it_fails() {
    use std::time::Duration;
    let bao = Bao::shared();
    let (auth, mount) = oidc_fixture(&bao).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let keyring = MemoryKeyring::default();
    let core = Core::new(Store::open_with_keyring(dir.path(), Box::new(keyring.clone())).expect("store"));
    let mut form = input(&bao, "sso", &mount);
    form.auth_method = Some("oidc".into());
    form.auth_mount = Some(auth.clone());
    form.auth_role = Some("app".into());
    core.add_vault(form.clone(), CredentialsPatch::default()).await.expect("add an OIDC vault: no secret");
    assert!(keyring.accounts().is_empty(), "nothing in the keyring before a sign-in");
    let read = |c: Core| async move {
        let p = c
            .preview(
                vaultdesk_core::ops::ConnectorSource::Form(vaultdesk_core::connector::ConnectorInput {
                    name: "p".into(),
                    kind: "rest".into(),
                    vault: None,
                    config: json!({"base_url": "https://x/{{secrets.sso.password}}"}),
                }),
                vaultdesk_core::ops::Reveal::All,
            )
            .await;
        p.map(|p| p.config["base_url"].as_str().unwrap_or_default().to_owned())
    };
    let before = read(core.clone()).await;
    let before = before.expect_err("no sign-in yet").to_string();
    assert!(before.contains("OIDC login needed"), "{before}");

    // Sign in: the browser comes back to the loopback listener with code and state.
    let pending = core.oidc_login_start("sso".into()).await.expect("start");
    assert!(pending.auth_url().contains("code_challenge="), "Vault uses PKCE with the provider");
    let url = pending.auth_url().to_owned();
    let browser = tokio::spawn(async move {
        let back = at_the_provider(&url, &[("sub", "alice")]).await;
        assert!(back.starts_with("http://127.0.0.1:") && back.contains("/oidc/callback?code="), "{back}");
        let page = reqwest::get(&back).await.expect("listener").text().await.expect("page");
        assert!(page.contains("Signed in"), "{page}");
    });
    let report = core.oidc_login_finish(pending, false, Duration::from_secs(30)).await.expect("signed in");
    browser.await.expect("browser");
    assert!(!report.remembered && report.message.contains("kept in memory"), "{report:?}");
    assert_eq!(read(core.clone()).await.expect("preview"), "https://x/from-oidc");
    assert!(keyring.accounts().is_empty(), "not remembered: nothing in the keyring");

    // A redirect carrying another state is refused.
    let pending = core.oidc_login_start("sso".into()).await.expect("start");
    let url = pending.auth_url().to_owned();
    let browser = tokio::spawn(async move {
        let back = at_the_provider(&url, &[("sub", "alice")]).await;
        let forged = with_another_state(&back);
        let _ = reqwest::get(&forged).await;
    });
    let err =
        core.oidc_login_finish(pending, false, Duration::from_secs(30)).await.expect_err("state mismatch");
    browser.await.expect("browser");
    assert!(err.to_string().contains("another login's state"), "{err}");

    // Cancelled at the provider.
    let pending = core.oidc_login_start("sso".into()).await.expect("start");
    let url = pending.auth_url().to_owned();
    let browser = tokio::spawn(async move {
        let back = at_the_provider(&url, &[("action", "deny")]).await;
        assert!(back.contains("error=access_denied"), "{back}");
        let _ = reqwest::get(&back).await;
    });
    let err = core.oidc_login_finish(pending, false, Duration::from_secs(30)).await.expect_err("cancelled");
    browser.await.expect("browser");
    assert!(err.to_string().contains("cancelled"), "{err}");

    // Nobody comes back.
    let pending = core.oidc_login_start("sso".into()).await.expect("start");
    let err = core.oidc_login_finish(pending, false, Duration::from_secs(1)).await.expect_err("timeout");
    assert!(err.to_string().contains("did not come back within 1s"), "{err}");

    // A role that does not allow the loopback redirect.
    let mut other = form.clone();
    other.name = "sso2".into();
    other.auth_role = Some("nolocal".into());
    core.add_vault(other, CredentialsPatch::default()).await.expect("add");
    let err = core.oidc_login_start("sso2".into()).await.expect_err("not allowed");
    assert!(err.to_string().contains("does not allow vaultdesk's loopback redirect"), "{err}");

    // Remembered: in the keyring; a new process (another Core on the same data) reads with it.
    let pending = core.oidc_login_start("sso".into()).await.expect("start");
    let url = pending.auth_url().to_owned();
    let browser = tokio::spawn(async move {
        let back = at_the_provider(&url, &[("sub", "alice")]).await;
        let _ = reqwest::get(&back).await;
    });
    core.oidc_login_finish(pending, true, Duration::from_secs(30)).await.expect("signed in, remembered");
    browser.await.expect("browser");
    assert_eq!(keyring.accounts().len(), 1, "the remembered token");
    core.close().await;
    drop(core);
    let later = Core::new(Store::open_with_keyring(dir.path(), Box::new(keyring.clone())).expect("store"));
    assert_eq!(read(later.clone()).await.expect("preview with the remembered token"), "https://x/from-oidc");
    later.close().await;
    assert_eq!(
        read(later).await.expect("still valid: a remembered token is not revoked"),
        "https://x/from-oidc"
    );
}

/// `url` with its `state` query parameter replaced by another value.
fn with_another_state(url: &str) -> String {
    let mut u = url::Url::parse(url).expect("url");
    let pairs: Vec<(String, String)> = u
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "state" { "st_forged".to_owned() } else { v.into_owned() };
            (k.into_owned(), v)
        })
        .collect();
    u.query_pairs_mut().clear().extend_pairs(pairs);
    u.to_string()
}
