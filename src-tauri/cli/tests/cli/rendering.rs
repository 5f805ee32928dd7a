//! Issue 9, "trust hardening", in what a render produces: values that do not fit their field,
//! helpers used wrongly. Separate processes against the real OpenBao server (secrets put with
//! the `bao` CLI), the real keyring and a real SQLite file.

use std::path::Path;

use super::{assert_exit, assert_ok, kv_vault, stderr, write, Env};

const SECRET: &str = "hunter2-rendered-secret";

/// A KV vault `v` whose secret has text, an object and a list.
fn vault_with_shapes(env: &Env, work: &Path, suffix: &str) {
    let data = write(
        work,
        "secret.json",
        &format!(
            r#"{{"password": "{SECRET}", "port": "5432", "conn": {{"h": "{SECRET}"}}, "users": ["{SECRET}"]}}"#
        ),
    );
    let tag = format!("r{}{suffix}", std::process::id());
    kv_vault(env, "v", &tag, &[&format!("@{data}")]);
}

#[test]
fn a_rendered_value_that_does_not_fit_its_field_is_named_at_preview_and_export() {
    let env = Env::new();
    let work = tempfile::tempdir().expect("tmp");
    vault_with_shapes(&env, work.path(), "a");
    let cases = [
        (
            "port",
            r#"{"host": "db.internal", "port": "{{secrets.v.password}}"}"#,
            "port: `{{secrets.v.password}}` gives text that is not a number; port takes a port number 1-65535",
        ),
        ("host", r#"{"host": "{{secrets.v.conn}}"}"#, "host: `{{secrets.v.conn}}` gives an object; host takes text"),
        (
            "username",
            r#"{"host": "db.internal", "username": "{{secrets.v.users}}"}"#,
            "username: `{{secrets.v.users}}` gives a list; username takes text",
        ),
    ];
    for (field, config, message) in cases {
        let cfg = write(work.path(), &format!("{field}.json"), config);
        let name = format!("c-{field}");
        assert_ok(
            &env.run(&["connector", "add", &name, "--kind", "postgresql", "--config", &cfg]),
            "Save takes it",
        );
        for args in [vec!["connector", "preview", &name], vec!["connector", "preview", &name, "--reveal"]] {
            let out = env.run(&args);
            assert_exit(&out, 3, &format!("{args:?}"));
            assert_eq!(stderr(&out).trim(), format!("vaultdesk: {message}"), "{args:?}");
            assert!(!stderr(&out).contains(SECRET), "no value in the message");
        }
        let target = work.path().join(format!("{field}.out"));
        let out = env.run(&["connector", "export", &name, "--out", &target.to_string_lossy()]);
        assert_exit(&out, 3, "export");
        assert!(stderr(&out).contains(message), "{}", stderr(&out));
        assert!(!target.exists(), "nothing written");
    }
    // A port the secret holds as text is exported as the number it is.
    let cfg = write(work.path(), "ok.json", r#"{"host": "db.internal", "port": "{{secrets.v.port}}"}"#);
    assert_ok(&env.run(&["connector", "add", "fits", "--kind", "postgresql", "--config", &cfg]), "add");
    let out = env.run(&["connector", "export", "fits"]);
    assert_ok(&out, "export");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["port"], 5432);
}

#[test]
fn helpers_refuse_objects_and_extra_arguments_saying_why() {
    let env = Env::new();
    let work = tempfile::tempdir().expect("tmp");
    vault_with_shapes(&env, work.path(), "b");
    let cfg = write(work.path(), "obj.json", r#"{"base_url": "https://x/{{urlencode secrets.v.conn}}"}"#);
    assert_ok(&env.run(&["connector", "add", "obj", "--kind", "rest", "--config", &cfg]), "add");
    let out = env.run(&["connector", "preview", "obj"]);
    assert_exit(&out, 3, "object to urlencode");
    assert_eq!(
        stderr(&out).trim(),
        "vaultdesk: base_url: helper `urlencode` takes a single value, not an object or array"
    );
    let cfg = write(
        work.path(),
        "two.json",
        r#"{"base_url": "https://x/{{urlencode secrets.v.password secrets.v.port}}"}"#,
    );
    let out = env.run(&["connector", "add", "two", "--kind", "rest", "--config", &cfg]);
    assert_exit(&out, 3, "two arguments refused at Save");
    assert!(
        stderr(&out).contains("config.base_url")
            && stderr(&out).contains("helper `urlencode` takes one argument, not 2"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_literal_secret_is_masked_flagged_linted_and_gone_from_the_files_once_replaced() {
    let env = Env::new();
    let work = tempfile::tempdir().expect("tmp");
    vault_with_shapes(&env, work.path(), "c");
    let literal = "literal-clear-pw-7c1e";
    let cfg = write(
        work.path(),
        "lit.json",
        &format!(
            r#"{{"base_url": "https://api.example", "headers": {{"Authorization": "Bearer {literal}", "Accept": "json"}},
                "auth": {{"type": "basic", "username": "app", "password": "{{{{secrets.v.password}}}}"}}}}"#
        ),
    );
    let out = env.run(&["connector", "add", "lit", "--kind", "rest", "--config", &cfg]);
    assert_ok(&out, "stored anyway");
    assert!(
        stderr(&out).contains(
            "warning: config.headers.Authorization: stored in clear in the local database; move it to a vault"
        ),
        "{}",
        stderr(&out)
    );
    let out = env.run(&["connector", "preview", "lit"]);
    assert_ok(&out, "preview");
    assert!(!super::stdout(&out).contains(literal), "masked like a reference:\n{}", super::stdout(&out));
    assert!(super::stdout(&out).contains("\"Accept\": \"json\""), "other values shown");
    assert!(stderr(&out).contains("config.headers.Authorization: stored in clear"), "{}", stderr(&out));
    let out = env.run(&["connector", "preview", "lit", "--reveal"]);
    assert!(super::stdout(&out).contains(literal), "shown when revealed");

    let out = env.run(&["connector", "lint"]);
    assert_exit(&out, 12, "lint finds it");
    assert!(
        super::stdout(&out).contains("lit  config.headers.Authorization: stored in clear"),
        "{}",
        super::stdout(&out)
    );
    assert!(!super::stdout(&out).contains(literal) && !stderr(&out).contains(literal), "never the value");

    // Replaced by a reference: lint is clean and the value is in no file of the data directory.
    let cfg = write(
        work.path(),
        "ref.json",
        r#"{"base_url": "https://api.example", "headers": {"Authorization": "Bearer {{secrets.v.password}}"}}"#,
    );
    assert_ok(&env.run(&["connector", "update", "lit", "--config", &cfg]), "update");
    let out = env.run(&["connector", "lint"]);
    assert_ok(&out, "clean");
    assert!(super::stdout(&out).contains("No connector holds a literal secret"), "{}", super::stdout(&out));
    for entry in std::fs::read_dir(env.data_dir()).expect("data dir") {
        let path = entry.expect("entry").path();
        if path.is_file() {
            let bytes = std::fs::read(&path).expect("read");
            assert!(
                !bytes.windows(literal.len()).any(|w| w == literal.as_bytes()),
                "the removed value is still in {}",
                path.display()
            );
        }
    }
}

#[test]
fn a_connector_prefilled_from_a_database_engine_is_usable_without_a_config_file() {
    let env = Env::new();
    let var = |n: &str| std::env::var(n).expect(n);
    let tag = format!("pf{}", std::process::id());
    let db = format!("cdb{tag}");
    let read_config = format!("path \"{db}/config/orders\" {{ capabilities = [\"read\"] }}");
    super::sessions::pg_vault_with(&env, "pgr", &tag, &read_config);
    assert_ok(
        &env.run(&["connector", "add", "orders", "--kind", "postgresql", "--vault", "pgr"]),
        "pre-filled",
    );
    let shown: serde_json::Value =
        serde_json::from_slice(&env.run(&["connector", "show", "orders", "--json"]).stdout).expect("json");
    assert_eq!(shown["config"]["host"], var("VAULTDESK_TEST_PG_HOST"), "host from the connection");
    assert_eq!(shown["config"]["port"].to_string(), var("VAULTDESK_TEST_PG_PORT"));
    assert_eq!(shown["config"]["database"], "postgres");
    assert_eq!(shown["config"]["password"], "{{secrets.pgr.password}}");
    let out = env.run(&["connector", "test", "orders"]);
    assert_ok(&out, "the pre-filled connector logs in");

    // A policy that cannot read the connection: the host is asked for, by name.
    let tag2 = format!("pn{}", std::process::id());
    super::sessions::pg_vault_with(&env, "pgn", &tag2, "");
    let out = env.run(&["connector", "add", "o2", "--kind", "postgresql", "--vault", "pgn"]);
    assert_exit(&out, 3, "no host");
    assert!(
        stderr(&out).contains("config.host: is required") && stderr(&out).contains("--set host="),
        "{}",
        stderr(&out)
    );
    let (host, port) = (
        format!("host={}", var("VAULTDESK_TEST_PG_HOST")),
        format!("port={}", var("VAULTDESK_TEST_PG_PORT")),
    );
    let out = env.run(&[
        "connector",
        "add",
        "o2",
        "--kind",
        "postgresql",
        "--vault",
        "pgn",
        "--set",
        &host,
        "--set",
        &port,
        "--set",
        "database=postgres",
    ]);
    assert_ok(&out, "--set gives the host");
    assert_ok(&env.run(&["connector", "test", "o2"]), "and it logs in");
    assert_exit(
        &env.run(&["connector", "add", "o3", "--kind", "postgresql", "--vault", "pgn", "--set", "nohost"]),
        2,
        "--set without =",
    );
}
