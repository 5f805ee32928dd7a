//! `vaultdesk` with AWS Secrets Manager vaults, as separate processes against moto's servers
//! (tests/scripts/services.sh: an open one whose requests are recorded, one with IAM enforced),
//! the real keyring and a real SQLite file. Each process has its own environment, so the
//! default credential chain is tested here: `AWS_*` variables and a shared credentials file
//! with two profiles.

use std::process::Output;

use serde_json::{json, Value};

use super::{assert_exit, assert_ok, secret_tool_lookup, stderr, stdout, write, Env};

#[path = "../../../core/tests/common/moto.rs"]
#[allow(dead_code)]
mod moto;

/// `moto.rs` takes its variables through this (the core's `bao::env`).
mod bao {
    pub fn env(name: &str) -> String {
        std::env::var(name)
            .unwrap_or_else(|_| panic!("{name} is not set: run through tests/scripts/services.sh"))
    }
}

fn unique(prefix: &str) -> String {
    let t =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("{prefix}{}-{t}", std::process::id())
}

/// `vaultdesk ARGS` with the AWS variables of this process removed (each test sets its own).
fn run_aws(env: &Env, args: &[&str], vars: &[(&str, &str)]) -> Output {
    let mut c = env.cmd(args);
    for v in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_CONFIG_FILE",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "VAULTDESK_AWS_ACCESS_KEY_ID",
        "VAULTDESK_AWS_SECRET_ACCESS_KEY",
        "VAULTDESK_AWS_SESSION_TOKEN",
    ] {
        c.env_remove(v);
    }
    // No instance metadata service to wait for on this machine.
    c.env("AWS_EC2_METADATA_DISABLED", "true");
    for (k, v) in vars {
        c.env(k, v);
    }
    c.output().expect("vaultdesk runs")
}

fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime").block_on(f)
}

#[test]
fn aws_keys_from_files_live_only_in_the_keyring_and_the_vault_tests_and_renders() {
    let env = Env::new();
    let work = tempfile::tempdir().expect("tmp");
    let secret = unique("cli-keys/");
    block_on(moto::create_string(&secret, r#"{"username":"app","password":"cli-aws-value"}"#));
    let key_id = format!("AKIA{}", &unique("K").replace(['-', '/'], "")[..12]).to_uppercase();
    let secret_key = format!("sak/{}+Zq9", unique("s"));
    let token = format!("tok{}", unique("t").replace('-', ""));
    let (kf, sf, tf) = (
        write(work.path(), "akid", &format!("{key_id}\n")),
        write(work.path(), "sak", &format!("{secret_key}\n")),
        write(work.path(), "token", &token),
    );
    let ep = moto::endpoint();
    let add = run_aws(
        &env,
        &[
            "vault",
            "add",
            "aws1",
            "--provider",
            "aws",
            "--region",
            "us-east-1",
            "--secret-name",
            &secret,
            "--endpoint-url",
            &ep,
            "--access-key-id-file",
            &kf,
            "--secret-access-key-file",
            &sf,
            "--session-token-file",
            &tf,
        ],
        &[],
    );
    assert_ok(&add, "vault add --provider aws with key files");
    assert!(stdout(&add).contains("the access keys are in the OS keyring"), "{}", stdout(&add));

    let show = run_aws(&env, &["vault", "show", "aws1"], &[]);
    assert_ok(&show, "vault show");
    let text = stdout(&show);
    assert!(
        text.contains("AWS Secrets Manager") && text.contains("us-east-1") && text.contains(&secret),
        "{text}"
    );
    assert!(text.contains("Access Key ID and Secret Access Key"), "says where the keys live: {text}");
    let shown: Value =
        serde_json::from_slice(&run_aws(&env, &["vault", "show", "aws1", "--json"], &[]).stdout)
            .expect("json");
    let (id_acct, secret_acct) = (
        shown["keyring"]["role_id_account"].as_str().expect("account").to_owned(),
        shown["keyring"]["secret_id_account"].as_str().expect("account").to_owned(),
    );
    assert_eq!(
        secret_tool_lookup(&id_acct).as_deref(),
        Some(key_id.as_str()),
        "the key id, read by secret-tool"
    );
    assert_eq!(
        secret_tool_lookup(&secret_acct).as_deref(),
        Some(format!("{secret_key}\n{token}").as_str()),
        "the secret key and its session token in one entry (they change together)"
    );
    for out in [&add, &show] {
        let all = format!("{}{}", stdout(out), stderr(out));
        assert!(
            !all.contains(&secret_key) && !all.contains(&token) && !all.contains(&key_id),
            "no key in the output"
        );
    }

    let test = run_aws(&env, &["vault", "test", "aws1"], &[]);
    assert_ok(&test, "vault test");
    let t = stdout(&test);
    assert!(t.contains("describe") && t.contains("account 123456789012") && t.contains("username"), "{t}");
    assert!(!t.contains("cli-aws-value"), "no value in the Test");

    let cfg = write(
        work.path(),
        "c.json",
        r#"{"base_url": "https://api.example", "auth": {"type": "basic", "username": "{{secrets.aws1.username}}", "password": "{{secrets.aws1.password}}"}}"#,
    );
    assert_ok(
        &run_aws(&env, &["connector", "add", "api", "--kind", "rest", "--config", &cfg], &[]),
        "connector add",
    );
    let out = run_aws(&env, &["connector", "export", "api"], &[]);
    assert_ok(&out, "export");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["auth"]["password"], "cli-aws-value");

    // From VAULTDESK_AWS_* (the same rules as the Role/Secret ID variables).
    let add2 = run_aws(
        &env,
        &[
            "vault",
            "add",
            "aws2",
            "--provider",
            "aws",
            "--region",
            "us-east-1",
            "--secret-name",
            &secret,
            "--endpoint-url",
            &ep,
        ],
        &[("VAULTDESK_AWS_ACCESS_KEY_ID", &key_id), ("VAULTDESK_AWS_SECRET_ACCESS_KEY", &secret_key)],
    );
    assert_ok(&add2, "vault add from VAULTDESK_AWS_*");
    let missing = run_aws(
        &env,
        &["vault", "add", "aws3", "--provider", "aws", "--region", "us-east-1", "--secret-name", &secret],
        &[("VAULTDESK_AWS_ACCESS_KEY_ID", &key_id)],
    );
    assert_exit(&missing, 2, "no Secret Access Key source");
    assert!(stderr(&missing).contains("--secret-access-key-file"), "{}", stderr(&missing));

    env.assert_not_in_data_dir(
        &[&key_id, &secret_key, &token, "cli-aws-value"],
        "adding, testing and exporting AWS vaults",
    );
    assert_ok(&run_aws(&env, &["vault", "remove", "aws1", "--force"], &[]), "remove");
    assert_eq!(secret_tool_lookup(&id_acct), None, "the keys leave the keyring with the vault");
    assert_eq!(secret_tool_lookup(&secret_acct), None);
}

#[test]
fn aws_default_chain_reads_the_environment_and_a_chosen_profile() {
    let env = Env::new();
    let work = tempfile::tempdir().expect("tmp");
    let (ep, id, secret) = moto::auth_server();
    let creds = write(
        work.path(),
        "credentials",
        &format!(
            "[default]\naws_access_key_id = AKIAWRONGDEFAULT0000\naws_secret_access_key = wrong\n\n\
             [reader]\naws_access_key_id = {id}\naws_secret_access_key = {secret}\n"
        ),
    );
    let config = write(work.path(), "config", "");
    let files = [("AWS_SHARED_CREDENTIALS_FILE", creds.as_str()), ("AWS_CONFIG_FILE", config.as_str())];
    let base = [
        "--provider",
        "aws",
        "--region",
        "us-east-1",
        "--secret-name",
        "app/db",
        "--endpoint-url",
        &ep,
        "--aws-auth",
        "default",
    ];
    let add = |name: &str, extra: &[&str]| {
        let mut args = vec!["vault", "add", name];
        args.extend_from_slice(&base);
        args.extend_from_slice(extra);
        run_aws(&env, &args, &files)
    };
    let out = add("byprofile", &["--profile", "reader"]);
    assert_ok(&out, "add with the default chain");
    assert!(stdout(&out).contains("nothing is stored in the OS keyring"), "{}", stdout(&out));
    let shown: Value =
        serde_json::from_slice(&run_aws(&env, &["vault", "show", "byprofile", "--json"], &[]).stdout)
            .expect("json");
    for acct in ["role_id_account", "secret_id_account"] {
        assert_eq!(
            secret_tool_lookup(shown["keyring"][acct].as_str().expect("account")),
            None,
            "no keyring entry"
        );
    }

    let ok = run_aws(&env, &["vault", "test", "byprofile"], &files);
    assert_ok(&ok, "the profile's keys are the reader's");
    assert!(stdout(&ok).contains("user/reader") && stdout(&ok).contains("profile reader"), "{}", stdout(&ok));

    assert_ok(&add("bydefault", &[]), "add without a profile");
    let wrong = run_aws(&env, &["vault", "test", "bydefault"], &files);
    assert_exit(&wrong, 8, "the default profile's keys are wrong");
    assert!(stdout(&wrong).contains("AWS refused the access keys"), "named: {}", stdout(&wrong));
    assert!(!stdout(&wrong).contains("wrong\n"), "no key shown");

    // Environment keys come before the files (the SDK's order).
    let env_keys = run_aws(
        &env,
        &["vault", "test", "bydefault"],
        &[files[0], files[1], ("AWS_ACCESS_KEY_ID", id.as_str()), ("AWS_SECRET_ACCESS_KEY", secret.as_str())],
    );
    assert_ok(&env_keys, "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY of the environment");

    let missing = run_aws(&env, &["vault", "test", "byprofile", "--profile", "nosuchprofile"], &files);
    assert_exit(&missing, 8, "a missing profile");
    assert!(stdout(&missing).contains("profile \"nosuchprofile\" not found"), "named: {}", stdout(&missing));
}

#[test]
fn aws_n_connectors_sharing_one_secret_make_one_get_secret_value() {
    let env = Env::new();
    let work = tempfile::tempdir().expect("tmp");
    let secret = unique("cli-count/");
    block_on(moto::create_string(&secret, r#"{"token":"shared-token","host":"db.internal"}"#));
    let kf = write(work.path(), "k", "AKIACOUNT00000000000");
    let sf = write(work.path(), "s", "count-secret");
    let ep = moto::endpoint();
    assert_ok(
        &run_aws(
            &env,
            &[
                "vault",
                "add",
                "shared",
                "--provider",
                "aws",
                "--region",
                "us-east-1",
                "--secret-name",
                &secret,
                "--endpoint-url",
                &ep,
                "--access-key-id-file",
                &kf,
                "--secret-access-key-file",
                &sf,
            ],
            &[],
        ),
        "add",
    );
    let cfg = write(
        work.path(),
        "c.json",
        r#"{"base_url": "https://{{secrets.shared.host}}", "auth": {"type": "bearer", "token": "{{secrets.shared.token}}"}}"#,
    );
    for i in 0..6 {
        assert_ok(
            &run_aws(&env, &["connector", "add", &format!("c{i}"), "--kind", "rest", "--config", &cfg], &[]),
            "connector add",
        );
    }
    let before = moto::get_secret_value_calls(&secret);
    let out_dir = work.path().join("out");
    let out =
        run_aws(&env, &["connector", "export", "--all", "--out-dir", out_dir.to_str().expect("path")], &[]);
    assert_ok(&out, "export --all");
    assert_eq!(
        moto::get_secret_value_calls(&secret) - before,
        1,
        "6 connectors of one AWS secret: one GetSecretValue (moto's recording)"
    );
    let one: Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("c3.json")).expect("file")).expect("json");
    assert_eq!(one["auth"]["token"], "shared-token");
}

#[test]
fn aws_tricky_values_round_trip_exactly_through_json_yaml_and_env() {
    let env = Env::new();
    let work = tempfile::tempdir().expect("tmp");
    let tricky = "a 'single' \"double\" \\back\nnew line\ttab ünïcødé ✓ {{not.a.ref}} = $HOME `x` no";
    let secret = unique("cli-tricky/");
    block_on(moto::create_string(&secret, &json!({"value": tricky, "n": "yes"}).to_string()));
    let kf = write(work.path(), "k", "AKIATRICKY0000000000");
    let sf = write(work.path(), "s", "tricky-secret");
    let ep = moto::endpoint();
    assert_ok(
        &run_aws(
            &env,
            &[
                "vault",
                "add",
                "tricky",
                "--provider",
                "aws",
                "--region",
                "us-east-1",
                "--secret-name",
                &secret,
                "--endpoint-url",
                &ep,
                "--access-key-id-file",
                &kf,
                "--secret-access-key-file",
                &sf,
            ],
            &[],
        ),
        "add",
    );
    let cfg = write(
        work.path(),
        "c.json",
        r#"{"base_url": "https://api.example", "headers": {"X-Value": "{{secrets.tricky.value}}", "X-Flag": "{{secrets.tricky.n}}"}}"#,
    );
    assert_ok(
        &run_aws(&env, &["connector", "add", "t", "--kind", "rest", "--config", &cfg], &[]),
        "connector add",
    );

    let j = run_aws(&env, &["connector", "export", "t", "--format", "json"], &[]);
    assert_ok(&j, "json");
    let v: Value = serde_json::from_slice(&j.stdout).expect("valid JSON");
    assert_eq!(v["headers"]["X-Value"], tricky, "JSON: exact");

    let y = run_aws(&env, &["connector", "export", "t", "--format", "yaml"], &[]);
    assert_ok(&y, "yaml");
    let v: Value = serde_yaml_ng::from_slice(&y.stdout).expect("valid YAML");
    assert_eq!(v["headers"]["X-Value"], tricky, "YAML: exact");
    assert_eq!(v["headers"]["X-Flag"], "yes", "YAML: `yes` stays a string");

    let e = run_aws(
        &env,
        &[
            "connector",
            "export",
            "t",
            "--format",
            "env",
            "--out",
            work.path().join("t.env").to_str().expect("p"),
        ],
        &[],
    );
    assert_ok(&e, "env");
    let sourced = std::process::Command::new("sh")
        .arg("-c")
        .arg(". \"$1\" && printf %s \"$HEADERS_X_VALUE\"")
        .arg("sh")
        .arg(work.path().join("t.env"))
        .output()
        .expect("sh");
    assert!(sourced.status.success(), "{}", String::from_utf8_lossy(&sourced.stderr));
    assert_eq!(
        String::from_utf8(sourced.stdout).expect("utf8"),
        tricky,
        "env: `. file` in sh gives the exact bytes"
    );
}

#[test]
fn aws_database_secrets_prefill_database_connectors_and_rest_refuses_them() {
    let env = Env::new();
    let work = tempfile::tempdir().expect("tmp");
    let secret = unique("cli-rds/");
    block_on(moto::create_string(
        &secret,
        r#"{"engine":"postgres","host":"db.internal","port":5432,"username":"app","password":"rds-pw","dbname":"orders"}"#,
    ));
    let kf = write(work.path(), "k", "AKIARDS0000000000000");
    let sf = write(work.path(), "s", "rds-secret");
    let ep = moto::endpoint();
    assert_ok(
        &run_aws(
            &env,
            &[
                "vault",
                "add",
                "rds",
                "--provider",
                "aws",
                "--region",
                "us-east-1",
                "--secret-name",
                &secret,
                "--endpoint-url",
                &ep,
                "--engine-type",
                "postgresql",
                "--access-key-id-file",
                &kf,
                "--secret-access-key-file",
                &sf,
            ],
            &[],
        ),
        "add a database secret",
    );
    assert_ok(
        &run_aws(&env, &["connector", "add", "pg", "--kind", "postgresql", "--vault", "rds"], &[]),
        "pre-filled",
    );
    let shown: Value =
        serde_json::from_slice(&run_aws(&env, &["connector", "show", "pg", "--json"], &[]).stdout)
            .expect("json");
    assert_eq!(
        shown["config"],
        json!({"host": "{{secrets.rds.host}}", "port": "{{secrets.rds.port}}", "database": "{{secrets.rds.dbname}}",
               "username": "{{secrets.rds.username}}", "password": "{{secrets.rds.password}}"}),
        "host, port, database, username and password as references"
    );
    let preview = run_aws(&env, &["connector", "preview", "pg", "--reveal", "--json"], &[]);
    assert_ok(&preview, "preview");
    let p: Value = serde_json::from_slice(&preview.stdout).expect("json");
    assert_eq!(p["config"]["port"], 5432, "a whole reference keeps the JSON type");
    let rest = run_aws(&env, &["connector", "add", "r", "--kind", "rest", "--vault", "rds"], &[]);
    assert_exit(&rest, 3, "REST takes key/value only");
    assert!(stderr(&rest).contains("REST connectors take KV vaults only"), "{}", stderr(&rest));
    let mysql = run_aws(&env, &["connector", "add", "m", "--kind", "mysql", "--vault", "rds"], &[]);
    assert_exit(&mysql, 3, "a PostgreSQL secret does not suit a MySQL connector");
}
