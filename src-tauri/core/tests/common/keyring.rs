//! Tests that write to the OS keyring run only against the private gnome-keyring that
//! tests/scripts/keyring-session.sh started on a D-Bus session of its own, never against the
//! keyring of whoever runs them. Std only: the CLI's tests include this file too.

use std::process::Command;
use std::sync::OnceLock;

/// Panics unless this process talks to the private keyring of tests/scripts/keyring-session.sh.
pub fn require_keyring_session() {
    static CHECKED: OnceLock<Result<(), String>> = OnceLock::new();
    let checked = CHECKED.get_or_init(|| private_keyring(&|name| std::env::var(name).ok()));
    if let Err(why) = checked {
        panic!(
            "refusing to use this keyring: {why}. These tests write to the real OS keyring: run \
             them through tests/scripts/keyring-session.sh (bash tests/run.sh does), which starts \
             a private one"
        );
    }
}

/// Whether the environment `var` reads is inside the private keyring session: the session bus
/// is the one keyring-session.sh recorded, the Secret Service on it is the gnome-keyring-daemon
/// it started, and that daemon keeps its keyrings in the recorded scratch directory. `Err`
/// says which of these does not hold.
pub fn private_keyring(var: &dyn Fn(&str) -> Option<String>) -> Result<(), String> {
    let get = |name: &str| var(name).filter(|v| !v.is_empty()).ok_or_else(|| format!("{name} is not set"));
    get("VAULTDESK_IN_KEYRING_SESSION")?;
    let bus = get("DBUS_SESSION_BUS_ADDRESS")?;
    let private_bus = get("VAULTDESK_KEYRING_BUS")?;
    if bus != private_bus {
        return Err(format!(
            "DBUS_SESSION_BUS_ADDRESS is {bus}, not the private bus {private_bus} keyring-session.sh made"
        ));
    }
    let pid_text = get("VAULTDESK_KEYRING_PID")?;
    let pid: u32 =
        pid_text.parse().map_err(|_| format!("VAULTDESK_KEYRING_PID is not a process id: {pid_text}"))?;
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline"))
        .map_err(|e| format!("the private keyring daemon {pid} is not running: {e}"))?;
    let program = cmdline.split(|b| *b == 0).next().map(String::from_utf8_lossy).unwrap_or_default();
    if program.rsplit('/').next() != Some("gnome-keyring-daemon") {
        return Err(format!("process {pid} is {program:?}, not gnome-keyring-daemon"));
    }
    let owner = secret_service_owner(&bus)?;
    if owner != pid {
        return Err(format!("the Secret Service on {bus} is process {owner}, not the private daemon {pid}"));
    }
    let data = get("VAULTDESK_KEYRING_DATA")?;
    let environ = std::fs::read(format!("/proc/{pid}/environ"))
        .map_err(|e| format!("cannot read the environment of daemon {pid}: {e}"))?;
    let daemon_data = environ
        .split(|b| *b == 0)
        .find_map(|kv| kv.strip_prefix(b"XDG_DATA_HOME="))
        .map(|v| String::from_utf8_lossy(v).into_owned());
    if daemon_data.as_deref() != Some(data.as_str()) || !data.starts_with("/tmp/vaultdesk-keyring.") {
        return Err(format!(
            "daemon {pid} keeps its keyrings in {daemon_data:?}, not the scratch directory {data}"
        ));
    }
    Ok(())
}

/// The process id of whoever owns org.freedesktop.secrets on the bus at `address`.
fn secret_service_owner(address: &str) -> Result<u32, String> {
    let out = Command::new("dbus-send")
        .arg(format!("--bus={address}"))
        .args([
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.GetConnectionUnixProcessID",
            "string:org.freedesktop.secrets",
        ])
        .output()
        .map_err(|e| format!("dbus-send: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "no Secret Service on {address}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.trim().strip_prefix("uint32 ").and_then(|n| n.parse().ok()))
        .ok_or_else(|| format!("unexpected dbus-send answer: {}", String::from_utf8_lossy(&out.stdout)))
}

/// `secret-tool search --all service vaultdesk` (attributes on standard error, values on
/// standard output). A search fails when an item it found is deleted (by a test running in
/// parallel) before it reads it: it is asked again then.
pub fn secret_tool_search() -> std::process::Output {
    let search = || {
        Command::new("secret-tool")
            .args(["search", "--all", "--unlock", "service", "vaultdesk"])
            .output()
            .expect("secret-tool runs (package libsecret-tools)")
    };
    let mut out = search();
    for _ in 0..20 {
        if out.status.success() || !String::from_utf8_lossy(&out.stderr).contains("No such secret item") {
            break;
        }
        out = search();
    }
    assert!(out.status.success(), "secret-tool search: {}", String::from_utf8_lossy(&out.stderr));
    out
}
