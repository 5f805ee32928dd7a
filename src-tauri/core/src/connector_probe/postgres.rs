//! PostgreSQL: DNS, TCP, TLS negotiated here (the protocol's SSLRequest, then a rustls
//! handshake verified as `tls_mode` says), then the startup and authentication by
//! tokio-postgres over that very connection, `SELECT 1` with the server's version, and a summary
//! of the role's privileges.

use std::time::Instant;

use secrecy::ExposeSecret;
use serde_json::Value;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio_postgres::error::SqlState;

use super::net::{self, Target, Verify};
use super::{within, ConnectorError, ConnectorStage, DbFields, Recorder, TlsMode};

const SSL_REQUEST: [u8; 8] = [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f];

pub(super) async fn test(config: &Value, r: &mut Recorder<'_>) {
    use ConnectorStage::*;
    let Some((f, t, mut stream)) = super::open_db(config, 5432, &["sslrootcert"], r).await else {
        return;
    };

    // TLS: ask, then shake hands on the same connection.
    let started = Instant::now();
    if f.tls_mode == TlsMode::Disable {
        r.warn(Tls, started, "not used (tls_mode disable): the password and the data travel unencrypted");
        return session(stream, &f, r).await;
    }
    let offered = within(f.timeout, "the server's answer to the TLS request", "config.host", async {
        stream.write_all(&SSL_REQUEST).await.map_err(|e| io_lost(&t, &e))?;
        let mut answer = [0u8; 1];
        stream.read_exact(&mut answer).await.map_err(|e| io_lost(&t, &e))?;
        match answer[0] {
            b'S' => Ok(true),
            b'N' => Ok(false),
            other => Err(ConnectorError::Protocol {
                expected: "PostgreSQL".into(),
                detail: format!("unexpected answer {other:#04x} to the TLS request"),
            }),
        }
    })
    .await;
    match offered {
        Err(e) => {
            r.fail(Tls, started, &e);
            r.skip_rest(&[Authentication, Query, Privileges]);
        }
        Ok(false) if f.tls_mode.requires() => {
            let e = ConnectorError::TlsRefused {
                host: f.host.clone(),
                port: f.port,
                mode: f.tls_mode.as_str().into(),
            };
            r.fail(Tls, started, &e);
            r.skip_rest(&[Authentication, Query, Privileges]);
        }
        Ok(false) => {
            r.warn(Tls, started, "the server does not offer TLS: continuing unencrypted (tls_mode prefer)");
            session(stream, &f, r).await;
        }
        Ok(true) => {
            let verify = verify_of(f.tls_mode);
            match net::handshake(&t, stream, verify, f.ca_file.as_deref(), "config.options").await {
                Ok(tls) => {
                    r.tls_done(started, verify, net::describe(&tls, verify, f.ca_file.as_deref()));
                    session(tls, &f, r).await;
                }
                Err(e) => {
                    r.fail(Tls, started, &e);
                    r.skip_rest(&[Authentication, Query, Privileges]);
                }
            }
        }
    }
}

pub(super) fn verify_of(mode: TlsMode) -> Verify {
    match mode {
        TlsMode::VerifyFull => Verify::Full,
        TlsMode::VerifyCa => Verify::Chain,
        _ => Verify::None,
    }
}

fn io_lost(t: &Target, e: &std::io::Error) -> ConnectorError {
    ConnectorError::Protocol {
        expected: "PostgreSQL".into(),
        detail: format!("{}:{} closed the connection ({e})", t.host, t.port),
    }
}

/// Stops the spawned connection task when the test ends or is dropped.
struct AbortOnDrop(tokio::task::AbortHandle);
impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Authentication, query and privileges over `stream` (TLS already done, or not used).
async fn session<S>(stream: S, f: &DbFields, r: &mut Recorder<'_>)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    use ConnectorStage::*;
    let started = Instant::now();
    let Some(user) = super::login_user(f, r) else { return };
    let mut cfg = tokio_postgres::Config::new();
    cfg.user(&user)
        .application_name("vaultdesk connection test")
        .ssl_mode(tokio_postgres::config::SslMode::Disable);
    if let Some(pw) = &f.password {
        cfg.password(pw.expose_secret());
    }
    if let Some(db) = &f.database {
        cfg.dbname(db);
    }
    let database = f.database.clone().unwrap_or_else(|| user.clone());
    let connected = within(f.timeout, "authentication", "config.host", async {
        cfg.connect_raw(stream, tokio_postgres::NoTls).await.map_err(|e| classify(&e, &user, &database))
    })
    .await;
    let (client, connection) = match connected {
        Ok(c) => c,
        Err(e) => {
            r.fail(Authentication, started, &e);
            r.skip_rest(&[Query, Privileges]);
            return;
        }
    };
    let _task = AbortOnDrop(tokio::spawn(connection).abort_handle());
    r.pass(Authentication, started, format!("logged in as \"{user}\" to database \"{database}\""));

    let started = Instant::now();
    let query = within(f.timeout, "SELECT 1", "config.host", async {
        client.simple_query("SELECT 1").await.map_err(|e| classify(&e, &user, &database))?;
        let row = client
            .query_one("SELECT current_setting('server_version')", &[])
            .await
            .map_err(|e| classify(&e, &user, &database))?;
        Ok(row.try_get::<_, String>(0).unwrap_or_else(|_| "unknown".into()))
    })
    .await;
    match query {
        Ok(version) => r.pass(Query, started, format!("SELECT 1 answered; PostgreSQL {version}")),
        Err(e) => {
            r.fail(Query, started, &e);
            r.skip_rest(&[Privileges]);
            return;
        }
    }

    let started = Instant::now();
    let sql = "SELECT r.rolsuper, r.rolcreatedb, r.rolcreaterole, \
        has_database_privilege(current_database(), 'CREATE'), \
        has_database_privilege(current_database(), 'TEMP'), \
        array_to_string(ARRAY(SELECT b.rolname::text FROM pg_auth_members m JOIN pg_roles b ON m.roleid = b.oid \
            WHERE m.member = r.oid ORDER BY 1), ', '), \
        (SELECT count(*) FROM pg_tables t WHERE t.schemaname NOT IN ('pg_catalog', 'information_schema') \
            AND has_table_privilege(quote_ident(t.schemaname) || '.' || quote_ident(t.tablename), 'SELECT')) \
        FROM pg_roles r WHERE r.rolname = current_user";
    let privileges = within(f.timeout, "the privileges query", "config.host", async {
        client.query_one(sql, &[]).await.map_err(|e| classify(&e, &user, &database))
    })
    .await;
    match privileges {
        Ok(row) => {
            let flag = |i: usize| row.try_get::<_, bool>(i).unwrap_or(false);
            let mut parts = Vec::new();
            if flag(0) {
                parts.push("superuser".to_owned());
            }
            if flag(1) {
                parts.push("may create databases".to_owned());
            }
            if flag(2) {
                parts.push("may create roles".to_owned());
            }
            let db: Vec<&str> =
                [(3, "CREATE"), (4, "TEMP")].iter().filter(|(i, _)| flag(*i)).map(|(_, p)| *p).collect();
            parts.push(format!(
                "on database \"{database}\": CONNECT{}",
                db.iter().map(|p| format!(", {p}")).collect::<String>()
            ));
            let member = row.try_get::<_, String>(5).unwrap_or_default();
            if !member.is_empty() {
                parts.push(format!("member of {member}"));
            }
            let tables = row.try_get::<_, i64>(6).unwrap_or(0);
            parts.push(format!("SELECT on {tables} table{}", if tables == 1 { "" } else { "s" }));
            r.pass(Privileges, started, parts.join("; "));
        }
        // A summary is a courtesy: not being allowed to read the catalog is no failure.
        Err(e) => r.warn(Privileges, started, format!("could not summarise the privileges ({e})")),
    }
}

fn classify(e: &tokio_postgres::Error, user: &str, database: &str) -> ConnectorError {
    if let Some(db) = e.as_db_error() {
        let message = db.message().to_owned();
        let code = db.code();
        return if *code == SqlState::INVALID_PASSWORD {
            ConnectorError::WrongPassword { user: user.to_owned() }
        } else if *code == SqlState::INVALID_CATALOG_NAME {
            ConnectorError::DatabaseNotFound { database: database.to_owned() }
        } else if *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION && message.contains("no encryption")
        {
            ConnectorError::TlsRequired { detail: message }
        } else if *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION {
            ConnectorError::LoginRefused { user: user.to_owned(), detail: message }
        } else if *code == SqlState::INSUFFICIENT_PRIVILEGE && message.contains("CONNECT") {
            ConnectorError::DatabaseDenied { user: user.to_owned(), database: database.to_owned() }
        } else {
            ConnectorError::Server { detail: format!("{message} (SQLSTATE {})", code.code()) }
        };
    }
    let text = e.to_string();
    if text.contains("password missing") {
        ConnectorError::PasswordMissing
    } else if e.is_closed() {
        ConnectorError::Protocol {
            expected: "PostgreSQL".into(),
            detail: "the server closed the connection".into(),
        }
    } else {
        ConnectorError::Server { detail: text }
    }
}
