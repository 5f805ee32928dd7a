//! Database secrets engine against real PostgreSQL and MariaDB: issued credentials work, are
//! reused while cached, renewed while in use, and stop working once revoked.

use std::process::Command;
use std::time::Duration;

use serde_json::json;
use vaultdesk_core::provider::vault::{
    test_vault, SecretValue, StageStatus, TestStage, VaultErrorCode, VaultSession,
};
use vaultdesk_core::EngineType;

use crate::bao::{self, env, unique, Bao};

/// Can `user` / `password` log in to PostgreSQL? Runs psql as another process.
fn pg_login(user: &str, password: &str) -> bool {
    Command::new("psql")
        .args([
            "-h",
            &env("VAULTDESK_TEST_PG_HOST"),
            "-p",
            &env("VAULTDESK_TEST_PG_PORT"),
            "-U",
            user,
            "-d",
            "postgres",
            "-tAc",
            "SELECT current_user",
        ])
        .env("PGPASSWORD", password)
        .env("PGCONNECT_TIMEOUT", "5")
        .output()
        .map(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).trim() == user)
        .unwrap_or(false)
}

/// Revocation through the token ends leases in Vault's background revocation: what a user sees
/// is that the login stops working within seconds. Polls `login` for up to 15s.
fn stops_working(login: impl Fn() -> bool) -> bool {
    for _ in 0..150 {
        if !login() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

fn maria_login(user: &str, password: &str) -> bool {
    Command::new("mariadb")
        .args([
            "-h",
            &env("VAULTDESK_TEST_MARIADB_HOST"),
            "-P",
            &env("VAULTDESK_TEST_MARIADB_PORT"),
            "-u",
            user,
            "-N",
            "-e",
            "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME='shop'",
        ])
        .env("MYSQL_PWD", password)
        .output()
        .map(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).trim() == "1")
        .unwrap_or(false)
}

/// A database mount wired to PostgreSQL with a role `ro`, and an AppRole allowed to use it.
async fn pg_fixture(
    bao: &Bao,
    default_ttl: &str,
    cache_ttl_secs: u64,
) -> (vaultdesk_core::Vault, vaultdesk_core::AppRoleCredentials, String) {
    pg_fixture_with(bao, default_ttl, cache_ttl_secs, json!({"token_ttl": "1h"})).await
}

async fn pg_fixture_with(
    bao: &Bao,
    default_ttl: &str,
    cache_ttl_secs: u64,
    role_options: serde_json::Value,
) -> (vaultdesk_core::Vault, vaultdesk_core::AppRoleCredentials, String) {
    let mount = unique("db");
    bao.post(&format!("sys/mounts/{mount}"), json!({"type": "database"})).await;
    let conn = "orders";
    bao.post(
        &format!("{mount}/config/{conn}"),
        json!({
            "plugin_name": "postgresql-database-plugin",
            "connection_url": format!("postgresql://{{{{username}}}}:{{{{password}}}}@{}:{}/postgres?sslmode=disable", env("VAULTDESK_TEST_PG_HOST"), env("VAULTDESK_TEST_PG_PORT")),
            "username": env("VAULTDESK_TEST_PG_USER"),
            "password": env("VAULTDESK_TEST_PG_PASSWORD"),
            "allowed_roles": ["ro"],
        }),
    )
    .await;
    bao.post(
        &format!("{mount}/roles/ro"),
        json!({
            "db_name": conn,
            "creation_statements": ["CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';"],
            "default_ttl": default_ttl,
            "max_ttl": "1h",
        }),
    )
    .await;
    let policy = unique("pol");
    bao.policy(
        &policy,
        &format!("path \"{mount}/creds/ro\" {{ capabilities = [\"read\"] }}\npath \"{mount}/config/{conn}\" {{ capabilities = [\"read\"] }}"),
    )
    .await;
    let auth = unique("ar");
    let creds = bao.approle(&auth, &[&policy], role_options).await;
    let mut vault = bao::vault(bao, &auth, &mount, EngineType::Postgresql, None, Some("ro"), cache_ttl_secs);
    vault.spec.connection_name = Some(conn.into());
    (vault, creds, mount)
}

fn db_creds(secret: &vaultdesk_core::provider::vault::ResolvedSecret) -> (String, String, String) {
    match &secret.value {
        SecretValue::Database(c) => (c.username.clone(), c.password.expose().clone(), c.lease.id.clone()),
        SecretValue::Kv(_) => panic!("expected database credentials"),
    }
}

#[tokio::test]
async fn postgresql_credentials_work_are_reused_and_stop_working_when_revoked() {
    let bao = Bao::shared();
    let (vault, creds, mount) = pg_fixture(&bao, "10m", 300).await;
    let session = VaultSession::new(&vault, creds).expect("session");
    let (user, password, lease) = db_creds(&session.resolve().await.expect("credentials"));
    assert!(lease.starts_with(&format!("{mount}/creds/ro/")), "lease id kept: {lease}");
    assert!(pg_login(&user, &password), "the issued credentials log in to PostgreSQL");

    let (user2, _, _) = db_creds(&session.resolve().await.expect("again"));
    assert_eq!(user2, user, "cached credentials are reused, not one database user per resolution");
    assert_eq!(bao.audited_reads(&format!("{mount}/creds/ro")), 1);

    session.close().await;
    assert_eq!(session.stats().lease_revocations, 1);
    assert!(stops_working(|| pg_login(&user, &password)), "revoked credentials no longer log in");
}

#[tokio::test]
async fn a_short_lease_is_renewed_while_the_cache_ttl_runs() {
    let bao = Bao::shared();
    let (vault, creds, _) = pg_fixture(&bao, "3s", 300).await;
    let session = VaultSession::new(&vault, creds).expect("session");
    let first = session.resolve().await.expect("credentials");
    let (user, password, _) = db_creds(&first);
    assert!(
        first.expires_in().is_some_and(|d| d <= Duration::from_secs(3)),
        "bounded by the lease, not the 5m cache TTL"
    );
    tokio::time::sleep(Duration::from_millis(2600)).await;
    let (user2, _, _) = db_creds(&session.resolve().await.expect("renewed"));
    assert_eq!(user2, user, "same database user after renewal");
    assert_eq!(session.stats().lease_renewals, 1, "the lease was renewed, not replaced");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(pg_login(&user, &password), "still valid past the original 3s lease");
    session.close().await;
    assert!(stops_working(|| pg_login(&user, &password)), "revoked on close");
}

#[tokio::test]
async fn the_test_issues_credentials_shows_the_user_and_revokes_them() {
    let bao = Bao::shared();
    let (vault, creds, mount) = pg_fixture(&bao, "10m", 300).await;
    let report = test_vault(&vault.spec, &creds).await;
    assert!(report.ok, "{report:#?}");
    let read = report.stages.iter().find(|s| s.stage == TestStage::Read).expect("read");
    assert_eq!(read.status, StageStatus::Passed);
    assert!(read.summary.contains("lease TTL 10m"), "{}", read.summary);
    assert!(read.summary.ends_with("test credentials revoked"), "{}", read.summary);
    assert!(
        read.summary.contains(&format!(
            "connection orders: postgresql-database-plugin {}:{}/postgres",
            env("VAULTDESK_TEST_PG_HOST"),
            env("VAULTDESK_TEST_PG_PORT")
        )),
        "{}",
        read.summary
    );
    let user =
        read.summary.split("for user ").nth(1).and_then(|s| s.split_whitespace().next()).expect("user shown");
    let role_exists = || {
        let out = Command::new("psql")
            .args([
                "-h",
                &env("VAULTDESK_TEST_PG_HOST"),
                "-p",
                &env("VAULTDESK_TEST_PG_PORT"),
                "-U",
                "postgres",
                "-tAc",
                &format!("SELECT count(*) FROM pg_roles WHERE rolname = '{user}'"),
            ])
            .env("PGPASSWORD", env("VAULTDESK_TEST_PG_PASSWORD"))
            .output()
            .expect("psql");
        String::from_utf8_lossy(&out.stdout).trim() != "0"
    };
    assert!(stops_working(role_exists), "the test's database user was dropped");
    let _ = mount;

    // A role that does not exist (any more) in the engine, on a path the policy allows.
    let (v2, c2, m2) = pg_fixture(&bao, "10m", 300).await;
    bao.call(reqwest::Method::DELETE, &format!("{m2}/roles/ro"), None).await;
    let nosuch = v2.clone();
    let report = test_vault(&nosuch.spec, &c2).await;
    assert_eq!(report.failure().map(|f| f.code), Some(VaultErrorCode::DatabaseRoleNotFound), "{report:#?}");
    assert_eq!(report.failure().and_then(|f| f.field.clone()).as_deref(), Some("db_role"));
}

#[tokio::test]
async fn mariadb_credentials_work_through_the_mysql_plugin() {
    let bao = Bao::shared();
    let mount = unique("maria");
    bao.post(&format!("sys/mounts/{mount}"), json!({"type": "database"})).await;
    bao.post(
        &format!("{mount}/config/shop"),
        json!({
            "plugin_name": "mysql-database-plugin",
            "connection_url": format!("{{{{username}}}}:{{{{password}}}}@tcp({}:{})/", env("VAULTDESK_TEST_MARIADB_HOST"), env("VAULTDESK_TEST_MARIADB_PORT")),
            "username": env("VAULTDESK_TEST_MARIADB_USER"),
            "password": env("VAULTDESK_TEST_MARIADB_PASSWORD"),
            "allowed_roles": ["shop-ro"],
        }),
    )
    .await;
    bao.post(
        &format!("{mount}/roles/shop-ro"),
        json!({
            "db_name": "shop",
            "creation_statements": ["CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}';", "GRANT SELECT ON shop.* TO '{{name}}'@'%';"],
            "default_ttl": "10m",
            "max_ttl": "1h",
        }),
    )
    .await;
    let policy = unique("pol");
    bao.policy(&policy, &format!("path \"{mount}/creds/shop-ro\" {{ capabilities = [\"read\"] }}")).await;
    let auth = unique("ar");
    let creds = bao.approle(&auth, &[&policy], json!({})).await;
    let vault = bao::vault(&bao, &auth, &mount, EngineType::Mariadb, None, Some("shop-ro"), 300);

    let report = test_vault(&vault.spec, &creds).await;
    assert!(report.ok, "{report:#?}");
    let session = VaultSession::new(&vault, creds).expect("session");
    let (user, password, _) = db_creds(&session.resolve().await.expect("credentials"));
    assert!(
        maria_login(&user, &password),
        "the issued credentials log in to MariaDB and see the shop database"
    );
    session.close().await;
    assert!(stops_working(|| maria_login(&user, &password)), "revoked credentials no longer log in");
}

#[tokio::test]
async fn updating_a_database_vault_revokes_the_credentials_of_its_old_session() {
    let bao = Bao::shared();
    let (mut vault, creds, _) = pg_fixture(&bao, "10m", 300).await;
    let hub = vaultdesk_core::provider::VaultHub::new();
    let c1 = creds.clone();
    let session = hub.session(&vault, move || Ok(c1)).await.expect("session");
    let (user, password, _) = db_creds(&session.resolve().await.expect("credentials"));
    assert!(pg_login(&user, &password));
    vault.spec.cache_ttl_secs = 120;
    vault.updated_at = "2026-02-01T00:00:00Z".into();
    let c2 = creds.clone();
    let fresh = hub.session(&vault, move || Ok(c2)).await.expect("new session");
    assert!(
        stops_working(|| pg_login(&user, &password)),
        "the old session's database user is gone once the vault changed"
    );
    let (user2, password2, _) = db_creds(&fresh.resolve().await.expect("new credentials"));
    assert_ne!(user2, user);
    assert!(pg_login(&user2, &password2));
    hub.forget(&vault.id).await;
    assert!(
        stops_working(|| pg_login(&user2, &password2)),
        "forgetting a removed vault revokes its credentials"
    );
}

#[tokio::test]
async fn cached_credentials_never_outlive_the_token_that_created_them() {
    let bao = Bao::shared();
    // The token lives 3s and cannot be renewed; the lease 10m; the cache TTL 5m.
    let (vault, creds, _) =
        pg_fixture_with(&bao, "10m", 300, json!({"token_ttl": "3s", "token_max_ttl": "3s"})).await;
    let session = VaultSession::new(&vault, creds).expect("session");
    let first = session.resolve().await.expect("credentials");
    let (user, password, _) = db_creds(&first);
    assert!(
        first.expires_in().is_some_and(|d| d <= Duration::from_secs(3)),
        "bounded by the token, not the lease or cache TTL"
    );
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let (user2, password2, _) = db_creds(&session.resolve().await.expect("fresh credentials"));
    assert_ne!(user2, user, "new credentials under the new token");
    assert!(pg_login(&user2, &password2), "the new credentials work");
    assert!(
        stops_working(|| pg_login(&user, &password)),
        "the old token was revoked with its credentials when it was replaced"
    );
    assert_eq!(session.stats().logins, 2);
    session.close().await;
}

#[tokio::test]
async fn an_engine_that_is_not_mounted_is_named_under_engine_name() {
    let bao = Bao::shared();
    let missing = unique("nodb");
    let policy = unique("pol");
    bao.policy(&policy, &format!("path \"{missing}/*\" {{ capabilities = [\"read\"] }}")).await;
    let auth = unique("ar");
    let creds = bao.approle(&auth, &[&policy], json!({})).await;
    let vault = bao::vault(&bao, &auth, &missing, EngineType::Postgresql, None, Some("ro"), 60);
    let report = test_vault(&vault.spec, &creds).await;
    let failure = report.failure().expect("fails");
    assert_eq!(failure.code, VaultErrorCode::MountNotFound, "{report:#?}");
    assert_eq!(failure.field.as_deref(), Some("engine_name"));
    assert!(failure.message.contains(&missing), "{}", failure.message);
}
