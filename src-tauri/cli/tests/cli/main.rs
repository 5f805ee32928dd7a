//! The `vaultdesk vault` commands as a user runs them: separate processes against a real SQLite
//! file and the real OS keyring (Secret Service). Run inside `tests/scripts/keyring-session.sh`,
//! which provides a private, unlocked gnome-keyring; `secret-tool` reads the keyring back from
//! yet another process.

// Test code: a failed expectation is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

#[path = "../../../core/tests/common/audit.rs"]
mod audit;
mod commands;
mod connectors;
mod crash;
mod files;
#[path = "../../../core/tests/common/keyring.rs"]
mod keyring_session;
mod leases;
mod locked;
mod sessions;
mod trust;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_vaultdesk");

use keyring_session::require_keyring_session;

/// A fresh data directory and a way to run `vaultdesk` against it.
struct Env {
    dir: tempfile::TempDir,
}

/// Credentials unique to each test, so a leak of one cannot be mistaken for another.
struct Ids {
    role: String,
    secret: String,
}

impl Ids {
    fn new(tag: &str) -> Ids {
        let n = std::process::id();
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        Ids { role: format!("role-{tag}-{n}-{t}"), secret: format!("secret-{tag}-{n}-{t}-Zq9") }
    }
}

impl Env {
    fn new() -> Env {
        require_keyring_session();
        Env { dir: tempfile::tempdir().expect("temp dir") }
    }

    fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.arg("--data-dir").arg(self.data_dir()).args(args);
        for var in [
            "VAULTDESK_ROLE_ID",
            "VAULTDESK_SECRET_ID",
            "VAULTDESK_DATA_DIR",
            "VAULT_ADDR",
            "VAULT_NAMESPACE",
            "VAULT_CACERT",
            "VAULT_TOKEN",
        ] {
            c.env_remove(var);
        }
        c.stdin(Stdio::null());
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().expect("vaultdesk runs")
    }

    fn run_with_ids(&self, args: &[&str], ids: &Ids) -> Output {
        self.cmd(args)
            .env("VAULTDESK_ROLE_ID", &ids.role)
            .env("VAULTDESK_SECRET_ID", &ids.secret)
            .output()
            .expect("vaultdesk runs")
    }

    fn add_kv(&self, name: &str, ids: &Ids) -> Output {
        self.run_with_ids(
            &[
                "vault",
                "add",
                name,
                "--url",
                "https://vault.example.com:8200",
                "--engine-name",
                "secret",
                "--engine-type",
                "kv2",
                "--path",
                "secret/data/app/db",
            ],
            ids,
        )
    }

    fn list_json(&self) -> Vec<Value> {
        let out = self.run(&["vault", "list", "--json"]);
        assert_ok(&out, "vault list --json");
        serde_json::from_slice::<Vec<Value>>(&out.stdout).expect("list --json prints a JSON array")
    }

    fn show_json(&self, name: &str) -> Value {
        let out = self.run(&["vault", "show", name, "--json"]);
        assert_ok(&out, "vault show --json");
        serde_json::from_slice(&out.stdout).expect("show --json prints JSON")
    }

    /// Every byte of every file in the data directory (database, WAL, shared memory...).
    fn all_bytes(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        let mut stack = vec![self.data_dir().to_owned()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).expect("read data dir") {
                let p = e.expect("dir entry").path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    out.push((p.clone(), std::fs::read(&p).expect("read file")));
                }
            }
        }
        out
    }

    fn assert_not_in_data_dir(&self, needles: &[&str], when: &str) {
        let files = self.all_bytes();
        assert!(!files.is_empty(), "the data directory holds the database after {when}");
        for (path, bytes) in files {
            for n in needles {
                assert!(
                    !bytes.windows(n.len()).any(|w| w == n.as_bytes()),
                    "a credential was found in {} after {when}",
                    path.display()
                );
            }
        }
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn assert_ok(o: &Output, what: &str) {
    assert!(o.status.success(), "{what} should succeed; stderr: {}", stderr(o));
}

fn assert_exit(o: &Output, code: i32, what: &str) {
    assert_eq!(o.status.code(), Some(code), "{what}: exit code; stderr: {}", stderr(o));
}

fn assert_no_ids_in_output(o: &Output, ids: &Ids) {
    for s in [stdout(o), stderr(o)] {
        assert!(
            !s.contains(&ids.role) && !s.contains(&ids.secret),
            "command output must never contain the Role ID or Secret ID"
        );
    }
}

/// The value stored under `account` in the Secret Service, read by another process.
fn secret_tool_lookup(account: &str) -> Option<String> {
    let out = Command::new("secret-tool")
        .args(["lookup", "service", "vaultdesk", "username", account])
        .output()
        .expect("secret-tool runs (package libsecret-tools)");
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn keyring_accounts(show: &Value) -> (String, String) {
    let k = &show["keyring"];
    (
        k["role_id_account"].as_str().expect("role account").to_owned(),
        k["secret_id_account"].as_str().expect("secret account").to_owned(),
    )
}

#[test]
fn a_vault_added_in_one_process_is_listed_by_another() {
    let env = Env::new();
    let ids = Ids::new("roundtrip");
    let out = env.add_kv("Prod-KV", &ids);
    assert_ok(&out, "vault add");
    assert!(stdout(&out).contains("Added vault \"Prod-KV\""), "add confirms: {}", stdout(&out));
    assert_no_ids_in_output(&out, &ids);

    let list = env.list_json();
    assert_eq!(list.len(), 1, "one vault listed");
    let v = &list[0];
    assert_eq!(v["name"], "Prod-KV");
    assert_eq!(v["provider"], "hashicorp_vault");
    assert_eq!(v["url"], "https://vault.example.com:8200");
    assert_eq!(v["engine_name"], "secret");
    assert_eq!(v["engine_type"], "kv2");
    assert_eq!(v["path"], "app/db", "the API form secret/data/app/db is stored as app/db");
    assert_eq!(v["auth_mount"], "approle");
    assert_eq!(v["cache_ttl_secs"], 300);
    assert!(v["id"].as_str().is_some_and(|s| !s.is_empty()), "a stable id is present");

    let table = env.run(&["vault", "list"]);
    assert_ok(&table, "vault list");
    let text = stdout(&table);
    assert!(
        text.contains("Prod-KV") && text.contains("https://vault.example.com:8200") && text.contains("5m"),
        "table shows the vault: {text}"
    );
    assert_no_ids_in_output(&table, &ids);
}

#[test]
fn credentials_live_in_the_os_keyring_and_nowhere_in_the_data_dir() {
    let env = Env::new();
    let ids = Ids::new("keyring");
    assert_ok(&env.add_kv("payments", &ids), "vault add");
    let (role_acct, secret_acct) = keyring_accounts(&env.show_json("payments"));
    assert_eq!(
        secret_tool_lookup(&role_acct).as_deref(),
        Some(ids.role.as_str()),
        "Role ID readable from the keyring by another process"
    );
    assert_eq!(
        secret_tool_lookup(&secret_acct).as_deref(),
        Some(ids.secret.as_str()),
        "Secret ID readable from the keyring by another process"
    );
    env.assert_not_in_data_dir(&[&ids.role, &ids.secret], "add");

    // Update with new IDs given through files.
    let new = Ids::new("keyring-new");
    let role_file = env.data_dir().parent().expect("tmp").join(format!("role-{}", std::process::id()));
    std::fs::write(&role_file, format!("{}\n", new.role)).expect("write role file");
    let mut c = env.cmd(&["vault", "update", "payments", "--cache-ttl", "1h", "--role-id-file"]);
    c.arg(&role_file)
        .args(["--secret-id-file", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("spawn update");
    child.stdin.take().expect("stdin").write_all(new.secret.as_bytes()).expect("write stdin");
    let out = child.wait_with_output().expect("update runs");
    let _ = std::fs::remove_file(&role_file);
    assert_ok(&out, "vault update with new IDs");
    assert!(stdout(&out).contains("replaced Role ID and Secret ID"), "{}", stdout(&out));
    assert_no_ids_in_output(&out, &new);
    assert_eq!(
        secret_tool_lookup(&role_acct).as_deref(),
        Some(new.role.as_str()),
        "new Role ID in the keyring, trailing newline trimmed"
    );
    assert_eq!(
        secret_tool_lookup(&secret_acct).as_deref(),
        Some(new.secret.as_str()),
        "new Secret ID in the keyring"
    );
    env.assert_not_in_data_dir(&[&ids.role, &ids.secret, &new.role, &new.secret], "update");

    // Rename keeps the same keyring entries reachable.
    assert_ok(&env.run(&["vault", "update", "payments", "--rename", "billing"]), "rename");
    let shown = env.show_json("billing");
    assert_eq!(
        keyring_accounts(&shown),
        (role_acct.clone(), secret_acct.clone()),
        "rename keeps the keyring accounts"
    );
    assert_eq!(shown["cache_ttl_secs"], 3600, "the earlier update persisted");
    assert_eq!(
        secret_tool_lookup(&secret_acct).as_deref(),
        Some(new.secret.as_str()),
        "Secret ID still reachable after rename"
    );
    assert_exit(&env.run(&["vault", "show", "payments"]), 4, "the old name is gone");
    env.assert_not_in_data_dir(&[&new.role, &new.secret], "rename");

    // Remove deletes the keyring entries.
    let out = env.run(&["vault", "remove", "BILLING"]);
    assert_ok(&out, "remove (names are case-insensitive)");
    assert_eq!(secret_tool_lookup(&role_acct), None, "Role ID removed from the keyring");
    assert_eq!(secret_tool_lookup(&secret_acct), None, "Secret ID removed from the keyring");
    assert!(env.list_json().is_empty(), "no vault left");
    env.assert_not_in_data_dir(&[&ids.role, &ids.secret, &new.role, &new.secret], "remove");
}

#[test]
fn update_keeps_what_is_not_given() {
    let env = Env::new();
    let ids = Ids::new("keep");
    assert_ok(&env.add_kv("keep", &ids), "add");
    let before = env.show_json("keep");
    // Another namespace is another place for the stored IDs to go: confirmed here.
    let out = env.run(&["vault", "update", "keep", "--namespace", "team1", "--reuse-credentials"]);
    assert_ok(&out, "update namespace");
    assert!(stdout(&out).contains("Role ID and Secret ID unchanged"), "{}", stdout(&out));
    let after = env.show_json("keep");
    assert_eq!(after["namespace"], "team1");
    for f in ["url", "engine_name", "engine_type", "path", "auth_mount", "cache_ttl_secs", "id", "created_at"]
    {
        assert_eq!(after[f], before[f], "{f} kept");
    }
    let (role_acct, secret_acct) = keyring_accounts(&after);
    assert_eq!(secret_tool_lookup(&role_acct).as_deref(), Some(ids.role.as_str()), "Role ID kept");
    assert_eq!(secret_tool_lookup(&secret_acct).as_deref(), Some(ids.secret.as_str()), "Secret ID kept");

    // An empty value clears an optional field.
    assert_ok(
        &env.run(&["vault", "update", "keep", "--namespace", "", "--reuse-credentials"]),
        "clear namespace",
    );
    assert_eq!(env.show_json("keep")["namespace"], Value::Null);

    // Switching to a database engine drops the KV path and needs a role.
    let out = env.run(&["vault", "update", "keep", "--engine-type", "postgresql"]);
    assert_exit(&out, 3, "database engine without a role");
    assert!(stderr(&out).contains("--db-role: is required"), "{}", stderr(&out));
    assert_eq!(env.show_json("keep")["engine_type"], "kv2", "a refused update changes nothing");
    assert_ok(
        &env.run(&[
            "vault",
            "update",
            "keep",
            "--engine-type",
            "postgresql",
            "--db-role",
            "readonly",
            "--connection-name",
            "pg",
        ]),
        "switch engine",
    );
    let v = env.show_json("keep");
    assert_eq!(
        (v["engine_type"].as_str(), v["path"].as_str(), v["db_role"].as_str()),
        (Some("postgresql"), None, Some("readonly"))
    );
}

#[test]
fn each_invalid_field_is_named_and_nothing_is_stored() {
    let env = Env::new();
    let ids = Ids::new("invalid");
    let base = [
        "--url",
        "https://v.example.com",
        "--engine-name",
        "secret",
        "--engine-type",
        "kv2",
        "--path",
        "a/b",
    ];
    let cases: &[(&[&str], &str)] = &[
        (&["vault", "add", "9lives"], "NAME: \"9lives\" is not a valid name"),
        (
            &["vault", "add", "ok", "--url", "vault.example.com:8200"],
            "--url: \"vault.example.com:8200\" has no scheme",
        ),
        (&["vault", "add", "ok", "--url", "ftp://v.example.com"], "--url: scheme \"ftp\""),
        (&["vault", "add", "ok", "--engine-type", "kv1"], "--engine-type: \"kv1\" is not an engine type"),
        (&["vault", "add", "ok", "--engine-name", "my mount"], "--engine-name:"),
        (&["vault", "add", "ok", "--path", "a//b"], "--path:"),
        (&["vault", "add", "ok", "--namespace", "bad ns"], "--namespace:"),
        (&["vault", "add", "ok", "--auth-mount", "a b"], "--auth-mount:"),
        (&["vault", "add", "ok", "--cache-ttl", "soon"], "--cache-ttl: \"soon\" is not a duration"),
        (&["vault", "add", "ok", "--db-role", "r"], "--db-role: applies only to database engine types"),
        (&["vault", "add", "ok", "--engine-type", "mysql"], "--db-role: is required for a mysql engine"),
    ];
    for (args, expected) in cases {
        // The case's flags replace the base ones of the same name.
        let mut full: Vec<&str> = args[..3].to_vec();
        let overrides: Vec<(&str, &str)> = args[3..].chunks(2).map(|c| (c[0], c[1])).collect();
        for pair in base.chunks(2) {
            if !overrides.iter().any(|(f, _)| *f == pair[0]) {
                full.extend_from_slice(pair);
            }
        }
        full.extend_from_slice(&args[3..]);
        let out = env.run_with_ids(&full, &ids);
        assert_exit(&out, 3, &format!("{args:?}"));
        assert!(stderr(&out).contains(expected), "{args:?}: expected {expected:?} in: {}", stderr(&out));
        assert_no_ids_in_output(&out, &ids);
    }
    let bad_id = Ids { role: "has space".into(), secret: ids.secret.clone() };
    let out = env.run_with_ids(&[&["vault", "add", "ok"][..], &base].concat(), &bad_id);
    assert_exit(&out, 3, "a Role ID with whitespace");
    assert!(stderr(&out).contains("--role-id: contains whitespace"), "{}", stderr(&out));
    assert!(env.list_json().is_empty(), "no invalid submission was stored");
}

#[test]
fn duplicate_names_are_refused_case_insensitively() {
    let env = Env::new();
    let first = Ids::new("dup1");
    assert_ok(&env.add_kv("shared", &first), "first add");
    let second = Ids::new("dup2");
    let out = env.add_kv("SHARED", &second);
    assert_exit(&out, 5, "duplicate add");
    assert!(stderr(&out).contains("a vault named \"shared\" already exists"), "{}", stderr(&out));
    let (role_acct, secret_acct) = keyring_accounts(&env.show_json("shared"));
    assert_eq!(
        secret_tool_lookup(&role_acct).as_deref(),
        Some(first.role.as_str()),
        "the first vault's Role ID is untouched"
    );
    assert_eq!(
        secret_tool_lookup(&secret_acct).as_deref(),
        Some(first.secret.as_str()),
        "the first vault's Secret ID is untouched"
    );
    assert_eq!(env.list_json().len(), 1);

    assert_ok(&env.add_kv("other", &second), "add another");
    let out = env.run(&["vault", "update", "other", "--rename", "Shared"]);
    assert_exit(&out, 5, "rename onto an existing name");
}

#[test]
fn unknown_vaults_are_reported_as_not_found() {
    let env = Env::new();
    for args in [
        &["vault", "show", "ghost"][..],
        &["vault", "remove", "ghost"],
        &["vault", "update", "ghost", "--cache-ttl", "1m"],
    ] {
        let out = env.run(args);
        assert_exit(&out, 4, &format!("{args:?}"));
        assert_eq!(stderr(&out).trim(), "vaultdesk: no vault named \"ghost\"");
    }
}

#[test]
fn credentials_are_never_taken_from_the_command_line() {
    let env = Env::new();
    let out = env.run(&[
        "vault",
        "add",
        "x",
        "--url",
        "http://a:1",
        "--engine-name",
        "kv",
        "--engine-type",
        "kv2",
        "--path",
        "p",
        "--role-id",
        "abc",
    ]);
    assert_exit(&out, 2, "--role-id is not a flag");
    let out = env.run(&[
        "vault",
        "add",
        "x",
        "--url",
        "http://a:1",
        "--engine-name",
        "kv",
        "--engine-type",
        "kv2",
        "--path",
        "p",
    ]);
    assert_exit(&out, 2, "no Role ID source and no terminal");
    assert!(stderr(&out).contains("--role-id-file FILE"), "says how to supply it: {}", stderr(&out));
    let out = env.run(&[
        "vault",
        "add",
        "x",
        "--url",
        "http://a:1",
        "--engine-name",
        "kv",
        "--engine-type",
        "kv2",
        "--path",
        "p",
        "--role-id-file",
        "-",
        "--secret-id-file",
        "-",
    ]);
    assert_exit(&out, 2, "stdin can serve only one ID");
    assert!(env.list_json().is_empty());
}

#[test]
fn without_a_keyring_nothing_changes() {
    let env = Env::new();
    let ids = Ids::new("nobus");
    assert_ok(&env.add_kv("present", &ids), "add with the keyring");
    let before = env.list_json();
    let db = env.data_dir().join("vaultdesk.db");

    let no_bus = |args: &[&str], with_ids: bool| {
        let mut c = env.cmd(args);
        c.env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/vaultdesk-test-bus");
        if with_ids {
            c.env("VAULTDESK_ROLE_ID", "role-nobus").env("VAULTDESK_SECRET_ID", "secret-nobus");
        }
        c.output().expect("runs")
    };
    let attempts: &[(&[&str], bool)] = &[
        (
            &[
                "vault",
                "add",
                "absent",
                "--url",
                "http://127.0.0.1:8200",
                "--engine-name",
                "kv",
                "--engine-type",
                "kv2",
                "--path",
                "p",
            ],
            true,
        ),
        (&["vault", "update", "present", "--url", "https://changed:8200", "--ids-from-env"], true),
        (&["vault", "remove", "present"], false),
    ];
    for (args, with_ids) in attempts {
        let out = no_bus(args, *with_ids);
        assert_exit(&out, 6, &format!("{args:?} without a D-Bus session"));
        let err = stderr(&out);
        assert!(err.starts_with("vaultdesk: OS keyring unavailable"), "{args:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "one clear sentence: {err}");
        assert_eq!(env.list_json(), before, "{args:?}: the database is unchanged");
    }
    assert!(db.exists());
    let (role_acct, _) = keyring_accounts(&env.show_json("present"));
    assert_eq!(
        secret_tool_lookup(&role_acct).as_deref(),
        Some(ids.role.as_str()),
        "the keyring entry survived the refused remove"
    );
    // Reading configurations needs no keyring.
    let out = no_bus(&["vault", "list", "--json"], false);
    assert_ok(&out, "list without a keyring");
}

#[test]
fn the_default_data_dir_comes_from_the_environment() {
    require_keyring_session();
    let dir = tempfile::tempdir().expect("tmp");
    let ids = Ids::new("envdir");
    let out = Command::new(BIN)
        .args([
            "vault",
            "add",
            "fromenv",
            "--url",
            "http://127.0.0.1:8200",
            "--engine-name",
            "kv",
            "--engine-type",
            "kv2",
            "--path",
            "p",
        ])
        .env("VAULTDESK_DATA_DIR", dir.path())
        .env("VAULTDESK_ROLE_ID", &ids.role)
        .env("VAULTDESK_SECRET_ID", &ids.secret)
        .stdin(Stdio::null())
        .output()
        .expect("runs");
    assert_ok(&out, "add with VAULTDESK_DATA_DIR");
    assert!(dir.path().join("vaultdesk.db").exists(), "the database is created in $VAULTDESK_DATA_DIR");
    let out = Command::new(BIN)
        .args(["--data-dir"])
        .arg(dir.path())
        .args(["vault", "remove", "fromenv"])
        .output()
        .expect("runs");
    assert_ok(&out, "remove through --data-dir pointing at the same place");
}

#[test]
fn vault_environment_variables_fill_empty_fields_but_never_the_token() {
    let env = Env::new();
    let ids = Ids::new("vaultenv");
    let ca = env.data_dir().parent().expect("tmp").join(format!("ca-{}.pem", std::process::id()));
    std::fs::write(&ca, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n").expect("write CA");
    let out = env
        .cmd(&["vault", "add", "fromenv", "--engine-name", "kv", "--engine-type", "kv2", "--path", "p"])
        .env("VAULTDESK_ROLE_ID", &ids.role)
        .env("VAULTDESK_SECRET_ID", &ids.secret)
        .env("VAULT_ADDR", "https://vault.internal:8200")
        .env("VAULT_NAMESPACE", "team1")
        .env("VAULT_CACERT", &ca)
        .env("VAULT_TOKEN", "s.must-never-be-used")
        .output()
        .expect("runs");
    let _ = std::fs::remove_file(&ca);
    assert_ok(&out, "add with VAULT_* defaults");
    let v = env.show_json("fromenv");
    assert_eq!(v["url"], "https://vault.internal:8200", "URL from VAULT_ADDR");
    assert_eq!(v["namespace"], "team1", "namespace from VAULT_NAMESPACE");
    assert_eq!(v["tls_ca_cert"], ca.to_string_lossy().as_ref(), "CA from VAULT_CACERT");
    assert_eq!(v["tls_skip_verify"], false);
    // (That a Test or a render never sends $VAULT_TOKEN to Vault: sessions.rs.)
    env.assert_not_in_data_dir(&["s.must-never-be-used"], "add with VAULT_TOKEN set");
    let shown = stdout(&env.run(&["vault", "show", "fromenv"]));
    assert!(shown.contains("Timeouts        connect 10s, request 30s"), "{shown}");

    // Without VAULT_ADDR the URL is simply required.
    let out = env.run_with_ids(
        &["vault", "add", "nourl", "--engine-name", "kv", "--engine-type", "kv2", "--path", "p"],
        &ids,
    );
    assert_exit(&out, 3, "no URL");
    assert!(stderr(&out).contains("--url: is required"), "{}", stderr(&out));
}

/// Runs the `bao` CLI against the test run's OpenBao server as root.
fn bao(args: &[&str]) -> String {
    let bin = std::env::var("VAULTDESK_TEST_BAO_BIN")
        .expect("run through tests/scripts/services.sh (bash tests/run.sh does)");
    let out = Command::new(bin)
        .args(args)
        .env("BAO_ADDR", std::env::var("VAULTDESK_TEST_BAO_ADDR").expect("addr"))
        .env("BAO_TOKEN", std::env::var("VAULTDESK_TEST_BAO_TOKEN").expect("token"))
        .output()
        .expect("bao runs");
    assert!(out.status.success(), "bao {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A fresh AppRole mount `auth` whose role `cli` holds the policy `pol` (`hcl`), tokens of
/// 30m; its Role ID and Secret ID.
pub(crate) fn approle(env: &Env, auth: &str, pol: &str, hcl: &str) -> Ids {
    let policy_file = env.data_dir().parent().expect("tmp").join(format!("{pol}.hcl"));
    std::fs::write(&policy_file, hcl).expect("policy");
    bao(&["policy", "write", pol, &policy_file.to_string_lossy()]);
    let _ = std::fs::remove_file(&policy_file);
    bao(&["auth", "enable", &format!("-path={auth}"), "approle"]);
    bao(&["write", &format!("auth/{auth}/role/cli"), &format!("token_policies={pol}"), "token_ttl=30m"]);
    Ids {
        role: bao(&["read", "-field=role_id", &format!("auth/{auth}/role/cli/role-id")]),
        secret: bao(&["write", "-f", "-field=secret_id", &format!("auth/{auth}/role/cli/secret-id")]),
    }
}

/// A KV secret at `<mount>/team/api` readable by a fresh AppRole; the vault `name` added to
/// `env` for it. Returns the auth mount, the KV mount and the AppRole's IDs.
pub(crate) fn kv_vault(env: &Env, name: &str, tag: &str, pairs: &[&str]) -> (String, String, Ids) {
    let (kv, auth, pol) = (format!("ckv{tag}"), format!("car{tag}"), format!("cpol{tag}"));
    bao(&["secrets", "enable", &format!("-path={kv}"), "kv-v2"]);
    let mut put = vec!["kv", "put"];
    let path = format!("{kv}/team/api");
    put.push(&path);
    put.extend_from_slice(pairs);
    bao(&put);
    let ids = approle(
        env,
        &auth,
        &pol,
        &format!(
            "path \"{kv}/data/team/*\" {{ capabilities = [\"read\"] }}\npath \"{kv}/subkeys/team/*\" {{ capabilities = [\"read\"] }}"
        ),
    );
    let addr = std::env::var("VAULTDESK_TEST_BAO_ADDR").expect("addr");
    let out = env.run_with_ids(
        &[
            "vault",
            "add",
            name,
            "--url",
            &addr,
            "--auth-mount",
            &auth,
            "--engine-name",
            &kv,
            "--engine-type",
            "kv2",
            "--path",
            "team/api",
        ],
        &ids,
    );
    assert_ok(&out, "vault add");
    (auth, kv, ids)
}

#[test]
fn vault_test_reports_each_stage_against_a_real_openbao() {
    let env = Env::new();
    let tag = format!("t{}", std::process::id());
    let (auth, kv, ids) =
        kv_vault(&env, "team-api", &tag, &["token=tok-very-secret", "endpoint=https://api.example"]);
    let addr = std::env::var("VAULTDESK_TEST_BAO_ADDR").expect("addr");

    let out = env.run(&["vault", "test", "team-api"]);
    assert_ok(&out, "vault test");
    let text = stdout(&out);
    for expected in [
        "ok   reach",
        "warn tls",
        "ok   login",
        "default; token TTL 30m",
        "ok   read",
        "version 1: keys endpoint, token",
        "ok   capabilities",
        "Test passed.",
    ] {
        assert!(text.contains(expected), "expected {expected:?} in:\n{text}");
    }
    assert!(!text.contains("tok-very-secret"), "no secret value in the test output");
    assert_no_ids_in_output(&out, &ids);

    let out = env.run(&["vault", "test", "team-api", "--json"]);
    assert_ok(&out, "vault test --json");
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert_eq!(report["ok"], true);
    let stages: Vec<&str> = report["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .map(|s| s["stage"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(stages, ["reach", "tls", "login", "read", "capabilities"]);

    // Flags test the configuration as an update would make it, without saving it.
    let out = env.run(&["vault", "test", "team-api", "--path", "team/nope"]);
    assert_exit(&out, 8, "testing a changed path");
    assert!(stderr(&out).contains(&format!("no secret at \"{kv}/data/team/nope\"")), "{}", stderr(&out));
    assert_eq!(env.show_json("team-api")["path"], "team/api", "a test never changes the stored vault");

    // An unsaved configuration, with its IDs from the environment.
    let out = env.run_with_ids(
        &[
            "vault",
            "test",
            "draft",
            "--url",
            &addr,
            "--auth-mount",
            &auth,
            "--engine-name",
            &kv,
            "--engine-type",
            "kv2",
            "--path",
            "team/api",
        ],
        &ids,
    );
    assert_ok(&out, "test an unsaved vault");
    assert!(stdout(&out).starts_with("Testing vault \"draft\" (unsaved)"), "{}", stdout(&out));
    assert_eq!(env.list_json().len(), 1, "nothing saved by a test");
    let out = env.run(&[
        "vault",
        "test",
        "draft",
        "--url",
        &addr,
        "--engine-name",
        &kv,
        "--engine-type",
        "kv2",
        "--path",
        "p",
    ]);
    assert_exit(&out, 3, "an unsaved vault needs its IDs");
    assert!(stderr(&out).contains("--role-id: is required to test an unsaved vault"), "{}", stderr(&out));

    // A wrong Secret ID: the login stage fails, exit code 8, one clear sentence on stderr.
    let bad = env.data_dir().parent().expect("tmp").join(format!("bad-secret-{tag}"));
    std::fs::write(&bad, "11111111-2222-3333-4444-555555555555\n").expect("write");
    let mut c = env.cmd(&["vault", "update", "team-api", "--secret-id-file"]);
    assert_ok(&c.arg(&bad).output().expect("runs"), "replace the Secret ID");
    let _ = std::fs::remove_file(&bad);
    let out = env.run(&["vault", "test", "team-api"]);
    assert_exit(&out, 8, "a failed test");
    assert!(stdout(&out).contains("FAIL login"), "{}", stdout(&out));
    assert!(stdout(&out).contains("-    read"), "later stages are skipped: {}", stdout(&out));
    assert!(
        stderr(&out).starts_with("vaultdesk: login refused: invalid Role ID or Secret ID"),
        "{}",
        stderr(&out)
    );
    assert!(
        !stdout(&out).contains("11111111-2222") && !stderr(&out).contains("11111111-2222"),
        "the Secret ID is not echoed"
    );
}

#[test]
fn a_leftover_id_variable_never_replaces_a_stored_vaults_ids() {
    let env = Env::new();
    let ids = Ids::new("leftover");
    assert_ok(&env.add_kv("kept", &ids), "add");
    let other = Ids::new("other");
    let out = env.run_with_ids(&["vault", "update", "kept", "--cache-ttl", "1h"], &other);
    assert_ok(&out, "update with VAULTDESK_* still exported");
    assert!(stdout(&out).contains("Role ID and Secret ID unchanged"), "{}", stdout(&out));
    let (role_acct, secret_acct) = keyring_accounts(&env.show_json("kept"));
    assert_eq!(secret_tool_lookup(&role_acct).as_deref(), Some(ids.role.as_str()), "Role ID untouched");
    assert_eq!(secret_tool_lookup(&secret_acct).as_deref(), Some(ids.secret.as_str()), "Secret ID untouched");

    let out = env.run_with_ids(&["vault", "update", "kept", "--ids-from-env"], &other);
    assert_ok(&out, "update --ids-from-env");
    assert_eq!(
        secret_tool_lookup(&secret_acct).as_deref(),
        Some(other.secret.as_str()),
        "replaced when asked"
    );
}
