//! MongoDB, without a driver: the URI (from `connection_string`, or built from the fields) is
//! checked and shown with its password masked, every host is resolved and connected to, and a
//! TLS handshake is made when the URI asks for TLS. Authentication is not tested (vaultdesk
//! carries no MongoDB client); the report says so. `mongodb+srv://` hosts are not looked up
//! (no SRV resolver here).

use std::time::Instant;

use serde_json::Value;

use super::net::{self, Target, Verify};
use super::{text, ConnectorError, ConnectorStage, Recorder, DEFAULT_TIMEOUT};
use crate::template::MASK;

/// A URI taken apart: scheme, hosts with ports, options.
#[derive(Debug, PartialEq)]
pub(crate) struct MongoUri {
    pub srv: bool,
    pub hosts: Vec<(String, u16)>,
    pub options: Vec<(String, String)>,
    /// The URI to show: the password replaced by the mask.
    pub shown: String,
}

/// The URI of the configuration: `connection_string`, else built from the fields.
pub(crate) fn build_uri(config: &Value) -> Result<(String, &'static str), ConnectorError> {
    if let Some(s) = text(config, "connection_string") {
        return Ok((s.trim().to_owned(), "config.connection_string"));
    }
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let host = text(config, "host").ok_or_else(|| ConnectorError::InvalidValue {
        field: "config.host".into(),
        detail: "neither connection_string nor host is set once rendered".into(),
    })?;
    let port = super::port(config, 27017)?;
    let creds = match (text(config, "username"), config.get("password").and_then(Value::as_str)) {
        (Some(u), Some(p)) => format!("{}:{}@", enc(&u), enc(p)),
        (Some(u), None) => format!("{}@", enc(&u)),
        _ => String::new(),
    };
    let db = text(config, "database").map(|d| enc(&d)).unwrap_or_default();
    let mut opts = Vec::new();
    if let Some(a) = text(config, "auth_source") {
        opts.push(format!("authSource={}", enc(&a)));
    }
    if let Some(rs) = text(config, "replica_set") {
        opts.push(format!("replicaSet={}", enc(&rs)));
    }
    let tls = matches!(config.get("tls"), Some(Value::Bool(true)))
        || config.get("tls").and_then(Value::as_str) == Some("true");
    if tls {
        opts.push("tls=true".into());
    }
    let query = if opts.is_empty() { String::new() } else { format!("?{}", opts.join("&")) };
    Ok((format!("mongodb://{creds}{}:{port}/{db}{query}", host.trim()), "config.host"))
}

pub(crate) fn parse_uri(uri: &str, field: &str) -> Result<MongoUri, ConnectorError> {
    let bad =
        |detail: &str| ConnectorError::InvalidValue { field: field.to_owned(), detail: detail.to_owned() };
    let (srv, rest) = if let Some(r) = uri.strip_prefix("mongodb+srv://") {
        (true, r)
    } else if let Some(r) = uri.strip_prefix("mongodb://") {
        (false, r)
    } else {
        return Err(bad("must start with mongodb:// or mongodb+srv://"));
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let (userinfo, hosts) = match authority.rfind('@') {
        Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
        None => (None, authority),
    };
    if hosts.is_empty() {
        return Err(bad("the URI names no host"));
    }
    let mut list = Vec::new();
    for h in hosts.split(',') {
        let port_of = |p: &str| p.parse::<u16>().map_err(|_| bad(&format!("\"{p}\" is not a port")));
        let (name, port) = match h.strip_prefix('[').and_then(|x| x.find(']')) {
            // [IPv6]:port
            Some(end) => {
                let (name, rest) = h.split_at(end + 2);
                (name, rest.strip_prefix(':').map_or(Ok(27017), port_of)?)
            }
            None => match h.rsplit_once(':') {
                Some((n, p)) => (n, port_of(p)?),
                None => (h, 27017),
            },
        };
        if name.is_empty() {
            return Err(bad("a host in the URI is empty"));
        }
        list.push((name.to_owned(), port));
    }
    if srv && list.len() != 1 {
        return Err(bad("a mongodb+srv:// URI names exactly one host, without a port"));
    }
    let options = tail
        .split_once('?')
        .map(|(_, q)| url::form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    let shown_user = match userinfo {
        Some(u) => match u.split_once(':') {
            Some((name, _)) => format!("{name}:{MASK}@"),
            None => format!("{u}@"),
        },
        None => String::new(),
    };
    let scheme = if srv { "mongodb+srv" } else { "mongodb" };
    Ok(MongoUri { srv, hosts: list, options, shown: format!("{scheme}://{shown_user}{hosts}{tail}") })
}

pub(super) async fn test(config: &Value, r: &mut Recorder<'_>) {
    use ConnectorStage::*;
    let started = Instant::now();
    let parsed = build_uri(config).and_then(|(uri, field)| parse_uri(&uri, field).map(|p| (p, field)));
    let (uri, field) = match parsed {
        Ok(p) => p,
        Err(e) => {
            r.fail(Address, started, &e);
            r.skip_rest(&[Dns, Tcp, Tls, Authentication]);
            return;
        }
    };
    r.pass(Address, started, uri.shown.clone());
    if uri.srv {
        r.skip(
            &[Dns, Tcp, Tls],
            "not tested: mongodb+srv:// host lists come from DNS SRV records, which are not looked up here",
        );
        r.skip(&[Authentication], "not tested: vaultdesk has no MongoDB client");
        return;
    }
    let opt = |k: &str| uri.options.iter().find(|(n, _)| n.eq_ignore_ascii_case(k)).map(|(_, v)| v.as_str());
    let tls = matches!(opt("tls").or(opt("ssl")), Some("true"));
    let ca = opt("tlsCAFile").map(str::to_owned);

    let started = Instant::now();
    let mut resolved = Vec::new();
    for (host, port) in &uri.hosts {
        let t =
            Target { host: host.clone(), port: *port, host_field: field.into(), timeout: DEFAULT_TIMEOUT };
        match net::resolve(&t).await {
            Ok(a) => resolved.push((t, a)),
            Err(e) => {
                r.fail(Dns, started, &e);
                r.skip_rest(&[Tcp, Tls, Authentication]);
                return;
            }
        }
    }
    let names: Vec<String> = resolved.iter().map(|(t, a)| format!("{} → {}", t.host, a[0].ip())).collect();
    r.pass(Dns, started, names.join(", "));

    let started = Instant::now();
    let mut streams = Vec::new();
    for (t, addrs) in &resolved {
        match net::connect(t, addrs).await {
            Ok((s, addr)) => streams.push((t.clone(), s, addr)),
            Err(e) => {
                r.fail(Tcp, started, &e);
                r.skip_rest(&[Tls, Authentication]);
                return;
            }
        }
    }
    let addrs: Vec<String> = streams.iter().map(|(_, _, a)| a.to_string()).collect();
    r.pass(Tcp, started, format!("connected to {}", addrs.join(", ")));

    let started = Instant::now();
    if tls {
        let mut described = String::new();
        for (t, s, _) in streams {
            match net::handshake(&t, s, Verify::Full, ca.as_deref(), field).await {
                Ok(tls) => described = net::describe(&tls, Verify::Full, ca.as_deref()),
                Err(e) => {
                    r.fail(Tls, started, &e);
                    r.skip_rest(&[Authentication]);
                    return;
                }
            }
        }
        r.pass(Tls, started, described);
    } else {
        r.warn(
            Tls,
            started,
            "not used (the URI does not ask for tls=true): the password and the data travel unencrypted",
        );
    }
    r.skip(&[Authentication], "not tested: vaultdesk has no MongoDB client (reachability only)");
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_uri_is_built_from_the_fields_and_shown_masked() {
        let (uri, field) = build_uri(&json!({
            "host": "db.example", "port": 27018, "database": "orders", "username": "app",
            "password": "p@ss:w/rd", "auth_source": "admin", "replica_set": "rs0", "tls": true
        }))
        .expect("uri");
        assert_eq!(field, "config.host");
        assert_eq!(
            uri,
            "mongodb://app:p%40ss%3Aw%2Frd@db.example:27018/orders?authSource=admin&replicaSet=rs0&tls=true"
        );
        let p = parse_uri(&uri, field).expect("parsed");
        assert_eq!(p.hosts, [("db.example".to_owned(), 27018)]);
        assert!(!p.shown.contains("p%40ss"), "the password is masked: {}", p.shown);
        assert!(p.shown.starts_with(&format!("mongodb://app:{MASK}@db.example:27018/orders")));
    }

    #[test]
    fn a_connection_string_names_its_hosts() {
        let p = parse_uri("mongodb://u:pw@a:1,b,c:3/db?replicaSet=x", "config.connection_string")
            .expect("parsed");
        assert_eq!(p.hosts, [("a".to_owned(), 1), ("b".to_owned(), 27017), ("c".to_owned(), 3)]);
        assert!(parse_uri("http://x", "f").is_err());
        assert!(parse_uri("mongodb+srv://a:1,b/db", "f").is_err());
    }
}
