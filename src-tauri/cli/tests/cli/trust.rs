//! Issue 9, "trust hardening", as a user of the command meets it: where stored credentials may
//! go, what plain HTTP needs, what input may do. Separate processes against the real OpenBao
//! server, the real keyring and a real SQLite file.

use std::net::TcpListener;
use std::process::Stdio;

use super::{assert_exit, assert_no_ids_in_output, assert_ok, kv_vault, stderr, stdout, Env, Ids};

/// A port that records whether anything connected to it: bound, never accepted from, so a
/// connection waits in its backlog until `connected` looks (after the command has ended).
struct Trap {
    listener: TcpListener,
}

impl Trap {
    fn new() -> Trap {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("non-blocking");
        Trap { listener }
    }
    fn url(&self) -> String {
        format!("http://{}", self.listener.local_addr().expect("addr"))
    }
    fn host(&self) -> String {
        self.listener.local_addr().expect("addr").to_string()
    }
    /// Whether a connection arrived (a finished command's connection is in the backlog).
    fn connected(&self) -> bool {
        match self.listener.accept() {
            Ok(_) => true,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => false,
            Err(e) => panic!("accept: {e}"),
        }
    }
}

fn bao_addr() -> String {
    std::env::var("VAULTDESK_TEST_BAO_ADDR").expect("addr")
}

#[test]
fn stored_ids_are_never_sent_to_a_changed_server() {
    let env = Env::new();
    let tag = format!("trid{}", std::process::id());
    let (auth, _kv, ids) = kv_vault(&env, "prod", &tag, &["k=v"]);
    let stored_host = bao_addr().trim_start_matches("http://").to_owned();
    let trap = Trap::new();

    // A Test of the stored vault at another URL: refused before anything is sent there.
    let out = env.run(&["vault", "test", "prod", "--url", &trap.url()]);
    assert_exit(&out, 2, "testing a stored vault at another URL without its Secret ID");
    let err = stderr(&out);
    assert!(err.contains(&stored_host) && err.contains(&trap.host()), "names old and new host: {err}");
    assert!(err.contains("Secret ID") && err.contains("--reuse-credentials"), "{err}");
    assert!(!trap.connected(), "nothing may reach the new URL");
    assert_no_ids_in_output(&out, &ids);

    // An update to another URL is refused the same way, and changes nothing.
    let out = env.run(&["vault", "update", "prod", "--url", &trap.url()]);
    assert_exit(&out, 2, "moving a stored vault without its Secret ID");
    assert!(stderr(&out).contains(&trap.host()), "{}", stderr(&out));
    assert_eq!(env.show_json("prod")["url"], bao_addr(), "the stored URL is unchanged");

    // Another auth mount, namespace or TLS setting counts as another server too.
    for flags in [&["--auth-mount", "elsewhere"][..], &["--namespace", "team9"], &["--tls-skip-verify"]] {
        let mut args = vec!["vault", "test", "prod"];
        args.extend_from_slice(flags);
        let out = env.run(&args);
        assert_exit(&out, 2, &format!("testing with {flags:?}"));
    }
    assert!(!trap.connected(), "still nothing reached the new URL");

    // The same server under another name: the IDs go there only when the admin says so...
    let renamed = bao_addr().replace("127.0.0.1", "localhost");
    let out = env.run(&["vault", "test", "prod", "--url", &renamed, "--reuse-credentials"]);
    assert_ok(&out, "test with --reuse-credentials");
    assert!(stdout(&out).contains("Test passed."), "{}", stdout(&out));
    // ...or gives the Secret ID again (the Role ID may come from the keyring).
    let file = env.data_dir().parent().expect("tmp").join(format!("sid-{tag}"));
    std::fs::write(&file, format!("{}\n", ids.secret)).expect("write");
    let mut c = env.cmd(&["vault", "test", "prod", "--url", &renamed, "--secret-id-file"]);
    let out = c.arg(&file).output().expect("runs");
    assert_ok(&out, "test with the Secret ID given again");
    let mut c = env.cmd(&["vault", "update", "prod", "--url", &renamed, "--secret-id-file"]);
    let out = c.arg(&file).output().expect("runs");
    let _ = std::fs::remove_file(&file);
    assert_ok(&out, "update with the Secret ID given again");
    assert_eq!(env.show_json("prod")["url"], renamed);
    // Back to the first address, confirmed: stored as asked.
    let out = env.run(&["vault", "update", "prod", "--url", &bao_addr(), "--reuse-credentials"]);
    assert_ok(&out, "update with --reuse-credentials");
    assert_eq!(env.show_json("prod")["url"], bao_addr());
    // Nothing that decides where the IDs go changed: no question asked.
    let out = env.run(&["vault", "test", "prod", "--cache-ttl", "1m", "--auth-mount", &auth]);
    assert_ok(&out, "a change that keeps the server");
}

#[test]
fn plain_http_to_a_remote_host_needs_an_explicit_opt_in() {
    let env = Env::new();
    let ids = Ids::new("http");
    let add = |name: &str, url: &str, extra: &[&str]| {
        let mut args = vec![
            "vault",
            "add",
            name,
            "--url",
            url,
            "--engine-name",
            "secret",
            "--engine-type",
            "kv2",
            "--path",
            "app",
        ];
        args.extend_from_slice(extra);
        env.run_with_ids(&args, &ids)
    };
    let out = add("remote", "http://vault.example.com:8200", &[]);
    assert_exit(&out, 3, "plain HTTP to a remote host");
    assert!(stderr(&out).contains("--url") && stderr(&out).contains("--allow-http"), "{}", stderr(&out));
    assert!(env.list_json().is_empty(), "nothing stored");

    for loopback in ["http://127.0.0.1:8200", "http://localhost:8200", "http://[::1]:8200"] {
        let name = format!("lo{}", env.list_json().len());
        assert_ok(&add(&name, loopback, &[]), &format!("plain HTTP to {loopback}"));
    }

    assert_ok(&add("remote", "http://vault.example.com:8200", &["--allow-http"]), "opted in");
    let listed = env.list_json();
    let remote = listed.iter().find(|v| v["name"] == "remote").expect("listed");
    assert_eq!(remote["allow_http"], true);
    let table = stdout(&env.run(&["vault", "list"]));
    let row = table.lines().find(|l| l.starts_with("remote ")).expect("row");
    assert!(row.contains("plain HTTP allowed"), "{table}");
    let show = stdout(&env.run(&["vault", "show", "remote"]));
    assert!(show.contains("Plain HTTP") && show.contains("allowed"), "{show}");

    // Turning it off again while the URL is plain HTTP is refused; moving to https is not.
    let out = env.run(&["vault", "update", "remote", "--allow-http", "false"]);
    assert_exit(&out, 3, "opt-out with a plain-HTTP URL");
    let out = env.run(&[
        "vault",
        "update",
        "remote",
        "--url",
        "https://vault.example.com:8200",
        "--allow-http",
        "false",
        "--reuse-credentials",
    ]);
    assert_ok(&out, "https and no opt-in");
}

#[test]
fn encoded_dots_and_slashes_never_reach_vault() {
    let env = Env::new();
    let tag = format!("trpath{}", std::process::id());
    kv_vault(&env, "paths", &tag, &["k=v"]);
    for bad in
        ["team/x/%2e%2e/api", "team/x/%2E%2e/api", "team%2fapi", "team/x/%252e%252e/api", "team/x/.%2e/api"]
    {
        let out = env.run(&["vault", "test", "paths", "--path", bad]);
        assert_exit(&out, 3, &format!("path {bad}"));
        assert!(stderr(&out).contains("--path"), "names the field: {}", stderr(&out));
    }
    let ids = Ids::new("enc");
    // A valid KV and a valid database add, each with one field replaced by `bad`.
    let kv =
        [("--url", "https://v:8200"), ("--engine-type", "kv2"), ("--engine-name", "kv"), ("--path", "a")];
    let db = [
        ("--url", "https://v:8200"),
        ("--engine-type", "postgresql"),
        ("--engine-name", "db"),
        ("--db-role", "ro"),
    ];
    type Flags<'a> = &'a [(&'a str, &'a str)];
    let cases: [(Flags<'_>, &str, &str); 5] = [
        (&kv, "--engine-name", "kv%2e%2e"),
        (&kv, "--auth-mount", "app%2frole"),
        (&kv, "--namespace", "a/%2e%2e"),
        (&db, "--db-role", "ro%2e%2e"),
        (&db, "--connection-name", "c%2fx"),
    ];
    for (base, flag, bad) in cases {
        let mut args = vec!["vault", "add", "enc"];
        for (f, v) in base.iter().filter(|(f, _)| f != &flag) {
            args.extend([*f, *v]);
        }
        args.extend([flag, bad]);
        let out = env.run_with_ids(&args, &ids);
        assert_exit(&out, 3, &format!("{flag} {bad}"));
        assert!(stderr(&out).contains(flag), "names {flag}: {}", stderr(&out));
    }
}

#[test]
fn urls_durations_and_pem_files_get_messages_an_admin_can_act_on() {
    let env = Env::new();
    let ids = Ids::new("msg");
    assert_ok(&env.add_kv("m", &ids), "add");
    let add = |url: &str, extra: &[&str]| {
        let mut args = vec![
            "vault",
            "add",
            "n",
            "--url",
            url,
            "--engine-name",
            "kv",
            "--engine-type",
            "kv2",
            "--path",
            "a",
        ];
        args.extend_from_slice(extra);
        env.run_with_ids(&args, &ids)
    };

    let out = add("https://vault.example.com:8200/v1", &[]);
    assert_exit(&out, 3, "a URL ending in /v1");
    assert!(
        stderr(&out).contains("/v1") && stderr(&out).contains("drop"),
        "tells to drop /v1: {}",
        stderr(&out)
    );

    let out = add("https://vault.example.com:8200/#ui", &[]);
    assert_exit(&out, 3, "a URL with a fragment");
    assert!(stderr(&out).contains("fragment") && !stderr(&out).contains("query"), "{}", stderr(&out));

    for bad in ["1h1h", "30s5m", "5m1h", "1m1m30s"] {
        let out = env.run(&["vault", "update", "m", "--cache-ttl", bad]);
        assert_exit(&out, 3, &format!("cache TTL {bad}"));
        assert!(stderr(&out).contains("--cache-ttl"), "{}", stderr(&out));
    }
    assert_ok(&env.run(&["vault", "update", "m", "--cache-ttl", "1h30m"]), "1h30m");

    // A PEM file is read with a size cap: a huge "certificate" is refused, not loaded.
    let big = env.data_dir().parent().expect("tmp").join("big-ca.pem");
    let mut text = String::from("-----BEGIN CERTIFICATE-----\n");
    text.push_str(&"A".repeat(2 * 1024 * 1024));
    text.push_str("\n-----END CERTIFICATE-----\n");
    std::fs::write(&big, text).expect("write");
    let out = add("https://vault.example.com:8200", &["--ca-cert", &big.to_string_lossy()]);
    let _ = std::fs::remove_file(&big);
    assert_exit(&out, 3, "a 2 MiB CA file");
    assert!(stderr(&out).contains("--ca-cert") && stderr(&out).contains("1 MiB"), "{}", stderr(&out));
}

#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    let env = Env::new();
    let ids = Ids::new("pipe");
    assert_ok(&env.add_kv("piped", &ids), "add");
    // `vaultdesk vault list | head -0`: the reader is gone before the command writes.
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let out = env
        .cmd(&["vault", "list"])
        .stdout(Stdio::from(writer))
        .stderr(Stdio::piped())
        .output()
        .expect("runs");
    assert_exit(&out, 0, "vault list into a closed pipe");
    assert_eq!(stderr(&out), "", "no panic message");
}
