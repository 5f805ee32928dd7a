//! `vaultdesk connector ...` and `vaultdesk render` as separate processes against the real
//! OpenBao server (secrets put there with the `bao` CLI), the real keyring and a real SQLite file.
//! Requests are counted in the server's audit log.

use serde_json::{json, Value};

use super::audit::audited;
use super::{assert_exit, assert_ok, kv_vault, mode, stderr, stdout, write, Env};

const PASSWORD: &str = "pw with 'quote' \"dq\" \\ and = and {{braces}} ✓";
/// [`PASSWORD`] percent-encoded by RFC 3986 (all but `A-Z a-z 0-9 - . _ ~`, UTF-8 bytes).
const PASSWORD_URLENCODED: &str =
    "pw%20with%20%27quote%27%20%22dq%22%20%5C%20and%20%3D%20and%20%7B%7Bbraces%7D%7D%20%E2%9C%93";

#[test]
fn connectors_preview_masked_and_export_exact_values_to_0600_files() {
    let env = Env::new();
    let tag = format!("e{}", std::process::id());
    let pw_arg = format!("password={PASSWORD}");
    kv_vault(&env, "team", &tag, &["host=db.internal", "port=5432", "user=app", &pw_arg]);
    let work = tempfile::tempdir().expect("tmp");

    // Pre-filled from the vault's key names (references, not values).
    let out = env.run(&["connector", "add", "orders", "--kind", "postgresql", "--vault", "team"]);
    assert_ok(&out, "connector add with pre-fill");
    let shown: Value =
        serde_json::from_slice(&env.run(&["connector", "show", "orders", "--json"]).stdout).expect("json");
    assert_eq!(
        shown["config"],
        json!({"host": "{{secrets.team.host}}", "port": "{{secrets.team.port}}", "username": "{{secrets.team.user}}", "password": "{{secrets.team.password}}"})
    );
    assert_eq!(shown["vault"], "team");

    let cfg = write(
        work.path(),
        "api.json",
        r#"{"base_url": "https://api.example", "headers": {"X-DSN": "postgres://{{secrets.team.user}}:{{urlencode secrets.team.password}}@{{secrets.team.host}}"},
            "auth": {"type": "basic", "username": "{{secrets.team.user}}", "password": "{{secrets.team.password}}"}}"#,
    );
    assert_ok(
        &env.run(&["connector", "add", "api", "--kind", "rest", "--config", &cfg]),
        "connector add --config",
    );

    let out = env.run(&["connector", "preview", "api"]);
    assert_ok(&out, "preview");
    let text = stdout(&out);
    assert!(
        !text.contains(PASSWORD) && !text.contains("db.internal") && !text.contains("app:"),
        "masked:\n{text}"
    );
    assert!(text.contains("postgres://••••••••:••••••••@••••••••"), "{text}");
    assert!(
        text.contains("auth.password") && text.contains("vault \"team\", key password, fetched "),
        "{text}"
    );
    assert!(text.contains("expires in 4m") || text.contains("expires in 5m"), "cache state shown: {text}");
    let out = env.run(&["connector", "preview", "api", "--reveal", "--json"]);
    assert_ok(&out, "preview --reveal");
    let p: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(p["config"]["auth"]["password"], PASSWORD, "revealed exactly");
    assert_eq!(
        p["config"]["headers"]["X-DSN"],
        format!("postgres://app:{PASSWORD_URLENCODED}@db.internal"),
        "the password percent-encoded inside the URL"
    );

    // Export: stdout, then files in each format.
    let out = env.run(&["connector", "export", "orders"]);
    assert_ok(&out, "export to stdout");
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    // The KV secret holds the port as text; the port field takes a number (rendered_types).
    assert_eq!(v, json!({"host": "db.internal", "port": 5432, "username": "app", "password": PASSWORD}));
    for (format, file) in [("json", "api.json.out"), ("yaml", "api.yaml"), ("env", "api.env")] {
        let target = work.path().join(file);
        let t = target.to_string_lossy().into_owned();
        assert_ok(&env.run(&["connector", "export", "api", "--format", format, "--out", &t]), "export --out");
        assert_eq!(mode(&target), 0o600, "{format} export is 0600");
        let body = std::fs::read_to_string(&target).expect("read");
        let got = match format {
            "json" => serde_json::from_str::<Value>(&body).expect("json")["auth"]["password"].clone(),
            "yaml" => serde_yaml_ng::from_str::<Value>(&body).expect("yaml")["auth"]["password"].clone(),
            _ => {
                let o = std::process::Command::new("sh")
                    .args(["-c", ". \"$1\" && printf %s \"$AUTH_PASSWORD\"", "sh", &t])
                    .output()
                    .expect("sh");
                Value::String(String::from_utf8_lossy(&o.stdout).into_owned())
            }
        };
        assert_eq!(got, PASSWORD, "{format}: exact value");
        let again = env.run(&["connector", "export", "api", "--format", format, "--out", &t]);
        assert_exit(&again, 5, "existing file without --force");
        assert!(
            stderr(&again).contains("exists; nothing was written (use --force to overwrite)"),
            "{}",
            stderr(&again)
        );
        assert_eq!(std::fs::read_to_string(&target).expect("read"), body, "unchanged");
        assert_ok(
            &env.run(&["connector", "export", "api", "--format", format, "--out", &t, "--force"]),
            "--force",
        );
    }

    // A reference to a missing key: exit 3, the reference and the key names, no file.
    let bad = write(work.path(), "bad.json", r#"{"base_url": "https://x/{{secrets.team.nope}}"}"#);
    assert_ok(&env.run(&["connector", "add", "bad", "--kind", "rest", "--config", &bad]), "add");
    let target = work.path().join("bad.out");
    let out = env.run(&["connector", "export", "bad", "--out", &target.to_string_lossy()]);
    assert_exit(&out, 3, "missing key");
    assert_eq!(
        stderr(&out).trim(),
        "vaultdesk: base_url: `{{secrets.team.nope}}`: the secret of vault \"team\" has no key \"nope\" at the top level; keys there: host, password, port, user"
    );
    assert!(!target.exists(), "nothing written");
    assert_ok(&env.run(&["connector", "remove", "bad"]), "remove");
}

#[test]
fn exporting_a_hundred_connectors_logs_in_once_and_reads_once() {
    let env = Env::new();
    let tag = format!("h{}", std::process::id());
    let (auth, kv, _) = kv_vault(&env, "shared", &tag, &["host=h", "password=p100"]);
    let work = tempfile::tempdir().expect("tmp");
    for i in 0..100 {
        let cfg = write(
            work.path(),
            "c.json",
            &format!(
                r#"{{"host": "{{{{secrets.shared.host}}}}", "port": {}, "password": "{{{{secrets.shared.password}}}}"}}"#,
                1000 + i
            ),
        );
        assert_ok(
            &env.run(&["connector", "add", &format!("c{i:03}"), "--kind", "mysql", "--config", &cfg]),
            "add",
        );
    }
    let logins = audited(&format!("auth/{auth}/login"), "update");
    let reads = audited(&format!("{kv}/data/team/api"), "read");
    let out_dir = work.path().join("out");
    std::fs::create_dir(&out_dir).expect("mkdir");
    let d = out_dir.to_string_lossy().into_owned();
    let out = env.run(&["connector", "export", "--all", "--out-dir", &d, "--format", "yaml"]);
    assert_ok(&out, "export --all");
    assert_eq!(audited(&format!("auth/{auth}/login"), "update") - logins, 1, "one login for 100 connectors");
    assert_eq!(audited(&format!("{kv}/data/team/api"), "read") - reads, 1, "one read for 100 connectors");
    let files = std::fs::read_dir(&out_dir).expect("ls").count();
    assert_eq!(files, 100);
    let c42: Value =
        serde_yaml_ng::from_str(&std::fs::read_to_string(out_dir.join("c042.yaml")).expect("read"))
            .expect("yaml");
    assert_eq!(c42, json!({"host": "h", "port": 1042, "password": "p100"}));
    assert_eq!(mode(&out_dir.join("c042.yaml")), 0o600);

    // One existing target: nothing is written at all, and Vault is not asked.
    std::fs::remove_file(out_dir.join("c000.yaml")).expect("rm");
    let (logins, reads) =
        (audited(&format!("auth/{auth}/login"), "update"), audited(&format!("{kv}/data/team/api"), "read"));
    let out = env.run(&["connector", "export", "--all", "--out-dir", &d, "--format", "yaml"]);
    assert_exit(&out, 5, "targets exist");
    assert!(!out_dir.join("c000.yaml").exists(), "nothing written when one target exists");
    assert_eq!(audited(&format!("auth/{auth}/login"), "update"), logins, "no login when a target exists");
    assert_eq!(audited(&format!("{kv}/data/team/api"), "read"), reads, "no read when a target exists");
}

#[test]
fn vault_remove_refuses_while_used_and_rename_rewrites_references() {
    let env = Env::new();
    let tag = format!("w{}", std::process::id());
    kv_vault(&env, "billing", &tag, &["token=tk"]);
    let work = tempfile::tempdir().expect("tmp");
    let cfg = write(
        work.path(),
        "c.json",
        r#"{"base_url": "https://x", "auth": {"type": "bearer", "token": "{{secrets.billing.token}}"}}"#,
    );
    assert_ok(&env.run(&["connector", "add", "stripe", "--kind", "rest", "--config", &cfg]), "add");

    let out = env.run(&["vault", "remove", "billing"]);
    assert_exit(&out, 9, "in use");
    assert!(stderr(&out).contains("vault \"billing\" is used by connector \"stripe\""), "{}", stderr(&out));
    assert!(stdout(&env.run(&["vault", "show", "billing"])).contains("Used by         stripe"));

    assert_ok(&env.run(&["vault", "update", "billing", "--rename", "payments"]), "rename");
    let shown: Value =
        serde_json::from_slice(&env.run(&["connector", "show", "stripe", "--json"]).stdout).expect("json");
    assert_eq!(shown["config"]["auth"]["token"], "{{secrets.payments.token}}");
    let out = env.run(&["connector", "export", "stripe"]);
    assert_ok(&out, "renders after the rename");
    assert!(stdout(&out).contains("\"token\": \"tk\""), "{}", stdout(&out));

    assert_ok(&env.run(&["vault", "remove", "payments", "--force"]), "remove --force");
    let out = env.run(&["connector", "export", "stripe"]);
    assert_exit(&out, 3, "dangling reference");
    assert!(stderr(&out).contains("refers to vault \"payments\", which does not exist"), "{}", stderr(&out));
}

#[test]
fn render_keeps_any_json_or_yaml_file_valid() {
    let env = Env::new();
    let tag = format!("r{}", std::process::id());
    let pw_arg = format!("password={PASSWORD}");
    kv_vault(&env, "app", &tag, &[&pw_arg, "port=8080"]);
    let work = tempfile::tempdir().expect("tmp");
    let src = write(
        work.path(),
        "deploy.yaml",
        "service:\n  name: web\n  password: '{{secrets.app.password}}'\n  dsn: \"u:{{urlencode secrets.app.password}}@h\"\n  items: [1, '{{secrets.app.port}}']\n",
    );
    let out = env.run(&["render", &src]);
    assert_ok(&out, "render yaml");
    let v: Value = serde_yaml_ng::from_str(&stdout(&out)).expect("valid YAML out");
    assert_eq!(v["service"]["password"], PASSWORD);
    assert_eq!(v["service"]["items"], json!([1, "8080"]));
    assert_eq!(v["service"]["name"], "web");
    assert_eq!(v["service"]["dsn"], format!("u:{PASSWORD_URLENCODED}@h"));
    let out = env.run(&["render", &src, "--format", "json"]);
    let v: Value = serde_json::from_slice(&out.stdout).expect("valid JSON out");
    assert_eq!(v["service"]["password"], PASSWORD);

    let bad = write(work.path(), "bad.json", r#"{"a": {"b": "x {{secrets.app.password"}}"#);
    let target = work.path().join("bad.out.json");
    let out = env.run(&["render", &bad, "--out", &target.to_string_lossy()]);
    assert_exit(&out, 3, "syntax error");
    assert!(stderr(&out).contains("a.b: template syntax error at line 1, column"), "{}", stderr(&out));
    assert!(!target.exists(), "nothing written");
}

/// psql as the test server's admin user (its password in the environment, not in argv).
fn psql_admin(sql: &str) {
    let var =
        |n: &str| std::env::var(n).unwrap_or_else(|_| panic!("{n}: run through tests/scripts/services.sh"));
    let out = std::process::Command::new("psql")
        .args(["-h", &var("VAULTDESK_TEST_PG_HOST"), "-p", &var("VAULTDESK_TEST_PG_PORT")])
        .args(["-U", &var("VAULTDESK_TEST_PG_USER"), "-d", "postgres", "-tAc", sql])
        .env("PGPASSWORD", var("VAULTDESK_TEST_PG_PASSWORD"))
        .output()
        .expect("psql runs");
    assert!(out.status.success(), "psql: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn connector_test_exits_0_when_every_stage_passes_and_8_on_a_wrong_password() {
    let env = Env::new();
    let tag = format!("ct{}", std::process::id());
    let user = format!("clitest{}", std::process::id());
    psql_admin(&format!("CREATE ROLE \"{user}\" LOGIN PASSWORD 'Cli pw 9'"));
    let port = format!("port={}", std::env::var("VAULTDESK_TEST_PG_PORT").expect("port"));
    let user_arg = format!("user={user}");
    kv_vault(&env, "pgkv", &tag, &["host=127.0.0.1", &port, &user_arg, "password=Cli pw 9", "bad=n0pe-pw"]);
    let work = tempfile::tempdir().expect("tmp");
    let config = |password_key: &str| {
        json!({"host": "{{secrets.pgkv.host}}", "port": "{{secrets.pgkv.port}}", "database": "postgres",
               "username": "{{secrets.pgkv.user}}", "password": format!("{{{{secrets.pgkv.{password_key}}}}}"),
               "tls_mode": "prefer"})
        .to_string()
    };
    let good = write(work.path(), "good.json", &config("password"));
    let bad = write(work.path(), "bad.json", &config("bad"));
    assert_ok(&env.run(&["connector", "add", "pg", "--kind", "postgresql", "--config", &good]), "add pg");
    assert_ok(
        &env.run(&["connector", "add", "pgbad", "--kind", "postgresql", "--config", &bad]),
        "add pgbad",
    );

    let out = env.run(&["connector", "test", "pg"]);
    assert_ok(&out, "connector test");
    let text = stdout(&out);
    for stage in ["secrets", "dns", "tcp", "authentication", "query", "privileges"] {
        assert!(
            text.lines().any(|l| l.trim_start().starts_with("ok") && l.contains(stage)),
            "{stage} passed:\n{text}"
        );
    }
    assert!(text.contains(&format!("logged in as \"{user}\"")), "{text}");
    assert!(text.trim_end().ends_with("Test passed."), "{text}");
    assert!(!text.contains("Cli pw 9"), "no password in the output");

    let out = env.run(&["connector", "test", "pgbad"]);
    assert_exit(&out, 8, "a failed stage");
    let text = stdout(&out);
    assert!(
        text.lines().any(|l| l.contains("FAIL")
            && l.contains("authentication")
            && l.contains(&format!("wrong password for user \"{user}\""))),
        "{text}"
    );
    assert!(text.contains("(config.password)"), "the field is named: {text}");
    assert!(stderr(&out).contains("wrong password"), "{}", stderr(&out));
    assert!(!text.contains("n0pe-pw") && !stderr(&out).contains("n0pe-pw"));

    let out = env.run(&["connector", "test", "pgbad", "--json"]);
    assert_exit(&out, 8, "a failed stage, JSON");
    let report: Value = serde_json::from_slice(&out.stdout).expect("json report");
    assert_eq!(report["ok"], false);
    let failed: Vec<&Value> =
        report["stages"].as_array().expect("stages").iter().filter(|s| s["status"] == "failed").collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["error"]["code"], "wrong_password");
    assert_eq!(failed[0]["error"]["field"], "config.password");

    assert_exit(&env.run(&["connector", "test", "nope"]), 4, "no such connector");
}
