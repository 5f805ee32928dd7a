//! Helpers every CLI test file uses: a fresh data directory and `vaultdesk` run against it,
//! output assertions, the keyring read back by `secret-tool`, OpenBao set-up through `bao`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_vaultdesk");

use super::keyring_session::require_keyring_session;

/// A fresh data directory and a way to run `vaultdesk` against it.
pub(crate) struct Env {
    pub(crate) dir: tempfile::TempDir,
}

/// Credentials unique to each test, so a leak of one cannot be mistaken for another.
pub(crate) struct Ids {
    pub(crate) role: String,
    pub(crate) secret: String,
}

impl Ids {
    pub(crate) fn new(tag: &str) -> Ids {
        let n = std::process::id();
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        Ids { role: format!("role-{tag}-{n}-{t}"), secret: format!("secret-{tag}-{n}-{t}-Zq9") }
    }
}

impl Env {
    pub(crate) fn new() -> Env {
        require_keyring_session();
        Env { dir: tempfile::tempdir().expect("temp dir") }
    }

    pub(crate) fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    pub(crate) fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.arg("--data-dir").arg(self.data_dir()).args(args);
        for var in [
            "VAULTDESK_ROLE_ID",
            "VAULTDESK_SECRET_ID",
            "VAULTDESK_TOKEN",
            "VAULTDESK_PASSWORD",
            "VAULTDESK_JWT",
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

    pub(crate) fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().expect("vaultdesk runs")
    }

    pub(crate) fn run_with_ids(&self, args: &[&str], ids: &Ids) -> Output {
        self.cmd(args)
            .env("VAULTDESK_ROLE_ID", &ids.role)
            .env("VAULTDESK_SECRET_ID", &ids.secret)
            .output()
            .expect("vaultdesk runs")
    }

    pub(crate) fn add_kv(&self, name: &str, ids: &Ids) -> Output {
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

    pub(crate) fn list_json(&self) -> Vec<Value> {
        let out = self.run(&["vault", "list", "--json"]);
        assert_ok(&out, "vault list --json");
        serde_json::from_slice::<Vec<Value>>(&out.stdout).expect("list --json prints a JSON array")
    }

    pub(crate) fn show_json(&self, name: &str) -> Value {
        let out = self.run(&["vault", "show", name, "--json"]);
        assert_ok(&out, "vault show --json");
        serde_json::from_slice(&out.stdout).expect("show --json prints JSON")
    }

    /// Every byte of every file in the data directory (database, WAL, shared memory...).
    pub(crate) fn all_bytes(&self) -> Vec<(PathBuf, Vec<u8>)> {
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

    pub(crate) fn assert_not_in_data_dir(&self, needles: &[&str], when: &str) {
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

/// Writes `text` to `dir/name`; the path as text, for the command line.
pub(crate) fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p.to_string_lossy().into_owned()
}

/// The permission bits of `p`.
pub(crate) fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).expect("meta").permissions().mode() & 0o777
}

pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub(crate) fn assert_ok(o: &Output, what: &str) {
    assert!(o.status.success(), "{what} should succeed; stderr: {}", stderr(o));
}

pub(crate) fn assert_exit(o: &Output, code: i32, what: &str) {
    assert_eq!(o.status.code(), Some(code), "{what}: exit code; stderr: {}", stderr(o));
}

pub(crate) fn assert_no_ids_in_output(o: &Output, ids: &Ids) {
    for s in [stdout(o), stderr(o)] {
        assert!(
            !s.contains(&ids.role) && !s.contains(&ids.secret),
            "command output must never contain the Role ID or Secret ID"
        );
    }
}

/// The value stored under `account` in the Secret Service, read by another process.
pub(crate) fn secret_tool_lookup(account: &str) -> Option<String> {
    let out = Command::new("secret-tool")
        .args(["lookup", "service", "vaultdesk", "username", account])
        .output()
        .expect("secret-tool runs (package libsecret-tools)");
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

pub(crate) fn keyring_accounts(show: &Value) -> (String, String) {
    let k = &show["keyring"];
    (
        k["role_id_account"].as_str().expect("role account").to_owned(),
        k["secret_id_account"].as_str().expect("secret account").to_owned(),
    )
}

/// Runs the `bao` CLI against the test run's OpenBao server as root.
pub(crate) fn bao(args: &[&str]) -> String {
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
