//! The guard that keeps these tests away from a developer's own keyring: the tests' check
//! (common/keyring.rs) and tests/scripts/keyring-session.sh refuse any Secret Service but the
//! private one the script started, whatever VAULTDESK_IN_KEYRING_SESSION says.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::common::keyring::{private_keyring, require_keyring_session};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/scripts/keyring-session.sh");

const VARS: [&str; 5] = [
    "VAULTDESK_IN_KEYRING_SESSION",
    "DBUS_SESSION_BUS_ADDRESS",
    "VAULTDESK_KEYRING_BUS",
    "VAULTDESK_KEYRING_PID",
    "VAULTDESK_KEYRING_DATA",
];

/// This process's keyring-session variables.
fn our_session() -> HashMap<&'static str, String> {
    VARS.iter().filter_map(|v| Some((*v, std::env::var(v).ok()?))).collect()
}

fn check(env: &HashMap<&'static str, String>) -> Result<(), String> {
    private_keyring(&|name| env.get(name).cloned())
}

/// Another private keyring session, alive until the returned child's stdin is closed: its
/// session variables as the command inside it sees them.
fn other_session() -> (std::process::Child, HashMap<&'static str, String>) {
    let print = VARS.iter().map(|v| format!("printf '%s\\n' \"${v}\"")).collect::<Vec<_>>().join("; ");
    let mut child = Command::new(SCRIPT)
        .args(["sh", "-c", &format!("{print}; read _ || :")])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("keyring-session.sh runs");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let env = VARS
        .iter()
        .map(|v| (*v, lines.next().expect("a line per variable").expect("read")))
        .collect::<HashMap<_, _>>();
    (child, env)
}

fn end(mut child: std::process::Child) {
    drop(child.stdin.take());
    assert!(child.wait().expect("wait").success(), "the other session ends cleanly");
}

#[test]
fn the_keyring_check_accepts_the_private_session_and_refuses_anything_else() {
    require_keyring_session();
    let ours = our_session();
    assert_eq!(check(&ours), Ok(()), "the session keyring-session.sh started is accepted");

    // What the old check trusted: the variable set, on some other bus (a user's session bus).
    let user_like = HashMap::from([
        ("VAULTDESK_IN_KEYRING_SESSION", "1".to_owned()),
        ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/run/user/1000/bus".to_owned()),
    ]);
    let why = check(&user_like).expect_err("only the variable: refused");
    assert!(why.contains("VAULTDESK_KEYRING_BUS is not set"), "{why}");

    let mut elsewhere = ours.clone();
    elsewhere.insert("DBUS_SESSION_BUS_ADDRESS", "unix:path=/run/user/1000/bus".to_owned());
    let why = check(&elsewhere).expect_err("another bus than the recorded one: refused");
    assert!(why.contains("not the private bus"), "{why}");

    let mut not_the_daemon = ours.clone();
    not_the_daemon.insert("VAULTDESK_KEYRING_PID", std::process::id().to_string());
    let why = check(&not_the_daemon).expect_err("a recorded process that is no keyring daemon: refused");
    assert!(why.contains("not gnome-keyring-daemon"), "{why}");

    let mut other_data = ours.clone();
    other_data.insert("VAULTDESK_KEYRING_DATA", "/tmp/vaultdesk-keyring.other/data".to_owned());
    let why = check(&other_data).expect_err("a daemon keeping its keyrings elsewhere: refused");
    assert!(why.contains("not the scratch directory"), "{why}");

    // A live bus with a live Secret Service that is not our daemon: both addresses say that
    // bus, the recorded daemon is ours.
    let (child, other) = other_session();
    let mut foreign = ours.clone();
    foreign.insert("DBUS_SESSION_BUS_ADDRESS", other["DBUS_SESSION_BUS_ADDRESS"].clone());
    foreign.insert("VAULTDESK_KEYRING_BUS", other["DBUS_SESSION_BUS_ADDRESS"].clone());
    let result = check(&foreign);
    assert_eq!(check(&other), Ok(()), "the other session is a valid one of its own");
    end(child);
    let why = result.expect_err("a Secret Service owned by another daemon: refused");
    assert!(why.contains(&format!("not the private daemon {}", ours["VAULTDESK_KEYRING_PID"])), "{why}");
}

#[test]
fn keyring_session_sh_always_starts_its_own_bus() {
    require_keyring_session();
    // Called from inside a session, with VAULTDESK_IN_KEYRING_SESSION=1 inherited: a new bus and
    // a new daemon all the same.
    assert_eq!(std::env::var("VAULTDESK_IN_KEYRING_SESSION").as_deref(), Ok("1"));
    let (child, other) = other_session();
    end(child);
    let ours = our_session();
    assert_ne!(other["DBUS_SESSION_BUS_ADDRESS"], ours["DBUS_SESSION_BUS_ADDRESS"], "a bus of its own");
    assert_eq!(other["VAULTDESK_KEYRING_BUS"], other["DBUS_SESSION_BUS_ADDRESS"]);
    assert_ne!(other["VAULTDESK_KEYRING_PID"], ours["VAULTDESK_KEYRING_PID"], "a daemon of its own");

    // Its inner stage, pointed at the bus it was called from, refuses to go on.
    let out = Command::new(SCRIPT)
        .args(["--vaultdesk-inside-private-bus", &ours["DBUS_SESSION_BUS_ADDRESS"], "true"])
        .output()
        .expect("keyring-session.sh runs");
    assert!(!out.status.success(), "the caller's bus is refused");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a private one"), "{err}");
}
