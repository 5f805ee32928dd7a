//! The user's files and the data directory: a failed `export --all` leaves the folder as it was,
//! a missing folder is decided on before any Vault request, an engine change that would break a
//! connector is refused (and caught when rendering), YAML and env output of awkward secrets,
//! `vaultdesk doctor`, the data directory's permissions, and `export --all`'s one durability
//! barrier. Real OpenBao, keyring and SQLite.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

use super::audit::audited;
use super::{assert_exit, assert_ok, kv_vault, mode, stderr, stdout, write, Env, Ids};

/// Every entry of `dir` with its content (directories as `<dir>`), sorted.
fn snapshot(dir: &Path) -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = std::fs::read_dir(dir)
        .expect("ls")
        .map(|e| {
            let e = e.expect("entry");
            let p = e.path();
            let body =
                if p.is_dir() { "<dir>".to_owned() } else { std::fs::read_to_string(&p).expect("read") };
            (e.file_name().to_string_lossy().into_owned(), body)
        })
        .collect();
    all.sort();
    all
}

#[test]
fn a_failed_export_all_leaves_the_folder_exactly_as_it_was() {
    let env = Env::new();
    let tag = format!("f{}", std::process::id());
    kv_vault(&env, "files", &tag, &["token=fresh-token"]);
    let work = tempfile::tempdir().expect("tmp");
    let cfg = write(
        work.path(),
        "c.json",
        r#"{"base_url": "https://x", "auth": {"type": "bearer", "token": "{{secrets.files.token}}"}}"#,
    );
    for name in ["a1", "b2", "c3"] {
        assert_ok(&env.run(&["connector", "add", name, "--kind", "rest", "--config", &cfg]), "add");
    }
    let out_dir = work.path().join("out");
    std::fs::create_dir(&out_dir).expect("mkdir");
    std::fs::write(out_dir.join("a1.json"), "the user's own a1\n").expect("write");
    std::fs::write(out_dir.join("c3.json"), "the user's own c3\n").expect("write");
    std::fs::write(out_dir.join("notes.txt"), "unrelated\n").expect("write");
    // b2.json is a folder: a file cannot be put in its place, after a1.json was placed.
    std::fs::create_dir(out_dir.join("b2.json")).expect("mkdir");
    let before = snapshot(&out_dir);
    let d = out_dir.to_string_lossy().into_owned();
    let out = env.run(&["connector", "export", "--all", "--out-dir", &d, "--force"]);
    assert!(!out.status.success(), "the export fails: {}", stdout(&out));
    assert!(stderr(&out).contains("b2.json"), "the failure names the file: {}", stderr(&out));
    assert_eq!(snapshot(&out_dir), before, "the folder is exactly as it was, the user's files included");

    // Once the obstacle is gone, --force replaces the user's files.
    std::fs::remove_dir(out_dir.join("b2.json")).expect("rmdir");
    assert_ok(&env.run(&["connector", "export", "--all", "--out-dir", &d, "--force"]), "export --all");
    let a1: Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("a1.json")).expect("read")).expect("json");
    assert_eq!(a1["auth"]["token"], "fresh-token");
    let names: Vec<String> = snapshot(&out_dir).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["a1.json", "b2.json", "c3.json", "notes.txt"], "no temporary or backup file is left");
}

/// The temporary files of `export --all` are created while its secrets are fetched and
/// rendered: when the render fails they are gone again, and a folder the export created is
/// removed. With many targets the folder is listed once to find an existing one.
#[test]
fn a_failed_render_of_many_connectors_leaves_no_temporary_file_and_no_new_folder() {
    let env = Env::new();
    let tag = format!("fr{}", std::process::id());
    kv_vault(&env, "many", &tag, &["token=tk"]);
    let work = tempfile::tempdir().expect("tmp");
    let good = write(work.path(), "good.json", r#"{"base_url": "https://x/{{secrets.many.token}}"}"#);
    let bad = write(work.path(), "bad.json", r#"{"base_url": "https://x/{{secrets.many.nope}}"}"#);
    for i in 0..20 {
        let cfg = if i == 13 { &bad } else { &good };
        assert_ok(
            &env.run(&["connector", "add", &format!("c{i:02}"), "--kind", "rest", "--config", cfg]),
            "add",
        );
    }
    let out_dir = work.path().join("out");
    std::fs::create_dir(&out_dir).expect("mkdir");
    std::fs::write(out_dir.join("c05.json"), "the user's own c05\n").expect("write");
    let d = out_dir.to_string_lossy().into_owned();
    let out = env.run(&["connector", "export", "--all", "--out-dir", &d]);
    assert!(!out.status.success(), "an existing target is refused: {}", stdout(&out));
    assert!(stderr(&out).contains("c05.json"), "names the existing file: {}", stderr(&out));
    std::fs::remove_file(out_dir.join("c05.json")).expect("rm");
    std::fs::write(out_dir.join("notes.txt"), "unrelated\n").expect("write");
    let before = snapshot(&out_dir);

    let out = env.run(&["connector", "export", "--all", "--out-dir", &d]);
    assert!(!out.status.success(), "the render fails: {}", stdout(&out));
    assert!(
        stderr(&out).contains("c13") && stderr(&out).contains("nope"),
        "names connector and key: {}",
        stderr(&out)
    );
    assert_eq!(snapshot(&out_dir), before, "no temporary file is left in the folder");

    let fresh = work.path().join("new").join("exports");
    let out = env.run(&["connector", "export", "--all", "--out-dir", &fresh.to_string_lossy()]);
    assert!(!out.status.success(), "the render fails: {}", stdout(&out));
    assert!(!work.path().join("new").exists(), "the folders the export created are removed");

    // Fixed, the export writes all twenty.
    assert_ok(&env.run(&["connector", "update", "c13", "--config", &good]), "update");
    assert_ok(&env.run(&["connector", "export", "--all", "--out-dir", &d]), "export --all");
    let names: Vec<String> = snapshot(&out_dir).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names.len(), 21, "twenty files and the user's notes, nothing else: {names:?}");
}

/// Ctrl-C while `export --all` waits on Vault (here a port that never answers): the process
/// exits 130 and the empty temporary files it had already created in the folder are gone.
#[test]
fn ctrl_c_while_an_export_waits_on_vault_leaves_no_temporary_file() {
    let env = Env::new();
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", silent.local_addr().expect("addr"));
    let add = [
        "vault",
        "add",
        "slow",
        "--url",
        &url,
        "--engine-name",
        "secret",
        "--engine-type",
        "kv2",
        "--path",
        "app/api",
    ];
    assert_ok(&env.run_with_ids(&add, &Ids::new("slow")), "vault add");
    let work = tempfile::tempdir().expect("tmp");
    let cfg = write(work.path(), "c.json", r#"{"base_url": "https://x/{{secrets.slow.token}}"}"#);
    for i in 0..20 {
        assert_ok(
            &env.run(&["connector", "add", &format!("s{i:02}"), "--kind", "rest", "--config", &cfg]),
            "add",
        );
    }
    let out_dir = work.path().join("out");
    std::fs::create_dir(&out_dir).expect("mkdir");
    let temps = || {
        std::fs::read_dir(&out_dir)
            .expect("ls")
            .filter(|e| e.as_ref().is_ok_and(|e| e.file_name().to_string_lossy().starts_with(".vaultdesk-")))
            .count()
    };
    let mut child = env
        .cmd(&["connector", "export", "--all", "--out-dir", &out_dir.to_string_lossy()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let start = std::time::Instant::now();
    while temps() < 20 {
        assert!(start.elapsed() < std::time::Duration::from_secs(20), "the temporary files never appeared");
        assert!(child.try_wait().expect("try_wait").is_none(), "the export ended before the interrupt");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // Still waiting on the silent port (its request timeout is far away).
    let kill = Command::new("kill").arg("-INT").arg(child.id().to_string()).status().expect("kill");
    assert!(kill.success());
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(130), "Ctrl-C ends the export with 130");
    assert_eq!(temps(), 0, "no temporary file is left in the folder");
    assert_eq!(std::fs::read_dir(&out_dir).expect("ls").count(), 0, "nothing at all was written");
    drop(silent);
}

/// `export --all` is durable with one barrier: every file written under a temporary name, then
/// one `syncfs` (no fsync per file), then the renames, then one fsync of the folder — seen in
/// the system calls the process really makes (strace, from `scripts/setup.sh test`).
#[test]
fn export_all_makes_every_file_durable_with_one_barrier_before_any_rename() {
    let env = Env::new();
    let tag = format!("sync{}", std::process::id());
    kv_vault(&env, "durable", &tag, &["token=durable-token"]);
    let work = tempfile::tempdir().expect("tmp");
    let cfg = write(
        work.path(),
        "c.json",
        r#"{"base_url": "https://x", "auth": {"type": "bearer", "token": "{{secrets.durable.token}}"}}"#,
    );
    let names = ["one", "two", "three", "four"];
    for name in names {
        assert_ok(&env.run(&["connector", "add", name, "--kind", "rest", "--config", &cfg]), "add");
    }
    let out_dir = work.path().join("out");
    std::fs::create_dir(&out_dir).expect("mkdir");
    let out_dir = out_dir.canonicalize().expect("real path");
    let trace = work.path().join("trace");
    let cmd = env.cmd(&["connector", "export", "--all", "--out-dir", &out_dir.to_string_lossy()]);
    let mut strace = Command::new("strace");
    strace
        .args([
            "-f",
            "-qq",
            "-y",
            "-e",
            "trace=syncfs,sync,fsync,fdatasync,rename,renameat,renameat2,link,linkat",
            "-o",
        ])
        .arg(&trace)
        .arg(cmd.get_program())
        .args(cmd.get_args())
        .stdin(std::process::Stdio::null());
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => strace.env(k, v),
            None => strace.env_remove(k),
        };
    }
    let out = strace.output().expect("strace runs (scripts/setup.sh test installs it)");
    assert_ok(&out, "export --all under strace");
    let trace = std::fs::read_to_string(&trace).expect("trace");
    let dir = out_dir.to_string_lossy().into_owned();
    let inside = format!("{dir}/");
    // The calls that touch the output folder, in order: (call, its line).
    let calls: Vec<(&str, &str)> = trace
        .lines()
        .filter(|l| l.contains(&dir))
        .filter_map(|l| {
            let call = l.split_once(' ').map_or(l, |(_, rest)| rest).trim_start();
            let name = call.split('(').next()?;
            Some((name, call))
        })
        .collect();
    let syncfs: Vec<usize> =
        calls.iter().enumerate().filter(|(_, (n, _))| *n == "syncfs").map(|(i, _)| i).collect();
    assert_eq!(syncfs.len(), 1, "one syncfs for the folder's files:\n{trace}");
    let per_file_sync =
        calls.iter().filter(|(n, c)| matches!(*n, "fsync" | "fdatasync") && c.contains(&inside)).count();
    assert_eq!(per_file_sync, 0, "no fsync per file:\n{trace}");
    let renames: Vec<usize> = calls
        .iter()
        .enumerate()
        .filter(|(_, (n, c))| n.starts_with("rename") || (n.starts_with("link") && c.contains(".vaultdesk-")))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(renames.len(), names.len(), "one rename per file:\n{trace}");
    assert!(syncfs[0] < renames[0], "the barrier comes before the first rename:\n{trace}");
    let dir_syncs: Vec<usize> = calls
        .iter()
        .enumerate()
        .filter(|(_, (n, c))| *n == "fsync" && c.contains(&format!("<{dir}>")))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(dir_syncs.len(), 1, "the folder is fsynced once:\n{trace}");
    assert!(dir_syncs[0] > *renames.last().expect("renames"), "after the last rename:\n{trace}");
    for name in names {
        let p = out_dir.join(format!("{name}.json"));
        assert_eq!(mode(&p), 0o600, "{name}");
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&p).expect("read")).expect("json");
        assert_eq!(v["auth"]["token"], "durable-token");
    }
}

#[test]
fn export_all_into_a_missing_folder_is_decided_before_any_vault_request() {
    let env = Env::new();
    // Tags name the OpenBao mounts: unique among the tests of this process.
    let tag = format!("mf{}", std::process::id());
    let (auth, _, _) = kv_vault(&env, "missing", &tag, &["token=tk"]);
    let work = tempfile::tempdir().expect("tmp");
    let cfg = write(work.path(), "c.json", r#"{"base_url": "https://x/{{secrets.missing.token}}"}"#);
    assert_ok(&env.run(&["connector", "add", "one", "--kind", "rest", "--config", &cfg]), "add");
    let login = format!("auth/{auth}/login");

    // A folder that cannot be created (a file is in the way): refused, and Vault is not asked.
    let blocker = work.path().join("blocker");
    std::fs::write(&blocker, "a file").expect("write");
    let inside = blocker.join("out");
    let logins = audited(&login, "update");
    let out = env.run(&["connector", "export", "--all", "--out-dir", &inside.to_string_lossy()]);
    assert_exit(&out, 7, "the folder cannot be created");
    assert!(stderr(&out).contains(&*inside.to_string_lossy()), "names the folder: {}", stderr(&out));
    assert!(!stderr(&out).contains(".vaultdesk-"), "no temporary file named: {}", stderr(&out));
    assert_eq!(audited(&login, "update"), logins, "no login before the folder is settled");

    // A folder that does not exist yet is created, private.
    let fresh = work.path().join("new").join("exports");
    let out = env.run(&["connector", "export", "--all", "--out-dir", &fresh.to_string_lossy()]);
    assert_ok(&out, "export --all into a new folder");
    assert_eq!(mode(&fresh), 0o700, "the new folder is private");
    let one: Value =
        serde_json::from_str(&std::fs::read_to_string(fresh.join("one.json")).expect("read")).expect("json");
    assert_eq!(one["base_url"], "https://x/tk");
}

#[test]
fn an_engine_change_that_breaks_a_connector_is_refused_and_caught_when_rendering() {
    let env = Env::new();
    let tag = format!("g{}", std::process::id());
    kv_vault(&env, "api", &tag, &["token=kv-token"]);
    let work = tempfile::tempdir().expect("tmp");
    let cfg = write(
        work.path(),
        "c.json",
        r#"{"base_url": "https://x", "auth": {"type": "bearer", "token": "{{secrets.api.token}}"}}"#,
    );
    assert_ok(&env.run(&["connector", "add", "billing", "--kind", "rest", "--config", &cfg]), "add");
    let plain = write(work.path(), "p.json", r#"{"base_url": "https://y"}"#);
    assert_ok(
        &env.run(&["connector", "add", "unrelated", "--kind", "rest", "--config", &plain]),
        "add another",
    );

    let out = env.run(&["vault", "update", "api", "--engine-type", "postgresql", "--db-role", "ro"]);
    assert_exit(&out, 9, "engine change while a REST connector references the vault");
    let err = stderr(&out);
    assert!(err.contains("\"billing\"") && !err.contains("unrelated"), "names the connector: {err}");
    let show: Value =
        serde_json::from_slice(&env.run(&["vault", "show", "api", "--json"]).stdout).expect("json");
    assert_eq!(show["engine_type"], "kv2", "nothing changed");

    // The same mismatch reached another way (removed by force, added again as a database
    // engine under the same name): rendering refuses instead of exporting a database password
    // as the bearer token.
    assert_ok(&env.run(&["vault", "remove", "api", "--force"]), "remove --force");
    let addr = std::env::var("VAULTDESK_TEST_BAO_ADDR").expect("addr");
    let out = env.run_with_ids(
        &["vault", "add", "api", "--url", &addr, "--engine-name", "database", "--engine-type", "postgresql"]
            .into_iter()
            .chain(["--db-role", "ro"])
            .collect::<Vec<_>>(),
        &Ids::new("pgapi"),
    );
    assert_ok(&out, "add the postgresql vault");
    for args in [
        &["connector", "export", "billing"][..],
        &["connector", "preview", "billing"][..],
        &["connector", "export", "--all", "--out-dir", &work.path().join("all").to_string_lossy()][..],
    ] {
        let out = env.run(args);
        assert_exit(&out, 3, &format!("{args:?}: kind and vault no longer fit"));
        assert!(
            stderr(&out).contains("vault \"api\" cannot be used here"),
            "{args:?}: names the vault: {}",
            stderr(&out)
        );
    }
    assert!(!work.path().join("all").join("billing.json").exists(), "nothing exported");
}

#[test]
fn yaml_escapes_line_separators_and_env_refuses_a_nul_byte() {
    let env = Env::new();
    let tag = format!("y{}", std::process::id());
    let work = tempfile::tempdir().expect("tmp");
    let sep = work.path().join("sep");
    std::fs::write(&sep, "line\u{2028}next\u{2029}para").expect("write");
    let nul = work.path().join("nul");
    std::fs::write(&nul, b"a\0b").expect("write");
    let (sep_arg, nul_arg) = (format!("sep=@{}", sep.display()), format!("nul=@{}", nul.display()));
    kv_vault(&env, "odd", &tag, &[&sep_arg, &nul_arg]);
    let cfg = write(
        work.path(),
        "c.json",
        r#"{"base_url": "https://x", "headers": {"X-Sep": "{{secrets.odd.sep}}"}}"#,
    );
    assert_ok(&env.run(&["connector", "add", "sep", "--kind", "rest", "--config", &cfg]), "add");
    let out = env.run(&["connector", "export", "sep", "--format", "yaml"]);
    assert_ok(&out, "yaml export");
    let text = stdout(&out);
    assert!(!text.contains('\u{2028}') && !text.contains('\u{2029}'), "no raw line separator: {text:?}");
    assert!(text.contains("\\u2028") && text.contains("\\u2029"), "escaped: {text}");
    let back: Value = serde_yaml_ng::from_str(&text).expect("yaml");
    assert_eq!(back["headers"]["X-Sep"], "line\u{2028}next\u{2029}para", "reads back exactly");

    let cfg = write(
        work.path(),
        "n.json",
        r#"{"base_url": "https://x", "headers": {"X-Nul": "{{secrets.odd.nul}}"}}"#,
    );
    assert_ok(&env.run(&["connector", "add", "nul", "--kind", "rest", "--config", &cfg]), "add");
    let target = work.path().join("nul.env");
    let out = env.run(&["connector", "export", "nul", "--format", "env", "--out", &target.to_string_lossy()]);
    assert_exit(&out, 3, "a NUL byte cannot be in an env file");
    assert!(
        stderr(&out).contains("headers.X-Nul") && stderr(&out).contains("NUL"),
        "names the field: {}",
        stderr(&out)
    );
    assert!(!target.exists(), "nothing written");
}

/// Adds a keyring entry that looks like one of vaultdesk's, as `secret-tool` (another process).
fn secret_tool_store(account: &str, value: &str) {
    let mut c = Command::new("secret-tool")
        .args(["store", "--label", "vaultdesk test", "service", "vaultdesk", "username", account])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("secret-tool");
    use std::io::Write;
    c.stdin.take().expect("stdin").write_all(value.as_bytes()).expect("write");
    assert!(c.wait().expect("wait").success());
}

fn secret_tool_has(account: &str) -> bool {
    Command::new("secret-tool")
        .args(["lookup", "service", "vaultdesk", "username", account])
        .output()
        .expect("secret-tool")
        .status
        .success()
}

#[test]
fn doctor_finds_and_repairs_what_is_out_of_step_and_open_makes_the_files_private() {
    let env = Env::new();
    let ids = Ids::new("doctor");
    assert_ok(&env.add_kv("whole", &ids), "add");
    assert_ok(&env.add_kv("halved", &Ids::new("half")), "add");
    let show: Value =
        serde_json::from_slice(&env.run(&["vault", "show", "halved", "--json"]).stdout).expect("json");
    let secret_acct = show["keyring"]["secret_id_account"].as_str().expect("account").to_owned();
    let store = secret_acct.split('/').next().expect("store").to_owned();
    assert_ok(
        &Command::new("secret-tool")
            .args(["clear", "service", "vaultdesk", "username", &secret_acct])
            .output()
            .expect("secret-tool"),
        "clear",
    );
    let orphan = format!("{store}/00000000-0000-4000-8000-000000000000/role_id");
    secret_tool_store(&orphan, "left-over");
    let other_store = "ffffffffffffffffffffffffffffffff/00000000-0000-4000-8000-000000000000/role_id";
    secret_tool_store(other_store, "another data directory's");

    let db = env.data_dir().join("vaultdesk.db");
    std::fs::set_permissions(env.data_dir(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).expect("chmod");

    let out = env.run(&["doctor"]);
    assert_exit(&out, 10, "doctor with findings");
    let text = stdout(&out);
    assert!(text.contains(&orphan), "the orphaned entry is named: {text}");
    assert!(!text.contains(other_store), "another data directory's entries are not ours: {text}");
    assert!(text.contains("\"halved\"") && text.contains("Secret ID"), "the vault missing an ID: {text}");
    assert!(!text.contains("\"whole\""), "a vault with both entries is fine: {text}");
    assert!(text.contains("readable by others"), "the permissions found at open: {text}");
    assert!(!text.contains(&ids.secret) && !text.contains("left-over"), "no secret value: {text}");
    for (p, want) in [(env.data_dir().to_owned(), 0o700), (db.clone(), 0o600)] {
        assert_eq!(mode(&p), want, "{} was made private when the store was opened", p.display());
    }
    for ext in ["-wal", "-shm"] {
        let p = env.data_dir().join(format!("vaultdesk.db{ext}"));
        if p.exists() {
            assert_eq!(mode(&p), 0o600, "{}", p.display());
        }
    }
    assert!(secret_tool_has(&orphan), "doctor without --repair changes nothing");

    let out = env.run(&["doctor", "--repair"]);
    assert_exit(&out, 10, "a missing Secret ID cannot be repaired by doctor");
    assert!(stdout(&out).contains("removed"), "{}", stdout(&out));
    assert!(!secret_tool_has(&orphan), "the orphaned entry was removed");
    assert!(secret_tool_has(other_store), "another data directory's entry is left alone");
    Command::new("secret-tool")
        .args(["clear", "service", "vaultdesk", "username", other_store])
        .output()
        .expect("secret-tool");

    assert_ok(&env.run(&["vault", "remove", "halved"]), "remove");
    let out = env.run(&["doctor"]);
    assert!(
        out.status.success(),
        "doctor with nothing to report: exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        stdout(&out),
        stderr(&out)
    );
    assert!(stdout(&out).contains("Nothing out of step"), "{}", stdout(&out));
}
