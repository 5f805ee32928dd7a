//! Test fixtures on the real OpenBao server started by tests/scripts/services.sh: each test makes
//! its own mounts, policies and AppRole with unique names, so tests run in parallel on one
//! server, and counts its own requests in the server's audit log.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

use serde_json::{json, Value};
use vaultdesk_core::model::TlsSpec;
use vaultdesk_core::{AppRoleCredentials, EngineType, SecretString, Vault, VaultSpec};

use super::audit::audited;
use super::wait;

pub fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!(
            "{name} is not set: run these tests through tests/scripts/services.sh (bash tests/run.sh does)"
        )
    })
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A name unique to this test run and call.
pub fn unique(prefix: &str) -> String {
    format!("{prefix}{}x{}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst))
}

#[derive(Clone)]
pub struct Bao {
    pub addr: String,
    token: String,
    namespace: Option<String>,
    http: reqwest::Client,
}

impl Bao {
    /// The shared dev server of the test run.
    pub fn shared() -> Bao {
        Bao::at(&env("VAULTDESK_TEST_BAO_ADDR"), &env("VAULTDESK_TEST_BAO_TOKEN"))
    }

    pub fn at(addr: &str, token: &str) -> Bao {
        Bao { addr: addr.to_owned(), token: token.to_owned(), namespace: None, http: reqwest::Client::new() }
    }

    /// The same server, acting inside `namespace`.
    pub fn in_namespace(&self, namespace: &str) -> Bao {
        Bao { namespace: Some(namespace.to_owned()), ..self.clone() }
    }

    pub async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self
            .http
            .request(method.clone(), format!("{}/v1/{path}", self.addr))
            .header("X-Vault-Token", &self.token);
        if let Some(ns) = &self.namespace {
            req = req.header("X-Vault-Namespace", ns);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        assert!(status.is_success(), "{method} {path}: HTTP {status}: {text}");
        if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::Null)
        }
    }

    /// A response-wrapping token of what `POST path` answers (`X-Vault-Wrap-TTL`).
    pub async fn post_wrapped(&self, path: &str, body: Value, ttl: &str) -> String {
        let resp = self
            .http
            .post(format!("{}/v1/{path}", self.addr))
            .header("X-Vault-Token", &self.token)
            .header("X-Vault-Wrap-TTL", ttl)
            .json(&body)
            .send()
            .await
            .expect("wrap request");
        let v: Value = resp.json().await.expect("json");
        v["wrap_info"]["token"].as_str().unwrap_or_else(|| panic!("no wrap_info: {v}")).to_owned()
    }

    /// A child token of the root token with `policies` (and `ttl`), as an admin's own token.
    pub async fn token(&self, policies: &[&str], ttl: &str) -> String {
        let v = self
            .post("auth/token/create", json!({"policies": policies, "ttl": ttl, "renewable": true}))
            .await;
        v["auth"]["client_token"].as_str().expect("client_token").to_owned()
    }

    pub async fn post(&self, path: &str, body: Value) -> Value {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn get(&self, path: &str) -> Value {
        self.call(reqwest::Method::GET, path, None).await
    }

    pub async fn create_namespace(&self, name: &str) {
        self.post(&format!("sys/namespaces/{name}"), json!({})).await;
    }

    /// A KV v2 mount, ready for writes: a new mount upgrades itself in the background first
    /// ("Upgrading from non-versioned to versioned data"), and refuses requests meanwhile.
    pub async fn enable_kv2(&self, mount: &str) {
        self.post(&format!("sys/mounts/{mount}"), json!({"type": "kv", "options": {"version": "2"}})).await;
        self.wait_kv2_ready(mount).await;
    }

    /// Polls the mount's configuration until it answers (at most 60 s: a loaded machine is slow,
    /// a mount that never comes up is a failure).
    pub async fn wait_kv2_ready(&self, mount: &str) {
        let url = format!("{}/v1/{mount}/config", self.addr);
        let mut last = String::new();
        for _ in 0..600 {
            let mut req = self.http.get(&url).header("X-Vault-Token", &self.token);
            if let Some(ns) = &self.namespace {
                req = req.header("X-Vault-Namespace", ns);
            }
            match req.send().await {
                Ok(r) if r.status().is_success() => return,
                Ok(r) => last = format!("HTTP {}: {}", r.status(), r.text().await.unwrap_or_default()),
                Err(e) => last = e.to_string(),
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("KV v2 mount {mount} never became ready: {last}");
    }

    pub async fn enable_kv1(&self, mount: &str) {
        self.post(&format!("sys/mounts/{mount}"), json!({"type": "kv", "options": {"version": "1"}})).await;
    }

    pub async fn put_kv2(&self, mount: &str, path: &str, data: Value) {
        self.post(&format!("{mount}/data/{path}"), json!({ "data": data })).await;
    }

    pub async fn policy(&self, name: &str, hcl: &str) {
        self.call(reqwest::Method::PUT, &format!("sys/policies/acl/{name}"), Some(json!({ "policy": hcl })))
            .await;
    }

    /// An AppRole mount with one role holding `policies`; returns its credentials.
    pub async fn approle(&self, mount: &str, policies: &[&str], role_options: Value) -> AppRoleCredentials {
        self.post(&format!("sys/auth/{mount}"), json!({"type": "approle"})).await;
        let mut opts = json!({ "token_policies": policies });
        if let (Some(o), Some(extra)) = (opts.as_object_mut(), role_options.as_object()) {
            o.extend(extra.clone());
        }
        self.post(&format!("auth/{mount}/role/app"), opts).await;
        let role_id = self.get(&format!("auth/{mount}/role/app/role-id")).await["data"]["role_id"]
            .as_str()
            .expect("role_id")
            .to_owned();
        let secret_id = self.post(&format!("auth/{mount}/role/app/secret-id"), json!({})).await["data"]
            ["secret_id"]
            .as_str()
            .expect("secret_id")
            .to_owned();
        AppRoleCredentials { role_id: SecretString::from(role_id), secret_id: SecretString::from(secret_id) }
    }

    /// A KV v2 mount holding `data` at `app/config`, readable by a fresh AppRole whose tokens
    /// live 1h; returns the vault (caching for `cache_ttl_secs`) and the AppRole's credentials.
    pub async fn kv_fixture(&self, data: Value, cache_ttl_secs: u64) -> (Vault, AppRoleCredentials) {
        let (mut vault, creds) = self.kv_fixture_with(data, json!({"token_ttl": "1h"})).await;
        vault.spec.cache_ttl_secs = cache_ttl_secs;
        (vault, creds)
    }

    /// [`Bao::kv_fixture`] with `role_options` for the AppRole (e.g. its tokens' TTLs), caching
    /// off.
    pub async fn kv_fixture_with(&self, data: Value, role_options: Value) -> (Vault, AppRoleCredentials) {
        let mount = unique("kv");
        let auth = unique("ar");
        self.enable_kv2(&mount).await;
        self.put_kv2(&mount, "app/config", data).await;
        let policy = unique("pol");
        self.policy(
            &policy,
            &format!("path \"{mount}/data/app/*\" {{ capabilities = [\"read\"] }}\npath \"{mount}/subkeys/app/*\" {{ capabilities = [\"read\"] }}"),
        )
        .await;
        let creds = self.approle(&auth, &[&policy], role_options).await;
        (vault(self, &auth, &mount, EngineType::Kv2, Some("app/config"), None, 0), creds)
    }

    /// Reads (GET) the audit log recorded for `path` (relative to its namespace).
    pub fn audited_reads(&self, path: &str) -> usize {
        audited(path, "read")
    }

    /// Logins the audit log recorded on the AppRole mount `auth_mount`.
    pub fn audited_logins(&self, auth_mount: &str) -> usize {
        audited(&format!("auth/{auth_mount}/login"), "update")
    }
}

pub fn vault(
    bao: &Bao,
    auth_mount: &str,
    engine: &str,
    engine_type: EngineType,
    path: Option<&str>,
    db_role: Option<&str>,
    cache_ttl_secs: u64,
) -> Vault {
    Vault {
        id: unique("id"),
        spec: VaultSpec {
            name: unique("v"),
            provider: vaultdesk_core::Provider::HashicorpVault,
            url: bao.addr.clone(),
            namespace: bao.namespace.clone(),
            auth_method: vaultdesk_core::AuthMethod::Approle,
            auth_mount: auth_mount.to_owned(),
            auth_username: None,
            auth_role: None,
            login_namespace: None,
            engine_name: engine.to_owned(),
            engine_type,
            path: path.map(str::to_owned),
            db_role: db_role.map(str::to_owned),
            connection_name: None,
            kv_version: None,
            cache_ttl_secs,
            tls: TlsSpec { connect_timeout_secs: 3, request_timeout_secs: 5, ..TlsSpec::default() },
            aws: None,
        },
        created_at: "2026-01-01T00:00:00Z".into(),
        updated_at: "2026-01-01T00:00:00Z".into(),
        secret_id_status: None,
        needs_credentials: false,
    }
}

/// A separate OpenBao dev server, for tests that seal it, stop it or need TLS listeners.
pub struct OwnServer {
    child: Child,
    pub bao: Bao,
    _dir: tempfile::TempDir,
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

impl OwnServer {
    /// Starts `bao server -dev` with `extra_config` (HCL) added; waits until it answers.
    pub async fn start(extra_config: &str) -> OwnServer {
        OwnServer::start_binary("VAULTDESK_TEST_BAO_BIN", extra_config).await
    }

    /// [`OwnServer::start`] with the `bao` binary named by the environment variable `bin_var`
    /// (`VAULTDESK_TEST_BAO_LDAP_BIN`: OpenBao 2.6, whose build still has the LDAP auth method).
    pub async fn start_binary(bin_var: &str, extra_config: &str) -> OwnServer {
        let dir = tempfile::tempdir().expect("tmp");
        let port = free_port();
        let config = dir.path().join("extra.hcl");
        std::fs::write(&config, extra_config).expect("config");
        let child = Command::new(env(bin_var))
            .args(["server", "-dev", "-dev-root-token-id=root"])
            .arg(format!("-dev-listen-address=127.0.0.1:{port}"))
            .arg(format!("-config={}", config.display()))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("server.log")).expect("log"))
            .spawn()
            .expect("start bao");
        let bao = Bao::at(&format!("http://127.0.0.1:{port}"), "root");
        let up = wait::until(|| async {
            reqwest::get(format!("{}/v1/sys/health", bao.addr))
                .await
                .is_ok_and(|r| r.status().is_success())
                .then_some(())
        })
        .await;
        // Owned at once, so the server is stopped whether it came up or not.
        let server = OwnServer { child, bao, _dir: dir };
        if up.is_some() {
            return server;
        }
        panic!(
            "own OpenBao server did not start: {}",
            std::fs::read_to_string(server._dir.path().join("server.log")).unwrap_or_default()
        );
    }

    /// Starts a real `bao server` (not dev mode) on an integrated (raft) storage nobody
    /// initialised; waits until it answers the health check with "not initialized".
    pub async fn start_uninitialized() -> OwnServer {
        let dir = tempfile::tempdir().expect("tmp");
        let (port, cluster) = (free_port(), free_port());
        let storage = dir.path().join("raft");
        std::fs::create_dir(&storage).expect("storage dir");
        let config = dir.path().join("server.hcl");
        std::fs::write(
            &config,
            format!(
                r#"storage "raft" {{
  path = "{}"
  node_id = "n1"
}}
listener "tcp" {{
  address = "127.0.0.1:{port}"
  cluster_address = "127.0.0.1:{cluster}"
  tls_disable = true
}}
api_addr = "http://127.0.0.1:{port}"
cluster_addr = "http://127.0.0.1:{cluster}"
"#,
                storage.display()
            ),
        )
        .expect("config");
        let child = Command::new(env("VAULTDESK_TEST_BAO_BIN"))
            .arg("server")
            .arg(format!("-config={}", config.display()))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("server.log")).expect("log"))
            .spawn()
            .expect("start bao");
        let bao = Bao::at(&format!("http://127.0.0.1:{port}"), "none");
        let up = wait::until(|| async {
            let r = reqwest::get(format!("{}/v1/sys/health", bao.addr)).await.ok()?;
            let health: Value = r.json().await.ok()?;
            (health["initialized"] == false).then_some(())
        })
        .await;
        let server = OwnServer { child, bao, _dir: dir };
        if up.is_some() {
            return server;
        }
        panic!(
            "uninitialised OpenBao server did not answer: {}",
            std::fs::read_to_string(server._dir.path().join("server.log")).unwrap_or_default()
        );
    }
}

impl Drop for OwnServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A CA and a server certificate for `names` (DNS or IP SANs), plus a client certificate,
/// made with openssl in `dir`.
pub struct Pki {
    pub ca: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
    /// The server's key certified for one day in January 2020.
    pub expired_server_cert: PathBuf,
    pub client_cert: PathBuf,
    pub client_key: PathBuf,
}

fn openssl(dir: &std::path::Path, args: &[&str]) {
    let out = Command::new("openssl").current_dir(dir).args(args).output().expect("openssl runs");
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

pub fn make_pki(dir: &std::path::Path, sans: &str) -> Pki {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=vaultdesk test CA",
        ],
    );
    std::fs::write(
        dir.join("san.ext"),
        format!("subjectAltName={sans}\nextendedKeyUsage=serverAuth,clientAuth\n"),
    )
    .expect("ext");
    for who in ["server", "client"] {
        openssl(
            dir,
            &[
                "req",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-keyout",
                &format!("{who}.key"),
                "-out",
                &format!("{who}.csr"),
                "-subj",
                &format!("/CN=vaultdesk {who}"),
            ],
        );
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                &format!("{who}.csr"),
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                &format!("{who}.pem"),
                "-days",
                "2",
                "-extfile",
                "san.ext",
            ],
        );
    }
    // rustls reads PKCS#8 keys; convert the EC keys.
    for who in ["server", "client"] {
        openssl(
            dir,
            &["pkcs8", "-topk8", "-nocrypt", "-in", &format!("{who}.key"), "-out", &format!("{who}.p8.pem")],
        );
    }
    // The same server key, certified by the same CA for one day that ended years ago.
    std::fs::write(
        dir.join("ca.cnf"),
        "[ca]\ndefault_ca = ca_default\n[ca_default]\ndatabase = index.txt\nnew_certs_dir = .\nserial = serial\ndefault_md = sha256\npolicy = any\ncopy_extensions = copy\n[any]\ncommonName = supplied\n",
    )
    .expect("ca config");
    std::fs::write(dir.join("index.txt"), "").expect("index");
    std::fs::write(dir.join("serial"), "1000\n").expect("serial");
    openssl(
        dir,
        &[
            "ca",
            "-batch",
            "-notext",
            "-config",
            "ca.cnf",
            "-cert",
            "ca.pem",
            "-keyfile",
            "ca.key",
            "-in",
            "server.csr",
            "-out",
            "expired.pem",
            "-startdate",
            "20200101000000Z",
            "-enddate",
            "20200102000000Z",
            "-extfile",
            "san.ext",
        ],
    );
    Pki {
        expired_server_cert: dir.join("expired.pem"),
        ca: dir.join("ca.pem"),
        server_cert: dir.join("server.pem"),
        server_key: dir.join("server.p8.pem"),
        client_cert: dir.join("client.pem"),
        client_key: dir.join("client.p8.pem"),
    }
}
