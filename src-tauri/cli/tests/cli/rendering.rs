//! Issue 9, "trust hardening", in what a render produces: values that do not fit their field,
//! helpers used wrongly. Separate processes against the real OpenBao server (secrets put with
//! the `bao` CLI), the real keyring and a real SQLite file.

use std::path::Path;

use super::{assert_exit, assert_ok, kv_vault, stderr, Env};

const SECRET: &str = "hunter2-rendered-secret";

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p.to_string_lossy().into_owned()
}

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
