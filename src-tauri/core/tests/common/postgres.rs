//! PostgreSQL (started by tests/scripts/services.sh) behind OpenBao's database secrets engine,
//! and checks on it made from outside vaultdesk: logging in with psql, reading the database's
//! own record of a user.

use std::process::Command;

use serde_json::{json, Value};
use vaultdesk_core::{AppRoleCredentials, EngineType, Vault};

use super::bao::{self, env, unique, Bao};

/// What to set up: the `ro` role's lease TTLs, the AppRole's options, the vault's cache TTL.
pub struct PgEngine {
    pub default_ttl: &'static str,
    pub max_ttl: &'static str,
    pub approle: Value,
    pub cache_ttl_secs: u64,
    /// More policy lines for the AppRole (e.g. `sys/leases/revoke`).
    pub extra_policy: &'static str,
}

impl Default for PgEngine {
    fn default() -> PgEngine {
        PgEngine {
            default_ttl: "10m",
            max_ttl: "1h",
            approle: json!({"token_ttl": "1h"}),
            cache_ttl_secs: 300,
            extra_policy: "",
        }
    }
}

/// A database engine set up by [`pg_engine`].
pub struct PgVault {
    pub vault: Vault,
    pub creds: AppRoleCredentials,
    /// The engine's mount.
    pub mount: String,
}

/// A database mount wired to the test PostgreSQL as connection `orders` with role `ro`, and an
/// AppRole allowed to read the role's credentials and the connection's configuration.
pub async fn pg_engine(bao: &Bao, opts: PgEngine) -> PgVault {
    let mount = unique("db");
    bao.post(&format!("sys/mounts/{mount}"), json!({"type": "database"})).await;
    let conn = "orders";
    bao.post(
        &format!("{mount}/config/{conn}"),
        json!({
            "plugin_name": "postgresql-database-plugin",
            "connection_url": format!("postgresql://{{{{username}}}}:{{{{password}}}}@{}:{}/postgres?sslmode=disable", env("VAULTDESK_TEST_PG_HOST"), env("VAULTDESK_TEST_PG_PORT")),
            "username": env("VAULTDESK_TEST_PG_USER"),
            "password": env("VAULTDESK_TEST_PG_PASSWORD"),
            "allowed_roles": ["ro"],
        }),
    )
    .await;
    bao.post(
        &format!("{mount}/roles/ro"),
        json!({
            "db_name": conn,
            "creation_statements": ["CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';"],
            "default_ttl": opts.default_ttl,
            "max_ttl": opts.max_ttl,
        }),
    )
    .await;
    let policy = unique("pol");
    bao.policy(
        &policy,
        &format!("path \"{mount}/creds/ro\" {{ capabilities = [\"read\"] }}\npath \"{mount}/config/{conn}\" {{ capabilities = [\"read\"] }}\n{}", opts.extra_policy),
    )
    .await;
    let auth = unique("ar");
    let creds = bao.approle(&auth, &[&policy], opts.approle).await;
    let mut vault =
        bao::vault(bao, &auth, &mount, EngineType::Postgresql, None, Some("ro"), opts.cache_ttl_secs);
    vault.spec.connection_name = Some(conn.into());
    PgVault { vault, creds, mount }
}

/// psql against the test server as `user` / `password`, running `sql`; its output if it
/// succeeded.
fn psql(user: &str, password: &str, sql: &str) -> Option<String> {
    let out = Command::new("psql")
        .args(["-h", &env("VAULTDESK_TEST_PG_HOST"), "-p", &env("VAULTDESK_TEST_PG_PORT")])
        .args(["-U", user, "-d", "postgres", "-tAc", sql])
        .env("PGPASSWORD", password)
        .env("PGCONNECT_TIMEOUT", "5")
        .output()
        .expect("psql runs");
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Runs `sql` on the test server as the admin user (psql in another process); its output.
pub fn psql_admin(sql: &str) -> String {
    psql(&env("VAULTDESK_TEST_PG_USER"), &env("VAULTDESK_TEST_PG_PASSWORD"), sql)
        .unwrap_or_else(|| panic!("psql as the admin user: {sql}"))
}

/// Can `user` / `password` log in to PostgreSQL? Runs psql as another process.
pub fn pg_login(user: &str, password: &str) -> bool {
    psql(user, password, "SELECT current_user").as_deref() == Some(user)
}

/// Does the database still have the user (role) `user`?
pub fn pg_role_exists(user: &str) -> bool {
    psql_admin(&format!("SELECT count(*) FROM pg_roles WHERE rolname = '{user}'")) != "0"
}

/// When PostgreSQL itself stops accepting `user`'s password (its VALID UNTIL), in seconds since
/// the Unix epoch.
pub fn pg_valid_until(user: &str) -> f64 {
    let text = psql_admin(&format!(
        "SELECT extract(epoch FROM rolvaliduntil) FROM pg_roles WHERE rolname = '{user}'"
    ));
    text.parse().unwrap_or_else(|_| panic!("VALID UNTIL of {user}: {text:?}"))
}

/// A login role `user` with `password` on the test server, and a database `database` it owns
/// (none when `None`).
pub fn pg_role(user: &str, password: &str, database: Option<&str>) {
    psql_admin(&format!("CREATE ROLE \"{user}\" LOGIN PASSWORD '{password}'"));
    if let Some(db) = database {
        psql_admin(&format!("CREATE DATABASE \"{db}\" OWNER \"{user}\""));
    }
}
