//! Token renewal and the hub's life cycle of sessions, against the real OpenBao server.

use std::time::Duration;

use serde_json::json;
use vaultdesk_core::provider::{vault::VaultSession, SecretValue, VaultHub};

use crate::common::audit::{login_tokens, revoked_itself};
use crate::common::bao::{unique, Bao};
use crate::common::wait;

#[tokio::test]
async fn a_renewable_token_is_renewed_instead_of_logging_in_again() {
    let bao = Bao::shared();
    // Tokens live 10m, renewable up to 1h. The session renews them 599s before their end: the
    // token is due after a second and still has 599s to live, so the renewal cannot come late.
    let (vault, creds) =
        bao.kv_fixture_with(json!({"k": "v"}), json!({"token_ttl": "10m", "token_max_ttl": "1h"})).await;
    let session =
        VaultSession::new(&vault, creds).expect("session").with_refresh_margin(Duration::from_secs(599));
    session.resolve().await.expect("first");
    let s = &session;
    let stats = wait::until(|| async move {
        s.resolve().await.expect("resolves while the token is due");
        let stats = s.stats();
        (stats.logins + stats.token_renewals > 1).then_some(stats)
    })
    .await
    .expect("the token came due");
    assert_eq!((stats.logins, stats.token_renewals), (1, 1), "renewed, not a second login: {stats:?}");
    session.resolve().await.expect("the renewed token reads");
    assert_eq!(session.stats().logins, 1);
    assert_eq!(bao.audited_logins(&vault.spec.auth_mount), 1, "the audit log agrees: one login");
}

#[tokio::test]
async fn the_hub_replaces_the_session_of_a_changed_vault() {
    let bao = Bao::shared();
    let (mut vault, creds) = bao.kv_fixture(json!({"v": "one"}), 300).await;
    let hub = VaultHub::new();
    let c1 = creds.clone();
    let first = hub.session(&vault, move || Ok(c1)).await.expect("session");
    first.resolve().await.expect("resolve");
    let c2 = creds.clone();
    let again = hub.session(&vault, move || Ok(c2)).await.expect("session");
    assert!(std::sync::Arc::ptr_eq(&first, &again), "an unchanged vault keeps its session (and its cache)");
    let old_token = login_tokens(&vault.spec.auth_mount);
    assert_eq!(old_token.len(), 1, "one login so far");
    assert!(!revoked_itself(&old_token[0]), "the session's token lives while the vault is unchanged");

    // The vault is updated (a new cache TTL): a new session; the old one is closed.
    vault.spec.cache_ttl_secs = 60;
    vault.updated_at = "2026-01-02T00:00:00Z".into();
    let c3 = creds.clone();
    let updated = hub.session(&vault, move || Ok(c3)).await.expect("session");
    assert!(!std::sync::Arc::ptr_eq(&first, &updated), "a changed vault gets a new session");
    assert!(revoked_itself(&old_token[0]), "the old session was closed: its token revoked itself");
    bao.put_kv2(&vault.spec.engine_name, "app/config", json!({"v": "two"})).await;
    let SecretValue::Kv(kv) = &updated.resolve().await.expect("resolve").value else { panic!("kv") };
    assert_eq!(kv.data.expose()["v"], "two", "the new session does not reuse the old cache");

    // A keyring failure while loading credentials is reported, not panicked on.
    let mut other = vault.clone();
    other.id = unique("id");
    let err = hub
        .session(&other, || {
            Err::<vaultdesk_core::AppRoleCredentials, _>(vaultdesk_core::Error::KeyringUnavailable {
                detail: "locked".into(),
            })
        })
        .await
        .expect_err("credentials unavailable");
    assert_eq!(err.code(), vaultdesk_core::ErrorCode::KeyringUnavailable);
    hub.close_all().await;
}
