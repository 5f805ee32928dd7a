//! What a `vaultdesk` process leaves behind in Vault once it ends, read from the OpenBao audit
//! log and from PostgreSQL itself: the tokens it logged in with, the database credentials it
//! was issued, and never a request made with `$VAULT_TOKEN`.

use std::process::Command;

use serde_json::Value;

use super::audit::{audited, login_tokens, requests_with_token, revoked_itself, AUDIT_DEVICE};
use super::{approle, assert_ok, bao, kv_vault, stdout, Env};

fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name}: run through tests/scripts/services.sh"))
}

/// Can `user` / `password` log in to the test PostgreSQL? (psql, another process.)
pub(super) fn pg_login(user: &str, password: &str) -> bool {
    Command::new("psql")
        .args(["-h", &var("VAULTDESK_TEST_PG_HOST"), "-p", &var("VAULTDESK_TEST_PG_PORT")])
        .args(["-U", user, "-d", "postgres", "-tAc", "SELECT current_user"])
        .env("PGPASSWORD", password)
        .env("PGCONNECT_TIMEOUT", "5")
        .output()
        .map(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).trim() == user)
        .unwrap_or(false)
}

/// Polls until `user` can no longer log in (revocation ends a lease in the background).
pub(super) fn stops_working(user: &str, password: &str) -> bool {
    let give_up = std::time::Instant::now() + std::time::Duration::from_secs(90);
    while std::time::Instant::now() < give_up {
        if !pg_login(user, password) {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    false
}

/// A database engine on the test PostgreSQL (connection `orders`, role `ro`) readable by a
/// fresh AppRole, added to `env` as vault `name`; returns the auth mount.
fn pg_vault(env: &Env, name: &str, tag: &str) -> String {
    pg_vault_with(env, name, tag, "")
}

/// [`pg_vault`] with `extra_hcl` added to the AppRole's policy.
pub(super) fn pg_vault_with(env: &Env, name: &str, tag: &str, extra_hcl: &str) -> String {
    let (db, auth, pol) = (format!("cdb{tag}"), format!("cdbar{tag}"), format!("cdbpol{tag}"));
    bao(&["secrets", "enable", &format!("-path={db}"), "database"]);
    bao(&[
        "write",
        &format!("{db}/config/orders"),
        "plugin_name=postgresql-database-plugin",
        &format!(
            "connection_url=postgresql://{{{{username}}}}:{{{{password}}}}@{}:{}/postgres?sslmode=disable",
            var("VAULTDESK_TEST_PG_HOST"),
            var("VAULTDESK_TEST_PG_PORT")
        ),
        &format!("username={}", var("VAULTDESK_TEST_PG_USER")),
        &format!("password={}", var("VAULTDESK_TEST_PG_PASSWORD")),
        "allowed_roles=ro",
    ]);
    bao(&[
        "write",
        &format!("{db}/roles/ro"),
        "db_name=orders",
        "creation_statements=CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';",
        "default_ttl=10m",
        "max_ttl=1h",
    ]);
    let ids = approle(
        env,
        &auth,
        &pol,
        &format!("path \"{db}/creds/ro\" {{ capabilities = [\"read\"] }}\n{extra_hcl}"),
    );
    let out = env.run_with_ids(
        &[
            "vault",
            "add",
            name,
            "--url",
            &var("VAULTDESK_TEST_BAO_ADDR"),
            "--auth-mount",
            &auth,
            "--engine-name",
            &db,
            "--engine-type",
            "postgresql",
            "--db-role",
            "ro",
            "--connection-name",
            "orders",
        ],
        &ids,
    );
    assert_ok(&out, "vault add (database engine)");
    auth
}

/// The one login token `run` added to `auth`'s logins.
fn new_token(auth: &str, run: impl FnOnce()) -> String {
    let before = login_tokens(auth);
    run();
    let after = login_tokens(auth);
    assert_eq!(after.len(), before.len() + 1, "one login");
    after.last().expect("token").clone()
}

#[test]
fn preview_and_test_revoke_their_credentials_and_export_keeps_them() {
    let env = Env::new();
    let tag = format!("s{}", std::process::id());
    let auth = pg_vault(&env, "orders-db", &tag);
    let work = tempfile::tempdir().expect("tmp");
    let cfg = work.path().join("orders.json");
    std::fs::write(
        &cfg,
        r#"{"host": "db", "username": "{{secrets.orders-db.username}}", "password": "{{secrets.orders-db.password}}"}"#,
    )
    .expect("write");
    let c = cfg.to_string_lossy().into_owned();
    assert_ok(
        &env.run(&[
            "connector",
            "add",
            "orders",
            "--kind",
            "postgresql",
            "--vault",
            "orders-db",
            "--config",
            &c,
        ]),
        "connector add",
    );
    let creds = |out: &std::process::Output, pick: fn(&Value) -> &Value| {
        let v: Value = serde_json::from_slice(&out.stdout).expect("json");
        let cfg = pick(&v);
        (cfg["username"].as_str().expect("user").to_owned(), cfg["password"].as_str().expect("pw").to_owned())
    };

    // Export: the credentials in the file keep working after the command ended.
    let mut out = None;
    let export_token = new_token(&auth, || out = Some(env.run(&["connector", "export", "orders"])));
    let out = out.expect("ran");
    assert_ok(&out, "export");
    let (user, password) = creds(&out, |v| v);
    assert!(pg_login(&user, &password), "exported credentials log in after the command ended");
    assert!(!revoked_itself(&export_token), "export leaves its token (and its leases) alive");

    // Preview: its credentials and its token end with the command.
    let mut out = None;
    let preview_token =
        new_token(&auth, || out = Some(env.run(&["connector", "preview", "orders", "--reveal", "--json"])));
    let out = out.expect("ran");
    assert_ok(&out, "preview");
    let (puser, ppassword) = creds(&out, |v| &v["config"]);
    assert_ne!(puser, user, "a new process, a new database user");
    assert!(revoked_itself(&preview_token), "the preview's token was revoked when the command ended");
    assert!(stops_working(&puser, &ppassword), "the preview's database credentials no longer log in");
    assert!(pg_login(&user, &password), "…while the exported ones still do");

    // vault test: its token is revoked when the command ends.
    let test_token = new_token(&auth, || assert_ok(&env.run(&["vault", "test", "orders-db"]), "vault test"));
    assert!(revoked_itself(&test_token), "the Test's token was revoked when the command ended");
}

#[test]
fn vault_token_is_never_sent_to_vault() {
    let env = Env::new();
    let tag = format!("vt{}", std::process::id());
    let (auth, _, _) = kv_vault(&env, "team", &tag, &["password=pw-vt"]);
    // A real, valid token: had vaultdesk sent it, OpenBao would have served and logged it.
    let token = bao(&["token", "create", "-field=token", "-policy=default", "-ttl=10m"]);
    let hmac =
        bao(&["write", "-field=hash", &format!("sys/audit-hash/{AUDIT_DEVICE}"), &format!("input={token}")]);
    let work = tempfile::tempdir().expect("tmp");
    let doc = work.path().join("app.yaml");
    std::fs::write(&doc, "password: '{{secrets.team.password}}'\n").expect("write");
    let logins = audited(&format!("auth/{auth}/login"), "update");

    let out = env.cmd(&["vault", "test", "team"]).env("VAULT_TOKEN", &token).output().expect("runs");
    assert_ok(&out, "vault test with VAULT_TOKEN set");
    let out = env.cmd(&["render", &doc.to_string_lossy()]).env("VAULT_TOKEN", &token).output().expect("runs");
    assert_ok(&out, "render with VAULT_TOKEN set");
    assert_eq!(stdout(&out), "\"password\": \"pw-vt\"\n", "rendered through an AppRole login");
    assert_eq!(
        audited(&format!("auth/{auth}/login"), "update") - logins,
        2,
        "both commands logged in with AppRole"
    );
    assert_eq!(requests_with_token(&hmac), Vec::<(String, String)>::new(), "no request carried VAULT_TOKEN");

    // The check sees a request made with that token: the positive control.
    let out = Command::new(var("VAULTDESK_TEST_BAO_BIN"))
        .args(["token", "lookup"])
        .env("BAO_ADDR", var("VAULTDESK_TEST_BAO_ADDR"))
        .env("BAO_TOKEN", &token)
        .output()
        .expect("bao runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(requests_with_token(&hmac).len(), 1, "a request made with the token shows in the audit log");
}
