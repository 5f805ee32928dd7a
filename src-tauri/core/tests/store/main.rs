//! The store against the real SQLite file and the real OS keyring. A thin wrapper around the
//! real keyring injects the one fault a real keyring cannot produce on demand: failing the
//! second of two writes, to show that no half-written vault is ever left behind.
//! Run through `tests/scripts/keyring-session.sh` (as `bash tests/run.sh` does).

// Test code: a failed expectation is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

#[path = "../common/mod.rs"]
mod common;
mod harness;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use vaultdesk_core::keyring::{CredentialStore, OsKeyring};
use vaultdesk_core::{
    AppRoleCredentials, Credentials, CredentialsPatch, Error, ErrorCode, ExposeSecret, SecretString, Store,
    VaultInput, VaultPatch,
};

use common::keyring::require_keyring_session;

/// The real keyring, except that the `fail_at`-th `set` (0-based) fails, once.
struct FailingKeyring {
    sets: Arc<AtomicUsize>,
    fail_at: usize,
}

impl CredentialStore for FailingKeyring {
    fn set(&self, account: &str, value: &SecretString) -> vaultdesk_core::Result<()> {
        if self.sets.fetch_add(1, Ordering::SeqCst) == self.fail_at {
            return Err(Error::KeyringUnavailable { detail: "injected failure".into() });
        }
        OsKeyring.set(account, value)
    }
    fn get(&self, account: &str) -> vaultdesk_core::Result<Option<SecretString>> {
        OsKeyring.get(account)
    }
    fn delete(&self, account: &str) -> vaultdesk_core::Result<()> {
        OsKeyring.delete(account)
    }
}

fn kv(name: &str) -> VaultInput {
    VaultInput {
        name: name.into(),
        url: "http://127.0.0.1:8200".into(),
        engine_name: "kv".into(),
        engine_type: "kv2".into(),
        path: Some("app".into()),
        ..Default::default()
    }
}

fn creds(role: &str, secret: &str) -> Credentials {
    Credentials::AppRole(AppRoleCredentials {
        role_id: SecretString::from(role.to_owned()),
        secret_id: SecretString::from(secret.to_owned()),
    })
}

fn keyring_value(account: &str) -> Option<String> {
    OsKeyring.get(account).expect("keyring reachable").map(|s| s.expose_secret().to_owned())
}

#[test]
fn a_failed_second_keyring_write_leaves_nothing_behind() {
    require_keyring_session();
    let dir = tempfile::tempdir().expect("tmp");
    let mut store =
        Store::open_with_keyring(dir.path(), Box::new(FailingKeyring { sets: Arc::default(), fail_at: 1 }))
            .expect("open");
    let err =
        store.add_vault(&kv("half"), &creds("role-half", "secret-half")).expect_err("second write fails");
    assert_eq!(err.code(), ErrorCode::KeyringUnavailable);
    assert!(store.list_vaults().expect("list").is_empty(), "no row was written");
    assert_eq!(entries_of_store(store.store_id()), 0, "the Role ID written first was removed again");
    drop(store);

    // The same failure on update restores the first entry and keeps the row.
    let mut good = Store::open(dir.path()).expect("open");
    let v = good.add_vault(&kv("whole"), &creds("role-old", "secret-old")).expect("add");
    let loc = good.keyring_location(&v);
    assert_eq!(entries_of_store(good.store_id()), 2, "Role ID and Secret ID visible to another process");
    let mut flaky =
        Store::open_with_keyring(dir.path(), Box::new(FailingKeyring { sets: Arc::default(), fail_at: 1 }))
            .expect("open");
    let patch = VaultPatch { url: Some("https://changed:8200".into()), ..Default::default() };
    let new = CredentialsPatch {
        role_id: Some("role-new".to_owned().into()),
        secret_id: Some("secret-new".to_owned().into()),
        ..CredentialsPatch::default()
    };
    let err = flaky.update_vault("whole", &patch, &new).expect_err("second write fails");
    assert_eq!(err.code(), ErrorCode::KeyringUnavailable);
    assert_eq!(keyring_value(&loc.role_id_account).as_deref(), Some("role-old"), "first write undone");
    assert_eq!(keyring_value(&loc.secret_id_account).as_deref(), Some("secret-old"));
    assert_eq!(
        good.get_vault("whole").expect("still there").spec.url,
        "http://127.0.0.1:8200",
        "row unchanged"
    );
    good.remove_vault("whole").expect("clean up");
    assert_eq!(entries_of_store(good.store_id()), 0, "remove leaves no entry of this store");
}

/// How many Secret Service items belong to the store `store_id`, asked of another process.
fn entries_of_store(store_id: &str) -> usize {
    let out = common::keyring::secret_tool_search();
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    text.lines().filter(|l| l.contains("attribute.username") && l.contains(store_id)).count()
}

#[test]
fn a_failed_first_keyring_write_on_add_writes_no_row() {
    require_keyring_session();
    let dir = tempfile::tempdir().expect("tmp");
    let mut store =
        Store::open_with_keyring(dir.path(), Box::new(FailingKeyring { sets: Arc::default(), fail_at: 0 }))
            .expect("open");
    let err = store.add_vault(&kv("none"), &creds("r", "s")).expect_err("keyring refuses");
    assert!(err.to_string().starts_with("OS keyring unavailable"), "{err}");
    assert!(store.list_vaults().expect("list").is_empty());
    assert_eq!(entries_of_store(store.store_id()), 0);
}

#[test]
fn rename_keeps_credentials_reachable_through_the_store() {
    require_keyring_session();
    let dir = tempfile::tempdir().expect("tmp");
    let mut store = Store::open(dir.path()).expect("open");
    store.add_vault(&kv("before"), &creds("role-r", "secret-r")).expect("add");
    let renamed = store
        .update_vault(
            "before",
            &VaultPatch { rename: Some("after".into()), ..Default::default() },
            &CredentialsPatch::default(),
        )
        .expect("rename");
    let c = store.credentials(&renamed).expect("credentials");
    assert_eq!(c.parts().0.expect("role id").expose_secret(), "role-r");
    assert_eq!(c.parts().1.expose_secret(), "secret-r");
    store.remove_vault("after").expect("remove");
    let err = store.credentials(&renamed).expect_err("entries are gone");
    assert_eq!(err.code(), ErrorCode::CredentialMissing);
    assert!(!format!("{err} {err:?}").contains("secret-r"), "errors never carry the secret");
}

#[test]
fn removing_a_vault_whose_keyring_entries_are_gone_is_not_an_error() {
    require_keyring_session();
    let dir = tempfile::tempdir().expect("tmp");
    let mut store = Store::open(dir.path()).expect("open");
    let v = store.add_vault(&kv("orphan"), &creds("r1", "s1")).expect("add");
    let loc = store.keyring_location(&v);
    OsKeyring.delete(&loc.role_id_account).expect("delete by hand");
    OsKeyring.delete(&loc.secret_id_account).expect("delete by hand");
    store.remove_vault("orphan").expect("remove succeeds without entries");
    assert!(store.list_vaults().expect("list").is_empty());
}

#[test]
fn two_data_directories_never_share_keyring_entries() {
    require_keyring_session();
    let (a, b) = (tempfile::tempdir().expect("tmp"), tempfile::tempdir().expect("tmp"));
    let mut sa = Store::open(a.path()).expect("open a");
    let mut sb = Store::open(b.path()).expect("open b");
    let va = sa.add_vault(&kv("same"), &creds("role-a", "secret-a")).expect("add a");
    let vb = sb.add_vault(&kv("same"), &creds("role-b", "secret-b")).expect("add b");
    assert_ne!(sa.keyring_location(&va).role_id_account, sb.keyring_location(&vb).role_id_account);
    sa.remove_vault("same").expect("remove a");
    assert_eq!(sb.credentials(&vb).expect("b intact").parts().1.expose_secret(), "secret-b");
    sb.remove_vault("same").expect("remove b");
}

/// The writer of [`app_and_cli_can_use_one_database_at_once`], run as a process of its own
/// (this test binary again): adds vaults w0..w19 to `VAULTDESK_TEST_WRITER_DIR`.
#[test]
#[ignore = "run as a second process by app_and_cli_can_use_one_database_at_once"]
fn writer_process() {
    let dir =
        std::env::var("VAULTDESK_TEST_WRITER_DIR").expect("run by app_and_cli_can_use_one_database_at_once");
    require_keyring_session();
    let mut s = Store::open(std::path::Path::new(&dir)).expect("the writer opens the database");
    for i in 0..20 {
        s.add_vault(&kv(&format!("w{i}")), &creds(&format!("rw{i}"), &format!("sw{i}")))
            .expect("the writer adds");
    }
}

#[test]
fn app_and_cli_can_use_one_database_at_once() {
    require_keyring_session();
    let dir = tempfile::tempdir().expect("tmp");
    let mut store = Store::open(dir.path()).expect("open");
    let mode: String = rusqlite::Connection::open(dir.path().join("vaultdesk.db"))
        .and_then(|c| c.query_row("PRAGMA journal_mode", [], |r| r.get(0)))
        .expect("journal mode");
    assert_eq!(mode, "wal", "the database is in WAL mode");
    // Another process writes while this one reads and writes.
    let mut writer = std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args(["--ignored", "--exact", "writer_process", "--test-threads", "1"])
        .env("VAULTDESK_TEST_WRITER_DIR", dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start the writer");
    let mut mine = 0;
    let status = loop {
        store.list_vaults().expect("read while the other process writes");
        store
            .add_vault(&kv(&format!("r{mine}")), &creds("rr", "sr"))
            .expect("write while the other process writes");
        mine += 1;
        if let Some(status) = writer.try_wait().expect("writer") {
            break status;
        }
    };
    let out = writer.wait_with_output().expect("writer output");
    let report = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(status.success() && report.contains("1 passed"), "the writer process failed: {report}");
    let names: Vec<String> = store.list_vaults().expect("list").into_iter().map(|v| v.spec.name).collect();
    assert_eq!(names.len(), 20 + mine, "every vault of both processes is there: {names:?}");
    assert!((0..20).all(|i| names.contains(&format!("w{i}"))), "{names:?}");
    assert!((0..mine).all(|i| names.contains(&format!("r{i}"))), "{names:?}");
    for n in names {
        store.remove_vault(&n).expect("clean up");
    }
}

/// The real keyring, except that the `fail_at`-th `delete` (0-based) fails, once.
struct FailingDeletes {
    deletes: Arc<AtomicUsize>,
    fail_at: usize,
}

impl CredentialStore for FailingDeletes {
    fn set(&self, account: &str, value: &SecretString) -> vaultdesk_core::Result<()> {
        OsKeyring.set(account, value)
    }
    fn get(&self, account: &str) -> vaultdesk_core::Result<Option<SecretString>> {
        OsKeyring.get(account)
    }
    fn delete(&self, account: &str) -> vaultdesk_core::Result<()> {
        if self.deletes.fetch_add(1, Ordering::SeqCst) == self.fail_at {
            return Err(Error::KeyringUnavailable { detail: "injected failure".into() });
        }
        OsKeyring.delete(account)
    }
}

/// A keyring delete failing half-way through `vault remove` (after the keyring answered the
/// check made first): the removal is committed with its intent, so it is finished, not undone —
/// the error says so, and the next open deletes what is left. Never a vault with one entry, never
/// an entry without its vault once the data directory is opened again.
#[test]
fn a_keyring_delete_failing_half_way_through_remove_is_finished_at_the_next_open() {
    require_keyring_session();
    let dir = tempfile::tempdir().expect("tmp");
    let mut good = Store::open(dir.path()).expect("open");
    let v = good.add_vault(&kv("kept"), &creds("role-kept", "secret-kept")).expect("add");
    let loc = good.keyring_location(&v);
    let store_id = good.store_id().to_owned();
    drop(good);
    let mut flaky = Store::open_with_keyring(
        dir.path(),
        Box::new(FailingDeletes { deletes: Arc::default(), fail_at: 1 }),
    )
    .expect("open");
    let err = flaky.remove_vault("kept").expect_err("the second delete fails");
    assert_eq!(err.code(), ErrorCode::Keyring, "{err}");
    assert!(
        err.to_string().contains("is removed, but its keyring entries could not be deleted yet"),
        "the error says what happened and what comes next: {err}"
    );
    assert!(!err.to_string().contains("secret-kept"), "no secret in the message: {err}");
    drop(flaky);
    // The next process to open the data directory finishes the removal.
    let reopened = Store::open(dir.path()).expect("open again");
    assert!(reopened.list_vaults().expect("list").is_empty(), "the vault is gone");
    assert_eq!(keyring_value(&loc.role_id_account), None);
    assert_eq!(keyring_value(&loc.secret_id_account), None, "the entry left behind was deleted at open");
    assert_eq!(entries_of_store(&store_id), 0, "no entry without its vault, as another process sees it");
}

#[test]
fn a_database_from_a_newer_vaultdesk_is_refused_clearly() {
    let dir = tempfile::tempdir().expect("tmp");
    drop(
        Store::open_with_keyring(dir.path(), Box::new(FailingKeyring { sets: Arc::default(), fail_at: 0 }))
            .expect("create"),
    );
    let db = dir.path().join("vaultdesk.db");
    rusqlite::Connection::open(&db)
        .and_then(|c| c.pragma_update(None, "user_version", 99))
        .expect("set user_version");
    let err =
        Store::open_with_keyring(dir.path(), Box::new(FailingKeyring { sets: Arc::default(), fail_at: 0 }))
            .expect_err("newer schema refused");
    assert_eq!(err.code(), ErrorCode::Storage);
    assert!(err.to_string().contains("written by a newer vaultdesk"), "{err}");
}

#[test]
fn a_data_dir_that_is_a_file_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "x").expect("write");
    let err = Store::open(&file).expect_err("refused");
    assert_eq!(err.code(), ErrorCode::Storage);
    assert!(err.to_string().contains("exists and is not a directory"), "{err}");
}

#[test]
fn a_database_of_the_first_schema_is_migrated_with_defaults() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("vaultdesk.db");
    let conn = rusqlite::Connection::open(&db).expect("create v1 database");
    conn.execute_batch(include_str!("../../migrations/0001_init.sql")).expect("schema v1");
    conn.execute_batch(
        "INSERT INTO meta VALUES ('store_id', 'oldstore');
         INSERT INTO vaults (id, name, provider, url, namespace, auth_mount, engine_name, engine_type,
                             path, db_role, connection_name, cache_ttl_secs, created_at, updated_at)
         VALUES ('v-1', 'legacy', 'hashicorp_vault', 'https://v:8200', NULL, 'approle', 'kv', 'kv2',
                 'app', NULL, NULL, 60, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
         PRAGMA user_version = 1;",
    )
    .expect("v1 data");
    drop(conn);
    let store =
        Store::open_with_keyring(dir.path(), Box::new(FailingKeyring { sets: Arc::default(), fail_at: 0 }))
            .expect("open migrates");
    let v = store.get_vault("legacy").expect("the old vault survives the migration");
    assert_eq!(v.spec.cache_ttl_secs, 60);
    assert_eq!(v.spec.tls.tls_ca_cert, None);
    assert!(!v.spec.tls.tls_skip_verify, "verification on for migrated vaults");
    assert_eq!((v.spec.tls.connect_timeout_secs, v.spec.tls.request_timeout_secs), (10, 30));
    assert_eq!(store.store_id(), "oldstore", "the store id, and with it the keyring accounts, is kept");
}

fn aws(name: &str, auth: &str) -> VaultInput {
    VaultInput {
        name: name.into(),
        provider: Some("aws".into()),
        auth_method: Some(auth.into()),
        aws: vaultdesk_core::AwsInput {
            aws_region: Some("us-east-1".into()),
            aws_secret_id: Some("app/db".into()),
            ..Default::default()
        },
        ..Default::default()
    }
}

fn aws_keys(id: &str, key: &str, token: Option<&str>) -> Credentials {
    Credentials::aws_keys(
        SecretString::from(id.to_owned()),
        &SecretString::from(key.to_owned()),
        token.map(|t| SecretString::from(t.to_owned())).as_ref(),
    )
}

/// AWS access keys go through the same crash-safe intents as AppRole's IDs: the key id in the
/// first entry, the secret key and its session token in the second, changed together; a failed
/// second write on update leaves the old pair; remove leaves nothing.
#[test]
fn aws_keys_and_their_session_token_change_together_or_not_at_all() {
    require_keyring_session();
    let dir = tempfile::tempdir().expect("tmp");
    let mut good = Store::open(dir.path()).expect("open");
    let v = good
        .add_vault(&aws("awsk", "aws_keys"), &aws_keys("AKIAOLD", "old-key", Some("old-token")))
        .expect("add");
    let loc = good.keyring_location(&v);
    assert_eq!(keyring_value(&loc.role_id_account).as_deref(), Some("AKIAOLD"));
    assert_eq!(
        keyring_value(&loc.secret_id_account).as_deref(),
        Some("old-key\nold-token"),
        "key and token in one entry"
    );
    match good.credentials(&v).expect("read back") {
        Credentials::AwsKeys { access_key_id, secret } => {
            assert_eq!(access_key_id.expose_secret(), "AKIAOLD");
            let (key, token) = Credentials::aws_parts(&secret);
            assert_eq!(
                (key.expose_secret(), token.as_ref().map(|t| t.expose_secret())),
                ("old-key", Some("old-token"))
            );
        }
        other => panic!("expected AWS keys, got {other:?}"),
    }
    let new = CredentialsPatch::from(aws_keys("AKIANEW", "new-key", None));
    let mut flaky =
        Store::open_with_keyring(dir.path(), Box::new(FailingKeyring { sets: Arc::default(), fail_at: 1 }))
            .expect("open");
    let err = flaky.update_vault("awsk", &VaultPatch::default(), &new).expect_err("second write fails");
    assert_eq!(err.code(), ErrorCode::KeyringUnavailable);
    drop(flaky);
    let good = Store::open(dir.path()).expect("reopen settles the abandoned change");
    assert_eq!(keyring_value(&loc.role_id_account).as_deref(), Some("AKIAOLD"), "the old pair, whole");
    assert_eq!(keyring_value(&loc.secret_id_account).as_deref(), Some("old-key\nold-token"));
    drop(good);
    let mut good = Store::open(dir.path()).expect("open");
    good.update_vault("awsk", &VaultPatch::default(), &new).expect("update");
    assert_eq!(keyring_value(&loc.role_id_account).as_deref(), Some("AKIANEW"));
    assert_eq!(
        keyring_value(&loc.secret_id_account).as_deref(),
        Some("new-key"),
        "the old session token went with its key"
    );
    good.remove_vault("awsk").expect("remove");
    assert_eq!(entries_of_store(good.store_id()), 0, "remove leaves no entry of this store");
}

/// The AWS default chain stores nothing: no entry after add, none expected by the doctor;
/// switching a keys vault to the default chain deletes its entries, and an entry that shows up
/// for a default-chain vault is an orphan the repair removes.
#[test]
fn aws_default_chain_keeps_no_keyring_entry_and_the_doctor_agrees() {
    require_keyring_session();
    let dir = tempfile::tempdir().expect("tmp");
    let mut store = Store::open(dir.path()).expect("open");
    let chain = store.add_vault(&aws("chain", "aws_default"), &Credentials::AwsDefault).expect("add");
    assert_eq!(entries_of_store(store.store_id()), 0, "nothing in the keyring");
    assert!(matches!(store.credentials(&chain).expect("credentials"), Credentials::AwsDefault));
    // (The temporary directory's mode, put right when opened, is reported as repaired.)
    let found: Vec<_> = store.doctor(false).expect("doctor").into_iter().filter(|f| !f.repaired).collect();
    assert!(found.is_empty(), "nothing missing for the default chain: {found:?}");

    let keys = store.add_vault(&aws("keys", "aws_keys"), &aws_keys("AKIAK", "k", None)).expect("add keys");
    assert_eq!(entries_of_store(store.store_id()), 2);
    let patch = VaultPatch { auth_method: Some("aws_default".into()), ..Default::default() };
    store.update_vault("keys", &patch, &CredentialsPatch::default()).expect("switch to the default chain");
    assert_eq!(entries_of_store(store.store_id()), 0, "the keys left the keyring with the switch");

    let loc = store.keyring_location(&keys);
    OsKeyring.set(&loc.secret_id_account, &SecretString::from("left-over".to_owned())).expect("plant");
    let found = store.doctor(false).expect("doctor");
    assert!(
        found.iter().any(|f| f.kind == vaultdesk_core::store::FindingKind::OrphanedEntry),
        "an entry of a default-chain vault is out of step: {found:?}"
    );
    store.doctor(true).expect("repair");
    assert_eq!(keyring_value(&loc.secret_id_account), None, "repaired");
    store.remove_vault("chain").expect("remove");
    store.remove_vault("keys").expect("remove");
}

/// A vault's login reads its two entries through one Secret Service session
/// (`CredentialStore::get_many`): the same values, in the order asked, as one read each — a
/// missing entry is `None`, not an error, and the other values still come back.
#[test]
fn reading_several_entries_at_once_gives_what_one_by_one_reads_give() {
    require_keyring_session();
    let tag = format!("get-many-{}", uuid::Uuid::new_v4().simple());
    let (a, b, none) = (format!("{tag}-role"), format!("{tag}-secret"), format!("{tag}-missing"));
    OsKeyring.set(&a, &SecretString::from("role ✓ 'quoted' \"x\"".to_owned())).expect("set a");
    OsKeyring.set(&b, &SecretString::from("s3cr3t\nline two".to_owned())).expect("set b");
    let got = OsKeyring.get_many(&[&a, &none, &b]).expect("read together");
    let shown: Vec<Option<String>> =
        got.iter().map(|v| v.as_ref().map(|s| s.expose_secret().to_owned())).collect();
    assert_eq!(shown, [Some("role ✓ 'quoted' \"x\"".to_owned()), None, Some("s3cr3t\nline two".to_owned())]);
    for acct in [&a, &none, &b] {
        let one = OsKeyring.get(acct).expect("read one").map(|s| s.expose_secret().to_owned());
        let many = OsKeyring.get_many(&[acct.as_str()]).expect("read one in a batch");
        assert_eq!(one, many[0].as_ref().map(|s| s.expose_secret().to_owned()), "{acct}");
    }
    // An entry changed since (a rotation by another process) reads as changed.
    OsKeyring.set(&b, &SecretString::from("rotated".to_owned())).expect("set b again");
    let got = OsKeyring.get_many(&[&a, &b]).expect("read again");
    assert_eq!(got[1].as_ref().map(|s| s.expose_secret().to_owned()).as_deref(), Some("rotated"));
    OsKeyring.delete(&a).expect("delete a");
    OsKeyring.delete(&b).expect("delete b");
    assert!(OsKeyring.get_many(&[&a, &b]).expect("read gone").iter().all(Option::is_none));
}
