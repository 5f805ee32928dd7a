//! MariaDB (started by tests/scripts/services.sh), driven from outside vaultdesk with the
//! `mariadb` client as the admin user (its password in the environment, never in argv).

use std::process::Command;

use super::bao::env;

/// Runs `sql` as the admin user; panics when it fails.
pub fn maria_admin(sql: &str) -> String {
    let out = Command::new("mariadb")
        .args(["-h", &env("VAULTDESK_TEST_MARIADB_HOST"), "-P", &env("VAULTDESK_TEST_MARIADB_PORT")])
        .args(["-u", &env("VAULTDESK_TEST_MARIADB_USER"), "--protocol=TCP", "-N", "-B", "-e", sql])
        .env("MYSQL_PWD", env("VAULTDESK_TEST_MARIADB_PASSWORD"))
        .output()
        .expect("mariadb runs");
    assert!(
        out.status.success(),
        "mariadb as the admin user: {sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A user `user`@`%` with `password`, allowed to read `database` (created when missing).
pub fn maria_user(user: &str, password: &str, database: &str) {
    maria_admin(&format!(
        "CREATE DATABASE IF NOT EXISTS `{database}`; CREATE USER '{user}'@'%' IDENTIFIED BY '{password}'; \
         GRANT SELECT ON `{database}`.* TO '{user}'@'%'"
    ));
}
