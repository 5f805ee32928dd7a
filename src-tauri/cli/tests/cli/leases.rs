//! `vaultdesk lease ...` against the real OpenBao and PostgreSQL: an export's database user is
//! recorded (no password in the data directory), listed, renewed (its end moves and PostgreSQL's
//! VALID UNTIL with it), and revoked (the user can no longer log in); a preview's credentials
//! are recorded as revoked when the command ends; a policy without `sys/leases/revoke` is named.

use serde_json::Value;

use super::sessions::{pg_login, pg_vault_with, stops_working};
use super::{assert_exit, assert_ok, stderr, stdout, Env};

const REVOKE: &str = "path \"sys/leases/revoke\" { capabilities = [\"update\"] }";

fn leases(env: &Env, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["lease", "list", "--json"];
    all.extend_from_slice(args);
    let out = env.run(&all);
    assert_ok(&out, "lease list --json");
    serde_json::from_slice(&out.stdout).expect("lease list --json prints a JSON array")
}

fn one<'a>(list: &'a [Value], user: &str) -> &'a Value {
    let found: Vec<&Value> = list.iter().filter(|l| l["username"] == user).collect();
    assert_eq!(found.len(), 1, "one record for user {user}: {list:?}");
    found[0]
}

fn add_connector(env: &Env, work: &std::path::Path, name: &str, vault: &str) {
    let cfg = work.join(format!("{name}.json"));
    std::fs::write(
        &cfg,
        format!(r#"{{"host": "db", "username": "{{{{secrets.{vault}.username}}}}", "password": "{{{{secrets.{vault}.password}}}}"}}"#),
    )
    .expect("write");
    let c = cfg.to_string_lossy().into_owned();
    assert_ok(
        &env.run(&["connector", "add", name, "--kind", "postgresql", "--vault", vault, "--config", &c]),
        "connector add",
    );
}

fn creds(json: &Value) -> (String, String) {
    (
        json["username"].as_str().expect("username").to_owned(),
        json["password"].as_str().expect("password").to_owned(),
    )
}

#[test]
fn an_exported_user_is_listed_renewed_and_revoked_and_a_preview_ends_with_its_command() {
    let env = Env::new();
    let tag = format!("l{}", std::process::id());
    pg_vault_with(&env, "orders-db", &tag, REVOKE);
    let work = tempfile::tempdir().expect("tmp");
    add_connector(&env, work.path(), "orders", "orders-db");

    // Export: a PostgreSQL user, recorded with the file, kept.
    let file = work.path().join("orders-export.json");
    let f = file.to_string_lossy().into_owned();
    assert_ok(&env.run(&["connector", "export", "orders", "--out", &f]), "export");
    let exported: Value = serde_json::from_str(&std::fs::read_to_string(&file).expect("read")).expect("json");
    let (user, password) = creds(&exported);
    assert!(pg_login(&user, &password), "the exported user logs in");
    let list = leases(&env, &[]);
    let lease = one(&list, &user);
    assert_eq!(lease["purpose"], "export");
    assert_eq!(lease["subject"], "orders");
    assert_eq!(lease["export_path"], f.as_str(), "the export's path is recorded");
    assert_eq!(lease["state"], "live");
    assert_eq!(lease["vault"], "orders-db");
    assert_eq!(lease["role"], "ro");
    let lease_id = lease["lease_id"].as_str().expect("lease id").to_owned();
    assert!(lease_id.contains("/creds/ro/"), "Vault's lease id: {lease_id}");
    env.assert_not_in_data_dir(&[&password], "an export recorded its lease");
    let text = stdout(&env.run(&["lease", "list", "--live", "--vault", "orders-db"]));
    assert!(
        text.contains(&user) && text.contains(&lease_id),
        "the text list shows the user and lease:\n{text}"
    );
    assert!(text.contains(&format!("-> {f} (kept)")), "the text list says where it was written:\n{text}");

    // Renew: the end moves later (10m role default, asked for 30m, under the 1h max).
    let before = lease["expires_at"].as_str().expect("expires").to_owned();
    let out = env.run(&["lease", "renew", &lease_id, "--increment", "30m", "--json"]);
    assert_ok(&out, "lease renew");
    let renewed: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(renewed["state"], "renewed");
    let after = renewed["expires_at"].as_str().expect("expires").to_owned();
    let secs = |s: &str| chrono::DateTime::parse_from_rfc3339(s).expect("rfc3339").timestamp();
    assert!(secs(&after) - secs(&before) > 15 * 60, "renewal moved the end from {before} to {after}");
    assert_eq!(one(&leases(&env, &[]), &user)["state"], "renewed", "the record says renewed");

    // Preview: its credentials are recorded, then revoked when the command ends.
    let out = env.run(&["connector", "preview", "orders", "--reveal", "--json"]);
    assert_ok(&out, "preview");
    let preview: Value = serde_json::from_slice(&out.stdout).expect("json");
    let (puser, ppassword) = creds(&preview["config"]);
    assert_ne!(puser, user, "the preview got its own user, not the exported one");
    let p = one(&leases(&env, &[]), &puser).clone();
    assert_eq!((p["purpose"].as_str(), p["state"].as_str()), (Some("preview"), Some("revoked")));
    assert!(stops_working(&puser, &ppassword), "the preview's user no longer logs in");
    assert!(pg_login(&user, &password), "the exported user still does");
    let live = leases(&env, &["--live"]);
    assert_eq!(live.len(), 1, "only the export is live: {live:?}");

    // Revoke by the lease id's last segment: the user can no longer log in.
    let short = lease_id.rsplit('/').next().expect("segment");
    let out = env.run(&["lease", "revoke", short]);
    assert_ok(&out, "lease revoke");
    assert!(stdout(&out).contains(&format!("Revoked {lease_id}")), "{}", stdout(&out));
    assert!(stops_working(&user, &password), "the revoked user can no longer log in");
    assert_eq!(one(&leases(&env, &[]), &user)["state"], "revoked");
    assert!(leases(&env, &["--live"]).is_empty(), "nothing live any more");
    assert_exit(&env.run(&["lease", "renew", &lease_id]), 3, "renewing a revoked lease");
    assert_exit(&env.run(&["lease", "revoke", "no-such-lease"]), 4, "an unknown lease");
    let out = env.run(&["lease", "revoke", "--all-expired-previews"]);
    assert_ok(&out, "nothing left over");
    assert!(stdout(&out).contains("No preview or test credentials"), "{}", stdout(&out));
}

#[test]
fn a_policy_without_sys_leases_revoke_is_named_and_the_lease_stays_live() {
    let env = Env::new();
    let tag = format!("ld{}", std::process::id());
    pg_vault_with(&env, "ro-db", &tag, "");
    let work = tempfile::tempdir().expect("tmp");
    add_connector(&env, work.path(), "ro", "ro-db");
    let out = env.run(&["connector", "export", "ro"]);
    assert_ok(&out, "export to standard output");
    let (user, password) = creds(&serde_json::from_slice(&out.stdout).expect("json"));
    let lease = one(&leases(&env, &[]), &user).clone();
    assert_eq!(lease["export_path"], "(standard output)");

    // A render: its own user, recorded with the rendered file and the output.
    let doc = work.path().join("deploy.yaml");
    std::fs::write(&doc, "db_user: '{{secrets.ro-db.username}}'\n").expect("write");
    let rendered = work.path().join("deploy.out.yaml");
    let (d, r) = (doc.to_string_lossy().into_owned(), rendered.to_string_lossy().into_owned());
    assert_ok(&env.run(&["render", &d, "--out", &r]), "render");
    let text = std::fs::read_to_string(&rendered).expect("rendered");
    let ruser = text.trim().trim_start_matches("\"db_user\": ").trim_matches('"').to_owned();
    assert_ne!(ruser, user, "a render gets credentials of its own: {text}");
    let rl = one(&leases(&env, &[]), &ruser).clone();
    assert_eq!((rl["purpose"].as_str(), rl["state"].as_str()), (Some("render"), Some("live")));
    assert_eq!((rl["subject"].as_str(), rl["export_path"].as_str()), (Some(d.as_str()), Some(r.as_str())));

    let out = env.run(&["lease", "revoke", "--vault", "ro-db"]);
    assert_exit(&out, 8, "revoke refused by the policy");
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(
        text.contains("policy does not allow revoke") && text.contains("sys/leases/revoke"),
        "the refusal names the policy and the path:\n{text}"
    );
    // The export and the render: both refused, both named.
    assert!(stderr(&out).contains("2 of 2 lease(s) could not be revoked"), "{}", stderr(&out));
    assert_eq!(one(&leases(&env, &[]), &user)["state"], "live", "a refused revoke changes nothing");
    assert!(pg_login(&user, &password), "and the user still logs in");
    let out = env.run(&["lease", "revoke", lease["lease_id"].as_str().expect("id")]);
    assert_exit(&out, 8, "one lease, refused");
    assert!(
        stderr(&out).contains("capabilities = [\"update\"]"),
        "the hint gives the policy line: {}",
        stderr(&out)
    );
}
