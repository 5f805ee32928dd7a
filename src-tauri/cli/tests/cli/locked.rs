//! A locked keyring (the Secret Service collection locked, no one to type the password): every
//! command that needs the Role ID or Secret ID fails with exit code 6 and changes nothing. Runs
//! in its own private keyring session, since locking the shared one would disturb other tests.

use std::process::Command;

#[test]
fn a_locked_keyring_is_a_clear_error_and_nothing_changes() {
    let dir = tempfile::tempdir().expect("tmp");
    let script = r#"
set -u
V="$VAULTDESK_BIN --data-dir $DATA"
VAULTDESK_ROLE_ID=role-locked VAULTDESK_SECRET_ID=secret-locked $V vault add present --url http://127.0.0.1:1 --engine-name kv --engine-type kv2 --path p >/dev/null || exit 90
dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets \
  org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login >/dev/null || exit 91
VAULTDESK_ROLE_ID=r VAULTDESK_SECRET_ID=s $V vault add second --url http://127.0.0.1:1 --engine-name kv --engine-type kv2 --path p 2>"$DATA.add.err"; echo "add=$?"
$V vault test present 2>"$DATA.test.err" >/dev/null; echo "test=$?"
$V vault remove present 2>"$DATA.remove.err"; echo "remove=$?"
$V vault list --json | tr -d ' \n'; echo
"#;
    let out = Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/scripts/keyring-session.sh"))
        .args(["bash", "-c", script])
        .env_remove("VAULTDESK_IN_KEYRING_SESSION")
        .env("VAULTDESK_BIN", env!("CARGO_BIN_EXE_vaultdesk"))
        .env("DATA", dir.path())
        .output()
        .expect("keyring-session.sh runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "session script: {text}\n{}", String::from_utf8_lossy(&out.stderr));
    let read = |suffix: &str| {
        std::fs::read_to_string(format!("{}.{suffix}.err", dir.path().display())).unwrap_or_default()
    };
    assert!(text.contains("add=6"), "add into a locked keyring exits 6: {text}");
    assert!(read("add").starts_with("vaultdesk: OS keyring unavailable"), "{}", read("add"));
    assert!(text.contains("test=6"), "reading the IDs from a locked keyring exits 6: {text}");
    assert!(read("test").starts_with("vaultdesk: OS keyring unavailable"), "{}", read("test"));
    assert!(text.contains("remove=6"), "remove exits 6 and keeps the vault: {text}");
    let list_line = text.lines().last().unwrap_or_default();
    assert!(
        list_line.contains("\"name\":\"present\"") && !list_line.contains("second"),
        "the database is unchanged: {list_line}"
    );
}
