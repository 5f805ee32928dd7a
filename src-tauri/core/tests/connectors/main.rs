//! Connectors against the real services: a real SQLite store with the real OS keyring
//! (tests/scripts/keyring-session.sh), secrets in the real OpenBao dev server and dynamic
//! credentials from real PostgreSQL (tests/scripts/services.sh). What is rendered is parsed back
//! and compared with the stored secret byte for byte; what is requested is counted in the
//! server's audit log.

// Test code: a failed expectation is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

#[path = "../common/mod.rs"]
mod common;
mod leases;
mod test_connection;

use std::collections::BTreeSet;
use std::process::Command;

use serde_json::{json, Value};
use vaultdesk_core::connector::{ConnectorInput, ConnectorKind, ConnectorPatch};
use vaultdesk_core::export::{self, ExportFormat};
use vaultdesk_core::ops::{ConnectorSource, Reveal};
use vaultdesk_core::provider::VaultHub;
use vaultdesk_core::render::{self, RenderPlan};
use vaultdesk_core::template::{RenderMode, TemplateError, MASK};
use vaultdesk_core::{
    AppRoleCredentials, Core, CredentialsPatch, EngineType, Error, ErrorCode, Store, Vault, VaultPatch,
};

use common::audit::{login_tokens, revoked_itself};
use common::bao::{self, env, unique, Bao};
use common::keyring::require_keyring_session;
use common::postgres::{pg_engine, pg_login, PgEngine, PgVault};

/// A store in a fresh directory holding `vault` (credentials in the real keyring).
fn store_with(dir: &std::path::Path, vaults: &[(&Vault, &AppRoleCredentials)]) -> Store {
    require_keyring_session();
    let mut store = Store::open(dir).expect("open store");
    for (v, c) in vaults {
        store.add_vault(&v.spec.to_input(), &(*c).clone().into()).expect("add vault");
    }
    store
}

fn add(
    store: &mut Store,
    name: &str,
    kind: &str,
    vault: Option<&str>,
    config: Value,
) -> vaultdesk_core::Result<()> {
    store
        .add_connector(&ConnectorInput {
            name: name.into(),
            kind: kind.into(),
            vault: vault.map(Into::into),
            config,
        })
        .map(drop)
}

/// Values a naive text template would break: quotes, backslashes, newlines, unicode, `=`, `{{`.
fn hard_secret() -> Value {
    json!({
        "quote": "he said \"hi\" and 'bye'",
        "backslash": "C:\\temp\\new\\x",
        "pem": "-----BEGIN PRIVATE KEY-----\nMIIB+gIBADANBgkq\nhkiG9w0BAQ==\n-----END PRIVATE KEY-----\n",
        "unicode": "pässwörd ✓ 密码 🔑",
        "eq": "a=b==c; x=${HOME} $(id) `id`",
        "braces": "{{secrets.not.a.ref}} }} {{",
        "yamlish": "yes",
        "zip": "0123",
        "port": 5432,
        "ratio": 0.25,
        "enabled": true,
        "nothing": null,
        "nested": {"deep": {"deeper": ["x", {"key with space": "sp", "dash-key": "dk", "dot.key": "dt"}]}},
    })
}

/// Connector config referencing every hard value, whole (typed) and inside text.
fn hard_config(v: &str) -> Value {
    json!({
        "base_url": format!("https://api.example/{{{{urlencode secrets.{v}.unicode}}}}"),
        "headers": {
            "X-Quote": format!("{{{{secrets.{v}.quote}}}}"),
            "X-Backslash": format!("{{{{secrets.{v}.backslash}}}}"),
            "X-Pem": format!("{{{{secrets.{v}.pem}}}}"),
            "X-Unicode": format!("{{{{secrets.{v}.unicode}}}}"),
            "X-Eq": format!("{{{{secrets.{v}.eq}}}}"),
            "X-Braces": format!("{{{{secrets.{v}.braces}}}}"),
            "X-Yamlish": format!("{{{{secrets.{v}.yamlish}}}}"),
            "X-Zip": format!("{{{{secrets.{v}.zip}}}}"),
            "X-Port": format!("{{{{secrets.{v}.port}}}}"),
            "X-Mixed": format!("port={{{{secrets.{v}.port}}}};on={{{{secrets.{v}.enabled}}}};q={{{{secrets.{v}.quote}}}}"),
            "X-Deep": format!("{{{{secrets.{v}.nested.deep.deeper.1.[key with space]}}}}|{{{{secrets.{v}.nested.deep.deeper.[1].[dot.key]}}}}|{{{{secrets.{v}.nested.deep.deeper.1.dash-key}}}}"),
            "X-B64": format!("{{{{base64 secrets.{v}.pem}}}}"),
        },
        "query": {"ratio": format!("{{{{secrets.{v}.ratio}}}}"), "enabled": format!("{{{{secrets.{v}.enabled}}}}")},
        "auth": {"type": "bearer", "token": format!("{{{{json secrets.{v}.nested}}}}")},
    })
}

fn expected_hard(s: &Value) -> Value {
    json!({
        // RFC 3986: every byte but the unreserved `A-Z a-z 0-9 - . _ ~` as %XX of its UTF-8.
        "base_url": "https://api.example/p%C3%A4ssw%C3%B6rd%20%E2%9C%93%20%E5%AF%86%E7%A0%81%20%F0%9F%94%91",
        "headers": {
            "X-Quote": s["quote"], "X-Backslash": s["backslash"], "X-Pem": s["pem"], "X-Unicode": s["unicode"],
            "X-Eq": s["eq"], "X-Braces": s["braces"], "X-Yamlish": "yes", "X-Zip": "0123", "X-Port": 5432,
            "X-Mixed": "port=5432;on=true;q=he said \"hi\" and 'bye'",
            "X-Deep": "sp|dt|dk",
            // Standard base64 with padding of the PEM's bytes, newlines included.
            "X-B64": "LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JSUIrZ0lCQURBTkJna3EKaGtpRzl3MEJBUT09Ci0tLS0tRU5EIFBSSVZBVEUgS0VZLS0tLS0K",
        },
        "query": {"ratio": 0.25, "enabled": true},
        "auth": {"type": "bearer", "token": serde_json::to_string(&s["nested"]).unwrap_or_default()},
    })
}

#[tokio::test]
async fn hard_secret_values_render_exactly_into_json_yaml_and_env() {
    let bao = Bao::shared();
    let secret = hard_secret();
    let (vault, creds) = bao.kv_fixture(secret.clone(), 300).await;
    let dir = tempfile::tempdir().expect("tmp");
    let mut store = store_with(dir.path(), &[(&vault, &creds)]);
    let v = vault.spec.name.clone();
    add(&mut store, "api", "rest", Some(&v), hard_config(&v)).expect("a valid connector is stored");

    let c = store.get_connector("api").expect("stored");
    let hub = VaultHub::new();
    let out = render::render_connectors(&store, &hub, std::slice::from_ref(&c), RenderMode::Reveal)
        .await
        .expect("renders");
    let rendered = &out[0].config;
    assert_eq!(rendered, &expected_hard(&secret), "every value exactly as stored, whole references typed");

    let json_text = export::to_text(rendered, ExportFormat::Json).expect("json");
    assert_eq!(&serde_json::from_str::<Value>(&json_text).expect("valid JSON"), rendered);
    let yaml_text = export::to_text(rendered, ExportFormat::Yaml).expect("yaml");
    assert_eq!(&serde_yaml_ng::from_str::<Value>(&yaml_text).expect("valid YAML"), rendered, "{yaml_text}");

    // env: sourced by a real POSIX shell, every variable comes back byte for byte.
    let env_text = export::to_text(rendered, ExportFormat::Env).expect("env");
    let file = dir.path().join("api.env");
    export::write_atomic(&file, &env_text, false).expect("write");
    let checks = [
        ("HEADERS_X_QUOTE", secret["quote"].as_str().unwrap_or("")),
        ("HEADERS_X_BACKSLASH", secret["backslash"].as_str().unwrap_or("")),
        ("HEADERS_X_PEM", secret["pem"].as_str().unwrap_or("")),
        ("HEADERS_X_UNICODE", secret["unicode"].as_str().unwrap_or("")),
        ("HEADERS_X_EQ", secret["eq"].as_str().unwrap_or("")),
        ("HEADERS_X_BRACES", secret["braces"].as_str().unwrap_or("")),
        ("HEADERS_X_PORT", "5432"),
        ("QUERY_ENABLED", "true"),
        ("AUTH_TOKEN", &serde_json::to_string(&secret["nested"]).unwrap_or_default()),
    ];
    for (name, want) in checks {
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!(". \"$1\" && printf %s \"${name}\""))
            .arg("sh")
            .arg(&file)
            .output()
            .expect("sh runs");
        assert!(out.status.success(), "sourcing the env file: {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(String::from_utf8_lossy(&out.stdout), want, "{name} round-trips through sh");
    }
    hub.close_all().await;
}

#[tokio::test]
async fn a_preview_masks_every_secret_derived_value_and_lists_cache_state() {
    let bao = Bao::shared();
    let secret = hard_secret();
    let (vault, creds) = bao.kv_fixture(secret.clone(), 300).await;
    let dir = tempfile::tempdir().expect("tmp");
    let mut store = store_with(dir.path(), &[(&vault, &creds)]);
    let v = vault.spec.name.clone();
    add(&mut store, "api", "rest", None, hard_config(&v)).expect("stored");
    let c = store.get_connector("api").expect("stored");
    let hub = VaultHub::new();
    let p = render::render_connectors(&store, &hub, std::slice::from_ref(&c), RenderMode::Mask)
        .await
        .expect("preview")
        .remove(0);
    let text = serde_json::to_string(&p).expect("json");
    for (k, val) in secret.as_object().expect("object") {
        if let Some(s) = val.as_str().filter(|s| s.len() >= 6) {
            for piece in [s.to_owned(), serde_json::to_string(s).unwrap_or_default()] {
                assert!(!text.contains(piece.trim_matches('"')), "value of {k} must not appear in a preview");
            }
        }
    }
    let config_text = serde_json::to_string(&p.config).expect("json");
    assert!(!config_text.contains("5432") && !config_text.contains("0.25"), "numbers are masked too");
    assert_eq!(p.config["headers"]["X-Pem"], MASK, "a whole reference shows the fixed mask");
    assert_eq!(p.config["headers"]["X-Mixed"], format!("port={MASK};on={MASK};q={MASK}"));
    assert_eq!(p.config["headers"]["X-B64"], MASK, "helper output of a secret is masked");
    assert_eq!(p.config["auth"]["type"], "bearer", "non-secret values are shown");
    assert!(!p.revealed);
    let quote = p.references.iter().find(|r| r.field == "headers.X-Quote").expect("listed");
    assert_eq!(quote.vault, v);
    assert_eq!(quote.key, "quote");
    assert!(quote.fetched_at.ends_with('Z'), "fetched at is RFC 3339 UTC: {}", quote.fetched_at);
    assert!(quote.expires_in_secs.is_some_and(|s| s > 150 && s <= 300), "the 5m cache TTL: {quote:?}");
    hub.close_all().await;
}

#[tokio::test]
async fn revealing_one_field_shows_that_field_only_and_an_empty_field_is_refused() {
    let bao = Bao::shared();
    let (vault, creds) =
        bao.kv_fixture(json!({"user": "reveal-user-value", "pw": "reveal-pw-value"}), 300).await;
    let dir = tempfile::tempdir().expect("tmp");
    let mut store = store_with(dir.path(), &[(&vault, &creds)]);
    let v = vault.spec.name.clone();
    let config = json!({"host": "h", "username": format!("{{{{secrets.{v}.user}}}}"), "password": format!("{{{{secrets.{v}.pw}}}}")});
    add(&mut store, "db", "postgresql", None, config).expect("add");
    let core = Core::new(store);
    let one = |f: &str| core.preview(ConnectorSource::Stored("db".into()), Reveal::Field(f.into()));
    let p = one("password").await.expect("one field");
    assert_eq!(
        (p.config["password"].as_str(), p.config["username"].as_str()),
        (Some("reveal-pw-value"), Some(MASK))
    );
    for field in ["", "nope", "port"] {
        let e = one(field).await.expect_err("refused");
        assert_eq!(e.code(), ErrorCode::InvalidInput, "{field:?}: {e}");
        let fields = e.payload().fields;
        let text = format!("{e} {fields:?}");
        assert!(!text.contains("reveal-pw-value") && !text.contains("reveal-user-value"), "{text}");
        assert!(fields.iter().any(|f| f.field == "field"), "{field:?}: {text}");
    }
    core.close().await;
}

#[tokio::test]
async fn each_render_error_names_the_reference_and_nothing_is_stored() {
    let bao = Bao::shared();
    let (vault, creds) =
        bao.kv_fixture(json!({"db": {"host": "h", "ports": [1, 2]}, "user": "u"}), 300).await;
    let dir = tempfile::tempdir().expect("tmp");
    let mut store = store_with(dir.path(), &[(&vault, &creds)]);
    let v = vault.spec.name.clone();
    let hub = VaultHub::new();
    let render_doc = |doc: Value| {
        let store = &store;
        let hub = &hub;
        async move { render::render_document(store, hub, &doc, RenderMode::Reveal).await }
    };
    let cases = [
        (format!("{{{{secrets.{v}.nope}}}}"), "no key \"nope\" at the top level; keys there: db, user"),
        (format!("x{{{{secrets.{v}.db.port}}}}"), "no key \"port\" at \"db\"; keys there: host, ports"),
        (format!("{{{{secrets.{v}.db.ports.7}}}}"), "no key \"7\" at \"db.ports\"; keys there: indices 0..1"),
        (format!("{{{{secrets.{v}.user.x}}}}"), "no key \"x\" at \"user\"; keys there: none"),
    ];
    for (tpl, want) in cases {
        let e = render_doc(json!({"f": {"g": tpl}})).await.expect_err("missing key");
        assert_eq!(e.code(), ErrorCode::InvalidInput);
        let msg = e.to_string();
        assert!(msg.starts_with("f.g: `{{secrets."), "names the field and the whole reference: {msg}");
        assert!(msg.contains(&format!("vault \"{v}\"")) && msg.contains(want), "{msg}\nwanted: {want}");
        assert!(!msg.contains("\"h\""), "no values in errors");
    }
    let e = render_doc(json!({"a": "{{secrets.nosuchvault.k}}"})).await.expect_err("missing vault");
    assert!(
        matches!(&e, Error::Template(t) if matches!(&**t, TemplateError::MissingVault { vault, .. } if vault == "nosuchvault")),
        "{e}"
    );
    assert!(e.to_string().contains(&format!("vaults: {v}")), "lists the vaults there are: {e}");
    let e = render_doc(json!({"list": ["ok", "{{secrets.x.y"]})).await.expect_err("syntax");
    assert!(
        matches!(&e, Error::Template(t) if matches!(&**t, TemplateError::Syntax { field, line: 1, .. } if field == "list[1]")),
        "{e}"
    );
    assert!(e.to_string().contains("column"), "{e}");

    // At save time: the same errors come back per field, and nothing is stored.
    let e = add(
        &mut store,
        "bad",
        "postgresql",
        None,
        json!({"host": "{{secrets.x.y", "password": "{{secrets.ghost.pw}}"}),
    )
    .expect_err("invalid");
    let Error::InvalidConnector(fields) = &e else { panic!("{e}") };
    let names: Vec<&str> = fields.0.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(names, ["config.host", "config.password"], "{e}");
    assert!(fields.0[0].message.contains("line 1, column"), "{e}");
    assert!(fields.0[1].message.contains("vault \"ghost\", which does not exist"), "{e}");
    assert!(store.list_connectors().expect("list").is_empty(), "nothing stored");
    hub.close_all().await;
}

#[tokio::test]
async fn incompatible_vaults_are_refused_with_the_reason() {
    let bao = Bao::shared();
    let (kv, kv_creds) = bao.kv_fixture(json!({"k": "v"}), 300).await;
    let mut pg = bao::vault(&bao, "approle", "db", EngineType::Postgresql, None, Some("ro"), 300);
    pg.spec.name = unique("pg");
    let dir = tempfile::tempdir().expect("tmp");
    let mut store = store_with(dir.path(), &[(&kv, &kv_creds), (&pg, &kv_creds)]);
    let p = pg.spec.name.clone();
    let e = add(&mut store, "r", "rest", Some(&p), json!({"base_url": "https://x"})).expect_err("rest + db");
    assert!(e.to_string().contains("REST connectors take KV vaults only"), "{e}");
    let e = add(
        &mut store,
        "m",
        "mysql",
        None,
        json!({"host": "h", "password": format!("{{{{secrets.{p}.password}}}}")}),
    )
    .expect_err("mysql + postgresql engine");
    let Error::InvalidConnector(f) = &e else { panic!("{e}") };
    assert_eq!(f.0[0].field, "config.password");
    assert!(
        f.0[0].message.contains("a mysql connector takes a KV vault or a MySQL/MariaDB database engine"),
        "{e}"
    );
    add(
        &mut store,
        "ok",
        "postgresql",
        Some(&p),
        json!({"host": "h", "password": format!("{{{{secrets.{p}.password}}}}")}),
    )
    .expect("postgresql + postgresql engine");
    let names: Vec<String> = store
        .compatible_vaults(ConnectorKind::Rest)
        .expect("list")
        .into_iter()
        .map(|v| v.spec.name)
        .collect();
    assert_eq!(names, [kv.spec.name.clone()]);
}

#[tokio::test]
async fn a_hundred_connectors_on_one_secret_make_one_login_and_one_read() {
    let bao = Bao::shared();
    let (vault, creds) = bao.kv_fixture(json!({"host": "db.internal", "password": "pw-100"}), 300).await;
    let dir = tempfile::tempdir().expect("tmp");
    let mut store = store_with(dir.path(), &[(&vault, &creds)]);
    let v = vault.spec.name.clone();
    for i in 0..100 {
        add(
            &mut store,
            &format!("c{i}"),
            "postgresql",
            Some(&v),
            json!({"host": format!("{{{{secrets.{v}.host}}}}"), "port": 5432 + i, "password": format!("{{{{secrets.{v}.password}}}}")}),
        )
        .expect("add");
    }
    let all = store.list_connectors().expect("list");
    let docs: Vec<&Value> = all.iter().map(|c| &c.config).collect();
    let plan = RenderPlan::new(&store, &docs).expect("plan");
    assert_eq!(plan.vaults().count(), 1, "one distinct vault");
    let hub = VaultHub::new();
    let out = render::render_connectors(&store, &hub, &all, RenderMode::Reveal).await.expect("renders");
    assert_eq!(out.len(), 100);
    assert!(out.iter().all(|p| p.config["password"] == "pw-100"));
    // Again, warm: served from the cache.
    render::render_connectors(&store, &hub, &all, RenderMode::Reveal).await.expect("renders again");
    let mount = &vault.spec.engine_name;
    assert_eq!(bao.audited_logins(&vault.spec.auth_mount), 1, "one AppRole login for 200 renders");
    assert_eq!(bao.audited_reads(&format!("{mount}/data/app/config")), 1, "one KV read for 200 renders");
    hub.close_all().await;
}

#[tokio::test]
async fn where_used_blocks_removal_and_a_rename_rewrites_references_in_one_transaction() {
    let bao = Bao::shared();
    let (vault, creds) = bao.kv_fixture(json!({"token": "t0k"}), 300).await;
    let (other, other_creds) = bao.kv_fixture(json!({"token": "other"}), 300).await;
    let dir = tempfile::tempdir().expect("tmp");
    let mut store = store_with(dir.path(), &[(&vault, &creds), (&other, &other_creds)]);
    let v = vault.spec.name.clone();
    let upper = v.to_uppercase();
    add(&mut store, "selects", "rest", Some(&v), json!({"base_url": "https://x"})).expect("add");
    add(
        &mut store,
        "refers",
        "rest",
        None,
        json!({"base_url": "https://x", "headers": {"A": format!("Bearer {{{{secrets.{upper}.token}}}}"), "B": format!("{{{{base64 secrets.{v}.token}}}}")}}),
    )
    .expect("add");
    add(&mut store, "unrelated", "rest", Some(&other.spec.name), json!({"base_url": "https://x"}))
        .expect("add");
    assert_eq!(store.connectors_using(&v).expect("where-used"), ["refers", "selects"]);

    let e = store.remove_vault(&v).expect_err("in use");
    assert_eq!(e.code(), ErrorCode::InUse);
    assert!(e.to_string().contains("connectors \"refers\", \"selects\""), "{e}");
    assert!(store.get_vault(&v).is_ok(), "still there");

    let renamed = store
        .update_vault(
            &v,
            &VaultPatch { rename: Some("payments".into()), ..VaultPatch::default() },
            &Default::default(),
        )
        .expect("rename");
    assert_eq!(renamed.id, store.get_vault("payments").expect("renamed").id);
    let c = store.get_connector("refers").expect("still there");
    assert_eq!(c.config["headers"]["A"], "Bearer {{secrets.payments.token}}");
    assert_eq!(c.config["headers"]["B"], "{{base64 secrets.payments.token}}");
    assert_eq!(store.get_connector("selects").expect("there").vault.as_deref(), Some("payments"));
    let hub = VaultHub::new();
    let out = render::render_connectors(&store, &hub, &[c], RenderMode::Reveal)
        .await
        .expect("renders after rename");
    assert_eq!(out[0].config["headers"]["A"], "Bearer t0k");
    hub.close_all().await;

    // A rename that fails (name taken) changes no connector either.
    let e = store
        .update_vault(
            "payments",
            &VaultPatch { rename: Some(other.spec.name.clone()), ..VaultPatch::default() },
            &Default::default(),
        )
        .expect_err("taken");
    assert_eq!(e.code(), ErrorCode::AlreadyExists);
    assert_eq!(
        store.get_connector("refers").expect("there").config["headers"]["A"],
        "Bearer {{secrets.payments.token}}"
    );

    let removed = store.remove_vault_forced("payments").expect("forced");
    assert_eq!(removed.spec.name, "payments");
    assert_eq!(store.get_connector("selects").expect("kept").vault, None, "the selection is cleared");
    let c = store.get_connector("refers").expect("kept");
    let e = render::render_connectors(&store, &hub, &[c], RenderMode::Reveal).await.expect_err("dangling");
    assert!(e.to_string().contains("refers to vault \"payments\", which does not exist"), "{e}");
}

#[tokio::test]
async fn updates_revalidate_and_keep_what_is_not_given() {
    let bao = Bao::shared();
    let (vault, creds) = bao.kv_fixture(json!({"host": "h"}), 300).await;
    let dir = tempfile::tempdir().expect("tmp");
    let mut store = store_with(dir.path(), &[(&vault, &creds)]);
    add(&mut store, "pg", "postgresql", Some(&vault.spec.name), json!({"host": "h"})).expect("add");
    let e = add(&mut store, "PG", "mysql", None, json!({"host": "h"})).expect_err("dup");
    assert_eq!(e.code(), ErrorCode::AlreadyExists);
    let c = store
        .update_connector(
            "pg",
            &ConnectorPatch { rename: Some("orders".into()), ..ConnectorPatch::default() },
        )
        .expect("rename");
    assert_eq!(
        (c.name.as_str(), c.kind, c.vault.as_deref()),
        ("orders", ConnectorKind::Postgresql, Some(vault.spec.name.as_str()))
    );
    let e = store
        .update_connector(
            "orders",
            &ConnectorPatch { kind: Some("rest".into()), ..ConnectorPatch::default() },
        )
        .expect_err("rest needs base_url and no host");
    assert!(e.to_string().contains("config.base_url"), "{e}");
    let c = store
        .update_connector(
            "orders",
            &ConnectorPatch { vault: Some(String::new()), ..ConnectorPatch::default() },
        )
        .expect("clear vault");
    assert_eq!(c.vault, None);
    store.remove_connector("orders").expect("remove");
    assert_eq!(store.get_connector("orders").expect_err("gone").code(), ErrorCode::NotFound);
}

#[tokio::test]
async fn export_files_are_0600_and_not_overwritten_without_force() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("out.json");
    export::write_atomic(&path, "{\"a\": 1}\n", false).expect("write");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "only the owner can read an export");
    let e = export::write_atomic(&path, "other", false).expect_err("exists");
    assert!(matches!(e, Error::FileExists { .. }), "{e}");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), "{\"a\": 1}\n", "kept as it was");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    export::write_atomic(&path, "new\n", true).expect("forced");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), "new\n");
    let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "a replaced file is 0600 too (it is a new inode)");
    let names: BTreeSet<String> = std::fs::read_dir(dir.path())
        .expect("ls")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, BTreeSet::from(["out.json".to_owned()]), "no temporary file left behind");
}

#[tokio::test]
async fn a_database_engine_vault_prefills_and_renders_credentials_that_log_in() {
    let bao = Bao::shared();
    let PgVault { vault, creds, .. } = pg_engine(&bao, PgEngine::default()).await;
    let dir = tempfile::tempdir().expect("tmp");
    let mut store = store_with(dir.path(), &[(&vault, &creds)]);
    let v = store.get_vault(&vault.spec.name).expect("stored");
    let hub = VaultHub::new();
    let mut config =
        render::prefill_from_vault(&hub, &v, store.credential_loader(&v), ConnectorKind::Postgresql)
            .await
            .expect("prefill");
    assert_eq!(config["username"], format!("{{{{secrets.{}.username}}}}", v.spec.name));
    assert_eq!(config["password"], format!("{{{{secrets.{}.password}}}}", v.spec.name));
    config.insert("host".into(), json!(env("VAULTDESK_TEST_PG_HOST")));
    config.insert("port".into(), json!(env("VAULTDESK_TEST_PG_PORT").parse::<u16>().expect("port")));
    config.insert("database".into(), json!("postgres"));
    config.insert("options".into(), json!({"lease": format!("{{{{secrets.{}.lease_id}}}}", v.spec.name)}));
    add(&mut store, "orders", "postgresql", Some(&v.spec.name), Value::Object(config)).expect("add");
    let c = store.get_connector("orders").expect("stored");
    let out =
        render::render_connectors(&store, &hub, &[c], RenderMode::Reveal).await.expect("renders").remove(0);
    let cfg = &out.config;
    assert_eq!(
        (cfg["host"].as_str(), cfg["port"].to_string()),
        (Some(env("VAULTDESK_TEST_PG_HOST").as_str()), env("VAULTDESK_TEST_PG_PORT")),
        "rendered where the test server is"
    );
    assert!(
        pg_login(cfg["username"].as_str().unwrap_or(""), cfg["password"].as_str().unwrap_or("")),
        "rendered credentials log in"
    );
    assert!(
        cfg["options"]["lease"].as_str().is_some_and(|l| l.contains("/creds/ro/")),
        "lease fields are there too"
    );
    hub.close_all().await;
}

#[tokio::test]
async fn an_export_is_checked_without_vault_and_reads_secrets_only_when_rendered() {
    // The window checks before its save dialog and renders after it: a cancelled dialog must
    // leave no database user behind, and a broken form is still reported before the dialog.
    let bao = Bao::shared();
    let PgVault { vault, creds, mount } = pg_engine(&bao, PgEngine::default()).await;
    let dir = tempfile::tempdir().expect("tmp");
    let store = store_with(dir.path(), &[(&vault, &creds)]);
    let v = vault.spec.name.clone();
    let core = Core::new(store);
    let form = |config: Value| ConnectorInput {
        name: "orders".into(),
        kind: "postgresql".into(),
        vault: Some(v.clone()),
        config,
    };
    let good = json!({"host": "h", "username": format!("{{{{secrets.{v}.username}}}}"), "password": format!("{{{{secrets.{v}.password}}}}")});
    let creds_path = format!("{mount}/creds/ro");
    let logins = bao.audited_logins(&vault.spec.auth_mount);
    let prepared =
        core.prepare_export(ConnectorSource::Form(form(good)), ExportFormat::Json).await.expect("checked");
    assert_eq!(prepared.file_name, "orders.json");
    assert_eq!(bao.audited_logins(&vault.spec.auth_mount), logins, "no login before the dialog");
    assert_eq!(bao.audited_reads(&creds_path), 0, "no credentials issued before the dialog");
    let broken = json!({"host": "h", "password": format!("{{{{secrets.{v}.password")});
    let e = core
        .prepare_export(ConnectorSource::Form(form(broken)), ExportFormat::Json)
        .await
        .expect_err("broken");
    assert_eq!(e.code(), ErrorCode::InvalidInput, "{e}");
    let rendered = core.render_prepared(prepared).await.expect("rendered after the dialog");
    assert_eq!(bao.audited_reads(&creds_path), 1, "credentials issued once a path was chosen");
    let text: Value = serde_json::from_str(rendered.text.expose()).expect("json");
    assert!(pg_login(text["username"].as_str().unwrap_or(""), text["password"].as_str().unwrap_or("")));
    core.close().await;
}

#[tokio::test]
async fn a_kv_vault_prefills_matching_key_names_as_references() {
    let bao = Bao::shared();
    let (vault, creds) = bao
        .kv_fixture(
            json!({"hostname": "h", "port": 1, "dbname": "d", "user": "u", "password": "p", "other": "o"}),
            300,
        )
        .await;
    let dir = tempfile::tempdir().expect("tmp");
    let store = store_with(dir.path(), &[(&vault, &creds)]);
    let v = store.get_vault(&vault.spec.name).expect("stored");
    let hub = VaultHub::new();
    let filled = render::prefill_from_vault(&hub, &v, store.credential_loader(&v), ConnectorKind::Mariadb)
        .await
        .expect("prefill");
    let n = &v.spec.name;
    assert_eq!(
        Value::Object(filled),
        json!({"host": format!("{{{{secrets.{n}.hostname}}}}"), "port": format!("{{{{secrets.{n}.port}}}}"),
               "database": format!("{{{{secrets.{n}.dbname}}}}"), "username": format!("{{{{secrets.{n}.user}}}}"),
               "password": format!("{{{{secrets.{n}.password}}}}")})
    );
    let mount = &vault.spec.engine_name;
    assert_eq!(bao.audited_reads(&format!("{mount}/data/app/config")), 0, "key names only: no secret read");
    hub.close_all().await;
}

/// The names and contents of the files in `dir`.
fn files_in(dir: &std::path::Path) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(dir)
        .expect("ls")
        .map(|e| {
            let p = e.expect("entry").path();
            let name = p.file_name().expect("name").to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap_or_else(|e| format!("<unreadable: {e}>")))
        })
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn export_all_writes_nothing_when_one_connector_cannot_be_rendered() {
    let bao = Bao::shared();
    let (vault, creds) = bao.kv_fixture(json!({"host": "db.internal", "password": "pw-all"}), 300).await;
    let dir = tempfile::tempdir().expect("tmp");
    let mut store = store_with(dir.path(), &[(&vault, &creds)]);
    let v = vault.spec.name.clone();
    for name in ["alpha", "omega"] {
        add(
            &mut store,
            name,
            "postgresql",
            None,
            json!({"host": format!("{{{{secrets.{v}.host}}}}"), "password": format!("{{{{secrets.{v}.password}}}}")}),
        )
        .expect("add");
    }
    add(
        &mut store,
        "broken",
        "rest",
        None,
        json!({"base_url": format!("https://x/{{{{secrets.{v}.gone}}}}")}),
    )
    .expect("references to missing keys are only found when rendering");
    let core = Core::new(store);
    let out = tempfile::tempdir().expect("tmp");
    // A file an earlier export left: --force may replace it, but only when everything renders.
    std::fs::write(out.path().join("alpha.json"), "earlier export\n").expect("write");
    let before = files_in(out.path());

    let e = core.export_all(out.path().to_owned(), ExportFormat::Json, true).await.expect_err("broken");
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert_eq!(
        e.to_string(),
        format!(
            "connector \"broken\", base_url: `{{{{secrets.{v}.gone}}}}`: the secret of vault \"{v}\" has no key \"gone\" at the top level; keys there: host, password"
        )
    );
    assert_eq!(files_in(out.path()), before, "no file written, the earlier one untouched, no temporary file");

    // The positive control: once the broken connector is gone, the same call writes them all.
    core.remove_connector("broken".into()).await.expect("remove");
    let done = core.export_all(out.path().to_owned(), ExportFormat::Json, true).await.expect("exports");
    assert_eq!(done.files.len(), 2);
    let written = files_in(out.path());
    assert_eq!(written.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), ["alpha.json", "omega.json"]);
    let alpha: Value = serde_json::from_str(&written[0].1).expect("json");
    assert_eq!(alpha, json!({"host": "db.internal", "password": "pw-all"}));
    core.close().await;
}

#[test]
fn an_export_replaces_a_file_whole_never_partly_written() {
    // A reader that keeps opening the target while a large export replaces it sees the old
    // text or the new one, never a mix or a prefix: the new text is written next to it and
    // renamed over it. Writing into the target in place would show partial contents.
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("big.json");
    let old = format!("{}\n", "o".repeat(4 << 20));
    let new = format!("{}\n", "n".repeat(8 << 20));
    std::fs::write(&path, &old).expect("write old");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let (path, stop, old, new) = (path.clone(), stop.clone(), old.clone(), new.clone());
        std::thread::spawn(move || {
            let mut seen = (0usize, 0usize);
            loop {
                let done = stop.load(std::sync::atomic::Ordering::SeqCst);
                let text = std::fs::read_to_string(&path).expect("the target is always there");
                if text == old {
                    seen.0 += 1;
                } else if text == new {
                    seen.1 += 1;
                } else {
                    panic!("a reader saw a partly written export ({} bytes)", text.len());
                }
                if done {
                    return seen;
                }
            }
        })
    };
    export::write_atomic(&path, &new, true).expect("forced write");
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let (_, saw_new) = reader.join().expect("the reader saw only whole files");
    assert!(saw_new > 0, "the reader read the new file at the end");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), new);
}

#[tokio::test]
async fn updating_or_removing_a_vault_revokes_its_session_token() {
    let bao = Bao::shared();
    let (vault, creds) = bao.kv_fixture(json!({"token": "t-1"}), 300).await;
    let dir = tempfile::tempdir().expect("tmp");
    let mut store = store_with(dir.path(), &[(&vault, &creds)]);
    let v = vault.spec.name.clone();
    let auth = vault.spec.auth_mount.clone();
    add(
        &mut store,
        "api",
        "rest",
        None,
        json!({"base_url": "https://x", "headers": {"T": format!("{{{{secrets.{v}.token}}}}")}}),
    )
    .expect("add");
    let core = Core::new(store);
    let preview = || core.preview(ConnectorSource::Stored("api".into()), Reveal::All);

    assert_eq!(preview().await.expect("preview").config["headers"]["T"], "t-1");
    let first = login_tokens(&auth);
    assert_eq!(first.len(), 1, "one login");
    assert!(!revoked_itself(&first[0]), "the session's token lives while the vault is unchanged");
    core.update_vault(
        v.clone(),
        VaultPatch { cache_ttl: Some("10m".into()), ..VaultPatch::default() },
        CredentialsPatch::default(),
    )
    .await
    .expect("update");
    assert!(revoked_itself(&first[0]), "updating the vault revoked the old session's token");

    assert_eq!(preview().await.expect("preview").config["headers"]["T"], "t-1", "a new session serves");
    let second = login_tokens(&auth);
    assert_eq!(second.len(), 2, "a new login for the updated vault");
    assert!(!revoked_itself(&second[1]));
    core.remove_vault(v, true).await.expect("remove");
    assert!(revoked_itself(&second[1]), "removing the vault revoked its session's token");
}

type Arrived = std::sync::Arc<(std::sync::Mutex<usize>, tokio::sync::Notify)>;

/// A stand-in Vault whose KV read of `value` answers only once `arrived` counts `expected`
/// reads (from any server sharing it), or fails with 500 after [`common::wait::PATIENCE`]. So
/// reads asked one after another can never all succeed; reads asked together do.
async fn rendezvous_server(value: &'static str, arrived: Arrived, expected: usize) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else { return };
            let arrived = arrived.clone();
            tokio::spawn(async move {
                loop {
                    let mut buf = vec![0u8; 16384];
                    let n = match sock.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => n,
                    };
                    let head =
                        String::from_utf8_lossy(&buf[..n]).lines().next().unwrap_or_default().to_owned();
                    let (status, body) = if head.contains("/login") {
                        ("200 OK", r#"{"auth":{"client_token":"s.fake","policies":["default"],"lease_duration":3600,"renewable":false}}"#.to_owned())
                    } else if head.contains("/data/") {
                        {
                            let mut n = arrived.0.lock().expect("count");
                            *n += 1;
                        }
                        arrived.1.notify_waiters();
                        let all_here = async {
                            loop {
                                let wake = arrived.1.notified();
                                if *arrived.0.lock().expect("count") >= expected {
                                    return;
                                }
                                wake.await;
                            }
                        };
                        match tokio::time::timeout(common::wait::PATIENCE, all_here).await {
                            Ok(()) => (
                                "200 OK",
                                format!(
                                    r#"{{"data":{{"data":{{"k":"{value}"}},"metadata":{{"version":1}}}}}}"#
                                ),
                            ),
                            Err(_) => (
                                "500 Internal Server Error",
                                r#"{"errors":["the other read never came"]}"#.to_owned(),
                            ),
                        }
                    } else {
                        ("200 OK", "{}".to_owned())
                    };
                    let resp = format!(
                        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if sock.write_all(resp.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn distinct_vaults_of_one_render_are_fetched_at_the_same_time() {
    // Each stand-in server answers its read only while the other one's read is also waiting:
    // fetched one after another, the first read would fail after a long wait.
    let arrived = Arrived::default();
    let a_url = rendezvous_server("from-a", arrived.clone(), 2).await;
    let b_url = rendezvous_server("from-b", arrived.clone(), 2).await;
    let mut a =
        bao::vault(&Bao::at(&a_url, "unused"), "approle", "kv", EngineType::Kv2, Some("app"), None, 60);
    let mut b =
        bao::vault(&Bao::at(&b_url, "unused"), "approle", "kv", EngineType::Kv2, Some("app"), None, 60);
    for v in [&mut a, &mut b] {
        v.spec.tls.request_timeout_secs = 600;
    }
    let creds = AppRoleCredentials {
        role_id: vaultdesk_core::SecretString::from("role".to_owned()),
        secret_id: vaultdesk_core::SecretString::from("secret".to_owned()),
    };
    let dir = tempfile::tempdir().expect("tmp");
    let mut store = store_with(dir.path(), &[(&a, &creds), (&b, &creds)]);
    let (an, bn) = (a.spec.name.clone(), b.spec.name.clone());
    add(&mut store, "both", "rest", None, json!({"base_url": "https://x", "headers": {"A": format!("{{{{secrets.{an}.k}}}}"), "B": format!("{{{{secrets.{bn}.k}}}}")}}))
        .expect("add");
    let c = store.get_connector("both").expect("stored");
    let hub = VaultHub::new();
    let out =
        render::render_connectors(&store, &hub, &[c], RenderMode::Reveal).await.expect("both reads answered");
    assert_eq!(out[0].config["headers"], json!({"A": "from-a", "B": "from-b"}));
    assert_eq!(*arrived.0.lock().expect("count"), 2, "one read per vault");
    hub.close_all().await;
}
