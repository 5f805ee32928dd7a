//! The connector commands a user scripts against: list, fields, update, exit codes, the MongoDB
//! kind, REST api_key auth, `render` of a file with an unknown extension, and the data
//! directory's mode.

use serde_json::{json, Value};

use super::{assert_exit, assert_ok, kv_vault, stderr, stdout, write, Env};

fn export_json(env: &Env, name: &str) -> Value {
    let out = env.run(&["connector", "export", name]);
    assert_ok(&out, "export");
    serde_json::from_slice(&out.stdout).expect("JSON")
}

#[test]
fn mongodb_and_rest_api_key_connectors_render_and_export() {
    let env = Env::new();
    let tag = format!("m{}", std::process::id());
    kv_vault(&env, "mongo", &tag, &["user=app", "password=p@ss:w/rd", "host=m1.internal"]);
    let work = tempfile::tempdir().expect("tmp");

    let out = env.run(&["connector", "fields", "mongodb"]);
    assert_ok(&out, "fields mongodb");
    let text = stdout(&out);
    let names: Vec<&str> = text.lines().filter_map(|l| l.split_whitespace().next()).collect();
    assert_eq!(
        names,
        [
            "connection_string",
            "host",
            "port",
            "database",
            "username",
            "password",
            "auth_source",
            "replica_set",
            "tls"
        ],
        "{text}"
    );
    assert!(text.lines().any(|l| l.starts_with("tls") && l.contains("bool")), "{text}");

    let cfg = write(
        work.path(),
        "m.json",
        r#"{"connection_string": "mongodb://{{secrets.mongo.user}}:{{urlencode secrets.mongo.password}}@{{secrets.mongo.host}}:27017/orders?authSource=admin&replicaSet=rs0&tls=true",
            "host": "{{secrets.mongo.host}}", "port": 27017, "database": "orders", "username": "{{secrets.mongo.user}}",
            "password": "{{secrets.mongo.password}}", "auth_source": "admin", "replica_set": "rs0", "tls": true}"#,
    );
    assert_ok(
        &env.run(&["connector", "add", "orders", "--kind", "mongodb", "--vault", "mongo", "--config", &cfg]),
        "add mongodb",
    );
    assert_eq!(
        export_json(&env, "orders"),
        json!({"connection_string": "mongodb://app:p%40ss%3Aw%2Frd@m1.internal:27017/orders?authSource=admin&replicaSet=rs0&tls=true",
               "host": "m1.internal", "port": 27017, "database": "orders", "username": "app", "password": "p@ss:w/rd",
               "auth_source": "admin", "replica_set": "rs0", "tls": true})
    );
    let target = work.path().join("orders.yaml");
    assert_ok(
        &env.run(&["connector", "export", "orders", "--format", "yaml", "--out", &target.to_string_lossy()]),
        "yaml",
    );
    let yaml: Value =
        serde_yaml_ng::from_str(&std::fs::read_to_string(&target).expect("read")).expect("yaml");
    assert_eq!((yaml["tls"].clone(), yaml["replica_set"].clone()), (json!(true), json!("rs0")));

    // Neither host nor connection string; tls that is not a boolean.
    let bad = write(work.path(), "bad.json", r#"{"database": "x", "tls": "sometimes"}"#);
    let out = env.run(&["connector", "add", "bad", "--kind", "mongodb", "--config", &bad]);
    assert_exit(&out, 3, "invalid mongodb");
    assert!(
        stderr(&out).contains("config.host: is required unless connection_string is given"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("config.tls:"), "{}", stderr(&out));

    // REST api_key auth, in a header and in the query.
    for place in ["header", "query"] {
        let cfg = write(
            work.path(),
            "r.json",
            &format!(
                r#"{{"base_url": "https://api.example", "auth": {{"type": "api_key", "name": "X-Api-Key", "value": "{{{{secrets.mongo.password}}}}", "in": "{place}"}}}}"#
            ),
        );
        let name = format!("api-{place}");
        assert_ok(&env.run(&["connector", "add", &name, "--kind", "rest", "--config", &cfg]), "add api_key");
        assert_eq!(
            export_json(&env, &name)["auth"],
            json!({"type": "api_key", "name": "X-Api-Key", "value": "p@ss:w/rd", "in": place})
        );
    }
    let cfg = write(
        work.path(),
        "r.json",
        r#"{"base_url": "https://x", "auth": {"type": "api_key", "name": "k", "value": "v", "in": "cookie"}}"#,
    );
    let out = env.run(&["connector", "add", "api-cookie", "--kind", "rest", "--config", &cfg]);
    assert_exit(&out, 3, "api_key in a cookie");
    assert!(stderr(&out).contains("config.auth: \"in\" must be header or query"), "{}", stderr(&out));
}

#[test]
fn list_update_and_the_exit_codes_of_connector_commands() {
    let env = Env::new();
    let tag = format!("x{}", std::process::id());
    kv_vault(&env, "ops", &tag, &["token=tk-1"]);
    let work = tempfile::tempdir().expect("tmp");
    let out = env.run(&["connector", "list"]);
    assert_ok(&out, "list empty");
    assert!(stdout(&out).starts_with("No connectors yet."), "{}", stdout(&out));
    let cfg = write(
        work.path(),
        "a.json",
        r#"{"base_url": "https://x", "auth": {"type": "bearer", "token": "{{secrets.ops.token}}"}}"#,
    );
    assert_ok(
        &env.run(&["connector", "add", "api", "--kind", "rest", "--vault", "ops", "--config", &cfg]),
        "add",
    );

    let out = env.run(&["connector", "add", "API", "--kind", "rest", "--config", &cfg]);
    assert_exit(&out, 5, "a connector of that name exists");
    for args in [
        &["connector", "show", "nope"][..],
        &["connector", "update", "nope", "--rename", "x"],
        &["connector", "remove", "nope"],
        &["connector", "export", "nope"],
        &["connector", "preview", "nope"],
    ] {
        let out = env.run(args);
        assert_exit(&out, 4, &args.join(" "));
        assert!(stderr(&out).contains("\"nope\""), "{args:?}: {}", stderr(&out));
    }

    let out = env.run(&["connector", "list"]);
    assert_ok(&out, "list");
    let lines: Vec<Vec<String>> =
        stdout(&out).lines().map(|l| l.split_whitespace().map(str::to_owned).collect()).collect();
    assert_eq!(lines, [vec!["NAME", "KIND", "VAULT", "REFERENCES"], vec!["api", "rest", "ops", "1"]]);

    // update: rename, a new configuration, the selection cleared; what is not given is kept.
    let cfg2 = write(work.path(), "b.json", r#"{"base_url": "https://y/{{secrets.ops.token}}"}"#);
    assert_ok(&env.run(&["connector", "update", "api", "--rename", "billing", "--config", &cfg2]), "update");
    let listed: Value =
        serde_json::from_slice(&env.run(&["connector", "list", "--json"]).stdout).expect("json");
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    assert_eq!(listed[0]["name"], "billing");
    assert_eq!(listed[0]["vault"], "ops", "the vault is kept when not given");
    assert_eq!(listed[0]["config"], json!({"base_url": "https://y/{{secrets.ops.token}}"}));
    assert_ok(&env.run(&["connector", "update", "billing", "--vault", ""]), "clear the vault");
    let shown: Value =
        serde_json::from_slice(&env.run(&["connector", "show", "billing", "--json"]).stdout).expect("json");
    assert_eq!(shown["vault"], Value::Null);
    let out = env.run(&["connector", "update", "billing", "--kind", "postgresql"]);
    assert_exit(&out, 3, "a REST configuration is not a PostgreSQL one");
    assert!(stderr(&out).contains("config.host"), "{}", stderr(&out));

    // Vault refuses: the vault now points at a port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    assert_ok(
        // Another server: the stored IDs may go there only when confirmed.
        &env.run(&[
            "vault",
            "update",
            "ops",
            "--url",
            &format!("http://127.0.0.1:{port}"),
            "--reuse-credentials",
        ]),
        "point elsewhere",
    );
    let out = env.run(&["connector", "export", "billing"]);
    assert_exit(&out, 8, "Vault unreachable");
    assert!(stderr(&out).contains("connection refused"), "{}", stderr(&out));
}

#[test]
fn an_unusable_data_directory_is_exit_code_7_and_a_new_one_is_private() {
    let env = Env::new();
    let file = env.data_dir().join("not-a-dir");
    std::fs::write(&file, "x").expect("write");
    for args in [&["connector", "list"][..], &["vault", "list"]] {
        let out = std::process::Command::new(super::BIN)
            .arg("--data-dir")
            .arg(&file)
            .args(args)
            .output()
            .expect("runs");
        assert_exit(&out, 7, &args.join(" "));
        assert!(stderr(&out).contains("exists and is not a directory"), "{}", stderr(&out));
    }
    let fresh = env.data_dir().join("new").join("vaultdesk");
    let out = std::process::Command::new(super::BIN)
        .arg("--data-dir")
        .arg(&fresh)
        .args(["vault", "list"])
        .output()
        .expect("runs");
    assert_ok(&out, "list on a new data directory");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&fresh).expect("created").permissions().mode() & 0o777;
    assert_eq!(mode, 0o700, "only the owner may enter the data directory");
}

#[test]
fn render_detects_the_format_of_a_file_with_an_unknown_extension() {
    let env = Env::new();
    let tag = format!("d{}", std::process::id());
    kv_vault(&env, "det", &tag, &["pw=s3cret"]);
    let work = tempfile::tempdir().expect("tmp");
    let yaml = write(work.path(), "deploy.tmpl", "db:\n  password: '{{secrets.det.pw}}'\n");
    let out = env.run(&["render", &yaml]);
    assert_ok(&out, "render YAML in a .tmpl file");
    assert_eq!(stdout(&out), "\"db\":\n  \"password\": \"s3cret\"\n", "YAML in, YAML out");
    let json_file = write(work.path(), "deploy.conf", r#"{"db": {"password": "{{secrets.det.pw}}"}}"#);
    let out = env.run(&["render", &json_file]);
    assert_ok(&out, "render JSON in a .conf file");
    assert_eq!(
        serde_json::from_slice::<Value>(&out.stdout).expect("JSON out"),
        json!({"db": {"password": "s3cret"}})
    );
    assert!(stdout(&out).starts_with('{'), "JSON in, JSON out: {}", stdout(&out));
    let neither = write(work.path(), "deploy.txt", "a: [unclosed\n");
    let out = env.run(&["render", &neither]);
    assert_exit(&out, 3, "neither JSON nor YAML");
    assert!(stderr(&out).contains("not valid JSON or YAML"), "{}", stderr(&out));
}
