//! A second PostgreSQL, started by the test itself with TLS on: a CA and a server certificate
//! for `localhost` only (not for 127.0.0.1) made with openssl ([`make_pki`]), and a pg_hba.conf that accepts
//! TLS connections only (`hostnossl ... reject`). Stopped when dropped.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::bao::{free_port, make_pki};

pub struct TlsPostgres {
    pub port: u16,
    /// The CA that signed the server's certificate (PEM).
    pub ca: PathBuf,
    pgbin: PathBuf,
    data: PathBuf,
    socket: PathBuf,
    _dir: tempfile::TempDir,
}

fn root() -> bool {
    Command::new("id").arg("-u").output().map(|o| o.stdout.starts_with(b"0\n")).unwrap_or(false)
}

/// Runs a PostgreSQL program as the user the server runs as (`postgres` when we are root).
fn as_pg(program: &Path) -> Command {
    if root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn run(mut c: Command, what: &str) {
    let out = c.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

impl TlsPostgres {
    pub fn start() -> TlsPostgres {
        let dir = tempfile::tempdir().expect("tempdir");
        let base = dir.path().to_path_buf();
        let pki = make_pki(&base, "DNS:localhost");
        let pgbin = std::fs::read_dir("/usr/lib/postgresql")
            .expect("PostgreSQL is installed")
            .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
            .max()
            .expect("a PostgreSQL version");
        let pg = base.join("pg");
        std::fs::create_dir(&pg).expect("pg dir");
        std::fs::write(pg.join("pw"), "tls-admin-pw").expect("pw");
        // The server's files belong to the user it runs as.
        std::fs::copy(&pki.server_cert, pg.join("server.crt")).expect("crt");
        std::fs::copy(&pki.server_key, pg.join("server.key")).expect("key");
        std::fs::set_permissions(pg.join("server.key"), std::os::unix::fs::PermissionsExt::from_mode(0o600))
            .expect("chmod");
        if root() {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&base, std::fs::Permissions::from_mode(0o755)).expect("chmod base");
            run(
                {
                    let mut c = Command::new("chown");
                    c.args(["-R", "postgres"]).arg(&pg);
                    c
                },
                "chown",
            );
        }
        let data = pg.join("data");
        let mut initdb = as_pg(&pgbin.join("initdb"));
        initdb
            .arg("-D")
            .arg(&data)
            .args(["-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256"])
            .arg(format!("--pwfile={}", pg.join("pw").display()));
        run(initdb, "initdb");
        std::fs::write(
            data.join("pg_hba.conf"),
            "local all all trust\nhostssl all all 127.0.0.1/32 scram-sha-256\nhostnossl all all 127.0.0.1/32 reject\n",
        )
        .expect("pg_hba");
        let port = free_port();
        let mut start = as_pg(&pgbin.join("pg_ctl"));
        start.arg("-D").arg(&data).arg("-l").arg(pg.join("server.log")).arg("-w").arg("-o").arg(format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c ssl=on -c ssl_cert_file={} -c ssl_key_file={}",
            pg.display(),
            pg.join("server.crt").display(),
            pg.join("server.key").display()
        ));
        start.arg("start");
        run(start, "pg_ctl start (TLS)");
        TlsPostgres { port, ca: pki.ca, pgbin, data, socket: pg, _dir: dir }
    }

    /// Runs `sql` as the admin user through the server's socket.
    pub fn sql(&self, sql: &str) {
        let mut c = as_pg(&self.pgbin.join("psql"));
        c.arg("-h").arg(&self.socket).args([
            "-p",
            &self.port.to_string(),
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-tAc",
            sql,
        ]);
        run(c, &format!("psql (TLS server): {sql}"));
    }
}

impl Drop for TlsPostgres {
    fn drop(&mut self) {
        let mut stop = as_pg(&self.pgbin.join("pg_ctl"));
        stop.arg("-D").arg(&self.data).args(["-m", "immediate", "stop"]);
        let _ = stop.output();
    }
}
