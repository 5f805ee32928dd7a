//! Lease records in a real SQLite file: listed newest first and filtered, past their end shown
//! as expired, found by their id's last segment, and a preview left over only once its process
//! (its store's owner lock) is gone.

use vaultdesk_core::keyring::MemoryKeyring;
use vaultdesk_core::model::{LeasePurpose, LeaseState};
use vaultdesk_core::store::{LeaseFilter, NewLease};
use vaultdesk_core::{Error, Store};

fn lease(id: &str, purpose: LeasePurpose, issued_ago_secs: i64, ttl_secs: u64) -> NewLease {
    NewLease {
        lease_id: format!("db/creds/ro/{id}"),
        vault_id: "v1".into(),
        vault_name: "orders-db".into(),
        role: "ro".into(),
        username: format!("v-ro-{id}"),
        purpose,
        subject: "orders".into(),
        export_path: purpose.is_kept().then(|| "/tmp/orders.json".to_owned()),
        issued_at: chrono::Utc::now() - chrono::Duration::seconds(issued_ago_secs),
        ttl_secs,
        renewable: true,
    }
}

fn open(dir: &std::path::Path) -> Store {
    Store::open_with_keyring(dir, Box::new(MemoryKeyring::default())).expect("open")
}

#[test]
fn records_are_listed_filtered_expired_and_found_by_their_last_segment() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut store = open(dir.path());
    store.record_lease(&lease("aaa", LeasePurpose::Export, 10, 600)).expect("record");
    store.record_lease(&lease("bbb", LeasePurpose::Preview, 7200, 60)).expect("record");
    // The same lease served again from the cache for a test: the first record stays.
    store.record_lease(&lease("aaa", LeasePurpose::Test, 0, 600)).expect("again");
    let all = store.list_leases(&LeaseFilter::default()).expect("list");
    let ids: Vec<&str> = all.iter().map(|l| l.lease_id.as_str()).collect();
    assert_eq!(ids, ["db/creds/ro/aaa", "db/creds/ro/bbb"], "newest first, one record per lease");
    assert_eq!(all[0].purpose, LeasePurpose::Export, "what it was issued for");
    assert_eq!(all[0].state, LeaseState::Live);
    assert_eq!(all[1].state, LeaseState::Expired, "a 60s lease issued 2h ago has run out");
    assert!(!all[0].vault_exists, "no stored vault has id v1");
    let live = store.list_leases(&LeaseFilter { active: true, ..LeaseFilter::default() }).expect("list");
    assert_eq!(live.len(), 1);
    let none = store
        .list_leases(&LeaseFilter { vault: Some("other".into()), ..LeaseFilter::default() })
        .expect("list");
    assert!(none.is_empty());
    let by_name = store
        .list_leases(&LeaseFilter { vault: Some("ORDERS-DB".into()), ..LeaseFilter::default() })
        .expect("list");
    assert_eq!(by_name.len(), 2, "vault names match ignoring case");

    assert_eq!(store.get_lease("aaa").expect("by segment").lease_id, "db/creds/ro/aaa");
    assert_eq!(store.get_lease("db/creds/ro/bbb").expect("whole").username, "v-ro-bbb");
    assert!(matches!(store.get_lease("ro/aa"), Err(Error::LeaseNotFound { .. })), "a segment is whole");
    store.record_lease(&lease("x/aaa", LeasePurpose::Render, 0, 0)).expect("record");
    assert!(matches!(store.get_lease("aaa"), Err(Error::LeaseAmbiguous { matches: 2, .. })));
    let endless = store.get_lease("x/aaa").expect("found");
    assert_eq!((endless.expires_at, endless.state), (None, LeaseState::Live), "no TTL: no end");

    let later = chrono::Utc::now() + chrono::Duration::hours(1);
    store.set_lease_state("db/creds/ro/aaa", LeaseState::Renewed, Some(later)).expect("renewed");
    let renewed = store.get_lease("db/creds/ro/aaa").expect("get");
    assert_eq!(renewed.state, LeaseState::Renewed);
    assert!(renewed.expires_at.as_deref() > all[0].expires_at.as_deref(), "the end moved");
    store.set_lease_state("db/creds/ro/aaa", LeaseState::Revoked, None).expect("revoked");
    let revoked = store.get_lease("db/creds/ro/aaa").expect("get");
    assert_eq!((revoked.state, revoked.expires_at), (LeaseState::Revoked, renewed.expires_at));
}

#[test]
fn a_preview_is_left_over_only_once_its_process_is_gone() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut first = open(dir.path());
    first.record_lease(&lease("p1", LeasePurpose::Preview, 0, 600)).expect("record");
    first.record_lease(&lease("e1", LeasePurpose::Export, 0, 600)).expect("record");
    let second = open(dir.path());
    assert!(
        second.left_over_previews().expect("list").is_empty(),
        "the first store (a running process) still owns its preview"
    );
    assert!(first.left_over_previews().expect("list").is_empty(), "nor is its own preview left over");
    drop(first);
    let left: Vec<String> =
        second.left_over_previews().expect("list").into_iter().map(|l| l.lease_id).collect();
    assert_eq!(left, ["db/creds/ro/p1"], "its process gone, the preview is left over; the export never is");
}
