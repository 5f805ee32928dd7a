//! `vaultdesk vault export-config` / `import-config` as separate processes against the real
//! OpenBao server, the real keyring (read back by `secret-tool`) and real SQLite files: the file
//! holds no credential, a round trip into another data directory renders the same connector, a
//! vault imported without credentials is a legitimate "needs credentials" state until `vault
//! update` supplies them, and a broken file changes nothing.

use serde_json::Value;

use super::{
    assert_exit, assert_ok, keyring_accounts, kv_vault, mode, secret_tool_lookup, stderr, stdout, write, Env,
    Ids,
};

/// A data directory with a KV vault "team" on the real OpenBao, a PostgreSQL connector
/// pre-filled from it and a REST connector with a literal API key in a header.
fn source(tag: &str) -> (Env, Ids, tempfile::TempDir) {
    let env = Env::new();
    let (_, _, ids) =
        kv_vault(&env, "team", tag, &["host=db.internal", "port=5432", "user=app", "password=pw-Zq9-export"]);
    let work = tempfile::tempdir().expect("tmp");
    assert_ok(
        &env.run(&["connector", "add", "orders", "--kind", "postgresql", "--vault", "team"]),
        "connector add with pre-fill",
    );
    let cfg = write(
        work.path(),
        "api.json",
        r#"{"base_url": "https://api.example", "headers": {"X-Api-Key": "literal-key-Zq9", "Accept": "application/json"},
            "auth": {"type": "basic", "username": "{{secrets.team.user}}", "password": "{{secrets.team.password}}"}}"#,
    );
    assert_ok(&env.run(&["connector", "add", "api", "--kind", "rest", "--config", &cfg]), "connector add");
    (env, ids, work)
}

#[test]
fn export_config_holds_no_credential_and_a_round_trip_renders_the_same() {
    let tag = format!("cfgx{}", std::process::id());
    let (a, ids, work) = source(&tag);
    let file = work.path().join("team-config.json");
    let f = file.to_string_lossy().into_owned();
    let out = a.run(&["vault", "export-config", "--out", &f]);
    assert_ok(&out, "export-config");
    assert!(
        stderr(&out).contains(
            "left out (a literal secret, not a reference): connector \"api\": config.headers.X-Api-Key"
        ),
        "the literal is named: {}",
        stderr(&out)
    );
    assert_eq!(mode(&file), 0o600, "the file is private");
    let text = std::fs::read_to_string(&file).expect("read");
    for secret in [ids.role.as_str(), ids.secret.as_str(), "literal-key-Zq9", "pw-Zq9-export", "db.internal"]
    {
        assert!(!text.contains(secret), "no credential or secret value in the file: {secret}\n{text}");
    }
    let doc: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(doc["format"], "vaultdesk-config");
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["vaults"][0]["name"], "team");
    assert_eq!(doc["vaults"][0]["cache_ttl"], "5m", "durations as the CLI takes them");
    assert_eq!(doc["connectors"][0]["name"], "api", "connectors sorted by name");
    assert_eq!(doc["connectors"][1]["config"]["password"], "{{secrets.team.password}}", "references kept");
    // Stable: the same definitions give the same bytes (diff-friendly in Git), and stdout is
    // the same file.
    let again = a.run(&["vault", "export-config"]);
    assert_ok(&again, "export-config to stdout");
    assert_eq!(stdout(&again), text, "export is stable");
    assert_exit(&a.run(&["vault", "export-config", "--out", &f]), 5, "an existing file without --force");

    // Import into another data directory with the credentials from files.
    let b = Env::new();
    let creds = tempfile::tempdir().expect("tmp");
    std::fs::write(creds.path().join("team.role_id"), format!("{}\n", ids.role)).expect("write");
    std::fs::write(creds.path().join("team.secret_id"), format!("{}\n", ids.secret)).expect("write");
    let out = b.run(&["vault", "import-config", &f, "--credentials-dir", &creds.path().to_string_lossy()]);
    assert_ok(&out, "import-config with credentials");
    assert!(
        stdout(&out).contains("Imported vault \"team\" (credentials in the OS keyring)."),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("Imported connector \"orders\"."), "{}", stdout(&out));
    let (role_acct, secret_acct) = keyring_accounts(&b.show_json("team"));
    assert_eq!(secret_tool_lookup(&role_acct).as_deref(), Some(ids.role.as_str()), "Role ID in B's keyring");
    assert_eq!(secret_tool_lookup(&secret_acct).as_deref(), Some(ids.secret.as_str()));
    b.assert_not_in_data_dir(&[&ids.role, &ids.secret], "import-config");
    assert_eq!(b.list_json()[0]["needs_credentials"], false);

    // The connector renders the same against the real OpenBao in both.
    let ea = a.run(&["connector", "export", "orders"]);
    let eb = b.run(&["connector", "export", "orders"]);
    assert_ok(&ea, "export in A");
    assert_ok(&eb, "export in B");
    assert_eq!(stdout(&eb), stdout(&ea), "the imported connector renders the same");
    assert!(stdout(&eb).contains("pw-Zq9-export"), "{}", stdout(&eb));
    // And B exports the same definitions back.
    assert_eq!(stdout(&b.run(&["vault", "export-config"])), text, "a round trip is lossless");

    // A clash is refused (nothing changes), or skipped and reported.
    let out = b.run(&["vault", "import-config", &f, "--no-credentials"]);
    assert_exit(&out, 3, "names already used");
    assert!(
        stderr(&out).contains("vaults[0] \"team\".name: a vault named \"team\" already exists"),
        "{}",
        stderr(&out)
    );
    let out = b.run(&["vault", "import-config", &f, "--no-credentials", "--skip-existing"]);
    assert_ok(&out, "--skip-existing");
    assert!(stdout(&out).contains("Skipped vault \"team\": it exists already"), "{}", stdout(&out));
    assert!(stdout(&out).contains("Skipped connector \"orders\""), "{}", stdout(&out));
    assert_eq!(secret_tool_lookup(&secret_acct).as_deref(), Some(ids.secret.as_str()), "IDs untouched");
}

#[test]
fn a_vault_imported_without_credentials_needs_them_until_update_supplies_them() {
    let tag = format!("cfgn{}", std::process::id());
    let (a, ids, work) = source(&tag);
    let f = work.path().join("c.json").to_string_lossy().into_owned();
    assert_ok(&a.run(&["vault", "export-config", "--out", &f]), "export-config");

    let c = Env::new();
    let out = c.run(&["vault", "import-config", &f]); // no terminal: nothing asked
    assert_ok(&out, "import-config without credentials");
    assert!(stdout(&out).contains("Imported vault \"team\": needs credentials"), "{}", stdout(&out));
    let list = stdout(&c.run(&["vault", "list"]));
    assert!(list.contains("team (needs credentials)"), "{list}");
    assert_eq!(c.list_json()[0]["needs_credentials"], true);
    let show = stdout(&c.run(&["vault", "show", "team"]));
    assert!(show.contains("needs credentials: imported without them"), "{show}");
    let (role_acct, secret_acct) = keyring_accounts(&c.show_json("team"));
    assert_eq!(secret_tool_lookup(&role_acct), None, "nothing in the keyring");
    assert_eq!(secret_tool_lookup(&secret_acct), None);

    // A legitimate state: the doctor finds nothing out of step.
    let out = c.run(&["doctor"]);
    assert_ok(&out, "doctor");
    assert!(stdout(&out).contains("Nothing out of step."), "{}", stdout(&out));

    // Test, preview and export refuse it with a message saying what to do.
    let needs = "vault \"team\" needs credentials: it was imported without its Role ID and Secret ID; supply them with `vaultdesk vault update team --role-id-file FILE --secret-id-file FILE`";
    for args in [
        &["vault", "test", "team"][..],
        &["connector", "preview", "orders"],
        &["connector", "export", "orders"],
    ] {
        let out = c.run(args);
        assert_exit(&out, 11, &args.join(" "));
        assert!(stderr(&out).contains(needs), "{args:?}: {}", stderr(&out));
    }
    // Half the credentials are refused, naming the missing part.
    let creds = tempfile::tempdir().expect("tmp");
    let secret_file = write(creds.path(), "s", &ids.secret);
    let role_file = write(creds.path(), "r", &ids.role);
    let out = c.run(&["vault", "update", "team", "--secret-id-file", &secret_file]);
    assert_exit(&out, 3, "a Secret ID alone");
    assert!(stderr(&out).contains("--role-id: is required too"), "{}", stderr(&out));
    assert_eq!(c.list_json()[0]["needs_credentials"], true, "still needs them");

    let out =
        c.run(&["vault", "update", "team", "--role-id-file", &role_file, "--secret-id-file", &secret_file]);
    assert_ok(&out, "update with the IDs");
    assert_eq!(c.list_json()[0]["needs_credentials"], false);
    assert_eq!(secret_tool_lookup(&secret_acct).as_deref(), Some(ids.secret.as_str()));
    assert_ok(&c.run(&["vault", "test", "team"]), "the Test passes now");
    let ea = a.run(&["connector", "export", "orders"]);
    let ec = c.run(&["connector", "export", "orders"]);
    assert_ok(&ec, "export now");
    assert_eq!(stdout(&ec), stdout(&ea), "renders the same as the source");
    assert!(!stdout(&c.run(&["vault", "list"])).contains("needs credentials"));
}

#[test]
fn a_broken_configuration_file_changes_nothing_and_names_each_entry() {
    let env = Env::new();
    let ids = Ids::new("cfgbad");
    assert_ok(&env.add_kv("kept", &ids), "vault add");
    let before = stdout(&env.run(&["vault", "export-config"]));
    let work = tempfile::tempdir().expect("tmp");
    let f = write(
        work.path(),
        "bad.json",
        r#"{"format": "vaultdesk-config", "version": 1,
            "vaults": [
              {"name": "good", "url": "https://v.example:8200", "engine_name": "secret", "engine_type": "kv2", "path": "app"},
              {"name": "bad", "url": "ftp://v.example", "engine_name": "secret", "engine_type": "kv2", "path": "app"},
              {"name": "leaky", "url": "https://v.example", "engine_name": "secret", "engine_type": "kv2", "path": "app", "secret_id": "s3cr3t"}
            ],
            "connectors": [
              {"name": "ok", "kind": "rest", "config": {"base_url": "https://x/{{secrets.good.k}}"}},
              {"name": "dangling", "kind": "rest", "config": {"base_url": "https://x/{{secrets.nowhere.k}}"}}
            ]}"#,
    );
    let out = env.run(&["vault", "import-config", &f, "--no-credentials"]);
    assert_exit(&out, 3, "a broken file");
    let err = stderr(&out);
    assert!(err.contains("invalid configuration file, nothing was imported:"), "{err}");
    assert!(
        err.contains("vaults[2] \"leaky\".secret_id: is not a field of a vault (credentials never belong in this file)"),
        "{err}"
    );
    assert!(!err.contains("s3cr3t"), "the value is not repeated: {err}");
    let out = env.run(&["vault", "import-config", &write(work.path(), "b2.json", &f_without_leaky())]);
    assert_exit(&out, 3, "a broken file");
    let err = stderr(&out);
    assert!(err.contains("connectors[1] \"dangling\".config.base_url:"), "{err}");
    assert!(err.contains("vaults[1] \"bad\".url:"), "the entry and field named: {err}");
    assert!(!err.contains("\"good\""), "a good entry is not named: {err}");
    assert_eq!(stdout(&env.run(&["vault", "export-config"])), before, "nothing was written");
    assert_eq!(env.list_json().len(), 1);

    let out = env.run(&[
        "vault",
        "import-config",
        &write(work.path(), "v.json", r#"{"format": "vaultdesk-config", "version": 2}"#),
    ]);
    assert_exit(&out, 3, "a newer format");
    assert!(stderr(&out).contains("version: 2 was written by a newer vaultdesk"), "{}", stderr(&out));
    let out = env.run(&["vault", "import-config", &write(work.path(), "j.json", "{not json")]);
    assert_exit(&out, 3, "not JSON");
    assert!(stderr(&out).contains("file: is not valid JSON"), "{}", stderr(&out));
}

fn f_without_leaky() -> String {
    r#"{"format": "vaultdesk-config", "version": 1,
        "vaults": [
          {"name": "good", "url": "https://v.example:8200", "engine_name": "secret", "engine_type": "kv2", "path": "app"},
          {"name": "bad", "url": "ftp://v.example", "engine_name": "secret", "engine_type": "kv2", "path": "app"}
        ],
        "connectors": [
          {"name": "ok", "kind": "rest", "config": {"base_url": "https://x/{{secrets.good.k}}"}},
          {"name": "dangling", "kind": "rest", "config": {"base_url": "https://x/{{secrets.nowhere.k}}"}}
        ]}"#
    .to_owned()
}

#[test]
fn an_import_killed_while_writing_the_keyring_leaves_nothing_half_done() {
    let tag = format!("cfgk{}", std::process::id());
    let (a, ids, work) = source(&tag);
    let f = work.path().join("c.json").to_string_lossy().into_owned();
    assert_ok(&a.run(&["vault", "export-config", "--out", &f]), "export-config");
    let creds = tempfile::tempdir().expect("tmp");
    std::fs::write(creds.path().join("team.role_id"), &ids.role).expect("write");
    std::fs::write(creds.path().join("team.secret_id"), &ids.secret).expect("write");
    let cdir = creds.path().to_string_lossy().into_owned();

    let b = Env::new();
    // Killed (as by `kill -9`) after the Role ID reached the keyring, before the Secret ID did.
    let out = b
        .cmd(&["vault", "import-config", &f, "--credentials-dir", &cdir])
        .env("VAULTDESK_TEST_HOOK", "add:role_id")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), None, "the import was killed: {}", stderr(&out));
    // The next open settles it: no vault, and no keyring entry of this data directory.
    assert!(b.list_json().is_empty(), "the unfinished vault is not there");
    let out = b.run(&["doctor"]);
    assert_ok(&out, "doctor after the next open");
    assert!(stdout(&out).contains("Nothing out of step."), "no orphaned entry: {}", stdout(&out));
    // The import can simply be run again.
    let out = b.run(&["vault", "import-config", &f, "--credentials-dir", &cdir]);
    assert_ok(&out, "the import again");
    let (role_acct, secret_acct) = keyring_accounts(&b.show_json("team"));
    assert_eq!(secret_tool_lookup(&role_acct).as_deref(), Some(ids.role.as_str()));
    assert_eq!(secret_tool_lookup(&secret_acct).as_deref(), Some(ids.secret.as_str()));
    assert_ok(&b.run(&["vault", "test", "team"]), "and it works");
}
