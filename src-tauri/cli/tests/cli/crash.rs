//! Crash safety and concurrency of `vault add`, `vault update` and `vault remove` as separate
//! processes on one data directory, with the real OS keyring read back by `secret-tool`:
//! whatever point a process is killed at, once the store is opened again every vault has both
//! keyring entries (a matching pair) and no vaultdesk entry of the data directory exists without
//! its vault. Kill points are reached two ways: SIGKILL after a random delay spread over the
//! length of an uninterrupted run, and the core's test hooks (feature `test-hooks`, enabled by
//! `live-tests`), which abort the process at a named step of the change.

use std::collections::BTreeSet;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{assert_ok, stderr, Env, Ids};

/// Every vaultdesk keyring account that starts with `prefix`, read by `secret-tool` (another
/// process; `search` prints the attributes on standard error).
fn keyring_accounts(prefix: &str) -> BTreeSet<String> {
    let out = super::keyring_session::secret_tool_search();
    let text = String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    text.lines()
        .filter_map(|l| l.strip_prefix("attribute.username = "))
        .filter(|a| a.starts_with(prefix))
        .map(str::to_owned)
        .collect()
}

/// The value of a keyring entry, read by `secret-tool`.
fn keyring_value(account: &str) -> String {
    let out = Command::new("secret-tool")
        .args(["lookup", "service", "vaultdesk", "username", account])
        .output()
        .expect("secret-tool lookup");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The store id of `env`'s data directory (the first part of every keyring account).
fn store_id(env: &Env, any_vault: &str) -> String {
    let out = env.run(&["vault", "show", any_vault, "--json"]);
    assert_ok(&out, "vault show");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let acct = v["keyring"]["role_id_account"].as_str().expect("account").to_owned();
    acct.split('/').next().expect("store id").to_owned()
}

/// The invariant: every vault has its Role ID and Secret ID; every entry of this store belongs
/// to a vault; the vault `pair` (the one just changed) holds a Role ID and a Secret ID of one
/// and the same change. `vault list` opens the store first, which completes or undoes an
/// interrupted change. Returns the vault names.
fn assert_consistent(env: &Env, store: &str, pair: &str, when: &str) -> Vec<String> {
    let out = env.run(&["vault", "list", "--json"]);
    assert_ok(&out, "vault list");
    let vaults: Vec<Value> = serde_json::from_slice(&out.stdout).expect("json");
    let mut accounts = keyring_accounts(&format!("{store}/"));
    let mut names = Vec::new();
    for v in &vaults {
        let (id, name) = (v["id"].as_str().expect("id"), v["name"].as_str().expect("name"));
        let (role, secret) = (format!("{store}/{id}/role_id"), format!("{store}/{id}/secret_id"));
        assert!(
            accounts.remove(&role) && accounts.remove(&secret),
            "{when}: vault \"{name}\" lacks a keyring entry"
        );
        if name == pair {
            // Ids::new makes role-TAG-... and secret-TAG-...: one pair has one tag.
            let tag =
                |s: String, p: &str| s.strip_prefix(p).map(|r| r.split('-').next().unwrap_or("").to_owned());
            assert_eq!(
                tag(keyring_value(&role), "role-"),
                tag(keyring_value(&secret), "secret-"),
                "{when}: vault \"{name}\" holds a Role ID and a Secret ID of two different changes"
            );
        }
        names.push(name.to_owned());
    }
    assert!(accounts.is_empty(), "{when}: keyring entries without a vault: {accounts:?}");
    names
}

/// A small deterministic-per-run random source (no dependency for this).
struct Rng(u64);
impl Rng {
    fn new() -> Rng {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1);
        Rng(t ^ u64::from(std::process::id()) | 1)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

fn add_args(name: &str) -> Vec<String> {
    ["vault", "add", name, "--url", "https://vault.example.com:8200", "--engine-name", "secret"]
        .into_iter()
        .chain(["--engine-type", "kv2", "--path", "app/db"])
        .map(str::to_owned)
        .collect()
}

/// The three changes, each as a command run on a vault that exists (update, remove) or not (add).
#[derive(Clone, Copy, Debug)]
enum Op {
    Add,
    Update,
    Remove,
}

fn spawn(env: &Env, op: Op, name: &str, tag: &str, hook: Option<&str>) -> Child {
    let ids = Ids::new(tag);
    let args: Vec<String> = match op {
        Op::Add => add_args(name),
        Op::Update => ["vault", "update", name, "--ids-from-env", "--cache-ttl", "7m"]
            .into_iter()
            .map(str::to_owned)
            .collect(),
        Op::Remove => ["vault", "remove", name].into_iter().map(str::to_owned).collect(),
    };
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut c = env.cmd(&args);
    c.env("VAULTDESK_ROLE_ID", &ids.role).env("VAULTDESK_SECRET_ID", &ids.secret);
    if let Some(h) = hook {
        c.env("VAULTDESK_TEST_HOOK", h);
    }
    c.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().expect("spawn vaultdesk")
}

fn add_ok(env: &Env, name: &str, tag: &str) {
    let args = add_args(name);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    assert_ok(&env.run_with_ids(&args, &Ids::new(tag)), "vault add");
}

#[test]
fn a_change_killed_at_any_point_leaves_every_vault_with_both_entries_and_no_orphan() {
    let env = Env::new();
    add_ok(&env, "anchor", "anchor");
    let store = store_id(&env, "anchor");
    let mut rng = Rng::new();
    let mut kills = 0;
    let mut n = 0;

    // How long one uninterrupted change takes, so random kills spread over all of it.
    let mut longest = Duration::ZERO;
    for op in [Op::Add, Op::Update, Op::Remove] {
        let start = Instant::now();
        let out = spawn(&env, op, "timed", "timed", None).wait_with_output().expect("wait");
        assert!(out.status.success(), "{op:?}: {}", stderr(&out));
        longest = longest.max(start.elapsed());
    }
    let window_us = u64::try_from(longest.as_micros()).unwrap_or(u64::MAX) * 5 / 4;

    // 1. SIGKILL after a random delay in [0, 1.25 × an uninterrupted run], until 60 of them
    //    landed before the process ended by itself.
    let mut round = 0;
    while kills < 60 {
        round += 1;
        assert!(round <= 600, "only {kills} of {round} random kills landed before the process ended");
        n += 1;
        let op = [Op::Add, Op::Update, Op::Remove][round % 3];
        let target = format!("v{n}");
        if !matches!(op, Op::Add) {
            add_ok(&env, &target, &format!("base{n}"));
        }
        let mut child = spawn(&env, op, &target, &format!("k{n}"), None);
        std::thread::sleep(Duration::from_micros(rng.below(window_us)));
        let _ = child.kill();
        let status = child.wait().expect("wait");
        if status.code().is_none() {
            kills += 1;
        }
        assert_consistent(&env, &store, &target, &format!("{op:?} of {target} killed (round {round})"));
    }

    // 2. Abort at every named step of each change (the hooks prove the step was reached).
    let steps: &[(Op, &[&str])] = &[
        (Op::Add, &["add:intent", "add:role_id", "add:secret_id", "add:row"]),
        (
            Op::Update,
            &[
                "update:intent",
                "update:role_id",
                "update:secret_id",
                "update:row",
                "update:moved_role_id",
                "update:moved",
            ],
        ),
        (Op::Remove, &["remove:intent", "remove:role_id", "remove:secret_id"]),
    ];
    for (op, names) in steps {
        for step in *names {
            n += 1;
            let target = format!("v{n}");
            if !matches!(op, Op::Add) {
                add_ok(&env, &target, &format!("base{n}"));
            }
            let out =
                spawn(&env, *op, &target, &format!("h{n}"), Some(step)).wait_with_output().expect("wait");
            assert!(
                out.status.code().is_none(),
                "the process should have been stopped at step {step} (is the core built with the \
                 `test-hooks` feature?); exit {:?}: {}",
                out.status.code(),
                stderr(&out)
            );
            kills += 1;
            let names = assert_consistent(&env, &store, &target, &format!("{op:?} stopped at {step}"));
            // Before the SQLite commit of the change it is undone; after it, completed.
            let present = names.iter().any(|x| x == &target);
            let expect_present = match op {
                Op::Add => *step == "add:row",
                Op::Update => true,
                Op::Remove => false,
            };
            assert_eq!(present, expect_present, "{op:?} stopped at {step}: vault {target} listed");
        }
    }
    assert!(kills >= 50, "at least 50 processes were killed during a change ({kills})");
}

/// Waits for the hook of a paused process to say it got there.
fn wait_for(path: &std::path::Path, child: &mut Child) {
    while !path.exists() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the process ended ({status}) before reaching its pause");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn sigterm_and_sigint_during_a_change_let_it_finish() {
    let env = Env::new();
    add_ok(&env, "anchor", "anchor");
    add_ok(&env, "doomed", "doomed");
    let store = store_id(&env, "anchor");
    for (signal, op, name, step) in [
        ("TERM", Op::Add, "fresh", "add:role_id"),
        ("INT", Op::Remove, "doomed", "remove:intent"),
        ("TERM", Op::Update, "anchor", "update:secret_id"),
    ] {
        let pause = tempfile::tempdir().expect("tmp");
        let hook = format!("{step}:pause:{}", pause.path().display());
        let mut child = spawn(&env, op, name, &format!("sig{signal}"), Some(&hook));
        wait_for(&pause.path().join("reached"), &mut child);
        let sent = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(child.id().to_string())
            .status()
            .expect("kill");
        assert!(sent.success());
        std::fs::write(pause.path().join("go"), "").expect("go");
        let out = child.wait_with_output().expect("wait");
        assert!(
            out.status.code().is_some(),
            "SIG{signal} during {step}: the process exits by itself after the change: {}",
            stderr(&out)
        );
        let names = assert_consistent(&env, &store, name, &format!("SIG{signal} at {step}"));
        let present = names.iter().any(|x| x == name);
        assert_eq!(present, !matches!(op, Op::Remove), "SIG{signal} at {step}: the change was completed");
        if matches!(op, Op::Update) {
            let show = env.run(&["vault", "show", name, "--json"]);
            let v: Value = serde_json::from_slice(&show.stdout).expect("json");
            assert_eq!(v["cache_ttl_secs"], 420, "the update was completed");
        }
    }
}

#[test]
fn twenty_adds_lists_and_connector_adds_in_parallel_all_succeed() {
    let env = Env::new();
    add_ok(&env, "anchor", "anchor");
    let store = store_id(&env, "anchor");
    let cfg = env.data_dir().parent().expect("tmp").join(format!("par-{}.json", std::process::id()));
    std::fs::write(&cfg, r#"{"base_url": "https://api.example"}"#).expect("config");
    let cfg_arg = cfg.to_string_lossy().into_owned();
    let mut children = Vec::new();
    for i in 0..20 {
        children.push(("vault add", spawn(&env, Op::Add, &format!("p{i}"), &format!("p{i}"), None)));
        let mut list = env.cmd(&["vault", "list", "--json"]);
        children
            .push(("vault list", list.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().expect("spawn")));
        let mut c = env.cmd(&["connector", "add", &format!("c{i}"), "--kind", "rest", "--config", &cfg_arg]);
        children
            .push(("connector add", c.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().expect("spawn")));
    }
    let start = Instant::now();
    let failures: Vec<String> = children
        .into_iter()
        .filter_map(|(what, c)| {
            let out = c.wait_with_output().expect("wait");
            (!out.status.success()).then(|| format!("{what}: {}", stderr(&out).trim()))
        })
        .collect();
    let elapsed = start.elapsed();
    let _ = std::fs::remove_file(&cfg);
    assert!(failures.is_empty(), "{} of 60 parallel commands failed: {failures:#?}", failures.len());
    eprintln!("60 parallel commands finished in {} ms", elapsed.as_millis());
    let names = assert_consistent(&env, &store, "anchor", "after the parallel run");
    assert_eq!(names.len(), 21, "every vault was added: {names:?}");
    let out = env.run(&["connector", "list", "--json"]);
    let list: Vec<Value> = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(list.len(), 20, "every connector was added");
}
