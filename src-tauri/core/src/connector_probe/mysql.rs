//! MySQL and MariaDB: DNS, TCP, then the server's greeting read here (its version, whether it
//! offers TLS) and the TLS handshake done here on that connection (so its outcome is named and
//! timed on its own); then mysql_async logs in with TLS set as `tls_mode` says, asks
//! `SELECT 1`, the version and the session's TLS state, and `SHOW GRANTS` for a summary.

use std::time::Instant;

use mysql_async::prelude::Queryable;
use mysql_async::{Conn, OptsBuilder, SslOpts};
use secrecy::ExposeSecret;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::net::{self, Target};
use super::postgres::verify_of;
use super::{within, ConnectorError, ConnectorStage, DbFields, Recorder, TlsMode};

const CLIENT_LONG_PASSWORD: u32 = 0x1;
const CLIENT_PROTOCOL_41: u32 = 0x200;
const CLIENT_SSL: u32 = 0x800;
const CLIENT_SECURE_CONNECTION: u32 = 0x8000;

/// What the server's first packet says.
struct Greeting {
    version: String,
    offers_tls: bool,
}

pub(super) async fn test(config: &Value, r: &mut Recorder<'_>) {
    use ConnectorStage::*;
    let Some((f, t, mut stream)) =
        super::open_db(config, 3306, &["ssl_ca", "ssl-ca", "sslrootcert"], r).await
    else {
        return;
    };

    let started = Instant::now();
    let greeting =
        match within(f.timeout, "the server's greeting", "config.host", greeting(&mut stream, &t)).await {
            Ok(g) => g,
            Err(e) => {
                r.fail(Tls, started, &e);
                r.skip_rest(&[Authentication, Query, Privileges]);
                return;
            }
        };
    let server = format!("server {}", greeting.version);
    let use_tls = match (f.tls_mode, greeting.offers_tls) {
        (TlsMode::Disable, _) => {
            r.warn(
                Tls,
                started,
                format!(
                    "{server}; TLS not used (tls_mode disable): the password and the data travel unencrypted"
                ),
            );
            false
        }
        (mode, false) if mode.requires() => {
            let e =
                ConnectorError::TlsRefused { host: f.host.clone(), port: f.port, mode: mode.as_str().into() };
            r.fail(Tls, started, &e);
            r.skip_rest(&[Authentication, Query, Privileges]);
            return;
        }
        (_, false) => {
            r.warn(
                Tls,
                started,
                format!("{server} does not offer TLS: continuing unencrypted (tls_mode prefer)"),
            );
            false
        }
        (mode, true) => {
            let verify = verify_of(mode);
            let shaken = async {
                within(f.timeout, "the TLS request", "config.host", async {
                    stream.write_all(&ssl_request()).await.map_err(|e| lost(&t, &e))
                })
                .await?;
                net::handshake(&t, stream, verify, f.ca_file.as_deref(), "config.options").await
            }
            .await;
            match shaken {
                Ok(tls) => {
                    r.tls_done(
                        started,
                        verify,
                        format!("{server}; {}", net::describe(&tls, verify, f.ca_file.as_deref())),
                    );
                    true
                }
                Err(e) => {
                    r.fail(Tls, started, &e);
                    r.skip_rest(&[Authentication, Query, Privileges]);
                    return;
                }
            }
        }
    };
    session(&f, use_tls, r).await;
}

fn lost(t: &Target, e: &std::io::Error) -> ConnectorError {
    ConnectorError::Protocol {
        expected: "MySQL/MariaDB".into(),
        detail: format!("{}:{} closed the connection ({e})", t.host, t.port),
    }
}

/// Reads the server's initial handshake packet.
async fn greeting(stream: &mut TcpStream, t: &Target) -> Result<Greeting, ConnectorError> {
    let not_mysql =
        |detail: &str| ConnectorError::Protocol { expected: "MySQL/MariaDB".into(), detail: detail.into() };
    let mut header = [0u8; 4];
    stream.read_exact(&mut header).await.map_err(|e| lost(t, &e))?;
    let len = usize::from(header[0]) | usize::from(header[1]) << 8 | usize::from(header[2]) << 16;
    if len == 0 || len > 64 * 1024 {
        return Err(not_mysql("the first packet does not look like a greeting"));
    }
    let mut payload = vec![0u8; len];
    stream.read_exact(&mut payload).await.map_err(|e| lost(t, &e))?;
    match payload.first() {
        Some(0xff) => {
            // An error before any login: e.g. "Host ... is not allowed to connect".
            let code = payload.get(1..3).map_or(0, |c| u16::from_le_bytes([c[0], c[1]]));
            let text = payload.get(3..).unwrap_or_default();
            let text = text.strip_prefix(b"#").map_or(text, |t| t.get(5..).unwrap_or_default());
            let message = String::from_utf8_lossy(text).into_owned();
            return Err(ConnectorError::Server { detail: format!("{message} (error {code})") });
        }
        Some(10) => {}
        _ => return Err(not_mysql("unknown protocol version in the greeting")),
    }
    let rest = &payload[1..];
    let end =
        rest.iter().position(|b| *b == 0).ok_or_else(|| not_mysql("no server version in the greeting"))?;
    let version = String::from_utf8_lossy(&rest[..end]).into_owned();
    // thread id (4), auth data part 1 (8), filler (1), then the capability flags' lower half.
    let caps =
        rest.get(end + 1 + 4 + 8 + 1..end + 1 + 4 + 8 + 3).ok_or_else(|| not_mysql("greeting too short"))?;
    let caps = u32::from(u16::from_le_bytes([caps[0], caps[1]]));
    Ok(Greeting {
        version: version.strip_prefix("5.5.5-").unwrap_or(&version).to_owned(),
        offers_tls: caps & CLIENT_SSL != 0,
    })
}

/// The SSLRequest packet (sequence 1): capabilities, max packet size, utf8mb4, 23 zero bytes.
fn ssl_request() -> Vec<u8> {
    let caps = CLIENT_LONG_PASSWORD | CLIENT_PROTOCOL_41 | CLIENT_SSL | CLIENT_SECURE_CONNECTION;
    let mut p = vec![32, 0, 0, 1];
    p.extend(caps.to_le_bytes());
    p.extend((16u32 * 1024 * 1024).to_le_bytes());
    p.push(45);
    p.extend([0u8; 23]);
    p
}

/// mysql_async's TLS settings for `mode` (`use_tls`: the server offers it and the mode wants it).
fn ssl_opts(f: &DbFields, use_tls: bool) -> Option<SslOpts> {
    if !use_tls {
        return None;
    }
    let mut opts = SslOpts::default();
    if let Some(ca) = &f.ca_file {
        opts =
            opts.with_root_certs(vec![std::path::PathBuf::from(ca).into()]).with_disable_built_in_roots(true);
    }
    Some(match f.tls_mode {
        TlsMode::VerifyFull => opts,
        TlsMode::VerifyCa => opts.with_danger_skip_domain_validation(true),
        _ => opts.with_danger_accept_invalid_certs(true).with_danger_skip_domain_validation(true),
    })
}

async fn session(f: &DbFields, use_tls: bool, r: &mut Recorder<'_>) {
    use ConnectorStage::*;
    let started = Instant::now();
    let Some(user) = super::login_user(f, r) else { return };
    let opts = OptsBuilder::default()
        .ip_or_hostname(f.host.clone())
        .tcp_port(f.port)
        .user(Some(user.clone()))
        .pass(f.password.as_ref().map(|p| p.expose_secret().to_owned()))
        .db_name(f.database.clone())
        .prefer_socket(false)
        .ssl_opts(ssl_opts(f, use_tls));
    let database = f.database.clone().unwrap_or_default();
    let connected = within(f.timeout, "authentication", "config.host", async {
        Conn::new(opts).await.map_err(|e| classify(&e, f, &user, &database))
    })
    .await;
    let mut conn = match connected {
        Ok(c) => c,
        Err(e) => {
            r.fail(Authentication, started, &e);
            r.skip_rest(&[Query, Privileges]);
            return;
        }
    };
    let into = if database.is_empty() { String::new() } else { format!(" to database \"{database}\"") };
    r.pass(Authentication, started, format!("logged in as \"{user}\"{into}"));

    let started = Instant::now();
    let query = within(f.timeout, "SELECT 1", "config.host", async {
        let map = |e: mysql_async::Error| classify(&e, f, &user, &database);
        conn.query_drop("SELECT 1").await.map_err(map)?;
        let version: Option<String> = conn.query_first("SELECT VERSION()").await.map_err(map)?;
        let cipher: Option<(String, String)> =
            conn.query_first("SHOW SESSION STATUS LIKE 'Ssl_cipher'").await.map_err(map)?;
        let tls_version: Option<(String, String)> =
            conn.query_first("SHOW SESSION STATUS LIKE 'Ssl_version'").await.map_err(map)?;
        Ok((version, cipher.map(|c| c.1), tls_version.map(|v| v.1)))
    })
    .await;
    match query {
        Ok((version, cipher, tls_version)) => {
            let tls = match (cipher.filter(|c| !c.is_empty()), tls_version) {
                (Some(c), v) => {
                    format!("session encrypted ({}{c})", v.map(|v| format!("{v}, ")).unwrap_or_default())
                }
                (None, _) => "session NOT encrypted".to_owned(),
            };
            r.pass(
                Query,
                started,
                format!(
                    "SELECT 1 answered; server {}; {tls}",
                    version.as_deref().unwrap_or("version unknown")
                ),
            );
        }
        Err(e) => {
            r.fail(Query, started, &e);
            r.skip_rest(&[Privileges]);
            let _ = conn.disconnect().await;
            return;
        }
    }

    let started = Instant::now();
    let grants: Result<Vec<String>, _> = within(f.timeout, "SHOW GRANTS", "config.host", async {
        conn.query("SHOW GRANTS").await.map_err(|e| classify(&e, f, &user, &database))
    })
    .await;
    match grants {
        Ok(lines) => r.pass(Privileges, started, summarise_grants(&lines)),
        Err(e) => r.warn(Privileges, started, format!("could not summarise the privileges ({e})")),
    }
    let _ = conn.disconnect().await;
}

/// `GRANT <privileges> ON <what>` of each line; the rest (`TO ... IDENTIFIED BY PASSWORD
/// '<hash>'`, roles' options) is left out.
fn summarise_grants(lines: &[String]) -> String {
    let parts: Vec<String> = lines
        .iter()
        .filter_map(|l| {
            let body = l.strip_prefix("GRANT ")?;
            let cut = body.find(" TO ").unwrap_or(body.len());
            Some(body[..cut].to_owned())
        })
        .collect();
    if parts.is_empty() {
        "no grants listed".into()
    } else {
        parts.join("; ")
    }
}

fn classify(e: &mysql_async::Error, f: &DbFields, user: &str, database: &str) -> ConnectorError {
    match e {
        mysql_async::Error::Server(s) => match s.code {
            1045 if s.message.contains("using password: NO") && f.password.is_none() => {
                ConnectorError::PasswordMissing
            }
            1045 => ConnectorError::WrongPassword { user: user.to_owned() },
            1049 => ConnectorError::DatabaseNotFound { database: database.to_owned() },
            1044 => ConnectorError::DatabaseDenied { user: user.to_owned(), database: database.to_owned() },
            3159 | 4151 => ConnectorError::TlsRequired { detail: s.message.clone() },
            1130 => ConnectorError::LoginRefused { user: user.to_owned(), detail: s.message.clone() },
            _ if s.message.contains("secure transport") => {
                ConnectorError::TlsRequired { detail: s.message.clone() }
            }
            _ => ConnectorError::Server { detail: format!("{} (error {})", s.message, s.code) },
        },
        mysql_async::Error::Io(mysql_async::IoError::Tls(t)) => {
            ConnectorError::Tls { host: f.host.clone(), detail: t.to_string() }
        }
        mysql_async::Error::Io(mysql_async::IoError::Io(io))
            if io.kind() == std::io::ErrorKind::ConnectionRefused =>
        {
            ConnectorError::ConnectionRefused {
                host: f.host.clone(),
                port: f.port,
                field: "config.port".into(),
            }
        }
        mysql_async::Error::Io(io) => ConnectorError::HostUnreachable {
            host: f.host.clone(),
            port: f.port,
            detail: io.to_string(),
            field: "config.host".into(),
        },
        mysql_async::Error::Driver(d) if d.to_string().contains("secure connection") => {
            ConnectorError::TlsRefused {
                host: f.host.clone(),
                port: f.port,
                mode: f.tls_mode.as_str().into(),
            }
        }
        other => ConnectorError::Server { detail: other.to_string() },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_are_summarised_without_what_follows_to() {
        let lines = vec![
            "GRANT USAGE ON *.* TO `app`@`%` IDENTIFIED BY PASSWORD '*94BDCEBE19083CE2A1F959FD02F964C7AF4CFC29'".to_owned(),
            "GRANT SELECT, INSERT ON `shop`.* TO `app`@`%`".to_owned(),
        ];
        let s = summarise_grants(&lines);
        assert_eq!(s, "USAGE ON *.*; SELECT, INSERT ON `shop`.*");
        assert!(!s.contains("PASSWORD"));
    }

    #[test]
    fn the_ssl_request_is_one_32_byte_packet() {
        let p = ssl_request();
        assert_eq!(p.len(), 36);
        assert_eq!(&p[..4], &[32, 0, 0, 1]);
        let caps = u32::from_le_bytes([p[4], p[5], p[6], p[7]]);
        assert_ne!(caps & CLIENT_SSL, 0);
    }
}
