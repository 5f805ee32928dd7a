//! Database secrets engine against real PostgreSQL and MariaDB: issued credentials work, are
//! reused while cached, renewed while in use, and stop working once revoked.

use std::process::Command;
use std::time::Duration;

use serde_json::json;
use vaultdesk_core::provider::vault::{
    test_vault, SecretValue, StageStatus, TestStage, VaultErrorCode, VaultSession,
};
use vaultdesk_core::EngineType;

use crate::common::bao::{self, env, unique, Bao};
use crate::common::postgres::{pg_engine, pg_login, pg_role_exists, pg_valid_until, PgEngine, PgVault};
use crate::common::wait;

/// Revocation through the token ends leases in Vault's background revocation: what a user sees
/// is that the login stops working soon after. Polls `login` until it fails.
fn stops_working(login: impl Fn() -> bool) -> bool {
    wait::until_blocking(|| !login())
}

/// The session renews or replaces tokens and leases once no more than this is left of them.
/// With TTLs of 10 minutes and more that point comes a second or so after they were issued,
/// and they still have about 10 minutes to live: a slow machine only makes the tests wait
/// longer, it cannot make them miss the window between "due" and "gone".
const MARGIN: Duration = Duration::from_secs(599);

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

fn db_creds(secret: &vaultdesk_core::provider::vault::ResolvedSecret) -> (String, String, String) {
    match &secret.value {
        SecretValue::Database(c) => (c.username.clone(), c.password.expose().clone(), c.lease.id.clone()),
        SecretValue::Kv(_) => panic!("expected database credentials"),
    }
}

#[tokio::test]
async fn postgresql_credentials_work_are_reused_and_stop_working_when_revoked() {
    let bao = Bao::shared();
    let pg = pg_engine(&bao, PgEngine::default()).await;
    let (vault, creds, mount) = (pg.vault, pg.creds, pg.mount);
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
    // A 10m lease under a 1h cache TTL (and a 4h token): the lease comes due first.
    let opts = PgEngine {
        max_ttl: "2h",
        approle: json!({"token_ttl": "4h"}),
        cache_ttl_secs: 3600,
        ..PgEngine::default()
    };
    let pg = pg_engine(&bao, opts).await;
    let session = VaultSession::new(&pg.vault, pg.creds).expect("session").with_refresh_margin(MARGIN);
    let first = session.resolve().await.expect("credentials");
    let (user, password, lease) = db_creds(&first);
    assert!(
        first.expires_in().is_some_and(|d| d < Duration::from_secs(600)),
        "bounded by the 10m lease, not the 1h cache TTL"
    );
    let lease_end = pg_valid_until(&user);

    let (s, u) = (&session, user.as_str());
    let next = wait::until(|| async move {
        let r = s.resolve().await.expect("resolves while the lease is due");
        (s.stats().lease_renewals > 0 || db_creds(&r).0 != u).then_some(r)
    })
    .await
    .expect("the lease came due");
    let (user2, _, lease2) = db_creds(&next);
    assert_eq!((user2.as_str(), lease2.as_str()), (user.as_str(), lease.as_str()), "same user, same lease");
    let stats = session.stats();
    assert_eq!((stats.lease_renewals, stats.reads), (1, 1), "the lease was renewed, not replaced: {stats:?}");
    assert!(
        pg_valid_until(&user) > lease_end,
        "PostgreSQL accepts the password past the end of the original lease"
    );
    assert!(pg_login(&user, &password), "the renewed credentials log in");
    session.close().await;
    assert!(stops_working(|| pg_login(&user, &password)), "revoked on close");
}

#[tokio::test]
async fn the_test_issues_credentials_shows_the_user_and_revokes_them() {
    let bao = Bao::shared();
    let pg = pg_engine(&bao, PgEngine::default()).await;
    let report = test_vault(&pg.vault.spec, &pg.creds).await;
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
    assert!(wait::until_blocking(|| !pg_role_exists(user)), "the test's database user was dropped");

    // A role that does not exist (any more) in the engine, on a path the policy allows.
    let gone = pg_engine(&bao, PgEngine::default()).await;
    bao.call(reqwest::Method::DELETE, &format!("{}/roles/ro", gone.mount), None).await;
    let report = test_vault(&gone.vault.spec, &gone.creds).await;
    assert_eq!(report.failure().map(|f| f.code), Some(VaultErrorCode::DatabaseRoleNotFound), "{report:#?}");
    assert_eq!(report.failure().and_then(|f| f.field.clone()).as_deref(), Some("db_role"));
    assert!(report.failure().is_some_and(|f| f.hint.contains("check the database role name")), "{report:#?}");
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
    let PgVault { mut vault, creds, .. } = pg_engine(&bao, PgEngine::default()).await;
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
    // The token lives 10m and cannot be renewed past that; the lease 1h; the cache TTL 5m. The
    // token comes due first, with minutes left: only vaultdesk revoking it can end it early.
    let opts = PgEngine {
        default_ttl: "1h",
        max_ttl: "2h",
        approle: json!({"token_ttl": "10m", "token_max_ttl": "10m"}),
        cache_ttl_secs: 300,
        extra_policy: "",
    };
    let pg = pg_engine(&bao, opts).await;
    let session = VaultSession::new(&pg.vault, pg.creds).expect("session").with_refresh_margin(MARGIN);
    let first = session.resolve().await.expect("credentials");
    let (user, password, _) = db_creds(&first);
    assert!(
        first.expires_in().is_some_and(|d| d < Duration::from_secs(300)),
        "bounded by the token, not the 1h lease or the 5m cache TTL"
    );
    let s = &session;
    let fresh = wait::until(|| async move {
        let r = s.resolve().await.expect("resolves while the token is due");
        (s.stats().logins > 1).then_some(r)
    })
    .await
    .expect("a new login once the token came due");
    let (user2, password2, _) = db_creds(&fresh);
    assert_ne!(user2, user, "new credentials under the new token");
    assert!(pg_login(&user2, &password2), "the new credentials work");
    assert!(
        stops_working(|| pg_login(&user, &password)),
        "the old token (minutes from its end) was revoked with its credentials when it was replaced"
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
    assert!(failure.hint.contains("the path the secrets engine is mounted at"), "{}", failure.hint);
}

#[tokio::test]
async fn with_cache_ttl_0_a_session_keeps_one_database_user_and_an_export_gets_its_own() {
    // A live preview re-renders on every pause in typing: with caching off it must still not
    // create a database user each time.
    let bao = Bao::shared();
    let PgVault { vault, creds, mount } =
        pg_engine(&bao, PgEngine { cache_ttl_secs: 0, ..PgEngine::default() }).await;
    let session = VaultSession::new(&vault, creds).expect("session");
    let (user, password, _) = db_creds(&session.resolve().await.expect("credentials"));
    for _ in 0..3 {
        let (again, _, _) = db_creds(&session.resolve().await.expect("again"));
        assert_eq!(again, user, "the session's one user is reused");
    }
    assert_eq!(bao.audited_reads(&format!("{mount}/creds/ro")), 1, "one creds request for four renders");
    assert!(pg_login(&user, &password));
    let kept = session.resolve_kept().await.expect("export");
    let (export_user, _, _) = db_creds(&kept);
    assert_ne!(export_user, user, "an export gets credentials of its own");
    session.close().await;
    assert!(stops_working(|| pg_login(&user, &password)), "the session's user is revoked when it ends");
}
