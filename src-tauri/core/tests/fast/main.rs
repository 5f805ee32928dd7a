//! The fast tier: the use cases of `vaultdesk_core::ops::Core` on a real SQLite file with the
//! in-memory keyring, so `cargo test -p vaultdesk-core` needs no D-Bus, Vault or database. The
//! suites against the real services (feature `live-tests`) run in `tests/run.sh`.

// Test code: a failed expectation is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod leases;

use std::net::TcpListener;

use serde_json::json;
use vaultdesk_core::connector::{ConnectorInput, ConnectorPatch};
use vaultdesk_core::export::ExportFormat;
use vaultdesk_core::keyring::MemoryKeyring;
use vaultdesk_core::ops::{ConnectorSource, Reveal};
use vaultdesk_core::{
    AppRoleCredentials, Core, CredentialsPatch, Error, ErrorCode, SecretString, Store, VaultInput, VaultPatch,
};

struct Fixture {
    dir: tempfile::TempDir,
    keyring: MemoryKeyring,
    core: Core,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let keyring = MemoryKeyring::default();
    let store = Store::open_with_keyring(dir.path(), Box::new(keyring.clone())).expect("open");
    Fixture { core: Core::new(store), dir, keyring }
}

/// A port nothing listens on: any request to it fails at once, so a test can tell "Vault was
/// never asked" from "Vault was asked and failed".
fn closed_port_url() -> String {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    drop(l);
    format!("http://127.0.0.1:{port}")
}

fn kv(name: &str, url: &str) -> VaultInput {
    VaultInput {
        name: name.into(),
        url: url.into(),
        engine_name: "secret".into(),
        engine_type: "kv2".into(),
        path: Some("app".into()),
        ..Default::default()
    }
}

fn creds(tag: &str) -> AppRoleCredentials {
    AppRoleCredentials {
        role_id: SecretString::from(format!("role-{tag}")),
        secret_id: SecretString::from(format!("secret-{tag}")),
    }
}

fn rest(name: &str, vault: Option<&str>, config: serde_json::Value) -> ConnectorInput {
    ConnectorInput { name: name.into(), kind: "rest".into(), vault: vault.map(Into::into), config }
}

#[tokio::test]
async fn the_vault_list_names_every_connector_using_each_vault() {
    let f = fixture();
    let url = closed_port_url();
    for v in ["alpha", "beta", "gamma"] {
        f.core.add_vault(kv(v, &url), creds(v)).await.expect("add vault");
    }
    // Selects alpha; references beta under another spelling; references nothing of gamma.
    f.core
        .add_connector(rest("api", Some("alpha"), json!({"base_url": "https://x/{{secrets.BETA.url}}"})))
        .await
        .expect("add connector");
    f.core
        .add_connector(rest("billing", None, json!({"base_url": "https://y/{{secrets.beta.url}}"})))
        .await
        .expect("add connector");
    let list = f.core.list_vaults().await.expect("list");
    let used: Vec<(&str, Vec<&str>)> = list
        .iter()
        .map(|s| (s.vault.spec.name.as_str(), s.used_by.iter().map(String::as_str).collect()))
        .collect();
    assert_eq!(used, [("alpha", vec!["api"]), ("beta", vec!["api", "billing"]), ("gamma", vec![])]);
    assert_eq!(list[0].cache_ttl, "5m", "durations are written as the CLI takes them");
}

#[tokio::test]
async fn a_renamed_vault_takes_its_references_and_credentials_along() {
    let f = fixture();
    let url = closed_port_url();
    let added = f.core.add_vault(kv("old", &url), creds("r")).await.expect("add");
    f.core
        .add_connector(rest(
            "api",
            None,
            json!({"base_url": "https://x/{{secrets.old.url}}{{secrets.[old].a}}"}),
        ))
        .await
        .expect("add connector");
    let patch = VaultPatch { rename: Some("new".into()), ..Default::default() };
    let renamed =
        f.core.update_vault("old".into(), patch, CredentialsPatch::default()).await.expect("rename");
    assert_eq!(renamed.vault.id, added.vault.id, "the id (and with it the keyring entries) stays");
    assert_eq!(renamed.used_by, ["api"], "the reference now names the new vault");
    let c = f.core.get_connector("api".into()).await.expect("get");
    assert_eq!(c.config["base_url"], "https://x/{{secrets.new.url}}{{secrets.[new].a}}");
    let accounts = f.keyring.accounts();
    assert_eq!(accounts.len(), 2, "one Role ID and one Secret ID: {accounts:?}");
    assert!(accounts.iter().all(|a| a.contains(&added.vault.id)));
}

#[tokio::test]
async fn a_vault_in_use_is_kept_until_removal_is_forced() {
    let f = fixture();
    let url = closed_port_url();
    f.core.add_vault(kv("kv", &url), creds("k")).await.expect("add");
    f.core
        .add_connector(rest("api", Some("kv"), json!({"base_url": "https://x"})))
        .await
        .expect("add connector");
    let err = f.core.remove_vault("kv".into(), false).await.expect_err("in use");
    assert_eq!(err.code(), ErrorCode::InUse);
    assert_eq!(err.payload().connectors, ["api"], "the refusal names the connector");
    assert_eq!(f.keyring.accounts().len(), 2, "nothing was removed from the keyring");
    f.core.remove_vault("kv".into(), true).await.expect("forced");
    assert!(f.keyring.accounts().is_empty(), "both keyring entries are gone");
    let c = f.core.get_connector("api".into()).await.expect("connector stays");
    assert_eq!(c.vault, None, "its selection is cleared");
}

#[tokio::test]
async fn a_keyring_failure_leaves_sqlite_and_the_keyring_as_they_were() {
    let f = fixture();
    let url = closed_port_url();
    // Add: the Secret ID write fails after the Role ID was written.
    f.keyring.fail_on(Some("secret_id"));
    let err = f.core.add_vault(kv("half", &url), creds("h")).await.expect_err("keyring fails");
    assert_eq!(err.code(), ErrorCode::KeyringUnavailable);
    f.keyring.fail_on(None);
    assert!(f.core.list_vaults().await.expect("list").is_empty(), "no row");
    assert!(f.keyring.accounts().is_empty(), "the Role ID written first was removed again");

    // Update: replacing both IDs fails on the second; the first is put back.
    let v = f.core.add_vault(kv("whole", &url), creds("old")).await.expect("add");
    f.keyring.fail_on(Some("secret_id"));
    let new = CredentialsPatch {
        role_id: Some(SecretString::from("role-new".to_owned())),
        secret_id: Some(SecretString::from("secret-new".to_owned())),
        ..CredentialsPatch::default()
    };
    let patch = VaultPatch { cache_ttl: Some("1h".into()), ..Default::default() };
    f.core.update_vault("whole".into(), patch, new).await.expect_err("keyring fails");
    f.keyring.fail_on(None);
    let role_account = f.keyring.accounts().into_iter().find(|a| a.ends_with("role_id")).expect("role id");
    assert_eq!(f.keyring.value(&role_account).as_deref(), Some("role-old"), "the old Role ID is back");
    let after = f.core.show_vault("whole".into()).await.expect("show");
    assert_eq!(after.summary.cache_ttl, "5m", "the row was not changed either");
    assert_eq!(after.summary.vault.updated_at, v.vault.updated_at);

    // Remove: deleting the second entry fails; the first is written back and the row stays.
    f.keyring.fail_on(Some("secret_id"));
    f.core.remove_vault("whole".into(), false).await.expect_err("keyring fails");
    f.keyring.fail_on(None);
    assert_eq!(f.keyring.accounts().len(), 2, "both entries are there again");
    assert_eq!(f.core.list_vaults().await.expect("list").len(), 1, "and the row");
}

#[tokio::test]
async fn a_preview_of_a_form_names_a_missing_vault_under_its_field_without_asking_vault() {
    let f = fixture();
    // The form is still being typed (no name, no base URL): only the vault problem is reported.
    let form = rest("", None, json!({"headers": {"Authorization": "Bearer {{secrets.nowhere.token}}"}}));
    let err = f.core.preview(ConnectorSource::Form(form), Reveal::Masked).await.expect_err("missing vault");
    let payload = err.payload();
    assert_eq!(payload.code, ErrorCode::InvalidInput);
    let fields: Vec<&str> = payload.fields.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["config.headers.Authorization"], "{payload:?}");
    assert!(payload.fields[0].message.contains("\"nowhere\""), "{payload:?}");
}

#[tokio::test]
async fn export_all_refuses_an_existing_target_before_any_vault_request() {
    let f = fixture();
    let url = closed_port_url();
    f.core.add_vault(kv("kv", &url), creds("k")).await.expect("add");
    f.core
        .add_connector(rest("api", Some("kv"), json!({"base_url": "https://x/{{secrets.kv.path}}"})))
        .await
        .expect("add connector");
    let out = f.dir.path().join("out");
    std::fs::create_dir(&out).expect("mkdir");
    std::fs::write(out.join("api.json"), "mine").expect("write");
    let err = f.core.export_all(out.clone(), ExportFormat::Json, false).await.expect_err("exists");
    // Had Vault been asked, the closed port would have failed it first with a Vault error.
    assert!(matches!(err, Error::FileExists { .. }), "{err:?}");
    assert_eq!(std::fs::read_to_string(out.join("api.json")).expect("read"), "mine", "untouched");
}

#[tokio::test]
async fn an_unreachable_vault_is_a_vault_error_naming_its_address() {
    let f = fixture();
    let url = closed_port_url();
    f.core.add_vault(kv("kv", &url), creds("k")).await.expect("add");
    let form = rest("api", Some("kv"), json!({"base_url": "https://x/{{secrets.kv.path}}"}));
    let err = f.core.preview(ConnectorSource::Form(form), Reveal::Masked).await.expect_err("unreachable");
    let payload = err.payload();
    assert_eq!(payload.code, ErrorCode::Vault, "{payload:?}");
    assert!(payload.message.contains(&url), "{}", payload.message);
    // The app sends the error itself: it serialises as this payload.
    assert_eq!(serde_json::to_value(&err).expect("json"), serde_json::to_value(&payload).expect("json"));
}

#[tokio::test]
async fn updating_a_connector_from_its_form_replaces_every_field() {
    let f = fixture();
    let url = closed_port_url();
    f.core.add_vault(kv("kv", &url), creds("k")).await.expect("add");
    f.core
        .add_connector(rest("api", Some("kv"), json!({"base_url": "https://x", "timeout": "5s"})))
        .await
        .expect("add connector");
    let form = rest("api2", None, json!({"base_url": "https://y"}));
    let s = f.core.update_connector("api".into(), ConnectorPatch::from_form(form)).await.expect("update");
    assert_eq!(s.connector.name, "api2");
    assert_eq!(s.connector.vault, None, "an empty vault in the form clears the selection");
    assert_eq!(s.connector.config, json!({"base_url": "https://y"}), "fields absent from the form are gone");
}

#[test]
fn opening_an_up_to_date_store_takes_no_write_lock() {
    let dir = tempfile::tempdir().expect("tempdir");
    drop(Store::open_with_keyring(dir.path(), Box::new(MemoryKeyring::default())).expect("create"));
    // Another process holds the write lock (as a long `vault add` would)...
    let other = rusqlite::Connection::open(dir.path().join(vaultdesk_core::store::DB_FILE)).expect("open");
    other.execute_batch("BEGIN IMMEDIATE").expect("lock");
    // ...and a second process opening the store to read is not kept waiting for it.
    let store =
        Store::open_with_keyring(dir.path(), Box::new(MemoryKeyring::default())).expect("open while locked");
    assert!(store.list_vaults().expect("read while locked").is_empty());
    other.execute_batch("ROLLBACK").expect("unlock");
}

/// A keyring failure in the middle of an update leaves the old pair in place; what could not be
/// cleaned up then (the keyring still failing) is settled by the next open once the process
/// that made the change is gone.
#[test]
fn a_keyring_failure_during_an_update_keeps_the_old_pair() {
    let f = fixture();
    let rt = tokio::runtime::Builder::new_current_thread().build().expect("rt");
    rt.block_on(f.core.add_vault(kv("one", "http://127.0.0.1:1"), creds("old"))).expect("add");
    f.keyring.fail_on(Some("secret_id.pending"));
    let patch = CredentialsPatch {
        role_id: Some(SecretString::from("role-new".to_owned())),
        secret_id: Some(SecretString::from("secret-new".to_owned())),
        ..CredentialsPatch::default()
    };
    let err =
        rt.block_on(f.core.update_vault("one".into(), VaultPatch::default(), patch)).expect_err("fails");
    assert_eq!(err.code(), ErrorCode::KeyringUnavailable, "{err}");
    f.keyring.fail_on(None);
    drop(f.core);
    let store = Store::open_with_keyring(f.dir.path(), Box::new(f.keyring.clone())).expect("open");
    assert_eq!(store.intent_count().expect("count"), 0, "no change is left recorded");
    let values: Vec<String> = f.keyring.accounts().iter().filter_map(|a| f.keyring.value(a)).collect();
    assert_eq!(values.len(), 2, "no pending entry is left: {:?}", f.keyring.accounts());
    assert!(values.contains(&"role-old".to_owned()) && values.contains(&"secret-old".to_owned()));
}

#[tokio::test]
async fn stored_ids_follow_a_changed_server_only_when_given_again_or_confirmed() {
    use vaultdesk_core::ops::TestTarget;
    let f = fixture();
    let url = closed_port_url();
    f.core.add_vault(kv("prod", &url), creds("p")).await.expect("add");
    let moved = VaultPatch { url: Some("https://elsewhere.example:8200".into()), ..Default::default() };
    let target = || TestTarget::Stored { name: "prod".into(), patch: moved.clone() };

    let err = f.core.prepare_test(target(), CredentialsPatch::default()).await.expect_err("refused");
    let payload = err.payload();
    assert_eq!(payload.code, ErrorCode::ConfirmCredentials);
    assert_eq!(payload.fields[0].field, "secret_id", "the form puts it under the Secret ID");
    let t = payload.credentials_target.expect("names both servers");
    assert_eq!((t.stored_host, t.new_host), (url.clone(), "https://elsewhere.example:8200".to_owned()));
    let err = f.core.update_vault("prod".into(), moved.clone(), CredentialsPatch::default()).await;
    assert_eq!(err.expect_err("refused").code(), ErrorCode::ConfirmCredentials);
    assert_eq!(
        f.core.show_vault("prod".into()).await.expect("show").summary.vault.spec.url,
        url,
        "unchanged"
    );

    let confirmed = CredentialsPatch { reuse_credentials: true, ..CredentialsPatch::default() };
    f.core.prepare_test(target(), confirmed.clone()).await.expect("confirmed");
    let given =
        CredentialsPatch { secret_id: Some(SecretString::from("new-secret")), ..CredentialsPatch::default() };
    f.core.prepare_test(target(), given).await.expect("Secret ID given again");
    f.core.update_vault("prod".into(), moved, confirmed).await.expect("moved, confirmed");
}

fn with_auth(mut input: VaultInput, method: &str, user: Option<&str>) -> VaultInput {
    input.auth_method = Some(method.into());
    input.auth_username = user.map(Into::into);
    input
}

#[tokio::test]
async fn a_token_or_password_vault_keeps_one_keyring_entry_and_a_method_change_needs_its_secret() {
    let f = fixture();
    let url = closed_port_url();
    let token = CredentialsPatch {
        secret_id: Some(SecretString::from("hvs.tok-1".to_owned())),
        ..Default::default()
    };
    f.core.add_vault(with_auth(kv("tok", &url), "token", None), token).await.expect("add token vault");
    let mine: Vec<String> = f.keyring.accounts();
    assert_eq!(mine.len(), 1, "only the token is stored: {mine:?}");
    assert!(mine[0].ends_with("/secret_id"), "{mine:?}");

    let missing = f
        .core
        .add_vault(with_auth(kv("pw", &url), "userpass", Some("jane")), CredentialsPatch::default())
        .await
        .expect_err("no password");
    assert_eq!(missing.payload().fields.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["password"]);
    let pw = CredentialsPatch {
        secret_id: Some(SecretString::from(" two words ".to_owned())),
        ..Default::default()
    };
    let added = f.core.add_vault(with_auth(kv("pw", &url), "userpass", Some("jane")), pw).await.expect("add");
    assert_eq!(added.vault.spec.auth_username.as_deref(), Some("jane"));
    assert_eq!(f.keyring.accounts().len(), 2);

    // AppRole -> token without the token: refused, nothing changes.
    f.core.add_vault(kv("ar", &url), creds("ar")).await.expect("add approle");
    assert_eq!(f.keyring.accounts().len(), 4);
    let to_token = VaultPatch { auth_method: Some("token".into()), ..Default::default() };
    let err = f
        .core
        .update_vault("ar".into(), to_token.clone(), CredentialsPatch::default())
        .await
        .expect_err("refused");
    assert_eq!(err.payload().fields.first().map(|e| e.field.as_str()), Some("token"), "{err}");
    assert!(err.to_string().contains("AppRole to Token"), "{err}");
    let confirmed = CredentialsPatch { reuse_credentials: true, ..Default::default() };
    f.core
        .update_vault("ar".into(), to_token.clone(), confirmed)
        .await
        .expect_err("a confirmation is no token");
    assert_eq!(
        f.core.show_vault("ar".into()).await.expect("show").summary.vault.spec.auth_method.as_str(),
        "approle"
    );
    // With the token: the method changes and the Role ID leaves the keyring.
    let given = CredentialsPatch {
        secret_id: Some(SecretString::from("hvs.tok-2".to_owned())),
        ..Default::default()
    };
    let updated = f.core.update_vault("ar".into(), to_token, given).await.expect("update");
    assert_eq!(updated.vault.spec.auth_method.as_str(), "token");
    assert_eq!(updated.vault.spec.auth_mount, "token");
    let accounts = f.keyring.accounts();
    assert_eq!(accounts.len(), 3, "the unused Role ID is deleted: {accounts:?}");
    let doctor = f.core.doctor(false).await.expect("doctor");
    assert!(!doctor.needs_attention(), "in step: {:?}", doctor.findings);
}

#[test]
fn a_database_of_the_previous_schema_keeps_its_vaults_and_connectors_as_approle() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keyring = MemoryKeyring::default();
    {
        let mut store = Store::open_with_keyring(dir.path(), Box::new(keyring.clone())).expect("open");
        store.add_vault(&kv("old", "http://127.0.0.1:8200"), &creds("old").into()).expect("add");
        store
            .add_connector(&rest("api", Some("old"), json!({"base_url": "https://x/{{secrets.old.url}}"})))
            .expect("connector");
    }
    // Roll the schema back to version 5 as an older vaultdesk wrote it: no login-method columns
    // and the old engine_type CHECK.
    let db = dir.path().join(vaultdesk_core::store::DB_FILE);
    let conn = rusqlite::Connection::open(&db).expect("sqlite");
    conn.execute_batch(
        "PRAGMA foreign_keys = OFF;
         BEGIN;
         CREATE TABLE v5 AS SELECT id, name, provider, url, namespace, auth_mount, engine_name, engine_type,
           path, db_role, connection_name, cache_ttl_secs, created_at, updated_at, tls_ca_cert, tls_client_cert,
           tls_client_key, tls_skip_verify, connect_timeout_secs, request_timeout_secs, allow_http FROM vaults;
         DROP TABLE vaults;
         CREATE TABLE vaults (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE, provider TEXT NOT NULL,
           url TEXT NOT NULL, namespace TEXT, auth_mount TEXT NOT NULL, engine_name TEXT NOT NULL,
           engine_type TEXT NOT NULL CHECK (engine_type IN ('kv2','mysql','mariadb','postgresql','mongodb')),
           path TEXT, db_role TEXT, connection_name TEXT, cache_ttl_secs INTEGER NOT NULL, created_at TEXT NOT NULL,
           updated_at TEXT NOT NULL, tls_ca_cert TEXT, tls_client_cert TEXT, tls_client_key TEXT,
           tls_skip_verify INTEGER NOT NULL DEFAULT 0, connect_timeout_secs INTEGER NOT NULL DEFAULT 10,
           request_timeout_secs INTEGER NOT NULL DEFAULT 30, allow_http INTEGER NOT NULL DEFAULT 0) STRICT;
         INSERT INTO vaults SELECT * FROM v5;
         DROP TABLE v5;
         PRAGMA user_version = 5;
         COMMIT;",
    )
    .expect("downgrade");
    drop(conn);
    let store = Store::open_with_keyring(dir.path(), Box::new(keyring)).expect("upgrade on open");
    let v = store.get_vault("old").expect("kept");
    assert_eq!((v.spec.auth_method.as_str(), v.spec.auth_mount.as_str()), ("approle", "approle"));
    let connectors = store.list_connectors().expect("connectors");
    assert_eq!(connectors.len(), 1);
    assert_eq!(connectors[0].vault.as_deref(), Some("old"), "the connector still selects its vault");
    assert!(store.credentials(&v).is_ok(), "its keyring entries are still found");
}
