//! `vaultdesk demo` as a user runs it: the pinned OpenBao binary of the test run (services.sh's
//! `VAULTDESK_TEST_BAO_BIN`, given as `$VAULTDESK_BAO_BIN`) started by the demo itself, the real
//! keyring read back by `secret-tool`. The demo's vault passes its Test, its connectors render,
//! and when it ends (SIGTERM, or the window closing) the demo data directory and its keyring
//! entries are gone, and the data directory the command was given is never touched.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value;

use super::{assert_ok, keyring_accounts, secret_tool_lookup, stdout, Env, BIN};

fn demo_cmd(env: &Env, args: &[&str]) -> Command {
    let mut c = env.cmd(&["demo"]);
    c.args(args).env(
        "VAULTDESK_BAO_BIN",
        std::env::var("VAULTDESK_TEST_BAO_BIN").expect("run through tests/scripts/services.sh"),
    );
    c
}

fn run_in(dir: &str, args: &[&str]) -> std::process::Output {
    Command::new(BIN).arg("--data-dir").arg(dir).args(args).stdin(Stdio::null()).output().expect("runs")
}

#[test]
fn the_demo_runs_on_its_own_data_directory_and_leaves_nothing_behind() {
    let env = Env::new();
    let mut child = demo_cmd(&env, &["--no-window"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("vaultdesk demo starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("read");
    let info: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("one JSON line ({e}): {line:?}"));
    let dir = info["demo_data_dir"].as_str().expect("demo_data_dir").to_owned();
    assert!(info["openbao"].as_str().expect("openbao").starts_with("http://127.0.0.1:"), "{info}");
    assert!(!PathBuf::from(&dir).starts_with(env.data_dir()), "a directory of its own");

    let list = stdout(&run_in(&dir, &["vault", "list", "--json"]));
    let vaults: Vec<Value> = serde_json::from_str(&list).expect("json");
    let names: Vec<&str> = vaults.iter().filter_map(|v| v["name"].as_str()).collect();
    assert_eq!(names, ["demo-db", "demo-kv"]);
    let show: Value =
        serde_json::from_slice(&run_in(&dir, &["vault", "show", "demo-kv", "--json"]).stdout).expect("show");
    let (role_acct, secret_acct) = keyring_accounts(&show);
    assert!(secret_tool_lookup(&role_acct).is_some(), "the Role ID is in the keyring as usual");
    assert!(secret_tool_lookup(&secret_acct).is_some());

    let out = run_in(&dir, &["vault", "test", "demo-kv"]);
    assert_ok(&out, "the demo vault's Test");
    assert!(stdout(&out).contains("Test passed."), "{}", stdout(&out));
    let out = run_in(&dir, &["connector", "preview", "demo-api"]);
    assert_ok(&out, "preview");
    assert!(stdout(&out).contains("vault \"demo-kv\", key api_token, fetched"), "{}", stdout(&out));
    let out = run_in(&dir, &["connector", "export", "demo-postgres"]);
    assert_ok(&out, "export");
    let pg: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(pg["host"], "db.demo.internal");
    assert_eq!(pg["username"], "orders_app");

    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    assert!(status.success());
    let code = child.wait().expect("wait").code();
    assert_eq!(code, Some(143), "SIGTERM ends the demo with 143");
    let parent = PathBuf::from(&dir).parent().expect("parent").to_owned();
    assert!(!parent.exists(), "the demo data directory is removed: {}", parent.display());
    assert_eq!(secret_tool_lookup(&role_acct), None, "its keyring entries are removed");
    assert_eq!(secret_tool_lookup(&secret_acct), None);
    assert!(!env.data_dir().join("vaultdesk.db").exists(), "the given data directory is not touched");
}

#[test]
fn closing_the_window_ends_the_demo() {
    let env = Env::new();
    let work = tempfile::tempdir().expect("tmp");
    let record = work.path().join("window.txt");
    // A stand-in for the window: it records how it was started, runs the Test of demo-kv on
    // the data directory it was given, and closes.
    let app = work.path().join("fake-app.sh");
    std::fs::write(
        &app,
        format!(
            "#!/bin/sh\necho \"args: $*\" > '{rec}'\n'{bin}' --data-dir \"$2\" vault test demo-kv >> '{rec}' 2>&1\n\
             '{bin}' --data-dir \"$2\" vault show demo-kv --json > '{rec}.json'\n",
            rec = record.display(),
            bin = BIN
        ),
    )
    .expect("write");
    std::fs::set_permissions(&app, std::os::unix::fs::PermissionsExt::from_mode(0o755)).expect("chmod");
    let out = demo_cmd(&env, &["--app", &app.to_string_lossy()]).output().expect("demo runs");
    assert_ok(&out, "the demo ends when the window closes");
    let seen = std::fs::read_to_string(&record).expect("the window was started");
    assert!(seen.contains("--demo"), "the window is told it shows demo data: {seen}");
    assert!(seen.contains("Test passed."), "{seen}");
    let dir = seen.split_whitespace().nth(2).expect("--data-dir DIR").to_owned();
    assert!(!PathBuf::from(&dir).exists(), "the demo data directory is removed");
    let show: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{}.json", record.display())).expect("show"))
            .expect("json");
    let (role_acct, secret_acct) = keyring_accounts(&show);
    assert_eq!(secret_tool_lookup(&role_acct), None, "its keyring entries are removed");
    assert_eq!(secret_tool_lookup(&secret_acct), None);
}
