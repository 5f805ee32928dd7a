//! `vault add/update/test/show/refresh` with the login methods other than AppRole, as a user
//! types them: the secret part from a file, an environment variable or `--token-from-env`,
//! never argv; `show` says where it lives; a wrapped Secret ID is unwrapped once.

use std::process::{Command, Stdio};

use super::*;

fn write_secret(env: &Env, name: &str, value: &str) -> String {
    let p = env.data_dir().parent().expect("tmp").join(name);
    std::fs::write(&p, format!("{value}\n")).expect("write");
    p.to_string_lossy().into_owned()
}

/// A KV v2 secret at `<kv>/team/api` and a policy reading it; (kv mount, policy).
fn readable(tag: &str, pairs: &[&str]) -> (String, String) {
    let (kv, pol) = (format!("lkv{tag}"), format!("lpol{tag}"));
    bao(&["secrets", "enable", &format!("-path={kv}"), "kv-v2"]);
    let path = format!("{kv}/team/api");
    let mut put = vec!["kv", "put", path.as_str()];
    put.extend_from_slice(pairs);
    bao(&put);
    let hcl = format!(
        "path \"{kv}/data/team/*\" {{ capabilities = [\"read\"] }}\npath \"{kv}/subkeys/team/*\" {{ capabilities = [\"read\"] }}"
    );
    let file = std::env::temp_dir().join(format!("{pol}.hcl"));
    std::fs::write(&file, hcl).expect("policy");
    bao(&["policy", "write", &pol, &file.to_string_lossy()]);
    let _ = std::fs::remove_file(&file);
    (kv, pol)
}

fn addr() -> String {
    std::env::var("VAULTDESK_TEST_BAO_ADDR").expect("addr")
}

#[test]
fn a_token_vault_keeps_only_the_token_and_says_so() {
    let env = Env::new();
    let (kv, pol) = readable("tok", &["api_key=k-tok"]);
    let token = bao(&["token", "create", "-field=token", &format!("-policy={pol}"), "-ttl=1h"]);
    let file = write_secret(&env, "token", &token);
    let base = ["--url", &addr(), "--engine-name", &kv, "--engine-type", "kv2", "--path", "team/api"];
    let mut add = vec!["vault", "add", "tok", "--auth", "token", "--token-file", &file];
    add.extend_from_slice(&base);
    let out = env.run(&add);
    assert_ok(&out, "add token vault");
    assert!(stdout(&out).contains("login token); the token is in the OS keyring"), "{}", stdout(&out));
    let show = env.run(&["vault", "show", "tok"]);
    assert_ok(&show, "show");
    assert!(stdout(&show).contains("the token in the OS keyring"), "{}", stdout(&show));
    let json = env.show_json("tok");
    let (role_acct, secret_acct) = keyring_accounts(&json);
    assert_eq!(
        secret_tool_lookup(&secret_acct).as_deref(),
        Some(token.as_str()),
        "the token, in the keyring"
    );
    assert_eq!(secret_tool_lookup(&role_acct), None, "no Role ID entry for a token vault");
    env.assert_not_in_data_dir(&[&token], "token add");
    let test = env.run(&["vault", "test", "tok"]);
    assert_ok(&test, "test");
    assert!(stdout(&test).contains("the given token: policies"), "{}", stdout(&test));
    assert!(!stdout(&test).contains(&token) && !stderr(&test).contains(&token));

    // --token-from-env imports $VAULT_TOKEN once.
    let out = env
        .cmd(&[
            "vault",
            "add",
            "tok2",
            "--auth",
            "token",
            "--token-from-env",
            "--url",
            &addr(),
            "--engine-name",
            &kv,
            "--engine-type",
            "kv2",
            "--path",
            "team/api",
        ])
        .env("VAULT_TOKEN", &token)
        .output()
        .expect("runs");
    assert_ok(&out, "add from VAULT_TOKEN");
    assert_ok(&env.run(&["vault", "test", "tok2"]), "works");

    // A Role ID has no place in a token login.
    let ids = Ids::new("tokx");
    let out = env.run_with_ids(
        &["vault", "add", "tok3", "--auth", "token", "--role-id-file", &file, "--token-file", &file],
        &ids,
    );
    assert_exit(&out, 2, "role id with token");
    assert!(stderr(&out).contains("--role-id-file applies only to AppRole"), "{}", stderr(&out));
}

#[test]
fn userpass_takes_its_password_from_the_environment_and_names_a_wrong_one() {
    let env = Env::new();
    let (kv, pol) = readable("up", &["user=svc"]);
    let mount = "lupcli";
    bao(&["auth", "enable", &format!("-path={mount}"), "userpass"]);
    bao(&[
        "write",
        &format!("auth/{mount}/users/jane"),
        "password=pass phrase 7",
        &format!("token_policies={pol}"),
    ]);
    let args = [
        "vault",
        "add",
        "team",
        "--auth",
        "userpass",
        "--auth-mount",
        mount,
        "--username",
        "jane",
        "--url",
        &addr(),
        "--engine-name",
        &kv,
        "--engine-type",
        "kv2",
        "--path",
        "team/api",
    ];
    let out = env.cmd(&args).env("VAULTDESK_PASSWORD", "pass phrase 7").output().expect("runs");
    assert_ok(&out, "add userpass");
    let show = stdout(&env.run(&["vault", "show", "team"]));
    assert!(
        show.contains("userpass as jane (mount lupcli)") && show.contains("the password in the OS keyring"),
        "{show}"
    );
    assert_ok(&env.run(&["vault", "test", "team"]), "test with the stored password");

    let wrong = write_secret(&env, "pw", "pass phrase 8");
    let out = env.run(&["vault", "test", "team", "--password-file", &wrong]);
    assert_exit(&out, 8, "wrong password");
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(text.contains("wrong password or unknown user \"jane\""), "{text}");
    assert!(!text.contains("pass phrase"), "the password is never shown: {text}");

    // AppRole -> token needs the token: the error names the flag.
    let out = env.run(&["vault", "update", "team", "--auth", "token"]);
    assert_exit(&out, 3, "method change without its secret");
    assert!(
        stderr(&out).contains("token") && stderr(&out).contains("needs its own token"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_wrapped_secret_id_is_unwrapped_once_and_refresh_reports_the_new_version() {
    let env = Env::new();
    let (kv, pol) = readable("wr", &["password=one"]);
    let auth = "lwrap";
    bao(&["auth", "enable", &format!("-path={auth}"), "approle"]);
    bao(&["write", &format!("auth/{auth}/role/cli"), &format!("token_policies={pol}")]);
    let role = bao(&["read", "-field=role_id", &format!("auth/{auth}/role/cli/role-id")]);
    let wrapping = bao(&[
        "write",
        "-f",
        "-wrap-ttl=300s",
        "-field=wrapping_token",
        &format!("auth/{auth}/role/cli/secret-id"),
    ]);
    let role_file = write_secret(&env, "role", &role);
    let wrapped_file = write_secret(&env, "wrapped", &wrapping);
    let add = |name: &str| {
        env.run(&[
            "vault",
            "add",
            name,
            "--role-id-file",
            &role_file,
            "--wrapped-secret-id-file",
            &wrapped_file,
            "--auth-mount",
            auth,
            "--url",
            &addr(),
            "--engine-name",
            &kv,
            "--engine-type",
            "kv2",
            "--path",
            "team/api",
            "--cache-ttl",
            "1h",
        ])
    };
    assert_ok(&add("wrapped"), "add with a wrapped Secret ID");
    assert_ok(&env.run(&["vault", "test", "wrapped"]), "the unwrapped Secret ID logs in");
    env.assert_not_in_data_dir(&[&wrapping], "wrapped add");
    let again = add("again");
    assert_exit(&again, 8, "second unwrap");
    assert!(
        stderr(&again).contains("SECURITY") && stderr(&again).contains("already unwrapped"),
        "{}",
        stderr(&again)
    );
    assert!(env.list_json().iter().all(|v| v["name"] != "again"), "nothing stored");

    bao(&["kv", "put", &format!("{kv}/team/api"), "password=two"]);
    let out = env.run(&["vault", "refresh", "wrapped"]);
    assert_ok(&out, "refresh");
    assert!(stdout(&out).contains("read again now: version 2"), "{}", stdout(&out));
}

#[test]
fn jwt_login_namespace_version_pin_and_tls_mode_flags_are_stored_as_given() {
    let env = Env::new();
    let dir = env.data_dir().parent().expect("tmp").to_owned();
    let jwt_file = dir.join("jwt");
    std::fs::write(&jwt_file, "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjaSJ9.c2lnbmF0dXJl\n").expect("write");
    let out = env.run(&[
        "vault",
        "add",
        "ci",
        "--auth",
        "jwt",
        "--role",
        "deploy",
        "--jwt-file",
        &jwt_file.to_string_lossy(),
        "--url",
        "https://vault.example.com:8200",
        "--namespace",
        "team/app",
        "--login-namespace",
        "team",
        "--engine-name",
        "secret",
        "--engine-type",
        "kv2",
        "--path",
        "app/db",
        "--kv-version",
        "3",
        "--tls-verify",
        "ca",
    ]);
    assert_ok(&out, "add jwt vault");
    let v = env.show_json("ci");
    let vault = &v;
    assert_eq!(vault["auth_method"], "jwt", "{v}");
    assert_eq!(vault["auth_role"], "deploy");
    assert_eq!(vault["login_namespace"], "team");
    assert_eq!(vault["kv_version"], 3);
    assert_eq!(
        (vault["tls_skip_hostname"].as_bool(), vault["tls_skip_verify"].as_bool()),
        (Some(true), Some(false))
    );
    let text = stdout(&env.run(&["vault", "show", "ci"]));
    assert!(
        text.contains("jwt as role deploy")
            && text.contains("Login namespace")
            && text.contains("3 (pinned)"),
        "{text}"
    );
    assert!(text.contains("CA only (the host name is NOT checked)"), "{text}");
    env.assert_not_in_data_dir(&["c2lnbmF0dXJl"], "jwt add");

    // Not a JWT: refused under its field, nothing stored.
    std::fs::write(&jwt_file, "not-a-jwt\n").expect("write");
    let out = env.run(&[
        "vault",
        "add",
        "ci2",
        "--auth",
        "jwt",
        "--role",
        "deploy",
        "--jwt-file",
        &jwt_file.to_string_lossy(),
        "--url",
        "https://vault.example.com:8200",
        "--engine-name",
        "secret",
        "--engine-type",
        "kv2",
        "--path",
        "a",
    ]);
    assert_exit(&out, 3, "not a jwt");
    assert!(stderr(&out).contains("jwt") && stderr(&out).contains("is not a JWT"), "{}", stderr(&out));
    let out = env.run(&["vault", "update", "ci", "--kv-version", "x"]);
    assert_exit(&out, 3, "bad version");
    assert!(stderr(&out).contains("is not a version number"), "{}", stderr(&out));
    let out = env.run(&["vault", "update", "ci", "--tls-verify", "ca", "--tls-skip-verify"]);
    assert_exit(&out, 2, "conflicting TLS flags");
}

#[test]
fn vault_login_signs_in_to_an_oidc_vault_through_the_browser_flow() {
    use std::io::{BufRead, BufReader};
    let env = Env::new();
    let (kv, pol) = readable("oidc", &["password=from-sso"]);
    let auth = "loidccli";
    bao(&["auth", "enable", &format!("-path={auth}"), "oidc"]);
    let provider = std::env::var("VAULTDESK_TEST_OIDC_URL").expect("run through tests/scripts/services.sh");
    bao(&[
        "write",
        &format!("auth/{auth}/config"),
        &format!("oidc_discovery_url={provider}"),
        "oidc_client_id=vaultdesk-test",
        "oidc_client_secret=s3cret",
        "default_role=app",
    ]);
    bao(&[
        "write",
        &format!("auth/{auth}/role/app"),
        "role_type=oidc",
        "user_claim=sub",
        &format!("token_policies={pol}"),
        "allowed_redirect_uris=http://127.0.0.1:8250/oidc/callback",
    ]);
    let out = env.run(&[
        "vault",
        "add",
        "sso",
        "--auth",
        "oidc",
        "--auth-mount",
        auth,
        "--role",
        "app",
        "--url",
        &addr(),
        "--engine-name",
        &kv,
        "--engine-type",
        "kv2",
        "--path",
        "team/api",
    ]);
    assert_ok(&out, "add an OIDC vault without any secret");
    let out = env.run(&["vault", "test", "sso"]);
    assert_exit(&out, 8, "no sign-in yet");
    assert!(
        stderr(&out).contains("OIDC login needed") && stderr(&out).contains("vaultdesk vault login NAME"),
        "{}",
        stderr(&out)
    );

    let mut child = env
        .cmd(&["vault", "login", "sso", "--remember", "--no-browser", "--timeout", "30s"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("vault login runs");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let url = lines
        .by_ref()
        .map_while(Result::ok)
        .find(|l| l.starts_with("http://"))
        .expect("the sign-in URL is printed");
    // The browser's part, with curl: sign in as alice, follow the redirect to the CLI.
    let back = Command::new("curl")
        .args([
            "-s",
            "-o",
            "/dev/null",
            "-w",
            "%{redirect_url}",
            "-X",
            "POST",
            "--data-urlencode",
            "sub=alice",
            &url,
        ])
        .output()
        .expect("curl");
    let back = String::from_utf8_lossy(&back.stdout).into_owned();
    assert!(back.contains("/oidc/callback?code="), "{back}");
    let page = Command::new("curl").args(["-s", &back]).output().expect("curl");
    assert!(String::from_utf8_lossy(&page.stdout).contains("Signed in"));
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let status = child.wait().expect("exit");
    assert!(status.success(), "vault login: {rest:?}");
    assert!(rest.iter().any(|l| l.contains("kept in the OS keyring until it expires")), "{rest:?}");
    // Remembered: the next command (another process) reads with it, and says nothing secret.
    let (_, secret_acct) = keyring_accounts(&env.show_json("sso"));
    let token = secret_tool_lookup(&secret_acct).expect("the remembered token is in the keyring");
    let out = env.run(&["vault", "test", "sso"]);
    assert_ok(&out, "test with the remembered token");
    assert!(!stdout(&out).contains(&token) && !stderr(&out).contains(&token), "no token in the output");
    env.assert_not_in_data_dir(&[&token], "oidc login");
}
