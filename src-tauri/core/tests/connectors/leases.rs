//! Leases through the core, against the real OpenBao and PostgreSQL: a preview's and a test's
//! credentials are recorded and end with the editor's session (`Core::end_previews`, as the
//! window calls it when the editor closes, and `Core::close` when it quits); an export's are
//! issued apart and kept; revoking a cached lease drops it from the cache.

use serde_json::{json, Value};
use vaultdesk_core::connector::ConnectorInput;
use vaultdesk_core::connector_probe::TestOptions;
use vaultdesk_core::export::ExportFormat;
use vaultdesk_core::model::{LeasePurpose, LeaseRecord, LeaseState};
use vaultdesk_core::ops::{ConnectorSource, Reveal};
use vaultdesk_core::store::LeaseFilter;
use vaultdesk_core::{Core, CredentialsPatch, VaultPatch};

use crate::common::bao::{env, Bao};
use crate::common::postgres::{pg_engine, pg_login, PgEngine, PgVault};
use crate::common::wait;
use crate::store_with;

fn stops_working(user: &str, password: &str) -> bool {
    wait::until_blocking(|| !pg_login(user, password))
}

fn user_pw(config: &Value) -> (String, String) {
    (
        config["username"].as_str().expect("user").to_owned(),
        config["password"].as_str().expect("pw").to_owned(),
    )
}

async fn record(core: &Core, user: &str) -> LeaseRecord {
    let all = core.list_leases(LeaseFilter::default()).await.expect("list");
    let mut found: Vec<LeaseRecord> = all.into_iter().filter(|l| l.username == user).collect();
    assert_eq!(found.len(), 1, "one record for {user}");
    found.remove(0)
}

async fn preview(core: &Core) -> (String, String) {
    let p = core.preview(ConnectorSource::Stored("orders".into()), Reveal::All).await.expect("preview");
    user_pw(&p.config)
}

#[tokio::test]
async fn previews_end_with_the_editor_exports_are_kept_and_a_revoked_lease_leaves_the_cache() {
    let bao = Bao::shared();
    let opts = PgEngine {
        extra_policy: "path \"sys/leases/revoke\" { capabilities = [\"update\"] }",
        ..PgEngine::default()
    };
    let PgVault { vault, creds, .. } = pg_engine(&bao, opts).await;
    let dir = tempfile::tempdir().expect("tmp");
    let store = store_with(dir.path(), &[(&vault, &creds)]);
    let core = Core::new(store);
    let name = vault.spec.name.clone();
    core.add_connector(ConnectorInput {
        name: "orders".into(),
        kind: "postgresql".into(),
        vault: Some(name.clone()),
        config: json!({
            "host": env("VAULTDESK_TEST_PG_HOST"),
            "port": env("VAULTDESK_TEST_PG_PORT").parse::<u16>().expect("port"),
            "database": "postgres",
            "username": format!("{{{{secrets.{name}.username}}}}"),
            "password": format!("{{{{secrets.{name}.password}}}}"),
            "tls_mode": "disable",
        }),
    })
    .await
    .expect("connector");

    // A preview: recorded, live, reused by the next preview and by Test connection.
    let (puser, ppw) = preview(&core).await;
    assert!(pg_login(&puser, &ppw), "the preview's user logs in");
    let p = record(&core, &puser).await;
    assert_eq!((p.purpose, p.state, p.subject.as_str()), (LeasePurpose::Preview, LeaseState::Live, "orders"));
    assert_eq!(p.vault, name);
    assert_eq!(p.role, "ro");
    assert!(p.expires_at.is_some() && p.ttl_secs == 600, "a 10m lease: {p:?}");
    let report = core
        .test_connector(ConnectorSource::Stored("orders".into()), TestOptions::default(), &mut |_| {})
        .await
        .expect("test");
    assert!(report.ok, "Test connection passes with the cached credentials: {report:?}");
    assert_eq!(
        record(&core, &puser).await.purpose,
        LeasePurpose::Preview,
        "served from the cache: one record"
    );

    // An export: credentials of its own, recorded with the file.
    let out = dir.path().join("orders.json");
    core.export_connector(
        ConnectorSource::Stored("orders".into()),
        ExportFormat::Json,
        Some(out.clone()),
        false,
    )
    .await
    .expect("export");
    let file: Value = serde_json::from_str(&std::fs::read_to_string(&out).expect("read")).expect("json");
    let (euser, epw) = user_pw(&file);
    assert_ne!(euser, puser, "an export does not share the preview's user");
    let e = record(&core, &euser).await;
    assert_eq!((e.purpose, e.state), (LeasePurpose::Export, LeaseState::Live));
    assert_eq!(e.export_path.as_deref(), Some(out.to_string_lossy().as_ref()));

    // The editor closes: the preview's user is revoked, the export's kept.
    core.end_previews().await.expect("end previews");
    assert_eq!(record(&core, &puser).await.state, LeaseState::Revoked, "recorded as revoked");
    assert!(stops_working(&puser, &ppw), "the preview's user no longer logs in");
    assert!(pg_login(&euser, &epw), "the exported user still does");
    assert_eq!(record(&core, &euser).await.state, LeaseState::Live);

    // A new preview gets a new user; revoking its lease drops it from the cache.
    let (p2, p2pw) = preview(&core).await;
    assert_ne!(p2, puser);
    let lease = record(&core, &p2).await;
    let revoked = core.revoke_lease(lease.lease_id.clone()).await.expect("revoke");
    assert_eq!(revoked.state, LeaseState::Revoked);
    assert!(!pg_login(&p2, &p2pw), "sys/leases/revoke drops the user before it answers");
    let (p3, p3pw) = preview(&core).await;
    assert_ne!(p3, p2, "the revoked credentials are not served from the cache again");
    assert!(pg_login(&p3, &p3pw), "the new preview's user logs in");

    // The vault is updated: its old session ends, and with it that preview's user.
    core.update_vault(
        name.clone(),
        VaultPatch { cache_ttl: Some("10m".into()), ..VaultPatch::default() },
        CredentialsPatch::default(),
    )
    .await
    .expect("update");
    assert_eq!(record(&core, &p3).await.state, LeaseState::Revoked, "the list shows what the update ended");
    assert!(stops_working(&p3, &p3pw));
    let (p3, p3pw) = preview(&core).await;

    // The app quits: what is left of previews ends, the export stays.
    core.close().await;
    assert_eq!(record(&core, &p3).await.state, LeaseState::Revoked);
    assert!(stops_working(&p3, &p3pw));
    assert!(pg_login(&euser, &epw), "the exported user outlives the app");
    let live = core.list_leases(LeaseFilter { active: true, ..LeaseFilter::default() }).await.expect("list");
    assert_eq!(live.iter().map(|l| l.username.as_str()).collect::<Vec<_>>(), vec![euser.as_str()]);
    // Clean up what the test made: the exported user.
    let outcomes = core.revoke_vault_leases(name).await.expect("revoke all");
    assert_eq!(outcomes.len(), 1);
    assert!(outcomes[0].error.is_none(), "{outcomes:?}");
    assert!(stops_working(&euser, &epw));
    core.close().await;
}

#[tokio::test]
async fn a_preview_left_live_by_a_process_that_is_gone_is_revoked_on_request() {
    let bao = Bao::shared();
    let opts = PgEngine {
        extra_policy: "path \"sys/leases/revoke\" { capabilities = [\"update\"] }",
        ..PgEngine::default()
    };
    let PgVault { vault, creds, .. } = pg_engine(&bao, opts).await;
    let dir = tempfile::tempdir().expect("tmp");
    let first = Core::new(store_with(dir.path(), &[(&vault, &creds)]));
    let name = vault.spec.name.clone();
    first
        .add_connector(ConnectorInput {
            name: "orders".into(),
            kind: "postgresql".into(),
            vault: Some(name.clone()),
            config: json!({
                "host": "db",
                "username": format!("{{{{secrets.{name}.username}}}}"),
                "password": format!("{{{{secrets.{name}.password}}}}"),
            }),
        })
        .await
        .expect("connector");
    let (user, password) = preview(&first).await;

    // Another process on the same data directory leaves a running one's preview alone.
    let second = Core::open(dir.path()).expect("second store");
    let none = second.revoke_left_over_previews().await.expect("left-overs");
    assert!(none.is_empty(), "the first process still runs: its preview is its own: {none:?}");
    assert!(pg_login(&user, &password));

    // The first process ends without closing its sessions (as a killed one would).
    drop(first);
    assert!(pg_login(&user, &password), "nothing revoked the preview's user");
    let outcomes = second.revoke_left_over_previews().await.expect("left-overs");
    assert_eq!(outcomes.len(), 1, "{outcomes:?}");
    assert!(outcomes[0].error.is_none(), "{outcomes:?}");
    assert_eq!(outcomes[0].lease.username, user);
    assert_eq!(outcomes[0].lease.state, LeaseState::Revoked);
    assert!(!pg_login(&user, &password), "the left-over preview's user can no longer log in");
    assert!(
        second.revoke_left_over_previews().await.expect("again").is_empty(),
        "nothing left over any more"
    );
    second.close().await;
}
